//! The wire types of the embedded widget and the operators' inbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{time, Label, Message, OperatorRef, SenderKind};

/// A website customer as operators and the widget see one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// The customer's id.
    pub id: Uuid,
    /// The name, if known.
    pub name: Option<String>,
    /// The address for replies, if known.
    pub email: Option<String>,
    /// Whether the address is known to be the customer's (signed in the v1.1 form, or
    /// confirmed through its link): only then do reply emails go to it.
    #[serde(default)]
    pub email_verified: bool,
    /// Whether the identity was signed by the host site (else an anonymous visitor).
    #[serde(default)]
    pub signed: bool,
    /// When Switchboard first saw this customer.
    #[serde(with = "time")]
    pub first_seen_at: DateTime<Utc>,
    /// The customer's number on this installation, from 1 in the order they were first seen:
    /// "Visitor 12" names a customer without a name or email.
    #[serde(default)]
    pub number: i64,
    /// When an admin erased the customer: their name, email and messages are gone, and the
    /// conversation shows "Erased customer".
    #[serde(default, with = "time::option")]
    pub erased_at: Option<DateTime<Utc>>,
}

/// What a conversation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// A customer's thread with the operators, through the widget.
    Support,
    /// The chat of a remote-support session.
    Session,
}

impl ConversationKind {
    /// The kind as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::Session => "session",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "support" => Some(Self::Support),
            "session" => Some(Self::Session),
            _ => None,
        }
    }
}

/// An inbox list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationItem {
    /// The conversation's id.
    pub id: Uuid,
    /// Support or session.
    pub kind: ConversationKind,
    /// The customer of a support conversation.
    pub customer: Option<Customer>,
    /// When the last message was stored.
    #[serde(with = "time::option")]
    pub last_message_at: Option<DateTime<Utc>>,
    /// The last message's text, at most 100 characters (cut ones end with `…`).
    pub last_message_preview: Option<String>,
    /// Who wrote the last message.
    pub last_message_sender: Option<SenderKind>,
    /// How many messages the conversation holds.
    pub message_count: i64,
    /// Whether the customer (or guest) wrote something operators have not read.
    pub unread: bool,
    /// Whether it is archived.
    pub archived: bool,
    /// Whether the last message is a private note (operators' previews mark it).
    #[serde(default)]
    pub last_message_internal: bool,
    /// The operator it is assigned to, if any.
    #[serde(default)]
    pub assignee: Option<OperatorRef>,
    /// Its labels, by name.
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// `GET /api/v1/conversations` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationList {
    /// Newest activity first.
    pub conversations: Vec<ConversationItem>,
}

/// `{"conversation": item}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationEnvelope {
    /// The list item.
    pub conversation: ConversationItem,
}

/// A line Switchboard shows operators inside a conversation, between messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationNote {
    /// What happened.
    pub kind: NoteKind,
    /// The seq of the message it belongs before.
    pub at_seq: i64,
    /// When it happened.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// Who did it (assignments and labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<OperatorRef>,
    /// To whom it was assigned (`assigned`), or from whom it was taken (`unassigned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<OperatorRef>,
    /// The labels' names after a `labelled` change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// What a [`ConversationNote`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A customer's message brought an archived conversation back to the active list.
    Reopened,
    /// An operator assigned it (`by`, `to`).
    Assigned,
    /// An operator took the assignee off (`by`; `to` is who had it).
    Unassigned,
    /// An operator changed its labels (`by`, `labels`).
    Labelled,
    /// An admin erased the customer (`by`): every message before this line is gone.
    Erased,
}

impl NoteKind {
    /// The kind as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reopened => "reopened",
            Self::Assigned => "assigned",
            Self::Unassigned => "unassigned",
            Self::Labelled => "labelled",
            Self::Erased => "erased",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Reopened,
            Self::Assigned,
            Self::Unassigned,
            Self::Labelled,
            Self::Erased,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw)
    }
}

