//! A transcript download as asked for (`format`, `notes`), and its text form.

use super::Invalid;
use crate::wire::{Message, Transcript};

/// The two forms a transcript is downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptFormat {
    /// One line per message: time, sender, content (`.txt`).
    Text,
    /// `{"conversation", "messages", "exported_at"}` (`.json`).
    Json,
}

impl TranscriptFormat {
    /// `format`: `txt` (the default) or `json`.
    pub fn parse(raw: Option<&str>) -> Result<Self, Invalid> {
        match raw.map(str::trim) {
            None | Some("") | Some("txt") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(_) => Err(Invalid::new("format", "must be `txt` or `json`")),
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Json => "json",
        }
    }

    /// The media type of the download.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Text => "text/plain; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

/// `notes`: `true` or `false` (the default).
pub fn parse_notes(raw: Option<&str>) -> Result<bool, Invalid> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Invalid::new("notes", "must be `true` or `false`")),
    }
}

/// The text form: one line per message, oldest first: its time (RFC 3339, UTC), its sender
/// (name and kind; a note says so), and its content, line breaks as ` ⏎ `, each file as
/// `[file: name]`.
pub fn transcript_text(transcript: &Transcript) -> String {
    transcript.messages.iter().map(message_line).collect()
}

fn message_line(message: &Message) -> String {
    let kind = message.sender.kind.as_str();
    let role = if message.internal {
        format!("{kind}, private note")
    } else {
        kind.to_owned()
    };
    let who = match &message.sender.name {
        Some(name) => format!("{name} ({role})"),
        None => format!("({role})"),
    };
    let mut text = message
        .content
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ⏎ ");
    for file in &message.attachments {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!("[file: {}]", file.name));
    }
    format!(
        "{} {who}: {text}\n",
        message
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::wire::{ConversationKind, FileInfo, Sender, SenderKind, TranscriptConversation};

    fn message(kind: SenderKind, name: Option<&str>, content: &str) -> Message {
        Message {
            id: Uuid::nil(),
            conversation_id: Uuid::nil(),
            seq: 1,
            sender: Sender {
                kind,
                name: name.map(str::to_owned),
            },
            content: content.to_owned(),
            client_id: "k".to_owned(),
            created_at: chrono::Utc.with_ymd_and_hms(2026, 12, 5, 15, 1, 2).unwrap(),
            read_at: None,
            internal: false,
            mentions: Vec::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn the_text_form_has_one_line_per_message_with_time_sender_and_content() {
        let mut note = message(
            SenderKind::Operator,
            Some("Erin"),
            "Escalate\r\nto billing ",
        );
        note.internal = true;
        let mut file = message(SenderKind::Customer, Some("Nora"), "");
        file.attachments.push(FileInfo {
            id: Uuid::nil(),
            name: "invoice.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            size: 10,
            width: None,
            height: None,
            thumbnail: false,
        });
        let transcript = Transcript {
            conversation: TranscriptConversation {
                id: Uuid::nil(),
                kind: ConversationKind::Support,
                title: None,
                customer_name: Some("Nora".to_owned()),
                customer_email: None,
            },
            messages: vec![
                message(SenderKind::Customer, Some("Nora"), "Where is <my> order?"),
                note,
                file,
                message(SenderKind::Guest, None, "hi"),
            ],
            exported_at: chrono::Utc::now(),
        };
        assert_eq!(
            transcript_text(&transcript),
            "2026-12-05T15:01:02Z Nora (customer): Where is <my> order?\n\
             2026-12-05T15:01:02Z Erin (operator, private note): Escalate ⏎ to billing\n\
             2026-12-05T15:01:02Z Nora (customer): [file: invoice.pdf]\n\
             2026-12-05T15:01:02Z (guest): hi\n"
        );
    }

    #[test]
    fn a_format_and_the_notes_switch_are_read_or_refused_by_name() {
        assert_eq!(
            TranscriptFormat::parse(None).unwrap(),
            TranscriptFormat::Text
        );
        assert_eq!(
            TranscriptFormat::parse(Some("json")).unwrap(),
            TranscriptFormat::Json
        );
        assert_eq!(
            TranscriptFormat::parse(Some("pdf")).unwrap_err().field,
            "format"
        );
        assert!(!parse_notes(Some("false")).unwrap());
        assert!(parse_notes(Some("true")).unwrap());
        assert_eq!(parse_notes(Some("yes")).unwrap_err().field, "notes");
    }
}
