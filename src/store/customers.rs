//! Website customers and their widget tokens.

use super::rows::{prefixed, CustomerRow, CUSTOMER_COLUMNS};

/// Binds a customer row's values in [`CUSTOMER_COLUMNS`] order to a query or query-as, then the
/// folded words of its name and email (`$12`, `$13`: see [`WORD_COLUMNS`]).
macro_rules! bind_customer {
    ($query:expr, $row:expr) => {
        $query
            .bind(&$row.id)
            .bind(&$row.external_id)
            .bind(&$row.visitor_token_hash)
            .bind(&$row.email)
            .bind($row.email_signed)
            .bind($row.email_verified)
            .bind(&$row.name)
            .bind($row.name_verified)
            .bind(&$row.locale)
            .bind($row.created_at)
            .bind($row.last_seen_at)
            .bind(words_of($row.name.as_deref()))
            .bind(words_of($row.email.as_deref()))
    };
}
use super::search_index::words_of;
use super::{on_db, Db};

/// The search's copies of a customer's name and email, as folded words: each written by the
/// statement that writes its source (see `search.rs`).
const WORD_COLUMNS: &str = "name_words, email_words";
use crate::auth::TokenDigest;

/// The number a customer inserted now gets. Concurrent writers take
/// [`CUSTOMER_NUMBER_LOCK`] first (PostgreSQL; SQLite has one writer); the unique index makes a
/// writer that did not fail rather than share a number.
const NEXT_NUMBER: &str = "(SELECT COALESCE(MAX(number), 0) + 1 FROM customers)";

/// The key [`Db::lock_keys`] takes before inserting a customer.
pub const CUSTOMER_NUMBER_LOCK: &str = "customer-number";

