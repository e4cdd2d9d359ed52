//! [`ServerFrame`] read in one pass.
//!
//! Derived, an internally tagged enum (`{"type": "message", ...}`) first reads the whole
//! object into serde's private tree of buffered content, then reads the variant from that
//! tree: every type a frame holds got a second reader, for the tree, and the browser's bundle
//! carried both. Here each field that any frame has is read as it comes into [`Fields`], and
//! the variant is put together once the object has ended, so `type` may still come anywhere.
//! Unknown fields are ignored, as the derived reader did; a field that only frames of another
//! type have is read too, so unlike before it must be well-formed.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};
use serde::Deserialize;
use uuid::Uuid;

use super::frames::{AlertKind, ServerFrame, Viewer};
use super::{ConversationItem, ErrorCode, Identity, Message, OperatorRef, Session};

/// The frame's `type`.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Type {
    Welcome,
    Subscribed,
    Message,
    Ack,
    Read,
    Typing,
    Viewers,
    Alert,
    InboxSubscribed,
    ConversationUpdated,
    SessionEnded,
    Pong,
    Error,
}

/// Every field of every frame, each read as it comes.
#[derive(Deserialize)]
struct Fields {
    #[serde(rename = "type")]
    frame_type: Type,
    identity: Option<Identity>,
    conversation_id: Option<Uuid>,
    session: Option<Session>,
    last_seq: Option<i64>,
    message: Option<MessageField>,
    client_id: Option<String>,
    reader: Option<Identity>,
    up_to_seq: Option<i64>,
    who: Option<Identity>,
    internal: Option<bool>,
    operators: Option<Vec<Viewer>>,
    kind: Option<AlertKind>,
    by: Option<OperatorRef>,
    message_id: Option<Uuid>,
    conversation: Option<Box<ConversationItem>>,
    session_id: Option<Uuid>,
    code: Option<ErrorCode>,
    messages: Option<Vec<Message>>,
}

/// `message` is a stored message in `message` and `ack` frames, and a text in `error` frames.
enum MessageField {
    Stored(Message),
    Text(String),
}

