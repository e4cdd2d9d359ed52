//! The audit log: who did what to whom, from where and when. Entries are written in the same
//! transaction as what they record, so neither is ever without the other.

use serde_json::Value;
use uuid::Uuid;

use super::Engine;
use crate::domain::{Capability, Invalid};
use crate::error::Error;
use crate::store::audit::AuditFilter;
use crate::store::{to_millis, AuditRow, Db};
use crate::wire::{AuditAction, AuditEntry, AuditTarget, Operator};

/// How an audit entry names a customer: by number, never by anything personal, so that the
/// append-only log holds nothing an erasure would have to take back.
pub(crate) fn customer_label(number: Option<i64>) -> String {
    format!("Customer #{}", number.unwrap_or_default())
}

/// Where a request came from: the client's address and its User-Agent, for sign-ins and the
/// audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requester {
    /// The client's address (behind a trusted proxy, the forwarded one).
    pub address: Option<String>,
    /// The User-Agent header.
    pub user_agent: Option<String>,
}

impl Requester {
    /// A request from `address` with `user_agent`.
    pub fn new(address: impl Into<String>, user_agent: Option<&str>) -> Self {
        Self {
            address: Some(address.into()),
            user_agent: user_agent.map(str::to_owned),
        }
    }
}

/// One entry to write.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub action: AuditAction,
    pub actor: Option<&'a Operator>,
    pub target: Option<AuditTarget>,
    pub from: &'a Requester,
    pub detail: Value,
}

impl Record<'_> {
    /// An entry about an operator.
    pub(crate) fn operator_target(operator: &Operator) -> Option<AuditTarget> {
        Some(AuditTarget {
            kind: "operator".to_owned(),
            id: operator.id.to_string(),
            label: operator.email.clone(),
        })
    }
}

/// Which entries `GET /api/v1/audit` asks for, parsed.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this operator's.
    pub actor_id: Option<Uuid>,
    /// From this time on.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Before this time.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Older than this entry.
    pub before: Option<Uuid>,
    /// At most this many (1 to 200).
    pub limit: i64,
}

/// The most entries one page holds.
pub const AUDIT_PAGE_MAX: i64 = 200;
/// Entries on a page when the caller does not say.
pub const AUDIT_PAGE_DEFAULT: i64 = 50;

impl AuditQuery {
    /// Checks the page size: 1 to [`AUDIT_PAGE_MAX`], [`AUDIT_PAGE_DEFAULT`] when absent.
    pub fn limit_of(raw: Option<i64>) -> Result<i64, Invalid> {
        match raw {
            None => Ok(AUDIT_PAGE_DEFAULT),
            Some(n) if (1..=AUDIT_PAGE_MAX).contains(&n) => Ok(n),
            Some(_) => Err(Invalid::new(
                "limit",
                format!("must be 1 to {AUDIT_PAGE_MAX}"),
            )),
        }
    }
}

impl Engine {
    /// Appends `record` to the audit log through `db` (inside the caller's transaction when it
    /// has one).
    pub(crate) async fn audit(&self, db: Db<'_>, record: Record<'_>) -> Result<(), Error> {
        let row = AuditRow {
            id: Uuid::now_v7().to_string(),
            at: to_millis(self.now()),
            action: record.action.as_str().to_owned(),
            actor_id: record.actor.map(|a| a.id.to_string()),
            actor_name: record.actor.map(|a| a.name.clone()),
            target_kind: record.target.as_ref().map(|t| t.kind.clone()),
            target_id: record.target.as_ref().map(|t| t.id.clone()),
            target_label: record.target.map(|t| t.label),
            address: record.from.address.clone(),
            detail: record.detail.to_string(),
        };
        db.insert_audit(&row).await?;
        Ok(())
    }

    /// A page of the audit log, newest first, for the owner and admins.
    pub async fn audit_log(
        &self,
        viewer: &Operator,
        query: AuditQuery,
    ) -> Result<Vec<AuditEntry>, Error> {
        self.require(viewer, Capability::ManageSettings)?;
        let db = || self.inner.store.db();
        let before = query.before.map(|id| id.to_string());
        if let Some(before) = &before {
            if !db().audit_entry_exists(before).await? {
                return Err(Invalid::new("before", "is not an entry of the audit log").into());
            }
        }
        let actor_id = query.actor_id.map(|id| id.to_string());
        let filter = AuditFilter {
            action: query.action.map(AuditAction::as_str),
            actor_id: actor_id.as_deref(),
            from: query.from.map(to_millis),
            to: query.to.map(to_millis),
            before: before.as_deref(),
            limit: query.limit,
        };
        let rows = db().audit_entries(&filter).await?;
        rows.iter().map(|row| Ok(row.to_entry()?)).collect()
    }
}
