//! Retention's daily turn: one statement decides which node runs it.

use super::*;

contract!(
    one_retention_turn_is_taken_per_day_however_many_nodes_ask,
    |_url, store| {
        const DAY: i64 = 86_400_000;
        let start = 10 * DAY;
        // The first ask ever takes the turn; a second node asking at the same moment does not.
        assert!(store
            .db()
            .take_retention_turn(start - DAY, start)
            .await
            .unwrap());
        assert!(!store
            .db()
            .take_retention_turn(start - DAY, start)
            .await
            .unwrap());
        // Later that day: not due yet.
        let later = start + DAY / 2;
        assert!(!store
            .db()
            .take_retention_turn(later - DAY, later)
            .await
            .unwrap());
        // A day on, two nodes at once: exactly one gets it.
        let next = start + DAY + 1;
        let (a, b) = tokio::join!(
            store.db().take_retention_turn(next - DAY, next),
            store.db().take_retention_turn(next - DAY, next)
        );
        assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|t| **t).count(), 1);
    }
);
