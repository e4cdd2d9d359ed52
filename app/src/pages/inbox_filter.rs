//! Which conversations an inbox list holds (a tab, a label), and how a live change moves one
//! within a list kept newest first.

use switchboard::wire::ConversationItem;
use uuid::Uuid;

use crate::api::inbox_page;

/// Which conversations an inbox page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    /// Active ones assigned to the reader.
    Mine,
    /// Active ones assigned to nobody.
    Unassigned,
    /// Every active one.
    All,
    /// Archived ones.
    Archived,
}

impl Tab {
    pub(super) fn of(raw: Option<String>) -> Self {
        match raw.as_deref() {
            Some("mine") => Self::Mine,
            Some("unassigned") => Self::Unassigned,
            Some("archived") => Self::Archived,
            _ => Self::All,
        }
    }

    /// The tab's name in a URL (`active` is All, as before there were more).
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Mine => "mine",
            Self::Unassigned => "unassigned",
            Self::All => "active",
            Self::Archived => "archived",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Self::Archived => "archived",
            _ => "active",
        }
    }

    fn assignee(self) -> &'static str {
        match self {
            Self::Mine => "me",
            Self::Unassigned => "none",
            Self::All | Self::Archived => "",
        }
    }
}

/// What one list shows: a tab, a label, for the operator reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Filter {
    pub(super) tab: Tab,
    pub(super) label: Option<Uuid>,
    pub(super) me: Uuid,
}

impl Filter {
    /// Whether `item` belongs in this list.
    pub(super) fn holds(self, item: &ConversationItem) -> bool {
        let assignee = item.assignee.as_ref().map(|a| a.id);
        let in_tab = match self.tab {
            Tab::Mine => !item.archived && assignee == Some(self.me),
            Tab::Unassigned => !item.archived && assignee.is_none(),
            Tab::All => !item.archived,
            Tab::Archived => item.archived,
        };
        in_tab
            && self
                .label
                .is_none_or(|label| item.labels.iter().any(|l| l.id == label))
    }

    /// One page of this list, after `before` (empty: the first).
    pub(super) async fn page(
        self,
        before: String,
    ) -> Result<crate::api::InboxView, crate::error::AppError> {
        inbox_page(
            self.tab.status().to_owned(),
            before,
            self.tab.assignee().to_owned(),
            self.label.map(|l| l.to_string()).unwrap_or_default(),
        )
        .await
    }
}

/// Puts `item` where it belongs in a list sorted by last activity (newest first), or takes it
/// out when it no longer belongs to the tab.
pub fn place(list: &mut Vec<ConversationItem>, item: ConversationItem, belongs: bool) {
    list.retain(|i| i.id != item.id);
    if !belongs || item.last_message_at.is_none() {
        return;
    }
    let at = list.partition_point(|i| i.last_message_at > item.last_message_at);
    list.insert(at, item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use switchboard::wire::{ConversationKind, SenderKind};

    fn item(n: u128, minute: u32, archived: bool) -> ConversationItem {
        ConversationItem {
            id: Uuid::from_u128(n),
            kind: ConversationKind::Support,
            customer: None,
            last_message_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0).unwrap()),
            last_message_preview: Some("hi".into()),
            last_message_sender: Some(SenderKind::Customer),
            message_count: 1,
            unread: true,
            archived,
            last_message_internal: false,
            assignee: None,
            labels: Vec::new(),
        }
    }

    #[test]
    fn a_changed_conversation_moves_to_its_place_and_leaves_a_tab_it_no_longer_belongs_to() {
        let mut list = vec![item(1, 30, false), item(2, 20, false), item(3, 10, false)];
        place(&mut list, item(3, 40, false), true);
        let ids: Vec<u128> = list.iter().map(|i| i.id.as_u128()).collect();
        assert_eq!(ids, [3, 1, 2]);
        place(
            &mut list,
            item(1, 50, true),
            Filter {
                tab: Tab::All,
                label: None,
                me: Uuid::nil(),
            }
            .holds(&item(1, 50, true)),
        );
        let ids: Vec<u128> = list.iter().map(|i| i.id.as_u128()).collect();
        assert_eq!(ids, [3, 2]);
        place(&mut list, item(4, 25, false), true);
        let ids: Vec<u128> = list.iter().map(|i| i.id.as_u128()).collect();
        assert_eq!(ids, [3, 4, 2]);
    }
}