/// `GET /api/v1/conversations/:id` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    /// The list item, after the view was noted.
    pub conversation: ConversationItem,
    /// The latest messages (at most 100), ascending by seq.
    pub messages: Vec<Message>,
    /// Switchboard's own lines for operators (such as "reopened"), oldest first.
    #[serde(default)]
    pub notes: Vec<ConversationNote>,
    /// The same lines under their v1.1 name.
    #[serde(default)]
    pub activity: Vec<ConversationNote>,
}

/// `POST /api/v1/widget/session` body: a signed identity, or an anonymous visitor's token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSessionRequest {
    /// The host site's user id (signed customers).
    #[serde(default)]
    pub user_id: Option<String>,
    /// The user's email (signed customers).
    #[serde(default)]
    pub email: Option<String>,
    /// The user's name (signed customers).
    #[serde(default)]
    pub name: Option<String>,
    /// Lowercase hex HMAC-SHA256 under the widget secret: of
    /// `v2\n<user_id>\n<email>\n<name>\n<issued_at>` when `issued_at` is given, else (v1) of
    /// `user_id` alone.
    #[serde(default)]
    pub signature: Option<String>,
    /// When the host site signed the identity, in Unix seconds (the v1.1 form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
    /// An anonymous visitor's token from an earlier visit.
    #[serde(default)]
    pub visitor_token: Option<String>,
    /// The widget's UI language, remembered for emails.
    #[serde(default)]
    pub locale: Option<String>,
    /// The chat link from a reply email (the hosted chat page signs in with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// `POST /api/v1/widget/session` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSession {
    /// The bearer token for the other widget routes and the socket.
    pub widget_token: String,
    /// When the widget token stops working.
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// The customer.
    pub customer: Customer,
    /// The customer's one conversation.
    pub conversation_id: Uuid,
    /// An anonymous visitor's token, to present next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_token: Option<String>,
}

/// `PATCH /api/v1/widget/customer` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPatch {
    /// An address for replies.
    #[serde(default)]
    pub email: Option<String>,
    /// A name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `{"customer": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerEnvelope {
    /// The customer.
    pub customer: Customer,
}

/// `GET /api/v1/widget/messages` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetMessages {
    /// Ascending by seq.
    pub messages: Vec<Message>,
    /// Operator messages the customer has not read.
    pub unread: i64,
}

/// `POST /api/v1/widget/launcher` answer: what the loader's launcher shows on the host page
/// before the widget is opened (see docs/API.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetLauncher {
    /// Operator messages the visitor has not read (0 for a visitor not seen before).
    pub unread: i64,
    /// The brand colour, `#rrggbb`.
    pub color: String,
    /// The text colour that reads on it.
    pub text_color: String,
    /// The side of the host page.
    pub position: crate::wire::WidgetPosition,
    /// The language of `labels` (one of the six UI languages).
    pub lang: String,
    /// Its direction, `ltr` or `rtl`.
    pub dir: String,
    /// What the launcher says.
    pub labels: LauncherLabels,
}

/// The launcher's words, in [`WidgetLauncher::lang`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LauncherLabels {
    /// The button's name while the panel is closed ("Open chat").
    pub open: String,
    /// Its name while the panel is open ("Close chat").
    pub close: String,
    /// The unread count said in words ("2 unread messages"), empty for none.
    pub unread: String,
}

/// `GET /api/v1/widget/presence` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetPresence {
    /// Whether any operator has the dashboard open (a live socket) on any node.
    pub operators_online: bool,
}

/// The widget's settings as the dashboard shows them (the secret only to operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSettings {
    /// The secret that signs user ids.
    pub secret: String,
    /// Whether the secret comes from `SWITCHBOARD_WIDGET_SECRET` (else it was generated).
    pub secret_from_environment: bool,
    /// Whether anonymous visitors may chat.
    pub anonymous: bool,
    /// The origins that may embed the widget (`*` for any).
    pub embed_origins: Vec<String>,
}
