//! What the outbox worker does with a due reply-email job, decided from the store's facts
//! alone (no I/O, so every rule is unit-tested), and how long it waits between tries.

use std::time::Duration;

use crate::store::emails::{EmailTargetRow, ReplyRow};
use crate::wire::EmailReason;

/// The first pause after a failed send; each next one doubles.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest pause between tries.
const LONGEST_RETRY: Duration = Duration::from_secs(3600);
/// Tries stop this long after the window opened.
pub(crate) const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Whether a job's replies are still open to join (a waiting window) or fixed by a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// Waiting: the window takes every unread reply not emailed before.
    Open,
    /// Claimed for sending once: it covers the replies fixed then.
    Fixed,
}

/// Why a job ends without an email.
pub type SkipReason = EmailReason;

/// What the worker does with a due job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not yet: the first unread reply is younger than the delay. Look again at `until` (ms).
    Wait {
        /// When.
        until: i64,
    },
    /// End without an email.
    Skip {
        /// Why.
        reason: SkipReason,
        /// For [`EmailReason::Read`]: when the last reply was read (ms).
        read_at: Option<i64>,
    },
    /// Send an email covering `replies` (seqs, ascending) to `to`.
    Send {
        /// The replies' seqs.
        replies: Vec<i64>,
        /// The address.
        to: String,
        /// Whether the replies' text may be quoted (a signed address).
        quote: bool,
    },
}

/// Decides what a due job becomes, from what the store holds now: `replies` are the operator
/// replies the job could cover (for an open window, every one not emailed before), `opened_at`
/// is when the window opened, all times in ms. The email goes out when the first unread reply
/// is `delay` old, and never later than 3 × `delay` after the window opened.
pub fn decide(
    window: WindowState,
    opened_at: i64,
    target: &EmailTargetRow,
    replies: &[ReplyRow],
    now: i64,
    delay: Duration,
) -> Decision {
    let unread: Vec<&ReplyRow> = replies.iter().filter(|r| r.read_at.is_none()).collect();
    let Some(first) = unread.first() else {
        let read_at = replies.iter().filter_map(|r| r.read_at).max();
        return Decision::Skip {
            reason: if read_at.is_some() {
                EmailReason::Read
            } else {
                EmailReason::Covered
            },
            read_at,
        };
    };
    let delay = delay.as_millis() as i64;
    if window == WindowState::Open {
        let due = (first.created_at + delay).min(opened_at + 3 * delay);
        if now < due {
            return Decision::Wait { until: due };
        }
    }
    let skip = |reason| Decision::Skip {
        reason,
        read_at: None,
    };
    if target.archived_at.is_some() {
        return skip(EmailReason::Archived);
    }
    // Only an address known to be the customer's gets email: a typed one, or one sent beside
    // a v1 signature, could be anyone's.
    let Some(to) = target
        .email
        .clone()
        .filter(|e| !e.trim().is_empty() && target.email_verified)
    else {
        return skip(EmailReason::NoEmail);
    };
    if target.unsubscribed_at.is_some() {
        return skip(EmailReason::Unsubscribed);
    }
    Decision::Send {
        replies: unread.iter().map(|r| r.seq).collect(),
        to,
        quote: target.email_verified,
    }
}

/// The pause before try number `attempts + 1`, after `attempts` failed ones.
pub(crate) fn retry_pause(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    (FIRST_RETRY * 2u32.pow(doublings)).min(LONGEST_RETRY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const MIN: i64 = 60_000;
    const DELAY: Duration = Duration::from_secs(300);

    fn target() -> EmailTargetRow {
        EmailTargetRow {
            customer_id: Uuid::now_v7().to_string(),
            email: Some("ann@example.com".to_owned()),
            email_verified: true,
            name: Some("Ann".to_owned()),
            name_verified: true,
            locale: None,
            unsubscribed_at: None,
            archived_at: None,
        }
    }

    fn reply(seq: i64, at_min: i64, read_at_min: Option<i64>) -> ReplyRow {
        ReplyRow {
            seq,
            sender_name: Some("Bob".to_owned()),
            content: format!("reply {seq}"),
            created_at: at_min * MIN,
            read_at: read_at_min.map(|m| m * MIN),
            attachments: None,
        }
    }

    #[test]
    fn the_email_waits_for_the_first_unread_reply_to_be_delay_old_but_no_longer_than_three_delays()
    {
        let open = WindowState::Open;
        // One reply at 0: due at 5.
        let one = [reply(1, 0, None)];
        assert_eq!(
            decide(open, 0, &target(), &one, 4 * MIN, DELAY),
            Decision::Wait { until: 5 * MIN }
        );
        // The first was read at 3, the second came at 4: due at 9.
        let two = [reply(1, 0, Some(3)), reply(2, 4, None)];
        assert_eq!(
            decide(open, 0, &target(), &two, 5 * MIN, DELAY),
            Decision::Wait { until: 9 * MIN }
        );
        // Replies keep coming and being read: never later than 15.
        let late = [reply(1, 0, Some(1)), reply(2, 13, None)];
        assert_eq!(
            decide(open, 0, &target(), &late, 5 * MIN, DELAY),
            Decision::Wait { until: 15 * MIN }
        );
        assert!(matches!(
            decide(open, 0, &target(), &late, 15 * MIN, DELAY),
            Decision::Send { ref replies, .. } if replies == &[2]
        ));
        // A fixed job (claimed once) does not wait again.
        assert!(matches!(
            decide(WindowState::Fixed, 0, &target(), &one, MIN, DELAY),
            Decision::Send { .. }
        ));
    }

    #[test]
    fn each_check_at_send_time_ends_the_job_with_its_reason() {
        let unread = [reply(1, 0, None), reply(2, 1, None)];
        let at = 6 * MIN;
        let read = [reply(1, 0, Some(2)), reply(2, 1, Some(3))];
        let cases: Vec<(EmailTargetRow, &[ReplyRow], Decision)> = vec![
            (
                target(),
                &read,
                Decision::Skip {
                    reason: EmailReason::Read,
                    read_at: Some(3 * MIN),
                },
            ),
            (
                target(),
                &[],
                Decision::Skip {
                    reason: EmailReason::Covered,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    archived_at: Some(MIN),
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::Archived,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    email: None,
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::NoEmail,
                    read_at: None,
                },
            ),
            (
                EmailTargetRow {
                    unsubscribed_at: Some(MIN),
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::Unsubscribed,
                    read_at: None,
                },
            ),
            (
                target(),
                &unread,
                Decision::Send {
                    replies: vec![1, 2],
                    to: "ann@example.com".to_owned(),
                    quote: true,
                },
            ),
            (
                EmailTargetRow {
                    email_verified: false,
                    ..target()
                },
                &unread,
                Decision::Skip {
                    reason: EmailReason::NoEmail,
                    read_at: None,
                },
            ),
        ];
        for (target, replies, expected) in cases {
            assert_eq!(
                decide(WindowState::Open, 0, &target, replies, at, DELAY),
                expected
            );
        }
    }

    #[test]
    fn retries_start_within_30_seconds_and_grow_to_an_hour_apart() {
        assert_eq!(retry_pause(1), Duration::from_secs(30));
        assert_eq!(retry_pause(2), Duration::from_secs(60));
        assert_eq!(retry_pause(5), Duration::from_secs(480));
        assert_eq!(retry_pause(9), Duration::from_secs(3600));
        assert_eq!(retry_pause(60), Duration::from_secs(3600));
    }
}
