//! A chat message as a door receives it: its text, the sender's idempotency key, and what an
//! operator's send may add (a private note, its mentions, the collision guard).

use uuid::Uuid;

use super::{check_controls, parse_attachments, shows_as_empty, Invalid, MESSAGE_MAX_CHARS};

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

    /// The content of a message that carries files: it may be left empty.
    fn with_files(raw: &str, attachments: &[Uuid]) -> Result<Self, Invalid> {
        if !attachments.is_empty() && shows_as_empty(raw.trim()) {
            return Ok(Self(String::new()));
        }
        Self::parse(raw)
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

/// The most operators one note may mention.
pub const MENTIONS_MAX: usize = 20;

/// What an operator's send may add to a message, parsed once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// A private note, for operators only.
    pub internal: bool,
    /// The operators a note mentions: no repeats, at most [`MENTIONS_MAX`], only on a note.
    pub mentions: Vec<Uuid>,
    /// The collision guard: the highest seq the sender's view had. `None` without a guard, or
    /// when the sender forces the send.
    pub based_on_seq: Option<i64>,
}

impl SendOptions {
    /// Parses the optional fields of a send: `force` drops the guard.
    pub fn parse(
        internal: bool,
        mentions: &[Uuid],
        based_on_seq: Option<i64>,
        force: bool,
    ) -> Result<Self, Invalid> {
        if !internal && !mentions.is_empty() {
            return Err(Invalid::new("mentions", "only a note (internal) mentions"));
        }
        let mut unique: Vec<Uuid> = Vec::with_capacity(mentions.len());
        for id in mentions {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        if unique.len() > MENTIONS_MAX {
            return Err(Invalid::new(
                "mentions",
                format!("must name at most {MENTIONS_MAX} operators"),
            ));
        }
        if based_on_seq.is_some_and(|seq| seq < 0) {
            return Err(Invalid::new("based_on_seq", "must be 0 or more"));
        }
        Ok(Self {
            internal,
            mentions: unique,
            based_on_seq: based_on_seq.filter(|_| !force),
        })
    }
}

/// A message as a door receives it, parsed once: its body, the sender's idempotency key and
/// the operator's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The text.
    pub body: MessageBody,
    /// The sender's key; `None` when the sender gave none.
    pub client_id: Option<ClientId>,
    /// A note, its mentions, the collision guard.
    pub options: SendOptions,
    /// Uploaded files it carries, each once (how many is the engine's limit).
    pub attachments: Vec<Uuid>,
}

impl NewMessage {
    /// A REST post: the content, then an optional key (absent or empty means none).
    pub fn parse(content: &str, client_id: Option<&str>) -> Result<Self, Invalid> {
        Self::parse_with_files(content, client_id, &[])
    }

    /// A REST post that may carry files: then its content may be empty.
    pub fn parse_with_files(
        content: &str,
        client_id: Option<&str>,
        attachments: &[Uuid],
    ) -> Result<Self, Invalid> {
        let body = MessageBody::with_files(content, attachments)?;
        let client_id = ClientId::parse_optional(client_id)?;
        Ok(Self {
            body,
            client_id,
            options: SendOptions::default(),
            attachments: parse_attachments(attachments)?,
        })
    }

    /// A socket's `send` frame, whose key is required: the key, then the content and files.
    pub fn parse_keyed(
        content: &str,
        client_id: &str,
        attachments: &[Uuid],
    ) -> Result<Self, Invalid> {
        let client_id = ClientId::parse(client_id)?;
        let body = MessageBody::with_files(content, attachments)?;
        Ok(Self {
            body,
            client_id: Some(client_id),
            options: SendOptions::default(),
            attachments: parse_attachments(attachments)?,
        })
    }

    /// A REST post's body, with the options it carries.
    pub fn from_request(request: &crate::wire::PostMessageRequest) -> Result<Self, Invalid> {
        let options = SendOptions::parse(
            request.internal,
            &request.mentions,
            request.based_on_seq,
            request.force,
        )?;
        let message = Self::parse_with_files(
            &request.content,
            request.client_id.as_deref(),
            &request.attachments,
        )?;
        Ok(message.with(options))
    }

    /// The same message with an operator's options.
    pub fn with(self, options: SendOptions) -> Self {
        Self { options, ..self }
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
        let refused = NewMessage::parse_keyed("hi", "", &[]).unwrap_err();
        assert!(refused.to_string().contains("client_id"), "{refused}");
    }

    #[test]
    fn a_message_with_files_may_leave_its_text_empty_and_one_without_may_not() {
        let file = Uuid::from_u128(9);
        let posted = NewMessage::parse_with_files("  ", None, &[file]).unwrap();
        assert_eq!((posted.body.as_str(), posted.attachments), ("", vec![file]));
        assert!(NewMessage::parse_with_files("  ", None, &[]).is_err());
        assert!(NewMessage::parse_keyed("", "k", &[file, file]).is_err());
    }

    #[test]
    fn mentions_belong_to_notes_and_force_drops_the_guard() {
        let id = Uuid::from_u128(1);
        let refused = SendOptions::parse(false, &[id], None, false).unwrap_err();
        assert!(refused.to_string().contains("mentions"), "{refused}");
        let note = SendOptions::parse(true, &[id, id], Some(4), false).unwrap();
        assert_eq!(note.mentions, vec![id]);
        assert_eq!(note.based_on_seq, Some(4));
        let forced = SendOptions::parse(false, &[], Some(4), true).unwrap();
        assert_eq!(forced.based_on_seq, None);
        assert!(SendOptions::parse(false, &[], Some(-1), false).is_err());
        let many: Vec<Uuid> = (0..=MENTIONS_MAX as u128).map(Uuid::from_u128).collect();
        assert!(SendOptions::parse(true, &many, None, false).is_err());
    }

    #[test]
    fn each_door_names_the_field_it_checks_first() {
        let rest = NewMessage::parse("", Some("has space")).unwrap_err();
        assert!(rest.to_string().contains("content"), "{rest}");
        let socket = NewMessage::parse_keyed("", "has space", &[]).unwrap_err();
        assert!(socket.to_string().contains("client_id"), "{socket}");
    }
}
