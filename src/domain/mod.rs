//! Parse-once domain values.
//!
//! Every value that comes from outside (a form, a JSON body, a query string) is parsed into one of
//! these types at the edge. Code further in takes the parsed type and never re-validates. This
//! module compiles to wasm too, so the browser validates exactly as the server does.

use std::fmt;

mod appearance;
mod browser;
mod files;
mod html;
mod inbox;
pub mod links;
mod message;
mod network;
#[cfg(feature = "server")]
mod records;
#[cfg(feature = "server")]
pub mod search;
mod session_report;
mod shared;
mod team;
mod time;
mod transcript;

pub use appearance::{
    Appearance, BrandColor, GREETING_MAX_CHARS, INK, TEAM_NAME_MAX_CHARS, TEXT_CONTRAST_MIN, WHITE,
};
pub use browser::browser_of;
pub use files::{
    file_kind_text, file_size_text, parse_attachments, FileKind, FileLimits, FileName, FileTypes,
    TextCheck, FILE_NAME_MAX_CHARS,
};
pub use html::escape_html;
pub use inbox::*;
pub use message::{
    ClientId, MessageBody, NewMessage, SendOptions, CLIENT_ID_MAX_CHARS, MENTIONS_MAX,
};
pub use network::ClientNetwork;
#[cfg(feature = "server")]
pub use records::{
    CustomerFilter, CUSTOMER_PAGE_DEFAULT, CUSTOMER_PAGE_MAX, CUSTOMER_QUERY_MAX_CHARS,
};
pub use session_report::{parse_outcome, SessionReport, REPORT_MAX_CHARS};
pub use shared::*;
pub use team::{may_assign, Capability, TeamChange};
pub use time::ttl;
pub use transcript::{parse_notes, transcript_text, TranscriptFormat};

/// The longest message content, in Unicode scalar values.
pub const MESSAGE_MAX_CHARS: usize = 4_000;
/// The longest guest or customer name, in Unicode scalar values.
pub const NAME_MAX_CHARS: usize = 60;
/// The longest support-session title, in Unicode scalar values.
pub const TITLE_MAX_CHARS: usize = 120;
/// The longest email address accepted (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// The shortest password an operator may be given.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// The longest password an operator may choose.
pub const CHOSEN_PASSWORD_MAX_CHARS: usize = 256;
/// The longest password accepted; longer inputs would only make hashing a denial-of-service lever.
pub const PASSWORD_MAX_CHARS: usize = 1_024;

/// Why a value was refused. The message is safe to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The field that failed, as named in the contract (`content`, `guest_name`, ...).
    pub field: &'static str,
    /// What is wrong with it, in plain words.
    pub reason: String,
}

