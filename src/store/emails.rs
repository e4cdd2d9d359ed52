//! The reply-email outbox: windows opened by operator replies, claims that never send twice,
//! and what each email became.

use sqlx::FromRow;
use uuid::Uuid;

use super::{on_db, placeholders, Db};
use crate::wire::SenderKind;

/// The columns of [`EmailJobRow`], in order.
const JOB_COLUMNS: &str = "id, conversation_id, state, opened_at, due_at, first_seq, last_seq, \
                           replies, recipient, attempts, outcome, detail, read_at, finished_at, \
                           created_at";

/// Where an outgoing email (a reply email's job, or a confirmation) stands, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Not due yet.
    Waiting,
    /// Claimed by a worker, which is sending it.
    Sending,
    /// A send failed for now; it is due again later.
    Retrying,
    /// It went out.
    Sent,
    /// It ended without an email.
    Skipped,
    /// It failed for good.
    Failed,
}

impl JobState {
    /// Every state, in the order a job passes through them.
    pub const ALL: [Self; 6] = [
        Self::Waiting,
        Self::Sending,
        Self::Retrying,
        Self::Sent,
        Self::Skipped,
        Self::Failed,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Retrying => "retrying",
            Self::Sent => "sent",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

impl TryFrom<String> for JobState {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        Ok(match stored.as_str() {
            "waiting" => Self::Waiting,
            "sending" => Self::Sending,
            "retrying" => Self::Retrying,
            "sent" => Self::Sent,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            _ => return Err(format!("stored job state {stored:?} is not valid")),
        })
    }
}

/// An email job as stored (see migration 0005 for the states).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EmailJobRow {
    /// Id (UUID text); also the email's stable `Message-ID`.
    pub id: String,
    /// The support conversation.
    pub conversation_id: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub state: JobState,
    /// When the reply that opened the window was posted (ms).
    pub opened_at: i64,
    /// When the worker looks at it next (ms).
    pub due_at: i64,
    /// The first reply covered (the opening one while waiting).
    pub first_seq: i64,
    /// The last reply covered, fixed at the first claim for sending.
    pub last_seq: Option<i64>,
    /// How many replies the email covered when it went out.
    pub replies: i64,
    /// The address it went (or goes) to.
    pub recipient: Option<String>,
    /// Sends tried.
    pub attempts: i64,
    /// Why it was skipped or failed.
    pub outcome: Option<String>,
    /// The transport's last error.
    pub detail: Option<String>,
    /// For a skip because the customer read the replies: when.
    pub read_at: Option<i64>,
    /// When it was sent, skipped or given up (ms).
    pub finished_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
}

/// Who an email goes to, and whether it may go, as the store holds it now.
#[derive(Debug, Clone, FromRow)]
pub struct EmailTargetRow {
    /// The customer's id.
    pub customer_id: String,
    /// Their address, if any.
    pub email: Option<String>,
    /// Whether the address is known to be theirs (signed in the v1.1 form, or confirmed).
    pub email_verified: bool,
    /// Their name.
    pub name: Option<String>,
    /// Whether the host site signed the name (v1.1); only then may an email show it.
    pub name_verified: bool,
    /// Their widget language.
    pub locale: Option<String>,
    /// When they unsubscribed.
    pub unsubscribed_at: Option<i64>,
    /// When the conversation was archived.
    pub archived_at: Option<i64>,
}

/// A reply as an email shows it.
#[derive(Debug, Clone, FromRow)]
pub struct ReplyRow {
    /// Its seq.
    pub seq: i64,
    /// The operator's name.
    pub sender_name: Option<String>,
    /// The text.
    pub content: String,
    /// Posted (ms).
    pub created_at: i64,
    /// Read by the customer (ms).
    pub read_at: Option<i64>,
    /// Its files, as a JSON array of file objects.
    pub attachments: Option<String>,
}

/// A reply-email window to open: the job's id, the support conversation, the reply's seq and
/// time, and when the window is due.
#[derive(Debug, Clone)]
pub struct EmailWindow {
    /// The job's id (UUID text).
    pub id: String,
    /// The conversation; nothing opens unless it is a support conversation.
    pub conversation_id: Uuid,
    /// The reply's seq.
    pub seq: i64,
    /// The reply's time (ms).
    pub at: i64,
    /// When the window is due (ms).
    pub due_at: i64,
}

