//! Customers' records: the admins' list, what an export gathers, and erasing a customer.

use super::rows::{CustomerRow, CUSTOMER_COLUMNS};
use super::{on_db, Db, FileRow, Tx};

/// What erasing a customer removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Their conversation, when they had one.
    pub conversation_id: Option<String>,
    /// Messages deleted (every message of the conversation, notes included).
    pub messages: u64,
    /// Files deleted.
    pub files: u64,
    /// Reply-email jobs and confirmation emails deleted.
    pub emails: u64,
    /// The widget tokens deleted, as stored (their sockets must close).
    pub tokens: Vec<String>,
}

/// What emptying a conversation deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Emptied {
    /// Messages (notes included).
    pub messages: u64,
    /// Files.
    pub files: u64,
    /// Reply-email jobs.
    pub email_jobs: u64,
}

impl Db<'_> {
    /// A page of customers, newest first: those whose name or email has a word starting with
    /// each of `prefixes` (LIKE patterns on their folded words, see
    /// [`crate::domain::SearchQuery::like_patterns`]), or whose id is `id`; after the customer
    /// `before` when given; at most `limit`.
    pub async fn customers_page(
        self,
        prefixes: &[String],
        id: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> sqlx::Result<Vec<CustomerRow>> {
        let words = "(' ' || COALESCE(name_words, '') || ' ' || COALESCE(email_words, '') || ' ')";
        let mut matching = (0..prefixes.len())
            .map(|i| format!("{words} LIKE ${}", 4 + i))
            .collect::<Vec<_>>()
            .join(" AND ");
        if matching.is_empty() {
            matching = "TRUE".to_owned();
        }
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE \
             (({matching}) OR id = $1) \
             AND ($2 IS NULL OR created_at < (SELECT created_at FROM customers WHERE id = $2) \
                  OR (created_at = (SELECT created_at FROM customers WHERE id = $2) AND id < $2)) \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql).bind(id).bind(before).bind(limit);
            for prefix in prefixes {
                query = query.bind(prefix);
            }
            query.fetch_all(c).await
        })
    }

    /// The id of a customer's conversation, if they have one.
    pub async fn customer_conversation(self, customer_id: &str) -> sqlx::Result<Option<String>> {
        let sql = "SELECT id FROM conversations WHERE customer_id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(customer_id)
            .fetch_optional(c)
            .await)
    }

    /// Every file of a conversation, oldest first.
    pub async fn files_of_conversation(self, conversation_id: &str) -> sqlx::Result<Vec<FileRow>> {
        let sql = format!(
            "SELECT {} FROM files WHERE conversation_id = $1 ORDER BY created_at, id",
            super::files::FILE_COLUMNS
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id)
            .fetch_all(c)
            .await)
    }

    /// A customer's email confirmations: the address, when it was asked for and when it was
    /// confirmed (ms), oldest first.
    pub async fn confirmations_of(
        self,
        customer_id: &str,
    ) -> sqlx::Result<Vec<(String, i64, Option<i64>)>> {
        let sql = "SELECT email, created_at, confirmed_at FROM email_confirmations \
                   WHERE customer_id = $1 ORDER BY created_at, id";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(customer_id)
            .fetch_all(c)
            .await)
    }

    /// Clears everything personal of a customer's row and marks it erased at `now` (the first
    /// erasure's time stays). Returns the row as it is now.
    async fn forget_customer(self, id: &str, now: i64) -> sqlx::Result<Option<CustomerRow>> {
        let sql = format!(
            "UPDATE customers SET external_id = NULL, visitor_token_hash = NULL, email = NULL, \
             email_words = NULL, email_signed = FALSE, email_verified = FALSE, name = NULL, \
             name_words = NULL, name_verified = FALSE, locale = NULL, unsubscribed_at = NULL, \
             erased_at = COALESCE(erased_at, $2) WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .bind(now)
            .fetch_optional(c)
            .await)
    }

    /// Deletes a customer's widget tokens: the digests, as stored.
    async fn delete_widget_tokens_of(self, customer_id: &str) -> sqlx::Result<Vec<String>> {
        let sql = "DELETE FROM widget_tokens WHERE customer_id = $1 RETURNING token_hash";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(customer_id)
            .fetch_all(c)
            .await)
    }

    /// Runs `sql` with `id` at `$1`: how many rows it touched.
    pub(super) async fn run_for_id(self, sql: &str, id: &str) -> sqlx::Result<u64> {
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()))
    }
}

impl Tx {
    /// Erases a customer: their row keeps its id, number and times, and nothing else; their
    /// widget tokens and email confirmations go, and so do every message, file and reply-email
    /// job of their conversation (which stays, with its activity lines). `None` for an unknown
    /// customer. Erasing an erased customer changes nothing.
    pub async fn erase_customer(
        &mut self,
        id: &str,
        now: i64,
    ) -> sqlx::Result<Option<(CustomerRow, Erased)>> {
        let Some(row) = self.db().forget_customer(id, now).await? else {
            return Ok(None);
        };
        let mut erased = Erased {
            tokens: self.db().delete_widget_tokens_of(id).await?,
            emails: self
                .db()
                .run_for_id("DELETE FROM email_confirmations WHERE customer_id = $1", id)
                .await?,
            ..Erased::default()
        };
        if let Some(conversation) = self.db().customer_conversation(id).await? {
            let emptied = self.empty_conversation(&conversation).await?;
            self.db()
                .run_for_id(
                    "UPDATE conversations SET files_bytes = 0 WHERE id = $1",
                    &conversation,
                )
                .await?;
            erased.messages = emptied.messages;
            erased.files = emptied.files;
            erased.emails += emptied.email_jobs;
            erased.conversation_id = Some(conversation);
        }
        Ok(Some((row, erased)))
    }

    /// Deletes a conversation's messages (notes included), files and reply-email jobs, for an
    /// erasure and for retention alike; the conversation itself stays.
    pub(super) async fn empty_conversation(&mut self, id: &str) -> sqlx::Result<Emptied> {
        Ok(Emptied {
            messages: self
                .db()
                .run_for_id("DELETE FROM messages WHERE conversation_id = $1", id)
                .await?,
            files: self
                .db()
                .run_for_id("DELETE FROM files WHERE conversation_id = $1", id)
                .await?,
            email_jobs: self
                .db()
                .run_for_id("DELETE FROM email_jobs WHERE conversation_id = $1", id)
                .await?,
        })
    }
}
