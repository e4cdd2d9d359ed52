//! Reading the server's JSON in the browser: `JSON.parse` does the parsing, and these functions
//! pick the fields a visitor's page uses from its objects. A serde reader for the same frames
//! weighs about 50 KB brotli in the wasm (measured; `docs/PERFORMANCE.md`); this weighs little,
//! because the browser's parser is already there.
//!
//! A value that lacks a field the contract requires reads as `None` (a frame as
//! [`Frame::Other`]): the page ignores it, as it ignores a frame it does not know.

use js_sys::{Array, Date, Reflect, JSON};
use switchboard::wire::{ErrorCode, SenderKind};
use wasm_bindgen::JsValue;

use crate::message::{File, Frame, Message, Who};

/// A JSON object (or any value) as `JSON.parse` gave it.
#[derive(Debug, Clone)]
pub struct Json(JsValue);

impl Json {
    /// Parses `text`; `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Self> {
        JSON::parse(text).ok().map(Self)
    }

    /// A value the browser gave (a `postMessage`'s data, say).
    pub fn of(value: JsValue) -> Self {
        Self(value)
    }

    /// The value itself.
    pub fn value(&self) -> &JsValue {
        &self.0
    }

    /// The field `key` (undefined when missing or when this is not an object).
    pub fn get(&self, key: &str) -> Json {
        if !self.0.is_object() {
            return Json(JsValue::UNDEFINED);
        }
        Json(Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
    }

    /// This value as a string.
    pub fn string(&self) -> Option<String> {
        self.0.as_string()
    }

    /// This value as a number.
    pub fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// This value as a whole number (seqs, sizes, statuses).
    pub fn int(&self) -> Option<i64> {
        self.number()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
            .map(|n| n as i64)
    }

    /// Whether this value is `true`.
    pub fn is_true(&self) -> bool {
        self.0.as_bool() == Some(true)
    }

    /// Whether this value is null or missing.
    pub fn is_null(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }

    /// This value's items, when it is an array (otherwise none).
    pub fn items(&self) -> Vec<Json> {
        if Array::is_array(&self.0) {
            Array::from(&self.0).iter().map(Json).collect()
        } else {
            Vec::new()
        }
    }
}

/// A sender kind by its wire name.
fn kind(value: &Json) -> Option<SenderKind> {
    value.string().as_deref().and_then(SenderKind::parse)
}

/// A stored file (`FileInfo` in the contract).
pub fn file(value: &Json) -> Option<File> {
    let width = value.get("width").int();
    let height = value.get("height").int();
    Some(File {
        id: value.get("id").string()?,
        name: value.get("name").string()?,
        content_type: value.get("type").string()?,
        size: value.get("size").number()?,
        dimensions: match (width, height) {
            (Some(w), Some(h)) => Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?)),
            _ => None,
        },
        thumbnail: value.get("thumbnail").is_true(),
    })
}

/// A stored message. Operators' private notes never reach a visitor; one that did would be
/// dropped here rather than shown.
pub fn message(value: &Json) -> Option<Message> {
    if value.get("internal").is_true() {
        return None;
    }
    let sender = value.get("sender");
    let created_at = value.get("created_at").string()?;
    let created_ms = Date::parse(&created_at);
    if created_ms.is_nan() {
        return None;
    }
    Some(Message {
        id: value.get("id").string()?,
        seq: value.get("seq").int()?,
        kind: kind(&sender.get("kind"))?,
        name: sender.get("name").string(),
        content: value.get("content").string()?,
        client_id: value.get("client_id").string().unwrap_or_default(),
        created_ms,
        created_at,
        read: !value.get("read_at").is_null(),
        attachments: value
            .get("attachments")
            .items()
            .iter()
            .filter_map(file)
            .collect(),
    })
}

/// A socket frame from its parsed value; `None` when it lacks a field the contract requires.
pub fn frame_of(value: &Json) -> Option<Frame> {
    Some(match value.get("type").string()?.as_str() {
        "message" => Frame::Message(message(&value.get("message"))?),
        "ack" => Frame::Ack {
            client_id: value.get("client_id").string()?,
            message: message(&value.get("message"))?,
        },
        "subscribed" => Frame::Subscribed {
            last_seq: value.get("last_seq").int()?,
        },
        "read" => Frame::Read {
            reader: kind(&value.get("reader").get("kind"))?,
            up_to_seq: value.get("up_to_seq").int()?,
        },
        "typing" => {
            let who = value.get("who");
            Frame::Typing(Who {
                kind: kind(&who.get("kind"))?,
                name: who.get("name").string(),
            })
        }
        "session_ended" => Frame::SessionEnded,
        "error" => Frame::Error {
            code: error_code(value),
            client_id: value.get("client_id").string(),
        },
        _ => Frame::Other,
    })
}

/// The code of an error: a frame's `code`, or an error body's `error.code`.
pub fn error_code(value: &Json) -> Option<ErrorCode> {
    let code = match value.get("error") {
        body if body.is_null() => value.get("code"),
        body => body.get("code"),
    };
    code.string().as_deref().and_then(ErrorCode::parse)
}
