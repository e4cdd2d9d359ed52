//! Server functions of the team: invitations, the team list, profile, sign-ins, password
//! reset and the audit log. Every rule lives in the engine; these parse, call and return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard::wire::{
    AuditAction, AuditEntry, CreatedInvitation, Invitation, InvitationPreview, Me, Operator,
    Preferences, SignIn, TeamMember,
};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::ssr;

/// The Team page's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    /// Who is looking.
    pub me: Operator,
    /// Every operator, oldest first, as the viewer may see them.
    pub members: Vec<TeamMember>,
    /// Pending invitations (empty for agents, who cannot see them).
    pub invitations: Vec<Invitation>,
}

/// The account page's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    /// The operator and their preferences.
    pub me: Me,
    /// Their sign-ins, the current one marked.
    pub signins: Vec<SignIn>,
}

/// One page of the audit log, with the team for the "who" filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// Everyone who can have done something.
    pub members: Vec<TeamMember>,
    /// Whether older entries may follow.
    pub more: bool,
}

/// What an invitation link's page shows; its status is 404 or 410 when it does not work.
#[server(endpoint = "invitations/preview")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    let token = switchboard::auth::Token::from_presented(&token);
    let result =
        async { Ok::<_, AppError>(ssr::engine()?.invitation_preview(&token).await?) }.await;
    result.inspect_err(ssr::set_status_for)
}

/// Accepts an invitation: creates the operator, signs them in and opens the inbox.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    let engine = ssr::engine()?;
    let (_, session) = engine
        .accept_invitation(
            &switchboard::auth::Token::from_presented(&token),
            &name,
            &password,
            &ssr::requester(),
        )
        .await?;
    ssr::sign_in_and_go(&engine, &session);
    Ok(())
}

/// Asks for a reset link; the answer is the same whether or not the address has an account.
#[server(endpoint = "auth/forgot")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let engine = ssr::engine()?;
    engine
        .forgot_password(&email, ssr::locale().await, &ssr::requester())
        .await?;
    Ok(())
}

/// Whether a reset link works; its status is 404 or 410 when it does not.
#[server(endpoint = "auth/reset_check")]
pub async fn reset_check(token: String) -> Result<(), AppError> {
    let token = switchboard::auth::Token::from_presented(&token);
    let result = async { Ok::<_, AppError>(ssr::engine()?.check_reset_link(&token).await?) }.await;
    result.inspect_err(ssr::set_status_for)
}

/// Sets a new password through a reset link, signs in and opens the inbox.
#[server(endpoint = "auth/reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let engine = ssr::engine()?;
    let (_, session) = engine
        .reset_password(
            &switchboard::auth::Token::from_presented(&token),
            &password,
            &ssr::requester(),
        )
        .await?;
    ssr::sign_in_and_go(&engine, &session);
    Ok(())
}

/// The Team page: the team and, for the owner and admins, pending invitations.
#[server(endpoint = "team")]
pub async fn load_team() -> Result<TeamView, AppError> {
    let me = ssr::signed_in().await?;
    let engine = ssr::engine()?;
    let members = engine.team(&me).await?;
    let invitations = if me.role.may(switchboard::domain::Capability::RunTeam) {
        engine.invitations(&me).await?
    } else {
        Vec::new()
    };
    Ok(TeamView {
        me,
        members,
        invitations,
    })
}

/// Invites a colleague; the link is in the answer, to be shown once.
#[server(endpoint = "team/invite")]
pub async fn invite(email: String, role: String) -> Result<CreatedInvitation, AppError> {
    let me = ssr::signed_in().await?;
    let email = switchboard::domain::Email::parse(&email).map_err(switchboard::Error::from)?;
    let role = switchboard::wire::Role::parse(&role).ok_or_else(|| {
        switchboard::Error::from(switchboard::domain::Invalid::new(
            "role",
            "must be admin or agent",
        ))
    })?;
    Ok(ssr::engine()?
        .invite(&me, email, role, ssr::locale().await, &ssr::requester())
        .await?)
}

