//! The wire types of the public contract (`shared/PROTOCOL.md`), shared by the server and the
//! browser. Field names and shapes here are the contract; change them only together with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Times on the wire: RFC 3339 in UTC with milliseconds (`2026-11-22T08:00:00.123Z`).
pub mod time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes a time in the contract's format.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// Reads any RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// The same format for optional times (`null` when absent).
    pub mod option {
        use super::*;

        /// Serializes an optional time in the contract's format.
        pub fn serialize<S: Serializer>(
            t: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional RFC 3339 time.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|raw| {
                    DateTime::parse_from_rfc3339(&raw)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
    }
}

/// The error codes of the contract, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 422: a field fails validation.
    Invalid,
    /// 401: no or bad credentials.
    Unauthorized,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 404: unknown id or token.
    NotFound,
    /// 410: the support session has ended or its link expired.
    Gone,
    /// 409: a state conflict the client can resolve.
    Conflict,
    /// 429: too many requests.
    RateLimited,
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 500: anything else.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Invalid => 422,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Gone => 410,
            Self::Conflict => 409,
            Self::RateLimited => 429,
            Self::PayloadTooLarge => 413,
            Self::Internal => 500,
        }
    }

    /// The code as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Gone => "gone",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Internal => "internal",
        }
    }
}

/// The inside of every error response: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// A human-readable message, safe to show.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An operator as the API shows one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// The operator's id.
    pub id: Uuid,
    /// The sign-in address.
    pub email: String,
    /// The name shown to guests and colleagues.
    pub name: String,
}

/// Where a support session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// No guest has joined yet.
    Waiting,
    /// A guest has joined.
    Active,
    /// An operator ended it, or its link expired.
    Ended,
}

/// A remote-support session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The session's id.
    pub id: Uuid,
    /// The operator's title, if one was given.
    pub title: Option<String>,
    /// Waiting, active or ended.
    pub status: SessionStatus,
    /// The conversation the session owns.
    pub conversation_id: Uuid,
    /// When it was created.
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the current guest link stops working.
    #[serde(with = "time")]
    pub expires_at: DateTime<Utc>,
    /// When it ended: the moment an operator ended it, or its expiry.
    #[serde(with = "time::option")]
    pub ended_at: Option<DateTime<Utc>>,
}

impl Session {
    /// Whether guests are cut off.
    pub fn is_ended(&self) -> bool {
        self.status == SessionStatus::Ended
    }
}

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The sign-in address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// `POST /api/v1/auth/login` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Who signed in.
    pub operator: Operator,
}

/// `POST /api/v1/sessions` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    /// An optional title.
    #[serde(default)]
    pub title: Option<String>,
}

/// A new guest link: returned on creation and on rotation, and never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLink {
    /// The raw token; the server keeps only its SHA-256.
    pub guest_token: String,
    /// The link to send to the guest.
    pub guest_url: String,
}

/// `POST /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedSession {
    /// The new session.
    pub session: Session,
    /// Its guest link.
    #[serde(flatten)]
    pub link: GuestLink,
}

/// `{"session": ..}` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionEnvelope {
    /// The session.
    pub session: Session,
}

/// `GET /api/v1/sessions` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionList {
    /// Newest first.
    pub sessions: Vec<Session>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn session_serializes_in_the_contracts_shape_with_millisecond_times() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
            + chrono::Duration::milliseconds(123);
        let session = Session {
            id: Uuid::nil(),
            title: Some("Printer setup".into()),
            status: SessionStatus::Waiting,
            conversation_id: Uuid::nil(),
            created_at: t,
            expires_at: t,
            ended_at: None,
        };
        let json = serde_json::to_value(&session).unwrap();
        assert_eq!(json["status"], "waiting");
        assert_eq!(json["created_at"], "2026-11-22T08:00:00.123Z");
        assert_eq!(json["ended_at"], serde_json::Value::Null);
        let back: Session = serde_json::from_value(json).unwrap();
        assert_eq!(back, session);
    }

    #[test]
    fn created_session_flattens_the_guest_link_next_to_the_session() {
        let t = Utc::now();
        let created = CreatedSession {
            session: Session {
                id: Uuid::nil(),
                title: None,
                status: SessionStatus::Waiting,
                conversation_id: Uuid::nil(),
                created_at: t,
                expires_at: t,
                ended_at: None,
            },
            link: GuestLink {
                guest_token: "tok".into(),
                guest_url: "http://h/support/guest/tok".into(),
            },
        };
        let json = serde_json::to_value(&created).unwrap();
        assert_eq!(json["guest_token"], "tok");
        assert_eq!(json["guest_url"], "http://h/support/guest/tok");
        assert!(json["session"].is_object());
    }

    #[test]
    fn error_codes_map_to_the_contracts_statuses() {
        assert_eq!(ErrorCode::Invalid.http_status(), 422);
        assert_eq!(ErrorCode::Gone.http_status(), 410);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert_eq!(
            serde_json::to_value(ErrorCode::NotFound).unwrap(),
            "not_found"
        );
    }
}
