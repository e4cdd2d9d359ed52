//! The team: who may do what, the team list, role changes, deactivation and ownership. Every
//! door (REST, server functions, the socket) asks here; no handler decides a rule itself.

use super::announce::{item_changed, signins_ended, Announcement};
use uuid::Uuid;

use serde_json::json;

use super::audit::{Record, Requester};
use super::Engine;
use crate::domain::{Capability, TeamChange};
use crate::error::Error;
use crate::store::{to_millis, OperatorRow};
use crate::wire::{AuditAction, Operator, Role, TeamMember};

impl Engine {
    /// `forbidden` unless `operator`'s role may do `capability`.
    pub fn require(&self, operator: &Operator, capability: Capability) -> Result<(), Error> {
        if operator.role.may(capability) {
            return Ok(());
        }
        Err(Error::Forbidden(match capability {
            Capability::HandOverOwnership => "only the owner hands over ownership",
            Capability::RunTeam => "only the owner and admins manage the team",
            Capability::ManageSettings => "only the owner and admins may do this",
            Capability::SeeColleagueDetails => "only the owner and admins see this",
            Capability::CurateInbox => "only the owner and admins may do this",
        }))
    }

    /// Every operator, oldest first, as `viewer` may see them: agents see names, roles and
    /// whether active; the owner and admins also emails and when each was last seen.
    pub async fn team(&self, viewer: &Operator) -> Result<Vec<TeamMember>, Error> {
        let details = viewer.role.may(Capability::SeeColleagueDetails);
        let rows = self.inner.store.db().operators().await?;
        rows.iter()
            .map(|row| {
                let operator = row.to_operator()?;
                Ok(TeamMember {
                    id: operator.id,
                    name: operator.name,
                    role: operator.role,
                    active: operator.active,
                    email: details.then_some(operator.email),
                    last_seen_at: operator.last_seen_at.filter(|_| details),
                })
            })
            .collect()
    }

    /// The colleague `id`, for `actor` to change: `not_found` when there is none, `forbidden`
    /// for themselves or the owner.
    async fn colleague(&self, actor: &Operator, id: Uuid) -> Result<OperatorRow, Error> {
        let row = self.operator_row(id).await?;
        if id == actor.id {
            return Err(Error::Forbidden(
                "no one changes their own role or deactivates themselves",
            ));
        }
        if row.to_operator()?.role == Role::Owner {
            return Err(Error::Forbidden(
                "the owner changes only by handing ownership over",
            ));
        }
        Ok(row)
    }

    /// Changes a colleague's role or deactivates or reactivates them. Deactivation ends every
    /// sign-in of theirs and, on every node, closes their sockets (4401); their messages keep
    /// their name. Reactivation restores access with the same password.
    #[tracing::instrument(skip_all, fields(operator_id = %id))]
    pub async fn change_operator(
        &self,
        actor: &Operator,
        id: Uuid,
        change: TeamChange,
        from: &Requester,
    ) -> Result<Operator, Error> {
        self.require(actor, Capability::RunTeam)?;
        if change.role.is_none() && change.active.is_none() {
            return Err(crate::domain::Invalid::new("role", "give a role or active").into());
        }
        if change.role == Some(Role::Owner) {
            return Err(Error::Forbidden(
                "ownership is handed over by the owner, not given as a role",
            ));
        }
        let row = self.colleague(actor, id).await?;
        let before = row.to_operator()?;
        let now = to_millis(self.now());
        let target = Record::operator_target(&before);
        let mut tx = self.inner.store.begin().await?;
        if let Some(role) = change.role.filter(|r| *r != before.role) {
            tx.db().set_operator_role(&row.id, role.as_str()).await?;
            let record = Record {
                action: AuditAction::RoleChanged,
                actor: Some(actor),
                target: target.clone(),
                from,
                detail: json!({"from": before.role, "to": role}),
            };
            self.audit(tx.db(), record).await?;
        }
        let deactivated = change.active == Some(false) && before.active;
        // A deactivated operator's conversations go back to Unassigned, where colleagues see them.
        let mut unassigned = Vec::new();
        let action = match change.active {
            Some(false) if before.active => {
                tx.db().set_operator_deactivated(&row.id, Some(now)).await?;
                let ended = tx.db().end_operator_signins(&row.id, None).await?;
                unassigned = self.unassign_everywhere(&mut tx, actor, &row.id).await?;
                Some((
                    AuditAction::OperatorDeactivated,
                    json!({"signins_ended": ended, "conversations_unassigned": unassigned.len()}),
                ))
            }
            Some(true) if !before.active => {
                tx.db().set_operator_deactivated(&row.id, None).await?;
                Some((AuditAction::OperatorReactivated, json!({})))
            }
            _ => None,
        };
        if let Some((action, detail)) = action {
            let record = Record {
                action,
                actor: Some(actor),
                target,
                from,
                detail,
            };
            self.audit(tx.db(), record).await?;
        }
        let mut events: Vec<Announcement> = unassigned.into_iter().map(item_changed).collect();
        if deactivated {
            events.push(signins_ended(&row.id)?);
        }
        self.commit_announcing(tx, events).await?;
        tracing::info!(by = %actor.id, "operator changed");
        self.operator_by_id(id).await
    }

    /// Hands ownership to an active admin; the old owner becomes an admin.
    #[tracing::instrument(skip_all, fields(operator_id = %id))]
    pub async fn make_owner(
        &self,
        actor: &Operator,
        id: Uuid,
        from: &Requester,
    ) -> Result<Operator, Error> {
        self.require(actor, Capability::HandOverOwnership)?;
        let row = self.colleague(actor, id).await?;
        let target = row.to_operator()?;
        if target.role != Role::Admin || !target.active {
            return Err(Error::Conflict(
                "only an active admin can become the owner".to_owned(),
            ));
        }
        let mut tx = self.inner.store.begin().await?;
        // The old owner steps down first: the database holds one owner at a time.
        tx.db()
            .set_operator_role(&actor.id.to_string(), Role::Admin.as_str())
            .await?;
        tx.db()
            .set_operator_role(&row.id, Role::Owner.as_str())
            .await?;
        let record = Record {
            action: AuditAction::OwnershipTransferred,
            actor: Some(actor),
            target: Record::operator_target(&target),
            from,
            detail: json!({"previous_owner": actor.id}),
        };
        self.audit(tx.db(), record).await?;
        tx.commit().await?;
        tracing::info!(from = %actor.id, "ownership handed over");
        self.operator_by_id(id).await
    }

    /// The operator with this id.
    pub async fn operator_by_id(&self, id: Uuid) -> Result<Operator, Error> {
        Ok(self.operator_row(id).await?.to_operator()?)
    }

    /// The stored operator with this id; `not_found` when there is none.
    async fn operator_row(&self, id: Uuid) -> Result<OperatorRow, Error> {
        self.inner
            .store
            .db()
            .operator_by_id(&id.to_string())
            .await?
            .ok_or(Error::NotFound("operator"))
    }
}
