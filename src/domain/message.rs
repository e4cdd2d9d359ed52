//! A chat message as a door receives it: its text and the sender's idempotency key.

use super::{check_controls, shows_as_empty, Invalid, MESSAGE_MAX_CHARS};

/// The content of a chat message: trimmed, 1 to 4,000 characters, no NUL or C0 controls other
/// than newline and tab. Stored verbatim and always rendered as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Parses raw input into a message body.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if shows_as_empty(value) {
            return Err(Invalid::new("content", "must not be empty"));
        }
        check_controls("content", value, &['\n', '\t'])?;
        if value.chars().count() > MESSAGE_MAX_CHARS {
            return Err(Invalid::new(
                "content",
                format!("must be at most {MESSAGE_MAX_CHARS} characters"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The content as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest idempotency key accepted.
pub const CLIENT_ID_MAX_CHARS: usize = 100;

/// A sender's idempotency key: 1 to 100 visible ASCII characters (a UUID fits). Sending the same
/// key twice in one conversation stores one message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Parses a key sent by a client.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() || raw.len() > CLIENT_ID_MAX_CHARS {
            return Err(Invalid::new(
                "client_id",
                format!("must be 1 to {CLIENT_ID_MAX_CHARS} characters"),
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Invalid::new(
                "client_id",
                "must be visible ASCII characters without spaces",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A key for a sender that gave none, or an absent or empty optional key.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, Invalid> {
        match raw {
            None | Some("") => Ok(None),
            Some(raw) => Self::parse(raw).map(Some),
        }
    }

    /// Wraps a key the server made itself.
    pub fn generated(value: String) -> Self {
        Self(value)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
