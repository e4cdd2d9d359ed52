//! An inbox list's rows: the first page, live changes, further pages as the reader scrolls, and
//! how each conversation shows in a row.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use switchboard::wire::{ConversationItem, Customer, SenderKind};
use uuid::Uuid;

use super::conversation_bar::LabelChip;
use super::inbox_filter::{place, Filter, Tab};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;

/// The rows of one tab: the first page, then live changes and further pages.
#[component]
pub(super) fn InboxList(
    filter: Filter,
    first: Vec<ConversationItem>,
    now: DateTime<Utc>,
    open: Memo<Option<Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let page_size = switchboard::domain::InboxQuery::default().limit;
    let more_possible = RwSignal::new(first.len() as i64 >= page_size);
    let items = RwSignal::new(first);
    let loading = RwSignal::new(false);
    let now = RwSignal::new(now);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(Utc::now()),
            std::time::Duration::from_secs(30),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    if let Some(feed) = use_context::<InboxFeed>() {
        Effect::new(move |_| {
            if let Some(item) = feed.latest.get() {
                items.update(|list| place(list, item.clone(), filter.holds(&item)));
            }
        });
    }
    let load_more = move || {
        if loading.get_untracked() {
            return;
        }
        let before = items.with_untracked(|list| {
            list.last()
                .and_then(|i| i.last_message_at)
                .map(|t| t.to_rfc3339())
        });
        let Some(before) = before else { return };
        loading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(page) = filter.page(before).await {
                more_possible.set(page.conversations.len() as i64 >= page_size);
                items.update(|list| {
                    for item in page.conversations {
                        if !list.iter().any(|i| i.id == item.id) {
                            list.push(item);
                        }
                    }
                });
            }
            loading.set(false);
        });
    };
    // The button also loads by itself when it scrolls into view.
    let more_button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;
        let on_seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let shown = entries.iter().any(|e| {
                e.dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if shown {
                load_more();
            }
        });
        let observer = web_sys::IntersectionObserver::new(on_seen.as_ref().unchecked_ref()).ok();
        let watch = StoredValue::new_local((observer, on_seen));
        Effect::new(move |_| {
            if let Some(button) = more_button.get() {
                watch.with_value(|(observer, _)| {
                    if let Some(observer) = observer {
                        observer.observe(&button);
                    }
                });
            }
        });
        on_cleanup(move || {
            watch.try_with_value(|(observer, _)| {
                if let Some(observer) = observer {
                    observer.disconnect();
                }
            });
        });
    }
    view! {
        {move || items.with(Vec::is_empty).then(|| view! {
            <p class="empty">{match filter.tab {
                Tab::Mine => t_string!(i18n, inbox.empty_mine),
                Tab::Unassigned => t_string!(i18n, inbox.empty_unassigned),
                Tab::All => t_string!(i18n, inbox.empty_active),
                Tab::Archived => t_string!(i18n, inbox.empty_archived),
            }}</p>
        })}
        <ul class="inbox-list" aria-label=move || t_string!(i18n, inbox.title)>
            <For each=move || items.get() key=row_key let:item>
                <InboxRow item now=now.into() open />
            </For>
        </ul>
        {move || more_possible.get().then(|| view! {
            <button type="button" class="secondary load-more" node_ref=more_button
                on:click=move |_| load_more() disabled=move || loading.get()>
                {t!(i18n, inbox.load_more)}
            </button>
        })}
    }
}

/// `path` with the page's query (`search`, with or without its `?`): the list's tab and filter
/// travel with links between the list and the conversations beside it; the message a search
/// result opened one conversation at (`seq`) does not.
pub(super) fn keeping_query(path: &str, search: &str) -> String {
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("seq="))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// What a row shows: it is drawn again when any of this changes.
type RowKey = (
    Uuid,
    Option<DateTime<Utc>>,
    bool,
    i64,
    Option<Uuid>,
    Vec<(Uuid, String, String)>,
);

fn row_key(item: &ConversationItem) -> RowKey {
    (
        item.id,
        item.last_message_at,
        item.unread,
        item.message_count,
        item.assignee.as_ref().map(|a| a.id),
        item.labels
            .iter()
            .map(|l| (l.id, l.name.clone(), l.color.clone()))
            .collect(),
    )
}

