//! Who acts in a conversation: an operator, a guest of one support session, or a website
//! customer, with what each may be told about the others; and where a guest's link stands.

use uuid::Uuid;

use crate::auth::TokenDigest;
use crate::domain::{ClientNetwork, DisplayName};
use crate::wire::{Identity, Operator, SenderKind};

/// Who is acting in a conversation.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in operator: may act in any conversation.
    Operator(Operator),
    /// A guest of one support session: may act only in its conversation, while it is open and
    /// while the link they came with is the session's current one.
    Guest {
        /// The session.
        session_id: Uuid,
        /// The session's conversation.
        conversation_id: Uuid,
        /// The name the guest gave, if any.
        name: Option<DisplayName>,
        /// The digest of the link token they came with.
        link: TokenDigest,
    },
    /// A website customer, through the widget: may act only in their own conversation.
    Customer {
        /// The customer.
        customer_id: Uuid,
        /// Their one support conversation.
        conversation_id: Uuid,
        /// Their name, if known.
        name: Option<String>,
        /// The network they came from, for the customer doors' windows.
        client: Option<ClientNetwork>,
        /// The digest of the widget token they came with: a socket lives only as long as it.
        token: TokenDigest,
        /// When that token expires.
        expires_at: chrono::DateTime<chrono::Utc>,
    },
}

impl Actor {
    /// The same guest under the name given with a message; operators keep their own name.
    pub fn with_guest_name(self, new_name: Option<DisplayName>) -> Self {
        match self {
            Self::Guest {
                session_id,
                conversation_id,
                link,
                ..
            } => Self::Guest {
                session_id,
                conversation_id,
                name: new_name,
                link,
            },
            other => other,
        }
    }

    /// The one conversation a guest or a customer may act in; `None` for an operator.
    pub fn conversation(&self) -> Option<Uuid> {
        match self {
            Self::Guest {
                conversation_id, ..
            }
            | Self::Customer {
                conversation_id, ..
            } => Some(*conversation_id),
            Self::Operator(_) => None,
        }
    }

    /// The sender kind of this actor's messages.
    pub fn kind(&self) -> SenderKind {
        match self {
            Self::Operator(_) => SenderKind::Operator,
            Self::Guest { .. } => SenderKind::Guest,
            Self::Customer { .. } => SenderKind::Customer,
        }
    }

    /// The identity other participants see.
    pub fn identity(&self) -> Identity {
        match self {
            Self::Operator(op) => Identity {
                kind: SenderKind::Operator,
                id: Some(op.id),
                name: Some(op.name.clone()),
            },
            Self::Guest {
                session_id, name, ..
            } => Identity {
                kind: SenderKind::Guest,
                id: Some(*session_id),
                name: name.as_ref().map(|n| n.as_str().to_owned()),
            },
            Self::Customer {
                customer_id, name, ..
            } => Identity {
                kind: SenderKind::Customer,
                id: Some(*customer_id),
                name: name.clone(),
            },
        }
    }

    /// Whether this actor sees private notes: operators only.
    pub fn sees_notes(&self) -> bool {
        matches!(self, Self::Operator(_))
    }

    /// Whom a message's idempotency key and the send window belong to: the operator, or the
    /// guest link's session.
    pub(crate) fn sender_id(&self) -> Uuid {
        match self {
            Self::Operator(op) => op.id,
            Self::Guest { session_id, .. } => *session_id,
            Self::Customer { customer_id, .. } => *customer_id,
        }
    }

    /// A key naming this actor's credential (the operator, or the guest link's session): what
    /// its send window and its live-socket cap count against.
    pub fn key(&self) -> String {
        match self {
            Self::Operator(op) => format!("operator:{}", op.id),
            Self::Guest { session_id, .. } => format!("guest:{session_id}"),
            Self::Customer { customer_id, .. } => format!("customer:{customer_id}"),
        }
    }

    /// The sender kinds whose messages this actor reads (the other side's), by the one rule,
    /// [`SenderKind::reads`].
    pub(crate) fn reads_from(&self) -> &'static [SenderKind] {
        self.kind().read_senders()
    }
}

/// Where a guest's link stands, for a socket that watches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestStanding {
    /// The session is open and the link is its current one, until this time.
    Open {
        /// When the link expires.
        expires_at: chrono::DateTime<chrono::Utc>,
    },
    /// The session ended or the link expired.
    Ended,
    /// The link was replaced by a newer one.
    LinkReplaced,
}
