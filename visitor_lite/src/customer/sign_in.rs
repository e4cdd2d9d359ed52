//! Signing a customer in: `POST /api/v1/widget/session` with what stands for them. Only the
//! newest sign-in's answer counts, and one that found the server unreachable tries again with
//! backoff.

use super::{upgrade, Customer, Signed};
use crate::dom;
use crate::json::Json;
use crate::net::{self, Fields};

/// The fields of a host page's signed identity that the sign-in carries.
const IDENTITY_FIELDS: [&str; 5] = ["user_id", "email", "name", "issued_at", "signature"];

/// What stands for the customer.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A reply email's signed chat link (the hosted chat page).
    Link(String),
    /// The host page's signed identity, as it sent it.
    Identity(Json),
    /// An anonymous visitor, with the token of an earlier visit when there is one.
    Visitor(Option<String>),
}

impl Credential {
    /// The sign-in's body, in the page's language.
    fn body(&self) -> Fields {
        let fields = match self {
            Self::Link(link) => Fields::new().text("link", link),
            Self::Identity(identity) => picked(identity),
            Self::Visitor(Some(token)) => Fields::new().text("visitor_token", token),
            Self::Visitor(None) => Fields::new(),
        };
        fields.text("locale", &dom::language())
    }

    /// Whether this is the host's signed identity `identity` (the same fields, the same
    /// values).
    pub fn is_identity(&self, identity: &Json) -> bool {
        matches!(self, Self::Identity(held) if picked(held).json() == picked(identity).json())
    }
}

/// The fields of `identity` that the sign-in carries.
fn picked(identity: &Json) -> Fields {
    IDENTITY_FIELDS.iter().fold(Fields::new(), |fields, key| {
        fields.value(key, identity.get(key).value())
    })
}

impl Customer {
    /// Signs in with the credential held now; the answer of an earlier sign-in still under way
    /// no longer counts.
    pub fn sign_in(&self) {
        let generation = self.0.generation.get().wrapping_add(1);
        self.0.generation.set(generation);
        let body = self.0.credential.borrow().body().json();
        let me = self.weak();
        net::request(
            "POST",
            "/api/v1/widget/session",
            None,
            Some(body),
            move |answer| {
                let Some(this) = upgrade(&me) else {
                    return;
                };
                if this.0.generation.get() != generation {
                    return;
                }
                let session = (answer.status == 200)
                    .then(|| Json::parse(&answer.body))
                    .flatten();
                match (answer.status, session.as_ref().and_then(read_session)) {
                    (200, Some((signed, expires_ms, visitor_token))) => {
                        if let Some(token) = visitor_token {
                            this.keep_visitor_token(token);
                        }
                        this.started(signed, expires_ms);
                    }
                    // The server could not be reached or could not answer now: again later.
                    (0 | 429 | 500..=599, _) => {
                        this.show_failure(false);
                        this.sign_in_later(generation);
                    }
                    _ => this.show_failure(true),
                }
            },
        );
    }

    fn keep_visitor_token(&self, token: String) {
        self.0.around.keep_visitor_token(&token);
        let mut credential = self.0.credential.borrow_mut();
        if let Credential::Visitor(held) = &mut *credential {
            *held = Some(token);
        }
    }

    fn sign_in_later(&self, generation: u32) {
        let attempt = self.0.attempt.get();
        self.0.attempt.set(attempt.saturating_add(1));
        let me = self.weak();
        dom::after(net::backoff_ms(attempt, 1_000.0), move || {
            if let Some(this) = upgrade(&me) {
                if this.0.generation.get() == generation {
                    this.sign_in();
                }
            }
        });
    }
}

/// A sign-in's answer: who is signed in, when the token expires (milliseconds since the
/// epoch), and an anonymous visitor's token to keep.
fn read_session(body: &Json) -> Option<(Signed, f64, Option<String>)> {
    let customer = body.get("customer");
    let signed = Signed {
        token: body.get("widget_token").string()?,
        conversation_id: body.get("conversation_id").string()?,
        no_address: !customer.get("signed").is_true() && customer.get("email").is_null(),
    };
    let expires_ms = js_sys::Date::parse(&body.get("expires_at").string()?);
    if expires_ms.is_nan() {
        return None;
    }
    Some((signed, expires_ms, body.get("visitor_token").string()))
}