impl Db<'_> {
    /// Creates the customer of a signed identity, or updates it: the signed email and name
    /// win over typed ones when given. A value the row marks verified makes it verified; one
    /// that is not keeps an earlier verification only when it is the same value. Returns the
    /// stored row.
    pub async fn upsert_signed_customer(self, row: &CustomerRow) -> sqlx::Result<CustomerRow> {
        let sql = format!(
            "INSERT INTO customers ({CUSTOMER_COLUMNS}, {WORD_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, {NEXT_NUMBER}, NULL, $12, $13) \
             ON CONFLICT (external_id) DO UPDATE SET \
             email = COALESCE(excluded.email, customers.email), \
             email_words = CASE WHEN excluded.email IS NULL THEN customers.email_words \
                           ELSE excluded.email_words END, \
             email_signed = CASE WHEN excluded.email IS NULL THEN customers.email_signed \
                            ELSE excluded.email_signed END, \
             email_verified = CASE WHEN excluded.email IS NULL THEN customers.email_verified \
                              WHEN excluded.email_verified THEN TRUE \
                              ELSE customers.email_verified \
                                   AND customers.email IS NOT DISTINCT FROM excluded.email END, \
             name = COALESCE(excluded.name, customers.name), \
             name_words = CASE WHEN excluded.name IS NULL THEN customers.name_words \
                          ELSE excluded.name_words END, \
             name_verified = CASE WHEN excluded.name IS NULL THEN customers.name_verified \
                             WHEN excluded.name_verified THEN TRUE \
                             ELSE customers.name_verified \
                                  AND customers.name IS NOT DISTINCT FROM excluded.name END, \
             locale = COALESCE(excluded.locale, customers.locale), \
             last_seen_at = excluded.last_seen_at \
             RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| bind_customer!(sqlx::query_as(&sql), row)
            .fetch_one(c)
            .await)
    }

    /// The customer with this id.
    pub async fn customer(self, id: &str) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// The customer a host site signed with this user id.
    pub async fn signed_customer(self, external_id: &str) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE external_id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(external_id)
            .fetch_optional(c)
            .await)
    }

    /// Inserts a customer as given (an anonymous visitor), with the next number. Returns the
    /// stored row.
    pub async fn insert_customer(self, row: &CustomerRow) -> sqlx::Result<CustomerRow> {
        let sql = format!(
            "INSERT INTO customers ({CUSTOMER_COLUMNS}, {WORD_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, {NEXT_NUMBER}, NULL, $12, $13) \
             RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| bind_customer!(sqlx::query_as(&sql), row)
            .fetch_one(c)
            .await)
    }

    /// The anonymous visitor whose token has this digest, noting the visit at `now`.
    pub async fn visit_anonymous_customer(
        self,
        digest: &TokenDigest,
        locale: Option<&str>,
        now: i64,
    ) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!(
            "UPDATE customers SET last_seen_at = $2, locale = COALESCE($3, locale) \
             WHERE visitor_token_hash = $1 RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(digest.as_str())
            .bind(now)
            .bind(locale)
            .fetch_optional(c)
            .await)
    }

    /// The anonymous visitor whose token has this digest, without noting a visit.
    pub async fn anonymous_customer(
        self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE visitor_token_hash = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(digest.as_str())
            .fetch_optional(c)
            .await)
    }

    /// The customer with this id, noting the visit at `now` (a reply email's chat link).
    pub async fn visit_customer(
        self,
        id: &str,
        locale: Option<&str>,
        now: i64,
    ) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!(
            "UPDATE customers SET last_seen_at = $2, locale = COALESCE($3, locale) \
             WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .bind(now)
            .bind(locale)
            .fetch_optional(c)
            .await)
    }

    /// Sets what a customer typed: an email (not signed) and a name, each when given. What a
    /// host site signed wins: a signed email is kept, and so is a signed customer's name.
    pub async fn update_customer_contact(
        self,
        id: &str,
        email: Option<&str>,
        name: Option<&str>,
    ) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!(
            "UPDATE customers SET \
             email = CASE WHEN email_signed THEN email ELSE COALESCE($2, email) END, \
             email_words = CASE WHEN email_signed OR $2 IS NULL THEN email_words ELSE $5 END, \
             email_signed = CASE WHEN email_signed OR $2 IS NULL THEN email_signed ELSE $4 END, \
             email_verified = CASE WHEN email_signed OR $2 IS NULL THEN email_verified \
                              ELSE email_verified AND email IS NOT DISTINCT FROM $2 END, \
             name = CASE WHEN external_id IS NOT NULL AND name IS NOT NULL THEN name \
                    ELSE COALESCE($3, name) END, \
             name_words = CASE WHEN (external_id IS NOT NULL AND name IS NOT NULL) \
                               OR $3 IS NULL THEN name_words ELSE $6 END, \
             name_verified = CASE WHEN (external_id IS NOT NULL AND name IS NOT NULL) \
                                  OR $3 IS NULL THEN name_verified \
                             ELSE name_verified AND name IS NOT DISTINCT FROM $3 END \
             WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .bind(email)
            .bind(name)
            .bind(false)
            .bind(words_of(email))
            .bind(words_of(name))
            .fetch_optional(c)
            .await)
    }

    /// The id of a customer's conversation, creating it with `new_id` at `now` if missing.
    pub async fn ensure_customer_conversation(
        self,
        customer_id: &str,
        new_id: &str,
        now: i64,
    ) -> sqlx::Result<String> {
        let sql = "INSERT INTO conversations (id, kind, customer_id, created_at) \
                   VALUES ($1, 'support', $2, $3) ON CONFLICT (customer_id) DO UPDATE \
                   SET customer_id = excluded.customer_id RETURNING id";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(new_id)
            .bind(customer_id)
            .bind(now)
            .fetch_one(c)
            .await)
    }

    /// Stores a widget token's digest for a customer until `expires_at`.
    pub async fn insert_widget_token(
        self,
        digest: &TokenDigest,
        customer_id: &str,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO widget_tokens (token_hash, customer_id, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .bind(customer_id)
            .bind(now)
            .bind(expires_at)
            .execute(c)
            .await
            .map(drop))
    }

    /// Forgets a customer's widget tokens but the newest `keep`, to make room for one more.
    pub async fn trim_widget_tokens(self, customer_id: &str, keep: i64) -> sqlx::Result<u64> {
        let sql = "DELETE FROM widget_tokens WHERE customer_id = $1 AND token_hash NOT IN \
                   (SELECT token_hash FROM widget_tokens WHERE customer_id = $1 \
                    ORDER BY created_at DESC, token_hash LIMIT $2)";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(customer_id)
            .bind(keep)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// How many unexpired widget tokens a customer holds.
    pub async fn live_widget_tokens(self, customer_id: &str, now: i64) -> sqlx::Result<i64> {
        let sql = "SELECT COUNT(*) FROM widget_tokens WHERE customer_id = $1 AND expires_at > $2";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(customer_id)
            .bind(now)
            .fetch_one(c)
            .await)
    }

    /// When an unexpired widget token expires (ms); `None` when it is unknown or expired.
    pub async fn widget_token_expiry(
        self,
        digest: &TokenDigest,
        now: i64,
    ) -> sqlx::Result<Option<i64>> {
        let sql = "SELECT expires_at FROM widget_tokens WHERE token_hash = $1 AND expires_at > $2";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(digest.as_str())
            .bind(now)
            .fetch_optional(c)
            .await)
    }

    /// Forgets one widget token; the customer's conversation id when it existed.
    pub async fn delete_widget_token(self, digest: &TokenDigest) -> sqlx::Result<Option<String>> {
        let sql = "DELETE FROM widget_tokens WHERE token_hash = $1 RETURNING \
                   (SELECT c.id FROM conversations c WHERE c.customer_id = widget_tokens.customer_id)";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(digest.as_str())
            .fetch_optional(c)
            .await)
    }

    /// Forgets widget tokens that ran out by `now`.
    pub async fn delete_expired_widget_tokens(self, now: i64) -> sqlx::Result<u64> {
        let sql = "DELETE FROM widget_tokens WHERE expires_at <= $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// The customer behind an unexpired widget token, their conversation's id, and when the
    /// token expires (ms).
    pub async fn customer_by_widget_token(
        self,
        digest: &TokenDigest,
        now: i64,
    ) -> sqlx::Result<Option<(CustomerRow, String, i64)>> {
        let sql = format!(
            "SELECT {}, c.id AS conversation_id, t.expires_at FROM widget_tokens t \
             JOIN customers cu ON cu.id = t.customer_id \
             JOIN conversations c ON c.customer_id = cu.id \
             WHERE t.token_hash = $1 AND t.expires_at > $2",
            prefixed("cu", CUSTOMER_COLUMNS)
        );
        let row: Option<WithConversation> = on_db!(self, |c| sqlx::query_as(&sql)
            .bind(digest.as_str())
            .bind(now)
            .fetch_optional(c)
            .await)?;
        Ok(row.map(|r| (r.customer, r.conversation_id, r.expires_at)))
    }
}

#[derive(sqlx::FromRow)]
struct WithConversation {
    #[sqlx(flatten)]
    customer: CustomerRow,
    conversation_id: String,
    expires_at: i64,
}
