//! Parsed inputs of the shared inbox: label names and colours, canned replies, and the inbox's
//! assignee filter.

use uuid::Uuid;

use super::{parse_optional_line, Invalid, MessageBody};

/// The longest label name, in Unicode scalar values.
pub const LABEL_NAME_MAX_CHARS: usize = 40;
/// The longest canned reply shortcut.
pub const SHORTCUT_MAX_CHARS: usize = 32;
/// The longest canned reply title.
pub const CANNED_TITLE_MAX_CHARS: usize = 80;

/// A label's name: one line, 1 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelName(String);

impl LabelName {
    /// Parses a name; empty is `invalid`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_optional_line("name", raw, LABEL_NAME_MAX_CHARS)?
            .map(Self)
            .ok_or_else(|| Invalid::new("name", "must not be empty"))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A label's colour: `#rrggbb`, kept in lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelColor(String);

impl LabelColor {
    /// Parses `#rrggbb` (either case).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let hex = raw.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Invalid::new("color", "must be a colour like #1f6feb"));
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    /// The colour.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What follows `/` in the composer: 1 to 32 of `a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcut(String);

impl Shortcut {
    /// Parses a shortcut (a leading `/` is dropped; capitals are refused, not folded).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let value = value.strip_prefix('/').unwrap_or(value);
        if value.is_empty() || value.len() > SHORTCUT_MAX_CHARS {
            return Err(Invalid::new(
                "shortcut",
                format!("must be 1 to {SHORTCUT_MAX_CHARS} characters"),
            ));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(Invalid::new("shortcut", "may hold only a-z, 0-9, _ and -"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The shortcut.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A canned reply's parts, each checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReplyDraft {
    /// The shortcut.
    pub shortcut: Shortcut,
    /// A title: one line, 1 to 80 characters.
    pub title: String,
    /// The text, with a message's rules.
    pub content: MessageBody,
}

/// A change to a canned reply: each part that changes, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CannedReplyChange {
    /// A new shortcut.
    pub shortcut: Option<Shortcut>,
    /// A new title.
    pub title: Option<String>,
    /// A new text.
    pub content: Option<MessageBody>,
}

impl CannedReplyChange {
    /// Parses the parts that are given.
    pub fn parse(
        shortcut: Option<&str>,
        title: Option<&str>,
        content: Option<&str>,
    ) -> Result<Self, Invalid> {
        Ok(Self {
            shortcut: shortcut.map(Shortcut::parse).transpose()?,
            title: title.map(parse_title).transpose()?,
            content: content.map(MessageBody::parse).transpose()?,
        })
    }

    /// A new reply: every part is required.
    pub fn into_draft(self) -> Result<CannedReplyDraft, Invalid> {
        Ok(CannedReplyDraft {
            shortcut: self
                .shortcut
                .ok_or_else(|| Invalid::new("shortcut", "is required"))?,
            title: self
                .title
                .ok_or_else(|| Invalid::new("title", "is required"))?,
            content: self
                .content
                .ok_or_else(|| Invalid::new("content", "is required"))?,
        })
    }
}

fn parse_title(raw: &str) -> Result<String, Invalid> {
    parse_optional_line("title", raw, CANNED_TITLE_MAX_CHARS)?
        .ok_or_else(|| Invalid::new("title", "must not be empty"))
}

/// Whose conversations an inbox page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    /// Everyone's and nobody's.
    #[default]
    Anyone,
    /// Unassigned ones only.
    Nobody,
    /// One operator's.
    Operator(Uuid),
}

impl AssigneeFilter {
    /// Parses `me`, `none` or an operator id; `me` is `viewer`.
    pub fn parse(raw: Option<&str>, viewer: Uuid) -> Result<Self, Invalid> {
        match raw.map(str::trim) {
            None | Some("") => Ok(Self::Anyone),
            Some("me") => Ok(Self::Operator(viewer)),
            Some("none") => Ok(Self::Nobody),
            Some(id) => Uuid::parse_str(id)
                .map(Self::Operator)
                .map_err(|_| Invalid::new("assignee", "must be `me`, `none` or an operator id")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_is_six_hex_digits_after_a_hash_and_kept_in_lowercase() {
        assert_eq!(LabelColor::parse("#1F6FEB").unwrap().as_str(), "#1f6feb");
        for bad in ["1f6feb", "#1f6fe", "#1f6febb", "#gggggg", "red", ""] {
            assert!(LabelColor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_shortcut_takes_lowercase_letters_digits_underscores_and_dashes() {
        assert_eq!(
            Shortcut::parse("/refund-policy_2").unwrap().as_str(),
            "refund-policy_2"
        );
        for bad in ["", "/", "Refund", "two words", "é", &"a".repeat(33)] {
            assert!(Shortcut::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_canned_reply_needs_every_part_and_a_change_only_the_given_ones() {
        let change = CannedReplyChange::parse(None, Some("Hi"), None).unwrap();
        assert_eq!(change.title.as_deref(), Some("Hi"));
        let refused = change.into_draft().unwrap_err();
        assert_eq!(refused.field, "shortcut");
        assert!(CannedReplyChange::parse(Some("hi"), Some(" "), Some("x")).is_err());
    }

    #[test]
    fn the_assignee_filter_reads_me_none_and_ids() {
        let me = Uuid::from_u128(5);
        assert_eq!(
            AssigneeFilter::parse(None, me).unwrap(),
            AssigneeFilter::Anyone
        );
        assert_eq!(
            AssigneeFilter::parse(Some("me"), me).unwrap(),
            AssigneeFilter::Operator(me)
        );
        assert_eq!(
            AssigneeFilter::parse(Some("none"), me).unwrap(),
            AssigneeFilter::Nobody
        );
        assert!(AssigneeFilter::parse(Some("someone"), me).is_err());
    }
}
