//! Who may do what: the contract's table of roles, in one place.

use uuid::Uuid;

use crate::wire::Role;

/// What only some roles may do. Everything else (sessions, conversations, messages, notes,
/// labels applied, canned replies used) every active operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Invite, revoke invitations, change roles, deactivate and reactivate (never the owner).
    RunTeam,
    /// Hand ownership to an active admin.
    HandOverOwnership,
    /// The widget's settings and secret, the audit log, customer export and erase.
    ManageSettings,
    /// See colleagues' emails and when they were last seen.
    SeeColleagueDetails,
    /// Create, rename, recolour and delete labels; assign conversations to anyone; edit or
    /// delete a colleague's canned reply.
    CurateInbox,
}

impl Role {
    /// Whether this role may do `capability`.
    pub fn may(self, capability: Capability) -> bool {
        match capability {
            Capability::HandOverOwnership => self == Self::Owner,
            Capability::RunTeam
            | Capability::ManageSettings
            | Capability::SeeColleagueDetails
            | Capability::CurateInbox => {
                matches!(self, Self::Owner | Self::Admin)
            }
        }
    }
}

/// Whether an operator (`by`, with `role`) may change a conversation's assignee from `current`
/// to `to`: anyone may take an unassigned conversation or drop their own; only those who may
/// curate the inbox (the owner and admins) assign a colleague or take a colleague's.
pub fn may_assign(by: Uuid, role: Role, current: Option<Uuid>, to: Option<Uuid>) -> bool {
    let own = match to {
        Some(to) => to == by && current.is_none_or(|c| c == by),
        None => current.is_none_or(|c| c == by),
    };
    own || role.may(Capability::CurateInbox)
}

/// A change to a colleague, as `PATCH /api/v1/operators/:id` asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamChange {
    /// The new role, if it changes.
    pub role: Option<Role>,
    /// Active again (`true`) or deactivated (`false`), if that changes.
    pub active: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_take_unassigned_conversations_and_drop_their_own_and_admins_assign_anyone() {
        let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(may_assign(me, Role::Agent, None, Some(me)));
        assert!(may_assign(me, Role::Agent, Some(me), None));
        assert!(!may_assign(me, Role::Agent, Some(other), Some(me)));
        assert!(!may_assign(me, Role::Agent, None, Some(other)));
        assert!(!may_assign(me, Role::Agent, Some(other), None));
        assert!(may_assign(me, Role::Admin, Some(other), None));
        assert!(may_assign(me, Role::Owner, None, Some(other)));
    }

    #[test]
    fn only_the_owner_hands_over_ownership_and_agents_run_nothing() {
        use Capability::*;
        for capability in [RunTeam, ManageSettings, SeeColleagueDetails, CurateInbox] {
            assert!(Role::Owner.may(capability));
            assert!(Role::Admin.may(capability));
            assert!(!Role::Agent.may(capability));
        }
        assert!(Role::Owner.may(HandOverOwnership));
        assert!(!Role::Admin.may(HandOverOwnership));
        assert!(!Role::Agent.may(HandOverOwnership));
    }
}
