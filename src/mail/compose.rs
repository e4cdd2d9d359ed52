//! The reply email itself: subject in the customer's language, a text part and an HTML part
//! (inline styles only), the replies' previews, the chat link, one-click unsubscribe headers
//! and a `Message-ID` that stays the same for every attempt.

use chrono::{DateTime, Utc};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::text::{words, Words};
use super::EmailConfig;
use crate::domain::escape_html as escape;
use crate::store::cut_to;

/// The longest reply preview, in characters, the ellipsis included.
pub const REPLY_PREVIEW_CHARS: usize = 200;

/// A reply as the email shows it.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The operator's name.
    pub sender_name: Option<String>,
    /// The full text (the email cuts it).
    pub content: String,
    /// When it was posted.
    pub at: DateTime<Utc>,
    /// The names of the files it carries.
    pub files: Vec<String>,
}

/// What one email says and where it goes.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// The job's id: the `Message-ID`'s left part and the `.eml` file's name.
    pub id: &'a str,
    /// The address.
    pub to: &'a str,
    /// The customer's name.
    pub name: Option<&'a str>,
    /// The customer's language.
    pub lang: Option<&'a str>,
    /// The replies; with `quote` false only their existence is told.
    pub replies: &'a [Reply],
    /// Whether the replies' text may be in the email (the address came from a signed
    /// identity).
    pub quote: bool,
    /// The signed link to the hosted chat.
    pub chat_url: &'a str,
    /// The signed one-click unsubscribe link.
    pub unsubscribe_url: &'a str,
    /// The email's `Date`.
    pub date: DateTime<Utc>,
    /// The host part of `Message-ID`.
    pub host: &'a str,
}

/// A composed email, ready for a [`super::Mailer`].
#[derive(Debug, Clone)]
pub struct Email {
    /// The job's id (stable over attempts).
    pub id: String,
    /// The recipient's address.
    pub to: String,
    /// The message, headers and both parts.
    pub message: Message,
}

/// Builds the email of `letter` under `config`.
pub fn compose(config: &EmailConfig, letter: &Letter<'_>) -> Result<Email, lettre::error::Error> {
    let w = words(letter.lang);
    let product = config.product_name.as_str();
    let fill = |s: &str| s.replace("{product}", product);
    let to = Mailbox::new(
        letter.name.map(str::to_owned),
        letter
            .to
            .parse()
            .map_err(|_| lettre::error::Error::MissingTo)?,
    );
    let message = Message::builder()
        .from(config.from.clone())
        .to(to)
        .subject(fill(w.subject))
        .message_id(Some(format!("<{}@{}>", letter.id, letter.host)))
        .date(letter.date.into())
        .header(ContentLanguage(w.lang))
        .header(ListUnsubscribe(format!("<{}>", letter.unsubscribe_url)))
        .header(ListUnsubscribePost)
        .header(AutoSubmitted)
        .multipart(MultiPart::alternative_plain_html(
            text_part(w, product, letter),
            html_part(w, product, letter),
        ))?;
    Ok(Email {
        id: letter.id.to_owned(),
        to: letter.to.to_owned(),
        message,
    })
}

fn greeting(w: &Words, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => w.greeting_named.replace("{name}", name),
        None => w.greeting.to_owned(),
    }
}

/// "Ann, 2026-11-23 14:02 UTC": who and when, the same in every language.
fn byline(w: &Words, reply: &Reply) -> String {
    let who = reply.sender_name.as_deref().unwrap_or(w.support);
    format!("{who}, {}", reply.at.format("%Y-%m-%d %H:%M UTC"))
}

fn text_part(w: &Words, product: &str, letter: &Letter<'_>) -> String {
    let fill = |s: &str| s.replace("{product}", product);
    let mut out = format!("{}\n\n", greeting(w, letter.name));
    if letter.quote {
        out.push_str(&fill(w.intro));
        out.push_str("\n\n");
        for reply in letter.replies {
            out.push_str(&byline(w, reply));
            out.push('\n');
            for line in cut_to(&reply.content, REPLY_PREVIEW_CHARS).lines() {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
            if !reply.files.is_empty() {
                out.push_str(&format!("> {}: {}\n", w.files, reply.files.join(", ")));
            }
            out.push('\n');
        }
    } else {
        out.push_str(&fill(w.notice));
        out.push_str("\n\n");
    }
    out.push_str(&format!("{}: {}\n\n", w.open, letter.chat_url));
    out.push_str(&format!(
        "-- \n{}\n{}: {}\n",
        fill(w.why),
        w.unsubscribe,
        letter.unsubscribe_url
    ));
    out
}

fn html_part(w: &Words, product: &str, letter: &Letter<'_>) -> String {
    let fill = |s: &str| escape(&s.replace("{product}", product));
    let dir = if w.rtl { "rtl" } else { "ltr" };
    let mut body = format!(
        "<p style=\"margin:0 0 16px\">{}</p>",
        escape(&greeting(w, letter.name))
    );
    if letter.quote {
        body.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            fill(w.intro)
        ));
        for reply in letter.replies {
            body.push_str(&format!(
                "<div style=\"margin:0 0 16px;padding:8px 12px;border-inline-start:3px solid #2563eb;background:#f3f4f6\">\
                 <p style=\"margin:0 0 4px;color:#4b5563;font-size:13px\">{}</p>\
                 <p style=\"margin:0;white-space:pre-wrap\">{}</p>{}</div>",
                escape(&byline(w, reply)),
                escape(&cut_to(&reply.content, REPLY_PREVIEW_CHARS)),
                files_html(w, &reply.files)
            ));
        }
    } else {
        body.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            fill(w.notice)
        ));
    }
    body.push_str(&format!(
        "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;\
         background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px\">{}</a></p>",
        escape(letter.chat_url),
        escape(w.open)
    ));
    body.push_str(&format!(
        "<p style=\"margin:32px 0 0;color:#6b7280;font-size:12px\">{}<br>\
         <a href=\"{}\" style=\"color:#6b7280\">{}</a></p>",
        fill(w.why),
        escape(letter.unsubscribe_url),
        escape(w.unsubscribe)
    ));
    format!(
        "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body style=\"margin:0;padding:24px;background:#ffffff;\
         color:#111827;font:15px/1.5 -apple-system,'Segoe UI',Roboto,Arial,sans-serif\">\
         <div style=\"max-width:560px;margin:0 auto\">{body}</div></body></html>",
        lang = w.lang,
        title = fill(w.subject),
    )
}

