//! The wire types of the shared inbox: assignment, labels and canned replies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::{time, OperatorRef};

/// A label operators put on conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Label {
    /// Its id.
    pub id: Uuid,
    /// Its name, 1 to 40 characters, unique ignoring case.
    pub name: String,
    /// Its colour, `#rrggbb`.
    pub color: String,
}

/// `GET /api/v1/labels` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelList {
    /// By name.
    pub labels: Vec<Label>,
}

/// `{"label": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelEnvelope {
    /// The label.
    pub label: Label,
}

/// `POST /api/v1/labels` and `PATCH /api/v1/labels/:id` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelRequest {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// `PUT /api/v1/conversations/:id/labels` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelsRequest {
    /// The conversation's labels from now on.
    pub label_ids: Vec<Uuid>,
}

/// `POST /api/v1/conversations/:id/assign` body: `operator_id` must be present, `null` to
/// unassign.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRequest {
    /// The new assignee (`Some(None)`: nobody); `None` when the key is missing.
    #[serde(default, deserialize_with = "present")]
    pub operator_id: Option<Option<Uuid>>,
}

/// A key that is present, even as `null`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A reply the team keeps ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReply {
    /// Its id.
    pub id: Uuid,
    /// What follows `/` in the composer: 1 to 32 of `a-z 0-9 _ -`, unique.
    pub shortcut: String,
    /// A title for the list.
    pub title: String,
    /// The text, stored verbatim, with `{{customer.name}}`, `{{customer.email}}` and
    /// `{{operator.name}}` filled in when inserted.
    pub content: String,
    /// Who wrote it.
    pub created_by: OperatorRef,
    /// When it last changed.
    #[serde(with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/v1/canned_replies` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReplyList {
    /// By shortcut.
    pub canned_replies: Vec<CannedReply>,
}

/// `{"canned_reply": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReplyEnvelope {
    /// The canned reply.
    pub canned_reply: CannedReply,
}

/// `POST /api/v1/canned_replies` and `PATCH /api/v1/canned_replies/:id` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReplyRequest {
    /// The shortcut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}
