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

/// A message as a door receives it, parsed once: its body and the sender's idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The text.
    pub body: MessageBody,
    /// The sender's key; `None` when the sender gave none.
    pub client_id: Option<ClientId>,
}

impl NewMessage {
    /// A REST post: the content, then an optional key (absent or empty means none).
    pub fn parse(content: &str, client_id: Option<&str>) -> Result<Self, Invalid> {
        let body = MessageBody::parse(content)?;
        let client_id = ClientId::parse_optional(client_id)?;
        Ok(Self { body, client_id })
    }

    /// A socket's `send` frame, whose key is required: the key, then the content.
    pub fn parse_keyed(content: &str, client_id: &str) -> Result<Self, Invalid> {
        let client_id = ClientId::parse(client_id)?;
        let body = MessageBody::parse(content)?;
        Ok(Self {
            body,
            client_id: Some(client_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rest_post_may_leave_out_its_key_but_a_socket_send_may_not() {
        let posted = NewMessage::parse(" hi ", Some("")).unwrap();
        assert_eq!(posted.body.as_str(), "hi");
        assert_eq!(posted.client_id, None);
        assert_eq!(
            NewMessage::parse("hi", Some("k1")).unwrap().client_id,
            ClientId::parse("k1").ok()
        );
        let refused = NewMessage::parse_keyed("hi", "").unwrap_err();
        assert!(refused.to_string().contains("client_id"), "{refused}");
    }

    #[test]
    fn each_door_names_the_field_it_checks_first() {
        let rest = NewMessage::parse("", Some("has space")).unwrap_err();
        assert!(rest.to_string().contains("content"), "{rest}");
        let socket = NewMessage::parse_keyed("", "has space").unwrap_err();
        assert!(socket.to_string().contains("client_id"), "{socket}");
    }
}
