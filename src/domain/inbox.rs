//! Parsed inputs of the widget and the inbox.

use chrono::{DateTime, Utc};

use uuid::Uuid;

use super::{parse_optional_line, AssigneeFilter, Invalid};
use crate::wire::ConversationKind;

/// The UI languages, in the order the language menu lists them.
pub const LOCALES: [&str; 6] = ["en", "ru", "de", "fr", "es", "ar"];

/// A host site's user id, as the widget presents it: trimmed, 1 to 255 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(String);

impl UserId {
    /// Parses a user id; empty is `invalid`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_optional_line("user_id", raw, 255)?
            .map(Self)
            .ok_or_else(|| Invalid::new("user_id", "must not be empty"))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One of the six UI languages. A browser's tag (`de-AT`) reads as its language; anything
/// else is no preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale(&'static str);

impl Locale {
    /// The language a tag names, if it is one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let language = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        LOCALES.iter().find(|l| **l == language).map(|l| Self(l))
    }

    /// The two-letter code.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The `document.cookie` line a language switcher writes to keep this language for every
    /// page of the site and a year ([`LANGUAGE_COOKIE`]).
    pub fn cookie(self) -> String {
        format!(
            "{LANGUAGE_COOKIE}={}; Path=/; Max-Age={LANGUAGE_KEPT_SECS}; SameSite=Lax",
            self.0
        )
    }
}

/// The cookie that keeps a reader's choice of language, which the server reads to render the
/// next page in it (the name leptos_i18n reads).
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// How long the choice of language is kept, in seconds: a year.
pub const LANGUAGE_KEPT_SECS: i64 = 365 * 24 * 3600;

/// Which side of the inbox a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxStatus {
    /// Conversations not archived.
    #[default]
    Active,
    /// Archived conversations.
    Archived,
}

/// The most items one inbox page holds.
pub const INBOX_PAGE_MAX: i64 = 200;

/// An inbox page request: `status`, `kind`, `limit`, `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxQuery {
    /// Active or archived.
    pub status: InboxStatus,
    /// Support (the default) or session conversations.
    pub kind: ConversationKind,
    /// Items at most (1 to 200, default 50).
    pub limit: i64,
    /// Only conversations whose last message is older than this (the next page).
    pub before: Option<DateTime<Utc>>,
    /// Whose conversations.
    pub assignee: AssigneeFilter,
    /// Only conversations with this label.
    pub label: Option<Uuid>,
}

impl Default for InboxQuery {
    fn default() -> Self {
        Self {
            status: InboxStatus::Active,
            kind: ConversationKind::Support,
            limit: 50,
            before: None,
            assignee: AssigneeFilter::Anyone,
            label: None,
        }
    }
}

impl InboxQuery {
    /// Parses the query values; absent ones take their defaults.
    pub fn parse(
        status: Option<&str>,
        kind: Option<&str>,
        limit: Option<i64>,
        before: Option<&str>,
    ) -> Result<Self, Invalid> {
        let status = parse_status(status)?.unwrap_or_default();
        let kind = parse_kind(kind)?.unwrap_or(ConversationKind::Support);
        let limit = match limit {
            None => 50,
            Some(n) if (1..=INBOX_PAGE_MAX).contains(&n) => n,
            Some(_) => {
                return Err(Invalid::new(
                    "limit",
                    format!("must be 1 to {INBOX_PAGE_MAX}"),
                ))
            }
        };
        let before = parse_time("before", before)?;
        Ok(Self {
            status,
            kind,
            limit,
            before,
            ..Self::default()
        })
    }

    /// The same page narrowed to an assignee (`me` is `viewer`) and a label.
    pub fn filtered(
        self,
        assignee: Option<&str>,
        label: Option<&str>,
        viewer: Uuid,
    ) -> Result<Self, Invalid> {
        Ok(Self {
            assignee: AssigneeFilter::parse(assignee, viewer)?,
            label: parse_label(label)?,
            ..self
        })
    }
}

/// A list filter's value as given: trimmed, `None` when absent or empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A list's `status` filter (`active` or `archived`); `None` when not given.
pub fn parse_status(raw: Option<&str>) -> Result<Option<InboxStatus>, Invalid> {
    match given(raw) {
        None => Ok(None),
        Some("active") => Ok(Some(InboxStatus::Active)),
        Some("archived") => Ok(Some(InboxStatus::Archived)),
        Some(_) => Err(Invalid::new("status", "must be `active` or `archived`")),
    }
}

/// A list's `kind` filter (`support` or `session`); `None` when not given.
pub fn parse_kind(raw: Option<&str>) -> Result<Option<ConversationKind>, Invalid> {
    given(raw)
        .map(|kind| {
            ConversationKind::parse(kind)
                .ok_or_else(|| Invalid::new("kind", "must be `support` or `session`"))
        })
        .transpose()
}

/// A list's `label` filter (a label id); `None` when not given.
pub fn parse_label(raw: Option<&str>) -> Result<Option<Uuid>, Invalid> {
    given(raw)
        .map(|label| {
            Uuid::parse_str(label).map_err(|_| Invalid::new("label", "must be a label id"))
        })
        .transpose()
}

/// A list's time bound named `field` (RFC 3339); `None` when not given.
pub fn parse_time(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<DateTime<Utc>>, Invalid> {
    given(raw)
        .map(|time| {
            DateTime::parse_from_rfc3339(time)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| Invalid::new(field, "must be an RFC 3339 time"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_language_is_kept_for_the_whole_site_and_a_year() {
        assert_eq!(
            Locale::parse("ar").unwrap().cookie(),
            "i18n_pref_locale=ar; Path=/; Max-Age=31536000; SameSite=Lax"
        );
    }

    #[test]
    fn an_inbox_query_defaults_to_active_support_conversations() {
        let query = InboxQuery::parse(None, None, None, None).unwrap();
        assert_eq!(query, InboxQuery::default());
        let query = InboxQuery::parse(
            Some("archived"),
            Some("session"),
            Some(10),
            Some("2026-11-22T08:00:00Z"),
        )
        .unwrap();
        assert_eq!(query.status, InboxStatus::Archived);
        assert_eq!(query.kind, ConversationKind::Session);
        assert_eq!(query.limit, 10);
        assert!(query.before.is_some());
    }

    #[test]
    fn bad_inbox_query_values_name_their_field() {
        let field = |r: Result<InboxQuery, Invalid>| r.unwrap_err().field;
        assert_eq!(
            field(InboxQuery::parse(Some("open"), None, None, None)),
            "status"
        );
        assert_eq!(
            field(InboxQuery::parse(None, Some("email"), None, None)),
            "kind"
        );
        assert_eq!(field(InboxQuery::parse(None, None, Some(0), None)), "limit");
        assert_eq!(
            field(InboxQuery::parse(None, None, Some(201), None)),
            "limit"
        );
        assert_eq!(
            field(InboxQuery::parse(None, None, None, Some("yesterday"))),
            "before"
        );
    }

    #[test]
    fn locales_read_browser_tags_and_ignore_others() {
        assert_eq!(Locale::parse("de-AT").map(Locale::as_str), Some("de"));
        assert_eq!(Locale::parse("AR").map(Locale::as_str), Some("ar"));
        assert_eq!(Locale::parse("pt-BR"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn a_user_id_is_one_non_empty_line() {
        assert_eq!(UserId::parse(" 42 ").unwrap().as_str(), "42");
        assert!(UserId::parse("  ").is_err());
        assert!(UserId::parse("a\nb").is_err());
        assert!(UserId::parse(&"x".repeat(256)).is_err());
    }
}
