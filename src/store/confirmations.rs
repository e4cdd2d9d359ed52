//! Email confirmations (double opt-in): one row per confirmation email, which is also that
//! email's outbox entry.

use sqlx::FromRow;

use super::emails::JobState;
use super::{on_db, Db};

/// A confirmation as stored.
#[derive(Debug, Clone, FromRow)]
pub struct ConfirmationRow {
    /// Id (UUID text); the signed link names it.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The address it confirms.
    pub email: String,
    /// The customer's widget language when it was asked for.
    pub locale: Option<String>,
    /// Where it stands (never `skipped`).
    #[sqlx(try_from = "String")]
    pub state: JobState,
    /// When it is due (ms).
    pub due_at: i64,
    /// Sends tried.
    pub attempts: i64,
    /// Created (ms).
    pub created_at: i64,
    /// When the link was used (ms).
    pub confirmed_at: Option<i64>,
}

const COLUMNS: &str =
    "id, customer_id, email, locale, state, due_at, attempts, created_at, confirmed_at";

impl Db<'_> {
    /// Stores a confirmation, due at `now`.
    pub async fn insert_confirmation(
        self,
        id: &str,
        customer_id: &str,
        email: &str,
        locale: Option<&str>,
        now: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO email_confirmations \
                   (id, customer_id, email, locale, state, due_at, created_at) \
                   VALUES ($1, $2, $3, $4, 'waiting', $5, $5)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(customer_id)
            .bind(email)
            .bind(locale)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// How many confirmations a customer was sent (or is owed) since `since` (ms).
    pub async fn confirmations_since(self, customer_id: &str, since: i64) -> sqlx::Result<i64> {
        let sql = "SELECT COUNT(*) FROM email_confirmations \
                   WHERE customer_id = $1 AND created_at >= $2";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(customer_id)
            .bind(since)
            .fetch_one(c)
            .await)
    }

    /// Claims the confirmation due first, holding it until `hold_until`; one whose claim
    /// lapsed (its node died while sending) is due again.
    pub async fn claim_due_confirmation(
        self,
        now: i64,
        hold_until: i64,
    ) -> sqlx::Result<Option<ConfirmationRow>> {
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE email_confirmations SET state = 'sending', due_at = $2 \
             WHERE id = (SELECT id FROM email_confirmations \
             WHERE state IN ('waiting', 'sending', 'retrying') AND due_at <= $1 \
             ORDER BY due_at LIMIT 1 {lock}) RETURNING {COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(now)
            .bind(hold_until)
            .fetch_optional(c)
            .await)
    }

    /// Records what became of a claimed confirmation's send.
    pub async fn settle_confirmation(
        self,
        id: &str,
        state: JobState,
        due_at: i64,
        attempts: i64,
        detail: Option<&str>,
    ) -> sqlx::Result<()> {
        let sql = "UPDATE email_confirmations SET state = $2, due_at = $3, attempts = $4, \
                   detail = $5 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(state.as_str())
            .bind(due_at)
            .bind(attempts)
            .bind(detail)
            .execute(c)
            .await
            .map(drop))
    }

    /// When the next unsent confirmation is due, if any.
    pub async fn next_confirmation_due(self) -> sqlx::Result<Option<i64>> {
        let sql = "SELECT MIN(due_at) FROM email_confirmations \
                   WHERE state IN ('waiting', 'sending', 'retrying')";
        on_db!(self, |c| sqlx::query_scalar(sql).fetch_one(c).await)
    }

    /// One confirmation.
    pub async fn confirmation(self, id: &str) -> sqlx::Result<Option<ConfirmationRow>> {
        let sql = format!("SELECT {COLUMNS} FROM email_confirmations WHERE id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// Marks the customer's address verified when it is still the one this confirmation was
    /// sent to. Whether it was.
    pub async fn confirm_address(self, id: &str) -> sqlx::Result<bool> {
        let sql = "UPDATE customers SET email_verified = TRUE WHERE id = \
                   (SELECT customer_id FROM email_confirmations WHERE id = $1) \
                   AND email = (SELECT email FROM email_confirmations WHERE id = $1)";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Notes when a confirmation's link was used.
    pub async fn mark_confirmation_used(self, id: &str, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE email_confirmations SET confirmed_at = COALESCE(confirmed_at, $2) \
                   WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }
}
