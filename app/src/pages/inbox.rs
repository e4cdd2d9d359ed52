//! `/inbox`: the support conversations, Active and Archived, newest activity first, moving and
//! updating live; more load at the end of the list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;
use switchboard::wire::{ConversationItem, ErrorCode};

use crate::api::inbox_page;
use crate::components::{ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;

use super::inbox_list::InboxList;

/// Which tab an inbox page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Active,
    Archived,
}

impl Tab {
    fn of(raw: Option<String>) -> Self {
        match raw.as_deref() {
            Some("archived") => Self::Archived,
            _ => Self::Active,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    pub(super) fn holds(self, item: &ConversationItem) -> bool {
        item.archived == (self == Self::Archived)
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

/// `/inbox?tab=active|archived`.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, inbox.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, inbox.title)}</h1>
            <InboxTabs />
        </OperatorShell>
    }
}

#[component]
fn InboxTabs() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tab = Memo::new(move |_| Tab::of(query.read().get("tab")));
    let feed = use_context::<InboxFeed>();
    let resyncs = move || feed.map(|f| f.resyncs.get()).unwrap_or(0);
    let first_page = Resource::new(
        move || (tab.get(), resyncs()),
        |(tab, _)| inbox_page(tab.as_str().to_owned(), String::new()),
    );
    let link = move |which: Tab| {
        let label = move || match which {
            Tab::Active => t_string!(i18n, inbox.tab_active),
            Tab::Archived => t_string!(i18n, inbox.tab_archived),
        };
        view! {
            <A href=format!("?tab={}", which.as_str())
                attr:class=move || if tab.get() == which { "tab current" } else { "tab" }
                attr:aria-current=move || (tab.get() == which).then_some("page")>
                {label}
            </A>
        }
    };
    view! {
        <div class="inbox-tools">
            <nav class="tabs" aria-label=move || t_string!(i18n, inbox.tabs)>
                {link(Tab::Active)}
                {link(Tab::Archived)}
            </nav>
            {feed.map(|feed| view! {
                <label class="mute">
                    <input type="checkbox" prop:checked=move || feed.muted()
                        on:change=move |ev| feed.set_muted(event_target_checked(&ev)) />
                    " "{t!(i18n, inbox.mute)}
                </label>
            })}
        </div>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match first_page.await {
                    Ok(page) => view! {
                        <InboxList tab=tab.get_untracked() first=page.conversations now=page.now />
                    }.into_any(),
                    Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