/// Who a conversation is with: the customer's name, else their email, else "Visitor" and their
/// number; "Erased customer" once erased; "Remote-support session" for a session's chat.
#[component]
pub(super) fn CustomerLabel(customer: Option<Customer>) -> impl IntoView {
    let i18n = use_i18n();
    match customer {
        Some(c) if c.erased_at.is_some() => {
            view! { <span>{t!(i18n, inbox.erased_customer)}</span> }.into_any()
        }
        Some(c) => match (c.name, c.email) {
            (Some(name), _) => view! { <bdi class="user-text">{name}</bdi> }.into_any(),
            (None, Some(email)) => view! { <bdi class="user-text">{email}</bdi> }.into_any(),
            (None, None) => {
                let number = c.number;
                view! { <span>{t!(i18n, inbox.visitor_number, number = move || number)}</span> }
                    .into_any()
            }
        },
        None => view! { <span>{t!(i18n, inbox.session_chat)}</span> }.into_any(),
    }
}

#[component]
fn InboxRow(
    item: ConversationItem,
    now: Signal<DateTime<Utc>>,
    open: Memo<Option<Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id;
    // The list keeps its tab and filter while conversations open beside it.
    let search = use_location().search;
    let href = move || keeping_query(&format!("/inbox/{id}"), &search.get());
    let note = item.last_message_internal;
    let assignee = item.assignee.clone().map(|a| a.name);
    let labels = item.labels.clone();
    let who = view! { <CustomerLabel customer=item.customer.clone() /> };
    let email = item
        .customer
        .as_ref()
        .and_then(|c| c.name.as_ref().and(c.email.clone()));
    let from_operator = item.last_message_sender == Some(SenderKind::Operator);
    let preview = item.last_message_preview.clone().unwrap_or_default();
    let at = item.last_message_at;
    let count = item.message_count;
    view! {
        <li class=if item.unread { "inbox-row unread" } else { "inbox-row" }>
            <a href=href data-inbox-row="" aria-current=move || (open.get() == Some(id)).then_some("page")>
                <span class="who">
                    {item.unread.then(|| view! {
                        <span class="unread-dot" aria-hidden="true"></span>
                        <span class="visually-hidden">{t!(i18n, inbox.unread)}" "</span>
                    })}
                    {who}
                    {email.map(|email| view! { " " <bdi class="muted user-text">{email}</bdi> })}
                </span>
                <span class="preview">
                    {match (note, from_operator) {
                        (true, _) => Some(view! { <span class="you note-prefix">{t!(i18n, inbox.note_prefix)}</span> }.into_any()),
                        (false, true) => Some(view! { <span class="you">{t!(i18n, inbox.you_prefix)}</span> }.into_any()),
                        (false, false) => None,
                    }}
                    // In the text's own direction, so the cut keeps its start in any interface.
                    <span class="preview-text user-text" dir="auto">{preview}</span>
                </span>
                {(!labels.is_empty()).then(|| view! {
                    <span class="row-labels">
                        {labels.into_iter().map(|label| view! { <LabelChip label /> }).collect_view()}
                    </span>
                })}
                <span class="meta">
                    {assignee.map(|name| view! {
                        <span class="assignee-name">
                            <span class="visually-hidden">{t!(i18n, inbox.assigned_to)}" "</span>
                            "→ "<bdi class="user-text">{name}</bdi>
                        </span>
                        " · "
                    })}
                    <span>{t!(i18n, inbox.messages, count = move || count)}</span>
                    {at.map(|at| view! {
                        " · "
                        <time datetime=at.to_rfc3339()><RelativeTime at now /></time>
                    })}
                </span>
            </a>
        </li>
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago", in the current language.
#[component]
pub fn RelativeTime(at: DateTime<Utc>, now: Signal<DateTime<Utc>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let minutes = now.get().signed_duration_since(at).num_minutes().max(0);
        if minutes < 1 {
            t!(i18n, inbox.just_now).into_any()
        } else if minutes < 60 {
            t!(i18n, inbox.minutes_ago, count = move || minutes).into_any()
        } else if minutes < 24 * 60 {
            let hours = minutes / 60;
            t!(i18n, inbox.hours_ago, count = move || hours).into_any()
        } else {
            let days = minutes / (24 * 60);
            t!(i18n, inbox.days_ago, count = move || days).into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_the_list_and_a_conversation_keep_the_filter_but_not_a_searched_message() {
        assert_eq!(keeping_query("/inbox", ""), "/inbox");
        assert_eq!(
            keeping_query("/inbox/x", "?tab=mine&label=l"),
            "/inbox/x?tab=mine&label=l"
        );
        assert_eq!(keeping_query("/inbox/x", "?seq=12"), "/inbox/x");
        assert_eq!(keeping_query("/inbox", "tab=all&seq=3"), "/inbox?tab=all");
    }
}