impl<'de> Deserialize<'de> for MessageField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;

        impl<'de> Visitor<'de> for Either {
            type Value = MessageField;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a message object or a text")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<MessageField, E> {
                Ok(MessageField::Text(text.to_owned()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<MessageField, E> {
                Ok(MessageField::Text(text))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MessageField, A::Error> {
                Message::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(MessageField::Stored)
            }
        }

        deserializer.deserialize_any(Either)
    }
}

/// A field a frame of its type must have.
fn needed<T, E: de::Error>(field: Option<T>, name: &'static str) -> Result<T, E> {
    field.ok_or_else(|| E::missing_field(name))
}

impl Fields {
    fn frame<E: de::Error>(self) -> Result<ServerFrame, E> {
        let conversation_id = || needed(self.conversation_id, "conversation_id");
        Ok(match self.frame_type {
            Type::Welcome => ServerFrame::Welcome {
                identity: needed(self.identity, "identity")?,
                conversation_id: self.conversation_id,
                session: self.session,
            },
            Type::Subscribed => ServerFrame::Subscribed {
                conversation_id: conversation_id()?,
                last_seq: needed(self.last_seq, "last_seq")?,
            },
            Type::Message => ServerFrame::Message {
                message: stored(self.message)?,
            },
            Type::Ack => ServerFrame::Ack {
                client_id: needed(self.client_id, "client_id")?,
                message: stored(self.message)?,
            },
            Type::Read => ServerFrame::Read {
                conversation_id: conversation_id()?,
                reader: needed(self.reader, "reader")?,
                up_to_seq: needed(self.up_to_seq, "up_to_seq")?,
            },
            Type::Typing => ServerFrame::Typing {
                conversation_id: conversation_id()?,
                who: needed(self.who, "who")?,
                internal: self.internal.unwrap_or(false),
            },
            Type::Viewers => ServerFrame::Viewers {
                conversation_id: conversation_id()?,
                operators: needed(self.operators, "operators")?,
            },
            Type::Alert => ServerFrame::Alert {
                kind: needed(self.kind, "kind")?,
                conversation_id: conversation_id()?,
                by: needed(self.by, "by")?,
                message_id: self.message_id,
            },
            Type::InboxSubscribed => ServerFrame::InboxSubscribed,
            Type::ConversationUpdated => ServerFrame::ConversationUpdated {
                conversation: needed(self.conversation, "conversation")?,
            },
            Type::SessionEnded => ServerFrame::SessionEnded {
                session_id: needed(self.session_id, "session_id")?,
            },
            Type::Pong => ServerFrame::Pong,
            Type::Error => ServerFrame::Error {
                code: needed(self.code, "code")?,
                message: match needed(self.message, "message")? {
                    MessageField::Text(text) => text,
                    MessageField::Stored(_) => {
                        return Err(E::invalid_type(Unexpected::Map, &"a text"));
                    }
                },
                client_id: self.client_id,
                messages: self.messages,
            },
        })
    }
}

/// The stored message of a `message` or `ack` frame.
fn stored<E: de::Error>(field: Option<MessageField>) -> Result<Message, E> {
    match needed(field, "message")? {
        MessageField::Stored(message) => Ok(message),
        MessageField::Text(text) => Err(E::invalid_type(Unexpected::Str(&text), &"a message")),
    }
}

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Fields::deserialize(deserializer)?.frame()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::hub::Event;

    fn from<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).unwrap()
    }

    fn message(content: &str) -> Message {
        from(json!({
            "id": Uuid::nil(), "conversation_id": Uuid::nil(), "seq": 3,
            "sender": {"kind": "operator", "name": "Ada"}, "content": content,
            "client_id": "c1", "created_at": "2026-12-06T10:00:00.000Z", "read_at": null,
            "internal": true, "mentions": [Uuid::nil()], "attachments": []
        }))
    }

    fn identity() -> Identity {
        from(json!({"kind": "guest", "id": Uuid::nil(), "name": "Bea"}))
    }

    fn operator() -> OperatorRef {
        from(json!({"id": Uuid::nil(), "name": "Ada"}))
    }

    /// One frame of each type, with each optional field given and left out.
    fn every_frame() -> Vec<ServerFrame> {
        let id = Uuid::from_u128(7);
        let session: Session = from(json!({
            "id": id, "title": "Printer", "status": "active", "conversation_id": id,
            "created_at": "2026-12-06T10:00:00.000Z", "expires_at": "2026-12-07T10:00:00.000Z",
            "ended_at": null
        }));
        let conversation: ConversationItem = from(json!({
            "id": id, "kind": "support", "customer": null, "last_message_at": null,
            "last_message_preview": null, "last_message_sender": null, "message_count": 0,
            "unread": false, "archived": false, "assignee": null, "labels": []
        }));
        let viewer: Viewer = from(json!({"id": id, "name": "Ada", "typing": true}));
        vec![
            ServerFrame::Welcome {
                identity: identity(),
                conversation_id: None,
                session: None,
            },
            ServerFrame::Welcome {
                identity: identity(),
                conversation_id: Some(id),
                session: Some(session),
            },
            ServerFrame::Subscribed {
                conversation_id: id,
                last_seq: 12,
            },
            ServerFrame::Message {
                message: message("hello"),
            },
            ServerFrame::Ack {
                client_id: "c1".into(),
                message: message("hi"),
            },
            ServerFrame::Read {
                conversation_id: id,
                reader: identity(),
                up_to_seq: 4,
            },
            ServerFrame::Typing {
                conversation_id: id,
                who: identity(),
                internal: false,
            },
            ServerFrame::Typing {
                conversation_id: id,
                who: identity(),
                internal: true,
            },
            ServerFrame::Viewers {
                conversation_id: id,
                operators: vec![viewer],
            },
            ServerFrame::Alert {
                kind: AlertKind::Mention,
                conversation_id: id,
                by: operator(),
                message_id: Some(id),
            },
            ServerFrame::Alert {
                kind: AlertKind::Assigned,
                conversation_id: id,
                by: operator(),
                message_id: None,
            },
            ServerFrame::InboxSubscribed,
            ServerFrame::ConversationUpdated {
                conversation: Box::new(conversation),
            },
            ServerFrame::SessionEnded { session_id: id },
            ServerFrame::Pong,
            ServerFrame::Error {
                code: ErrorCode::Invalid,
                message: "bad frame".into(),
                client_id: None,
                messages: None,
            },
            ServerFrame::Error {
                code: ErrorCode::Conflict,
                message: "someone wrote".into(),
                client_id: Some("c2".into()),
                messages: Some(vec![message("meanwhile")]),
            },
        ]
    }

    /// `frame`'s JSON with `type` moved from the front to the end.
    fn type_last(frame: &ServerFrame) -> String {
        let json = serde_json::to_string(frame).unwrap();
        let (tag, rest) = json[1..]
            .split_once(',')
            .unwrap_or((&json[1..json.len() - 1], "}"));
        match rest {
            "}" => json,
            _ => format!("{{{},{tag}}}", &rest[..rest.len() - 1]),
        }
    }

    #[test]
    fn every_frame_reads_back_as_it_was_written_with_its_type_first_or_last() {
        for frame in every_frame() {
            let json = serde_json::to_vec(&frame).unwrap();
            assert_eq!(serde_json::from_slice::<ServerFrame>(&json).unwrap(), frame);
            let last = type_last(&frame);
            let alone = matches!(frame, ServerFrame::Pong | ServerFrame::InboxSubscribed);
            assert_eq!(last.starts_with(r#"{"type""#), alone, "{last}");
            assert_eq!(
                serde_json::from_str::<ServerFrame>(&last).unwrap(),
                frame,
                "{last}"
            );
            let value = serde_json::to_value(&frame).unwrap();
            assert_eq!(from::<ServerFrame>(value), frame);
            // A frame that crosses nodes inside an event is read from serde's buffered content.
            let event = Event::Frame {
                frame: Box::new(frame.clone()),
                origin: None,
            };
            let json = serde_json::to_string(&event).unwrap();
            match serde_json::from_str::<Event>(&json).unwrap() {
                Event::Frame { frame: back, .. } => assert_eq!(*back, frame),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_frame_without_a_field_its_type_needs_is_refused_by_that_fields_name() {
        let error = serde_json::from_str::<ServerFrame>(
            r#"{"type":"subscribed","conversation_id":"00000000-0000-0000-0000-000000000007"}"#,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("missing field `last_seq`"),
            "{error}"
        );
        let error = serde_json::from_str::<ServerFrame>(r#"{"last_seq":1}"#).unwrap_err();
        assert!(
            error.to_string().contains("missing field `type`"),
            "{error}"
        );
        let error = serde_json::from_str::<ServerFrame>(r#"{"type":"shout"}"#).unwrap_err();
        assert!(
            error.to_string().contains("unknown variant `shout`"),
            "{error}"
        );
    }

    #[test]
    fn a_message_where_a_text_belongs_and_the_other_way_round_is_refused() {
        let stored = serde_json::to_value(message("hi")).unwrap();
        let error = serde_json::from_value::<ServerFrame>(
            json!({"type": "error", "code": "invalid", "message": stored}),
        )
        .unwrap_err();
        assert!(error.to_string().contains("expected a text"), "{error}");
        let error =
            serde_json::from_value::<ServerFrame>(json!({"type": "message", "message": "hi"}))
                .unwrap_err();
        assert!(error.to_string().contains("expected a message"), "{error}");
    }

    #[test]
    fn fields_a_frames_type_does_not_have_are_ignored() {
        let frame: ServerFrame =
            serde_json::from_str(r#"{"type":"pong","seq":5,"last_seq":2,"extra":[1,{}]}"#).unwrap();
        assert_eq!(frame, ServerFrame::Pong);
    }
}
