//! Server functions of the shared inbox: the operator's desk (colleagues, labels, canned
//! replies), assigning and labelling a conversation, and keeping the labels and the library.
//! Every rule lives in the engine; these parse, call and return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard::wire::{CannedReply, ConversationItem, Label, Operator, TeamMember};
use uuid::Uuid;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::ssr;

/// What an operator works a conversation with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskView {
    /// Who is working.
    pub me: Operator,
    /// Colleagues, to assign to and mention (active ones only).
    pub team: Vec<TeamMember>,
    /// Every label.
    pub labels: Vec<Label>,
    /// The team's canned replies.
    pub canned: Vec<CannedReply>,
}

/// The desk: colleagues, labels and canned replies in one answer.
#[server(endpoint = "desk")]
pub async fn load_desk() -> Result<DeskView, AppError> {
    let me = ssr::signed_in().await?;
    let engine = ssr::engine()?;
    let team = engine
        .team(&me)
        .await?
        .into_iter()
        .filter(|member| member.active)
        .collect();
    Ok(DeskView {
        team,
        labels: engine.labels().await?,
        canned: engine.canned_replies("").await?,
        me,
    })
}

/// Assigns a conversation to `operator_id` (`None`: nobody).
#[server(endpoint = "inbox/assign")]
pub async fn assign_conversation(
    id: Uuid,
    operator_id: Option<Uuid>,
) -> Result<ConversationItem, AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?.assign(&me, id, operator_id).await?)
}

/// Sets a conversation's labels.
#[server(endpoint = "inbox/labels")]
pub async fn label_conversation(
    id: Uuid,
    label_ids: Vec<Uuid>,
) -> Result<ConversationItem, AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?.set_labels(&me, id, &label_ids).await?)
}

/// Creates a label (owner and admins).
#[server(endpoint = "labels/create")]
pub async fn create_label(name: String, color: String) -> Result<Label, AppError> {
    let me = ssr::signed_in().await?;
    let name = switchboard::domain::LabelName::parse(&name)?;
    let color = switchboard::domain::LabelColor::parse(&color)?;
    Ok(ssr::engine()?.create_label(&me, name, color).await?)
}

/// Renames and recolours a label (owner and admins).
#[server(endpoint = "labels/change")]
pub async fn change_label(id: Uuid, name: String, color: String) -> Result<Label, AppError> {
    let me = ssr::signed_in().await?;
    let name = switchboard::domain::LabelName::parse(&name)?;
    let color = switchboard::domain::LabelColor::parse(&color)?;
    Ok(ssr::engine()?
        .change_label(&me, id, Some(name), Some(color))
        .await?)
}

/// Deletes a label (owner and admins).
#[server(endpoint = "labels/delete")]
pub async fn delete_label(id: Uuid) -> Result<(), AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?.delete_label(&me, id).await?)
}

/// Adds a canned reply, or changes one when `id` is given (its author, the owner, admins).
#[server(endpoint = "canned/save")]
pub async fn save_canned_reply(
    id: Option<Uuid>,
    shortcut: String,
    title: String,
    content: String,
) -> Result<CannedReply, AppError> {
    let me = ssr::signed_in().await?;
    let change = switchboard::domain::CannedReplyChange::parse(
        Some(&shortcut),
        Some(&title),
        Some(&content),
    )?;
    let engine = ssr::engine()?;
    Ok(match id {
        None => engine.create_canned_reply(&me, change).await?,
        Some(id) => engine.change_canned_reply(&me, id, change).await?,
    })
}

/// Deletes a canned reply (its author, the owner, admins).
#[server(endpoint = "canned/delete")]
pub async fn delete_canned_reply(id: Uuid) -> Result<(), AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?.delete_canned_reply(&me, id).await?)
}