/// The names of a reply's files, under its text.
fn files_html(w: &Words, files: &[String]) -> String {
    if files.is_empty() {
        return String::new();
    }
    format!(
        "<p style=\"margin:4px 0 0;color:#4b5563;font-size:13px\">{}: {}</p>",
        escape(w.files),
        escape(&files.join(", "))
    )
}

/// The host part of a public URL, for the right side of a `Message-ID`.
pub(crate) fn host_of(public_url: &str) -> String {
    url::Url::parse(public_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned())
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// `Content-Language: de` (RFC 3282).
#[derive(Debug, Clone)]
pub(super) struct ContentLanguage(pub(super) &'static str);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let lang = super::text::words(Some(s.trim())).lang;
        Ok(Self(lang))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_owned())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies stay away.
#[derive(Debug, Clone)]
pub(super) struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter<'a>(replies: &'a [Reply], quote: bool, lang: Option<&'a str>) -> Letter<'a> {
        Letter {
            id: "0190c0de-0000-7000-8000-000000000001",
            to: "ann@example.com",
            name: Some("Ann"),
            lang,
            replies,
            quote,
            chat_url: "https://support.example.com/chat/abc",
            unsubscribe_url: "https://support.example.com/email/unsubscribe/xyz",
            date: Utc::now(),
            host: "support.example.com",
        }
    }

    fn reply(content: &str) -> Reply {
        Reply {
            sender_name: Some("Bob <b>".to_owned()),
            content: content.to_owned(),
            files: Vec::new(),
            at: Utc::now(),
        }
    }

    fn raw(email: &Email) -> String {
        String::from_utf8(email.message.formatted()).unwrap()
    }

    #[test]
    fn a_signed_address_gets_every_reply_cut_at_200_characters_escaped_in_html() {
        let long = "x".repeat(250);
        let replies = [reply("first <script>"), reply(&long)];
        let email = compose(&EmailConfig::default(), &letter(&replies, true, None)).unwrap();
        let text = text_part(words(None), "Switchboard", &letter(&replies, true, None));
        let html = html_part(words(None), "Switchboard", &letter(&replies, true, None));
        assert!(text.contains("> first <script>"));
        assert!(text.contains(&format!("> {}…", "x".repeat(199))));
        assert!(!text.contains(&"x".repeat(200)));
        assert!(html.contains("first &lt;script&gt;"));
        assert!(html.contains("Bob &lt;b&gt;"));
        assert!(!html.contains("<script>"));
        let raw = raw(&email);
        assert!(raw.contains("Subject: New reply from Switchboard Support"));
        assert!(
            raw.contains("List-Unsubscribe: <https://support.example.com/email/unsubscribe/xyz>")
        );
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(
            raw.contains("Message-ID: <0190c0de-0000-7000-8000-000000000001@support.example.com>")
        );
        assert!(raw.contains("multipart/alternative"));
    }

    #[test]
    fn a_reply_lists_its_files_by_name_and_attaches_none() {
        let mut with_files = reply("See the guide");
        with_files.files = vec!["setup <1>.pdf".to_owned(), "screen.png".to_owned()];
        let replies = [with_files];
        let text = text_part(words(None), "Switchboard", &letter(&replies, true, None));
        let html = html_part(words(None), "Switchboard", &letter(&replies, true, None));
        assert!(
            text.contains("> Files (open the chat to download them): setup <1>.pdf, screen.png"),
            "{text}"
        );
        assert!(html.contains("setup &lt;1&gt;.pdf, screen.png"), "{html}");
        let email = compose(&EmailConfig::default(), &letter(&replies, true, None)).unwrap();
        assert!(
            !raw(&email).contains("attachment"),
            "files never travel in the email"
        );
    }

    #[test]
    fn a_typed_address_gets_a_notice_without_the_replies_text() {
        let replies = [reply("the secret answer")];
        let text = text_part(
            words(Some("de")),
            "Acme",
            &letter(&replies, false, Some("de")),
        );
        let html = html_part(
            words(Some("de")),
            "Acme",
            &letter(&replies, false, Some("de")),
        );
        for part in [&text, &html] {
            assert!(!part.contains("the secret answer"));
            assert!(!part.contains("Bob"));
            assert!(part.contains("https://support.example.com/chat/abc"));
            assert!(part.contains("Acme-Support"));
        }
    }

    #[test]
    fn arabic_reads_right_to_left() {
        let replies = [reply("hi")];
        let html = html_part(
            words(Some("ar")),
            "Acme",
            &letter(&replies, true, Some("ar")),
        );
        assert!(html.contains("lang=\"ar\" dir=\"rtl\""));
    }
}
