//! The team: operators' roles, deactivation, and ending their sign-ins.

use super::rows::{OperatorRow, OPERATOR_COLUMNS};
use super::{on_db, Db};
use crate::auth::TokenDigest;

impl Db<'_> {
    /// Every operator, oldest first.
    pub async fn operators(self) -> sqlx::Result<Vec<OperatorRow>> {
        let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY created_at, id");
        on_db!(self, |c| sqlx::query_as(&sql).fetch_all(c).await)
    }

    /// The operator with this id.
    pub async fn operator_by_id(self, id: &str) -> sqlx::Result<Option<OperatorRow>> {
        let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE id = $1");
        on_db!(self, |c| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(c)
            .await)
    }

    /// Sets an operator's role (`owner`, `admin` or `agent`).
    pub async fn set_operator_role(self, id: &str, role: &str) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET role = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(role)
            .execute(c)
            .await
            .map(drop))
    }

    /// Deactivates an operator at `at`, or reactivates one with `None`.
    pub async fn set_operator_deactivated(self, id: &str, at: Option<i64>) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET deactivated_at = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(at)
            .execute(c)
            .await
            .map(drop))
    }

    /// Ends every sign-in of an operator but `except`; returns how many ended.
    pub async fn end_operator_signins(
        self,
        operator_id: &str,
        except: Option<&TokenDigest>,
    ) -> sqlx::Result<u64> {
        let sql = "DELETE FROM operator_sessions \
                   WHERE operator_id = $1 AND token_hash <> COALESCE($2, '')";
        on_db!(self, |c| Ok(sqlx::query(sql)
            .bind(operator_id)
            .bind(except.map(TokenDigest::as_str))
            .execute(c)
            .await?
            .rows_affected()))
    }

    /// Sets an operator's password hash.
    pub async fn set_operator_password(self, id: &str, hash: &str) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET password_hash = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(hash)
            .execute(c)
            .await
            .map(drop))
    }

    /// Sets an operator's name.
    pub async fn set_operator_name(self, id: &str, name: &str) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET name = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(name)
            .execute(c)
            .await
            .map(drop))
    }

    /// An operator's notification preferences (JSON), if they ever set them.
    pub async fn operator_preferences(self, id: &str) -> sqlx::Result<Option<String>> {
        let sql = "SELECT preferences FROM operators WHERE id = $1";
        let found: Option<Option<String>> = on_db!(self, |c| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(c)
            .await)?;
        Ok(found.flatten())
    }

    /// Sets an operator's notification preferences (JSON).
    pub async fn set_operator_preferences(self, id: &str, json: &str) -> sqlx::Result<()> {
        let sql = "UPDATE operators SET preferences = $2 WHERE id = $1";
        on_db!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(json)
            .execute(c)
            .await
            .map(drop))
    }
}
