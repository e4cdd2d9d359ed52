//! Invitations to the team and password reset links. Only the SHA-256 of each link's token is
//! stored.

use super::rows::{InvitationRow, NewInvitation};
use super::{on_db, Db};
use crate::auth::TokenDigest;

const INVITATION_COLUMNS: &str = "i.id, i.email, i.role, i.invited_by, o.name AS invited_by_name, \
     i.created_at, i.expires_at, i.ended_at, i.ended_how, i.email_state";

impl Db<'_> {
    /// Ends (as `replaced`) every open invitation to `email`.
    pub async fn replace_invitations(self, email: &str, now: i64) -> sqlx::Result<()> {
        let sql = "UPDATE invitations SET ended_at = $2, ended_how = 'replaced' \
                   WHERE email = $1 AND ended_at IS NULL";
        on_db!(self, |c| sqlx::query(sql)
            .bind(email)
            .bind(now)
            .execute(c)
            .await
            .map(drop))
    }

    /// Records an invitation.
    pub async fn insert_invitation(
        self,
        row: &NewInvitation<'_>,
        digest: &TokenDigest,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO invitations (id, email, role, token_hash, invited_by, \
                   created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(row.id)
            .bind(row.email)
            .bind(row.role)
            .bind(digest.as_str())
            .bind(row.invited_by)
            .bind(row.created_at)
            .bind(row.expires_at)
            .execute(c)
            .await
            .map(drop))
    }

    /// Invitations not yet used, revoked or replaced, and not expired at `now`; newest first.
    pub async fn pending_invitations(self, now: i64) -> sqlx::Result<Vec<InvitationRow>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i \
             LEFT JOIN operators o ON o.id = i.invited_by \
             WHERE i.ended_at IS NULL AND i.expires_at > $1 ORDER BY i.created_at DESC, i.id DESC"
        );
        on_db!(self, |c| sqlx::query_as(&sql).bind(now).fetch_all(c).await)
    }

    /// The invitation with this id.
    pub async fn invitation(self, id: &str) -> sqlx::Result<Option<InvitationRow>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i \
             LEFT JOIN operators o ON o.id = i.invited_by WHERE i.id = $1"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// The invitation whose link token has this digest.
    pub async fn invitation_by_token(
        self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<InvitationRow>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations i \
             LEFT JOIN operators o ON o.id = i.invited_by WHERE i.token_hash = $1"
        );
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(digest.as_str())
            .fetch_optional(c)
            .await)
    }

    /// Ends an open invitation `how` (`accepted`, `revoked`); `false` when it had ended.
    pub async fn end_invitation(self, id: &str, how: &str, now: i64) -> sqlx::Result<bool> {
        let sql = "UPDATE invitations SET ended_at = $3, ended_how = $2 \
                   WHERE id = $1 AND ended_at IS NULL";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(id)
            .bind(how)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1))
    }

    /// Records how sending an invitation's email went (`sent`, `failed`).
    pub async fn set_invitation_email_state(self, id: &str, state: &str) -> sqlx::Result<()> {
        let sql = "UPDATE invitations SET email_state = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(state)
            .execute(c)
            .await
            .map(drop))
    }

    /// Records a password reset link for an operator.
    pub async fn insert_password_reset(
        self,
        digest: &TokenDigest,
        operator_id: &str,
        now: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        let sql = "INSERT INTO password_resets (token_hash, operator_id, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4)";
        on_db!(self, |c| sqlx::query(sql)
            .bind(digest.as_str())
            .bind(operator_id)
            .bind(now)
            .bind(expires_at)
            .execute(c)
            .await
            .map(drop))
    }

    /// A reset link: its operator, when it expires and when it was used.
    pub async fn password_reset(
        self,
        digest: &TokenDigest,
    ) -> sqlx::Result<Option<(String, i64, Option<i64>)>> {
        let sql = "SELECT operator_id, expires_at, used_at FROM password_resets \
                   WHERE token_hash = $1";
        on_db!(self, |c| sqlx::query_as(sql)
            .bind(digest.as_str())
            .fetch_optional(c)
            .await)
    }

    /// Uses a reset link, and every other unused one of its operator; `false` when it was used.
    pub async fn use_password_reset(
        self,
        digest: &TokenDigest,
        operator_id: &str,
        now: i64,
    ) -> sqlx::Result<bool> {
        let sql = "UPDATE password_resets SET used_at = $3 \
                   WHERE operator_id = $2 AND used_at IS NULL \
                   AND EXISTS (SELECT 1 FROM password_resets r \
                               WHERE r.token_hash = $1 AND r.used_at IS NULL)";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(digest.as_str())
            .bind(operator_id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            > 0))
    }

    /// Password reset links asked for this operator since `since`.
    pub async fn password_resets_since(self, operator_id: &str, since: i64) -> sqlx::Result<i64> {
        let sql =
            "SELECT COUNT(*) FROM password_resets WHERE operator_id = $1 AND created_at >= $2";
        on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(operator_id)
            .bind(since)
            .fetch_one(c)
            .await)
    }
}
