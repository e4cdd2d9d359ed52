//! The wire types of the public contract (`shared/PROTOCOL.md`), shared by the server and the
//! browser. Field names and shapes here are the contract; change them only together with it.

mod appearance;
pub mod close;
mod email;
mod errors;
mod files;
mod frame_reader;
mod frames;
mod inbox;
mod messages;
mod operations;
mod records;
mod search;
mod sessions;
mod shared;
mod team;
pub mod time;
mod transcript;

pub use appearance::*;
pub use email::*;
pub use errors::*;
pub use files::*;
pub use frames::*;
pub use inbox::*;
pub use messages::*;
pub use operations::*;
pub use records::*;
pub use search::*;
pub use sessions::*;
pub use shared::*;
pub use team::*;
pub use transcript::*;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono::Utc;
    use uuid::Uuid;

    #[test]
    fn every_error_code_parses_back_from_the_name_serde_gives_it() {
        for code in ErrorCode::ALL {
            let named = serde_json::to_value(code).unwrap();
            assert_eq!(named, code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("Invalid"), None);
        assert_eq!(ErrorCode::parse(""), None);
    }

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
            joined_at: None,
            outcome: None,
            report: None,
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
                joined_at: None,
                outcome: None,
                report: None,
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
    fn the_unread_rule_and_its_sender_lists_agree() {
        use SenderKind::*;
        for reader in [Operator, Guest, Customer, System] {
            for sender in [Operator, Guest, Customer, System] {
                assert_eq!(
                    reader.reads(sender),
                    reader.read_senders().contains(&sender),
                    "{reader:?} reading {sender:?}"
                );
            }
            assert!(!reader.reads(System), "system lines are never unread");
            assert!(
                !reader.reads(reader),
                "nobody has their own messages unread"
            );
        }
        assert!(Operator.reads(Customer) && Operator.reads(Guest));
        assert!(Customer.reads(Operator) && Guest.reads(Operator));
        assert!(!Customer.reads(Guest));
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