/// Opens a support conversation's reply-email window unless one is open: `$1` the job's id,
/// `$2` the conversation, `$3` the time, `$4` when it is due, `$5` the reply's seq.
pub(super) const OPEN_EMAIL_WINDOW: &str = "INSERT INTO email_jobs (id, conversation_id, state, \
     opened_at, due_at, first_seq, created_at) \
     SELECT $1, c.id, 'waiting', $3, $4, $5, $3 FROM conversations c \
     WHERE c.id = $2 AND c.kind = 'support' \
     ON CONFLICT DO NOTHING";

impl Db<'_> {
    pub(super) fn is_postgres(&self) -> bool {
        matches!(self, Db::PostgresPool(_) | Db::PostgresConn(_))
    }

    /// Opens an email window for a support conversation at the reply `seq`, unless one is open
    /// already (the reply then joins it). Nothing for a session's conversation. Runs in the
    /// reply's own transaction, so the window exists exactly when the reply does.
    pub async fn open_email_window(
        self,
        id: &str,
        conversation_id: Uuid,
        seq: i64,
        at: i64,
        due_at: i64,
    ) -> sqlx::Result<u64> {
        on_db!(self, |c| Ok(sqlx::query(OPEN_EMAIL_WINDOW)
            .bind(id)
            .bind(conversation_id.to_string())
            .bind(at)
            .bind(due_at)
            .bind(seq)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// Opens each window as [`Db::open_email_window`] does, in order: how many it opened. On
    /// PostgreSQL in one statement, whatever their number.
    pub async fn open_email_windows(self, windows: &[EmailWindow]) -> sqlx::Result<u64> {
        if windows.is_empty() {
            return Ok(0);
        }
        let sql = "INSERT INTO email_jobs (id, conversation_id, state, opened_at, due_at, \
                   first_seq, created_at) \
                   SELECT w.id, c.id, 'waiting', w.at, w.due_at, w.seq, w.at \
                   FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) \
                   WITH ORDINALITY AS w(id, conversation_id, at, due_at, seq, n) \
                   JOIN conversations c ON c.id = w.conversation_id AND c.kind = 'support' \
                   ORDER BY w.n \
                   ON CONFLICT DO NOTHING";
        match self {
            Db::PostgresConn(conn) => Ok(sqlx::query(sql)
                .bind(windows.iter().map(|w| w.id.as_str()).collect::<Vec<_>>())
                .bind(
                    windows
                        .iter()
                        .map(|w| w.conversation_id.to_string())
                        .collect::<Vec<_>>(),
                )
                .bind(windows.iter().map(|w| w.at).collect::<Vec<_>>())
                .bind(windows.iter().map(|w| w.due_at).collect::<Vec<_>>())
                .bind(windows.iter().map(|w| w.seq).collect::<Vec<_>>())
                .execute(conn)
                .await?
                .rows_affected()),
            mut db => {
                let mut opened = 0;
                for w in windows {
                    opened += db
                        .reborrow()
                        .open_email_window(&w.id, w.conversation_id, w.seq, w.at, w.due_at)
                        .await?;
                }
                Ok(opened)
            }
        }
    }

    /// Claims the job that has been due longest (`due_at <= now`), moving its `due_at` to
    /// `hold_until` so that no other worker takes it meanwhile. On PostgreSQL, rows another
    /// node holds are skipped. Run it first in a transaction: on SQLite it takes the write lock.
    pub async fn claim_due_email(
        self,
        now: i64,
        hold_until: i64,
    ) -> sqlx::Result<Option<EmailJobRow>> {
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE email_jobs SET due_at = $2 WHERE id = (SELECT id FROM email_jobs \
             WHERE state IN ('waiting', 'sending', 'retrying') AND due_at <= $1 \
             ORDER BY due_at LIMIT 1 {lock}) RETURNING {JOB_COLUMNS}"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(now)
            .bind(hold_until)
            .fetch_optional(c)
            .await)
    }

    /// When the next unfinished job is due, if any.
    pub async fn next_email_due(self) -> sqlx::Result<Option<i64>> {
        let sql = "SELECT MIN(due_at) FROM email_jobs \
                   WHERE state IN ('waiting', 'sending', 'retrying')";
        on_db!(self, |c| sqlx::query_scalar(sql).fetch_one(c).await)
    }

    /// Makes every claim for sending due now: for a single node (SQLite) starting up, whose
    /// earlier run died while it held them.
    pub async fn release_email_claims(self, now: i64) -> sqlx::Result<u64> {
        let sql = "UPDATE email_jobs SET due_at = $1 WHERE state = 'sending' AND due_at > $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// The customer a support conversation belongs to, with what decides whether they get
    /// email.
    pub async fn email_target(self, conversation_id: Uuid) -> sqlx::Result<Option<EmailTargetRow>> {
        let sql = "SELECT cu.id AS customer_id, cu.email, cu.email_verified, cu.name, \
                   cu.name_verified, cu.locale, \
                   cu.unsubscribed_at, c.archived_at \
                   FROM conversations c JOIN customers cu ON cu.id = c.customer_id \
                   WHERE c.id = $1";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(conversation_id.to_string())
            .fetch_optional(c)
            .await)
    }

    /// The messages of `senders` in a conversation with seq in `from..=to`, ascending.
    pub async fn replies_between(
        self,
        conversation_id: Uuid,
        senders: &[SenderKind],
        from: i64,
        to: i64,
    ) -> sqlx::Result<Vec<ReplyRow>> {
        if senders.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT seq, sender_name, content, created_at, read_at, attachments FROM messages \
             WHERE conversation_id = $1 AND seq >= $2 AND seq <= $3 AND NOT internal \
             AND sender_kind IN ({}) ORDER BY seq",
            placeholders(4, senders.len())
        );
        on_db!(self, |c| {
            let mut query = sqlx::query_as(&sql)
                .bind(conversation_id.to_string())
                .bind(from)
                .bind(to);
            for kind in senders {
                query = query.bind(kind.as_str());
            }
            query.fetch_all(c).await
        })
    }

    /// The highest seq an earlier email of the conversation covered (0 when none did).
    pub async fn emailed_up_to(self, conversation_id: Uuid) -> sqlx::Result<i64> {
        let sql = "SELECT COALESCE(MAX(last_seq), 0) FROM email_jobs WHERE conversation_id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(conversation_id.to_string())
            .fetch_one(c)
            .await)
    }

    /// Writes a job's new state and fields as given.
    pub async fn update_email_job(self, job: &EmailJobRow) -> sqlx::Result<()> {
        let sql = "UPDATE email_jobs SET state = $2, due_at = $3, first_seq = $4, last_seq = $5, \
                   replies = $6, recipient = $7, attempts = $8, outcome = $9, detail = $10, \
                   read_at = $11, finished_at = $12 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(&job.id)
            .bind(job.state.as_str())
            .bind(job.due_at)
            .bind(job.first_seq)
            .bind(job.last_seq)
            .bind(job.replies)
            .bind(&job.recipient)
            .bind(job.attempts)
            .bind(&job.outcome)
            .bind(&job.detail)
            .bind(job.read_at)
            .bind(job.finished_at)
            .execute(c)
            .await
            .map(drop))
    }

    /// A conversation's email jobs, newest first, at most `limit`.
    pub async fn email_jobs_of(
        self,
        conversation_id: Uuid,
        limit: i64,
    ) -> sqlx::Result<Vec<EmailJobRow>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM email_jobs WHERE conversation_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(conversation_id.to_string())
            .bind(limit)
            .fetch_all(c)
            .await)
    }

    /// How many email jobs stand in each state (states without one are left out).
    pub async fn email_job_counts(self) -> sqlx::Result<Vec<(String, i64)>> {
        on_db!(self, |c| sqlx::query_as(
            "SELECT state, COUNT(*) FROM email_jobs GROUP BY state"
        )
        .fetch_all(c)
        .await)
    }

    /// One email job.
    pub async fn email_job(self, id: &str) -> sqlx::Result<Option<EmailJobRow>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM email_jobs WHERE id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// Marks a customer unsubscribed (or subscribed again, with `None`); whether the customer
    /// exists.
    pub async fn set_unsubscribed(self, customer_id: &str, at: Option<i64>) -> sqlx::Result<bool> {
        let sql = "UPDATE customers SET unsubscribed_at = $2 WHERE id = $1";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(customer_id)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected()
            > 0))
    }

    /// When a customer unsubscribed; `None` inside when subscribed, `None` outside when the
    /// customer does not exist.
    pub async fn unsubscribed_at(self, customer_id: &str) -> sqlx::Result<Option<Option<i64>>> {
        let sql = "SELECT unsubscribed_at FROM customers WHERE id = $1";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(customer_id)
            .fetch_optional(c)
            .await)
    }
}