/// Revokes a pending invitation.
#[server(endpoint = "team/revoke")]
pub async fn revoke_invitation(id: uuid::Uuid) -> Result<(), AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?
        .revoke_invitation(&me, id, &ssr::requester())
        .await?)
}

/// Changes a colleague's role, or deactivates or reactivates them.
#[server(endpoint = "team/change")]
pub async fn change_operator(
    id: uuid::Uuid,
    role: Option<String>,
    active: Option<bool>,
) -> Result<Operator, AppError> {
    let me = ssr::signed_in().await?;
    let role = match role.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(switchboard::wire::Role::parse(raw).ok_or_else(|| {
            switchboard::Error::from(switchboard::domain::Invalid::new(
                "role",
                "must be admin or agent",
            ))
        })?),
    };
    let change = switchboard::domain::TeamChange { role, active };
    Ok(ssr::engine()?
        .change_operator(&me, id, change, &ssr::requester())
        .await?)
}

/// Hands ownership to an active admin.
#[server(endpoint = "team/make_owner")]
pub async fn make_owner(id: uuid::Uuid) -> Result<Operator, AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?
        .make_owner(&me, id, &ssr::requester())
        .await?)
}

/// The account page: the operator, their preferences and their sign-ins.
#[server(endpoint = "account")]
pub async fn load_account() -> Result<AccountView, AppError> {
    let (me, token) = ssr::signed_in_with_token().await?;
    let engine = ssr::engine()?;
    Ok(AccountView {
        me: engine.me(&me).await?,
        signins: engine.signins(&me, &token).await?,
    })
}

/// Changes the operator's name.
#[server(endpoint = "account/name")]
pub async fn rename_me(name: String) -> Result<Me, AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?.update_me(&me, Some(&name), None).await?)
}

/// Saves the operator's notification preferences.
#[server(endpoint = "account/preferences")]
pub async fn save_preferences(preferences: Preferences) -> Result<Me, AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?
        .update_me(&me, None, Some(preferences))
        .await?)
}

/// Changes the password; every other sign-in ends.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let (me, token) = ssr::signed_in_with_token().await?;
    Ok(ssr::engine()?
        .change_password(
            &me,
            &token,
            &current_password,
            &new_password,
            &ssr::requester(),
        )
        .await?)
}

/// Ends one of the operator's sign-ins.
#[server(endpoint = "account/end_signin")]
pub async fn end_signin(id: uuid::Uuid) -> Result<(), AppError> {
    let me = ssr::signed_in().await?;
    Ok(ssr::engine()?
        .end_signin(&me, id, &ssr::requester())
        .await?)
}

/// Ends every sign-in of the operator but this one.
#[server(endpoint = "account/end_others")]
pub async fn end_other_signins() -> Result<(), AppError> {
    let (me, token) = ssr::signed_in_with_token().await?;
    Ok(ssr::engine()?
        .end_other_signins(&me, &token, &ssr::requester())
        .await?)
}

/// A page of the audit log: `action` and `actor` filter (empty for all), `before` pages on.
#[server(endpoint = "audit")]
pub async fn load_audit(
    action: Option<AuditAction>,
    actor: Option<uuid::Uuid>,
    before: Option<uuid::Uuid>,
) -> Result<AuditView, AppError> {
    const PAGE: i64 = 50;
    let me = ssr::signed_in().await?;
    let engine = ssr::engine()?;
    let query = switchboard::AuditQuery {
        action,
        actor_id: actor,
        before,
        limit: PAGE + 1,
        ..Default::default()
    };
    let result = async { Ok::<_, AppError>(engine.audit_log(&me, query).await?) }.await;
    let mut entries = result.inspect_err(ssr::set_status_for)?;
    let more = entries.len() as i64 > PAGE;
    entries.truncate(PAGE as usize);
    Ok(AuditView {
        entries,
        members: engine.team(&me).await?,
        more,
    })
}