impl Invalid {
    /// A refusal of `field` for `reason`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// Checks the character rules shared by content and names: no NUL and no C0 control characters,
/// except the ones listed in `allowed`.
fn check_controls(field: &'static str, value: &str, allowed: &[char]) -> Result<(), Invalid> {
    match value
        .chars()
        .find(|c| (*c as u32) < 0x20 && !allowed.contains(c))
    {
        None => Ok(()),
        Some('\0') => Err(Invalid::new(field, "must not contain NUL characters")),
        Some(_) => Err(Invalid::new(field, "must not contain control characters")),
    }
}

/// Bidirectional embeddings, overrides and isolates: in a name or title they could reorder the
/// text around it (a name that makes "pay" read "yap").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible formatting characters (zero-width spaces and joiners, direction marks, the soft
/// hyphen, word joiners, the byte-order mark, bidi controls): text made only of these and spaces
/// shows as nothing, so it counts as empty.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// Whether nothing visible is left once formatting characters are removed.
fn shows_as_empty(value: &str) -> bool {
    value.chars().all(is_invisible)
}

/// Trims `raw` and checks its length and characters; `Ok(None)` for an empty value. Lines (names
/// and titles) also refuse DEL, C1 controls and bidirectional controls.
fn parse_optional_line(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<Option<String>, Invalid> {
    let value = raw.trim();
    if shows_as_empty(value) {
        return Ok(None);
    }
    check_controls(field, value, &[])?;
    if value
        .chars()
        .any(|c| c == '\u{7F}' || ('\u{80}'..='\u{9F}').contains(&c))
    {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    if value.chars().any(is_bidi_control) {
        return Err(Invalid::new(
            field,
            "must not contain text-direction override characters",
        ));
    }
    if value.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// A guest's or customer's display name: trimmed, 1 to 60 characters on one line. An empty input
/// means "no name" and parses to `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses raw input; an empty or blank input is `Ok(None)`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Option<Self>, Invalid> {
        Ok(parse_optional_line(field, raw, NAME_MAX_CHARS)?.map(Self))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The title an operator gives a support session: trimmed, at most 120 characters on one line.
/// An empty input means "no title".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTitle(String);

impl SessionTitle {
    /// Parses raw input; an empty or blank input is `Ok(None)`.
    pub fn parse(raw: &str) -> Result<Option<Self>, Invalid> {
        Ok(parse_optional_line("title", raw, TITLE_MAX_CHARS)?.map(Self))
    }

    /// The title as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An operator's email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address of the form `local@domain` (a pragmatic check, not full RFC 5322).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("email", "must not be empty"));
        }
        if value.chars().count() > EMAIL_MAX_CHARS {
            return Err(Invalid::new(
                "email",
                format!("must be at most {EMAIL_MAX_CHARS} characters"),
            ));
        }
        let well_formed = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
        if !well_formed || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Invalid::new("email", "is not a valid email address"));
        }
        Ok(Self(value))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed at sign-in: non-empty and bounded, otherwise untouched (no trimming, since
/// spaces may be part of it). Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordInput(String);

impl PasswordInput {
    /// Parses a password typed at sign-in.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new("password", "must not be empty"));
        }
        if raw.chars().count() > PASSWORD_MAX_CHARS {
            return Err(Invalid::new(
                "password",
                format!("must be at most {PASSWORD_MAX_CHARS} characters"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Parses a password chosen for a new account, which must also be long enough.
    pub fn parse_new(raw: &str) -> Result<Self, Invalid> {
        let password = Self::parse(raw)?;
        if raw.chars().count() < PASSWORD_MIN_CHARS {
            return Err(Invalid::new(
                "password",
                format!("must be at least {PASSWORD_MIN_CHARS} characters"),
            ));
        }
        Ok(password)
    }

    /// Parses a password an operator chooses (an invitation, a reset, a change) for the
    /// account with `email`: 12 to 256 characters, not the email (case-insensitive), not one
    /// character repeated. `field` names the field in the refusal.
    pub fn parse_chosen(field: &'static str, raw: &str, email: &Email) -> Result<Self, Invalid> {
        let count = raw.chars().count();
        if !(PASSWORD_MIN_CHARS..=CHOSEN_PASSWORD_MAX_CHARS).contains(&count) {
            return Err(Invalid::new(
                field,
                format!("must be {PASSWORD_MIN_CHARS} to {CHOSEN_PASSWORD_MAX_CHARS} characters"),
            ));
        }
        if raw.to_lowercase() == email.as_str().to_lowercase() {
            return Err(Invalid::new(field, "must not be the email address"));
        }
        let mut chars = raw.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(Invalid::new(field, "must not be one character repeated"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for hashing or verifying only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordInput(<redacted>)")
    }
}

/// A resume cursor (`after_seq`): a seq of 0 or more; absent means 0.
pub fn parse_after_seq(raw: Option<i64>) -> Result<i64, Invalid> {
    match raw {
        None => Ok(0),
        Some(n) if n >= 0 => Ok(n),
        Some(_) => Err(Invalid::new("after_seq", "must be 0 or more")),
    }
}

/// A page size (`limit`): 1 to 500, default 100.
pub fn parse_limit(raw: Option<i64>) -> Result<i64, Invalid> {
    match raw {
        None => Ok(100),
        Some(n) if (1..=500).contains(&n) => Ok(n),
        Some(_) => Err(Invalid::new("limit", "must be 1 to 500")),
    }
}

/// Which support sessions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionFilter {
    /// Waiting or active sessions.
    #[default]
    Open,
    /// Ended or expired sessions.
    Ended,
}

impl SessionFilter {
    /// Parses the `status` query value; absent means `open`.
    pub fn parse(raw: Option<&str>) -> Result<Self, Invalid> {
        match raw.map(str::trim) {
            None | Some("") | Some("open") => Ok(Self::Open),
            Some("ended") => Ok(Self::Ended),
            Some(_) => Err(Invalid::new("status", "must be `open` or `ended`")),
        }
    }

    /// The value as it appears in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Ended => "ended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_password_follows_the_contracts_rules() {
        let email = Email::parse("Ann@Example.com").unwrap();
        let refused = |raw: &str| PasswordInput::parse_chosen("password", raw, &email).unwrap_err();
        assert!(refused("short-pass").reason.contains("12 to 256"));
        assert!(refused(&"ab".repeat(129)).reason.contains("12 to 256"));
        assert!(refused("ANN@example.COM").reason.contains("email"));
        assert!(refused("aaaaaaaaaaaaaaaa").reason.contains("repeated"));
        assert!(PasswordInput::parse_chosen("password", "correct horse battery", &email).is_ok());
        assert!(PasswordInput::parse_chosen("password", &"ab".repeat(128), &email).is_ok());
    }

    #[test]
    fn message_body_is_trimmed_and_kept_verbatim_otherwise() {
        let body = MessageBody::parse("  <b>hi</b>\n\tthere  ").unwrap();
        assert_eq!(body.as_str(), "<b>hi</b>\n\tthere");
    }

    #[test]
    fn message_body_refuses_empty_blank_and_overlong_content() {
        for raw in ["", "   ", "\n\t"] {
            assert_eq!(MessageBody::parse(raw).unwrap_err().field, "content");
        }
        let at_limit = "é".repeat(MESSAGE_MAX_CHARS);
        assert!(MessageBody::parse(&at_limit).is_ok());
        let over = "é".repeat(MESSAGE_MAX_CHARS + 1);
        assert!(MessageBody::parse(&over).is_err());
    }

    #[test]
    fn message_body_counts_scalar_values_not_bytes() {
        // 4,000 four-byte characters are 16,000 bytes and still within the limit.
        let emoji = "😀".repeat(MESSAGE_MAX_CHARS);
        assert!(MessageBody::parse(&emoji).is_ok());
    }

    #[test]
    fn message_body_refuses_nul_and_c0_controls_but_not_newline_or_tab() {
        assert!(MessageBody::parse("a\0b").is_err());
        assert!(MessageBody::parse("a\u{7}b").is_err());
        assert!(MessageBody::parse("a\rb").is_err());
        assert!(MessageBody::parse("a\nb\tc").is_ok());
    }

    #[test]
    fn display_name_treats_blank_as_no_name() {
        assert_eq!(DisplayName::parse("guest_name", "  ").unwrap(), None);
        let name = DisplayName::parse("guest_name", " Ann ").unwrap().unwrap();
        assert_eq!(name.as_str(), "Ann");
    }

    #[test]
    fn display_name_refuses_long_names_and_line_breaks() {
        assert!(DisplayName::parse("guest_name", &"a".repeat(NAME_MAX_CHARS)).is_ok());
        let err = DisplayName::parse("guest_name", &"a".repeat(NAME_MAX_CHARS + 1)).unwrap_err();
        assert_eq!(err.field, "guest_name");
        assert!(DisplayName::parse("guest_name", "An\nn").is_err());
        assert!(DisplayName::parse("guest_name", "An\0n").is_err());
    }

    #[test]
    fn names_and_titles_refuse_del_c1_controls_and_direction_overrides() {
        for raw in [
            "Ann\u{7F}",
            "A\u{85}nn",
            "Ann\u{9B}",
            "\u{202E}nnA",
            "A\u{2066}nn",
        ] {
            assert!(DisplayName::parse("guest_name", raw).is_err(), "{raw:?}");
            assert!(SessionTitle::parse(raw).is_err(), "{raw:?}");
        }
        assert!(DisplayName::parse("guest_name", "Zoë Ünal")
            .unwrap()
            .is_some());
        assert!(DisplayName::parse("guest_name", "علي").unwrap().is_some());
    }

    #[test]
    fn text_made_only_of_invisible_characters_is_empty() {
        let invisible = "\u{200B}\u{200D} \u{FEFF}\u{2060}\u{00AD}";
        assert_eq!(DisplayName::parse("guest_name", invisible).unwrap(), None);
        assert_eq!(SessionTitle::parse(invisible).unwrap(), None);
        assert!(MessageBody::parse(invisible).is_err());
        // A joiner inside visible text is kept: emoji sequences need it.
        assert!(MessageBody::parse("👩\u{200D}💻").is_ok());
    }

    #[test]
    fn session_title_is_optional_and_bounded() {
        assert_eq!(SessionTitle::parse("").unwrap(), None);
        assert_eq!(
            SessionTitle::parse(" Printer setup ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Printer setup"
        );
        assert!(SessionTitle::parse(&"x".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert!(SessionTitle::parse("a\tb").is_err());
    }

    #[test]
    fn email_is_normalised_to_lower_case_and_checked_for_shape() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a b@example.com",
            "a@b@c",
            "ann@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn password_keeps_spaces_and_hides_itself_from_debug_output() {
        let password = PasswordInput::parse(" secret ").unwrap();
        assert_eq!(password.expose(), " secret ");
        assert!(!format!("{password:?}").contains("secret"));
        assert!(PasswordInput::parse("").is_err());
        assert!(PasswordInput::parse(&"x".repeat(PASSWORD_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn new_passwords_must_be_long_enough() {
        assert!(PasswordInput::parse_new("short").is_err());
        assert!(PasswordInput::parse_new("a-long-enough-one").is_ok());
    }

    #[test]
    fn session_filter_defaults_to_open_and_refuses_unknown_values() {
        assert_eq!(SessionFilter::parse(None).unwrap(), SessionFilter::Open);
        assert_eq!(
            SessionFilter::parse(Some("ended")).unwrap(),
            SessionFilter::Ended
        );
        assert!(SessionFilter::parse(Some("closed")).is_err());
    }

    #[test]
    fn client_ids_are_short_visible_ascii() {
        assert!(ClientId::parse("5f0c-41aa").is_ok());
        assert!(ClientId::parse("").is_err());
        assert!(ClientId::parse("has space").is_err());
        assert!(ClientId::parse(&"x".repeat(CLIENT_ID_MAX_CHARS + 1)).is_err());
        assert_eq!(ClientId::parse_optional(Some("")).unwrap(), None);
    }

    #[test]
    fn cursors_and_limits_have_defaults_and_bounds() {
        assert_eq!(parse_after_seq(None).unwrap(), 0);
        assert!(parse_after_seq(Some(-1)).is_err());
        assert_eq!(parse_limit(None).unwrap(), 100);
        assert_eq!(parse_limit(Some(500)).unwrap(), 500);
        assert!(parse_limit(Some(501)).is_err());
        assert!(parse_limit(Some(0)).is_err());
    }
}
