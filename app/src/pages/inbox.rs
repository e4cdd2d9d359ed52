//! `/inbox`: the support conversations (Mine, Unassigned, All, Archived, optionally one label's),
//! newest activity first, moving and updating live; more load at the end of the list. On a wide
//! screen the open conversation (`/inbox/:id`) sits beside the list, which keeps its tab, filter
//! and scroll while conversations change; on a phone one of the two shows.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use switchboard::wire::ErrorCode;
use uuid::Uuid;

use super::inbox_filter::{Filter, Tab};
use super::inbox_list::InboxList;
use super::shortcuts::{on_list_keys, ShortcutsHelp};
use crate::api::{load_desk, DeskView};
use crate::components::{ErrorAlert, OperatorShell};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::load::load;

/// The desk (who reads, colleagues, labels, canned replies), loaded once for the list and
/// every conversation opened beside it.
#[derive(Clone, Copy)]
pub(super) struct DeskResource(
    pub(super) Resource<Result<DeskView, crate::error::AppError>, crate::load::JsonBytes>,
);

/// `/inbox?tab=mine|unassigned|active|archived&label=<id>`, and the open conversation beside it.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let open = Memo::new(move |_| {
        location
            .pathname
            .get()
            .strip_prefix("/inbox/")
            .and_then(|id| Uuid::parse_str(id).ok())
    });
    let desk = DeskResource(load(|| (), |_| load_desk()));
    provide_context(desk);
    on_list_keys();
    view! {
        <Title text=t_string!(i18n, inbox.title).to_owned() />
        <OperatorShell>
            <div class="inbox-split" data-open=move || open.get().is_some().to_string()>
                <section class="inbox-pane" aria-labelledby="inbox-heading">
                    <h1 id="inbox-heading">{t!(i18n, inbox.title)}</h1>
                    <InboxTabs open />
                    <ShortcutsHelp />
                </section>
                <div class="conversation-pane">
                    <Outlet />
                </div>
            </div>
        </OperatorShell>
    }
}

/// What the conversation pane shows while none is open (wide screens only).
#[component]
pub fn NoConversation() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="empty pick">{t!(i18n, inbox.pick_conversation)}</p> }
}

/// The tabs, the label filter and the list. Its loads are made here, outside the `Suspend`
/// that waits for them: one made in there would be made again each time it runs on the server,
/// and the browser would number it differently.
#[component]
fn InboxTabs(open: Memo<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let desk = use_context::<DeskResource>()
        .expect("the inbox page provides the desk")
        .0;
    let chosen = Memo::new(move |_| {
        let query = query.read();
        let label = query.get("label").and_then(|l| Uuid::parse_str(&l).ok());
        (Tab::of(query.get("tab")), label)
    });
    let feed = use_context::<InboxFeed>();
    let resyncs = move || feed.map(|f| f.resyncs.get()).unwrap_or(0);
    let first_page = load(
        move || (chosen.get(), resyncs()),
        |((tab, label), _)| {
            Filter {
                tab,
                label,
                me: Uuid::nil(),
            }
            .page(String::new())
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (desk.await, first_page.await) {
                    (Ok(desk), Ok(page)) => {
                        let (tab, label) = chosen.get_untracked();
                        let filter = Filter { tab, label, me: desk.me.id };
                        view! {
                            <InboxTools desk filter />
                            <InboxList filter first=page.conversations now=page.now open />
                        }.into_any()
                    }
                    (Err(error), _) | (_, Err(error)) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The tabs, the label filter and the chime switch.
#[component]
fn InboxTools(desk: DeskView, filter: Filter) -> impl IntoView {
    let i18n = use_i18n();
    let feed = use_context::<InboxFeed>();
    let link = move |which: Tab| {
        let label = move || match which {
            Tab::Mine => t_string!(i18n, inbox.tab_mine),
            Tab::Unassigned => t_string!(i18n, inbox.tab_unassigned),
            Tab::All => t_string!(i18n, inbox.tab_all),
            Tab::Archived => t_string!(i18n, inbox.tab_archived),
        };
        let href = move || {
            let label = filter
                .label
                .map(|l| format!("&label={l}"))
                .unwrap_or_default();
            format!("/inbox?tab={}{label}", which.as_str())
        };
        view! {
            <A href=href
                attr:class=move || if filter.tab == which { "tab current" } else { "tab" }
                attr:aria-current=move || (filter.tab == which).then_some("page")>
                {label}
            </A>
        }
    };
    let navigate = use_navigate();
    let labels = desk.labels.clone();
    view! {
        <div class="inbox-tools">
            <nav class="tabs" aria-label=move || t_string!(i18n, inbox.tabs)>
                {link(Tab::Mine)}
                {link(Tab::Unassigned)}
                {link(Tab::All)}
                {link(Tab::Archived)}
            </nav>
            {(!labels.is_empty()).then(|| view! {
                <label class="label-filter">
                    <span>{t!(i18n, inbox.label_filter)}</span>
                    <select on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let tab = filter.tab.as_str();
                        let label = if value.is_empty() { String::new() } else { format!("&label={value}") };
                        navigate(&format!("/inbox?tab={tab}{label}"), Default::default());
                    }>
                        <option value="" selected=move || filter.label.is_none()>{t!(i18n, inbox.any_label)}</option>
                        {labels.into_iter().map(|label| {
                            let id = label.id;
                            view! {
                                <option value=id.to_string() selected=move || filter.label == Some(id)>
                                    {label.name}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
            })}
            {feed.map(|feed| view! {
                <label class="mute">
                    <input type="checkbox" prop:checked=move || feed.muted()
                        on:change=move |ev| feed.set_muted(event_target_checked(&ev)) />
                    " "{t!(i18n, inbox.mute)}
                </label>
            })}
        </div>
    }
}
