//! `/inbox/:id`: one support conversation for operators: the customer's details, the chat
//! (the same panel as everywhere), and Archive/Restore. Opening it marks it viewed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::{use_location, use_params_map, use_query_map};
use switchboard::wire::{ConversationDetail, ConversationItem, Customer, ErrorCode, Operator};

use super::conversation_bar::ConversationBar;
use super::conversation_emails::EmailHistory;
use super::inbox::DeskResource;
use super::inbox_list::{keeping_query, CustomerLabel};
use super::transcript::TranscriptForm;
use crate::api::{open_conversation, DeskView, SetArchived};
use crate::chat::desk::Fill;
use crate::chat::{focus_composer, Desk, SessionChatPanel};
use crate::clock::Time;
use crate::components::{ErrorAlert, Fold};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::load::load;
use crate::post_form::PostForm;
use crate::realtime::{ChatState, Party};

/// `/inbox/:id`: the conversation pane beside the inbox list.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // A search result opens the conversation at one of its messages.
    let query = use_query_map();
    let found = move || {
        query
            .read()
            .get("seq")
            .and_then(|seq| seq.parse::<i64>().ok())
    };
    let detail = load(
        move || (id(), found()),
        |(id, found)| open_conversation(id, found),
    );
    let desk = use_context::<DeskResource>()
        .expect("the inbox page provides the desk")
        .0;
    let search = use_location().search;
    let back = move || keeping_query("/inbox", &search.get());
    view! {
        <Title text=t_string!(i18n, inbox.conversation_title).to_owned() />
        <p class="back"><A href=back>{t!(i18n, inbox.back)}</A></p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (detail.await, desk.await) {
                    // Another conversation opened beside the list replaces this one whole: its
                    // own chat state and socket.
                    (Ok((detail, operator)), Ok(desk)) => view! { <ConversationView detail operator desk found=found() /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConversationView(
    detail: ConversationDetail,
    operator: Operator,
    desk: DeskView,
    found: Option<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ConversationDetail {
        conversation,
        messages,
        notes,
        ..
    } = detail;
    let item = RwSignal::new(conversation.clone());
    if let Some(feed) = use_context::<InboxFeed>() {
        let id = conversation.id;
        Effect::new(move |_| {
            if let Some(latest) = feed.latest.get().filter(|i| i.id == id) {
                item.set(latest);
            }
        });
    }
    let state = ChatState::new(false);
    state.merge(messages);
    let notes = RwSignal::new(notes);
    // Activity lines ("reopened", "assigned", "labelled") have no frame of their own: they load
    // again when the item shows such a change, whoever made it.
    let shape = |i: &ConversationItem| {
        (
            i.archived,
            i.assignee.as_ref().map(|a| a.id),
            i.labels.iter().map(|l| l.id).collect::<Vec<_>>(),
        )
    };
    let seen_shape = StoredValue::new(shape(&conversation));
    let reload_id = conversation.id.to_string();
    Effect::new(move |_| {
        let now = item.with(shape);
        let before = seen_shape.get_value();
        seen_shape.set_value(now.clone());
        let reopened = before.0 && !now.0;
        if reopened || before.1 != now.1 || before.2 != now.2 {
            let id = reload_id.clone();
            leptos::task::spawn_local(async move {
                if let Ok((detail, _)) = open_conversation(id, None).await {
                    notes.set(detail.notes);
                }
            });
        }
    });
    let note = RwSignal::new(false);
    let my_name = operator.name.clone();
    let fill = Signal::derive(move || {
        item.with(|i| Fill {
            customer_name: i.customer.as_ref().and_then(|c| c.name.clone()),
            customer_email: i.customer.as_ref().and_then(|c| c.email.clone()),
            operator_name: Some(my_name.clone()),
        })
    });
    let team: Vec<(uuid::Uuid, String)> =
        desk.team.iter().map(|m| (m.id, m.name.clone())).collect();
    let composer_desk = Desk {
        fill,
        team: Signal::stored(team),
        canned: Signal::stored(desk.canned.clone()),
        note,
    };
    super::shortcuts::on_conversation_keys(note, item, desk.me.id);
    let archive = ServerAction::<SetArchived>::new();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = archive.value().get() {
            item.set(updated);
        }
    });
    let tab_visible = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    {
        let update = move || {
            let shown = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            tab_visible.set(shown);
        };
        update();
        let handle =
            leptos::prelude::window_event_listener(leptos::ev::visibilitychange, move |_| update());
        on_cleanup(move || handle.remove());
    }
    let customer = conversation.customer.clone();
    let has_customer = customer.is_some();
    let details = conversation.clone();
    let conversation_id = conversation.id;
    let operator_name = operator.name.clone();
    // The operator opened the conversation to answer it, or from a search to read a message.
    Effect::new(move |_| match found {
        Some(seq) => show_found(seq),
        None => focus_composer(),
    });
    view! {
        <header class="conversation-head">
            <h2 class="page-title"><CustomerLabel customer /></h2>
            <ConversationBar item desk=desk.clone() viewers=state.viewers />
            <PostForm action=archive attr:class="archive-form">
                <input type="hidden" name="id" value=conversation_id.to_string() />
                <input type="hidden" name="archived" value=move || (!item.get().archived).to_string() />
                <button type="submit" class="secondary" title=move || t_string!(i18n, keys.archive)>
                    {move || if item.get().archived {
                        t_string!(i18n, inbox.restore)
                    } else {
                        t_string!(i18n, inbox.archive)
                    }}
                </button>
            </PostForm>
            {move || item.get().archived.then(|| view! {
                <p class="hint" role="status">{t!(i18n, inbox.archived_note)}</p>
            })}
        </header>
        <div class="chat-layout">
            <Fold summary=view! { <h2 id="customer-heading">{t!(i18n, inbox.customer)}</h2> }.into_any()>
                <CustomerDetails item=details />
                {has_customer.then(|| view! { <EmailHistory item /> })}
                <TranscriptForm conversation_id />
            </Fold>
            <SessionChatPanel
                party=Party::Operator
                conversation_id
                state
                visible=tab_visible
                notes=notes
                me=Some(operator_name)
                desk=Some(composer_desk)
            />
        </div>
    }
}

#[component]
fn CustomerDetails(item: ConversationItem) -> impl IntoView {
    let i18n = use_i18n();
    let Some(Customer {
        name,
        email,
        email_verified,
        signed,
        first_seen_at,
        erased_at,
        ..
    }) = item.customer
    else {
        return view! { <p>{t!(i18n, inbox.session_chat)}</p> }.into_any();
    };
    if let Some(at) = erased_at {
        return view! {
            <p class="hint erased-note">{t!(i18n, inbox.erased_note)}</p>
            <dl class="details">
                <dt>{t!(i18n, customers.erased)}</dt>
                <dd><Time at /></dd>
                <dt>{t!(i18n, inbox.first_seen)}</dt>
                <dd><Time at=first_seen_at /></dd>
            </dl>
        }
        .into_any();
    }
    view! {
        <dl class="details">
            <dt>{t!(i18n, inbox.name)}</dt>
            <dd>{match name {
                Some(name) => view! { <bdi class="user-text">{name}</bdi> }.into_any(),
                None => view! { <span class="muted">{t!(i18n, inbox.unknown)}</span> }.into_any(),
            }}</dd>
            <dt>{t!(i18n, inbox.email)}</dt>
            <dd>{match email {
                Some(email) => view! {
                    <bdi class="user-text">{email}</bdi>
                    " "
                    <span class="muted">{move || if email_verified {
                        t_string!(i18n, inbox.email_verified)
                    } else {
                        t_string!(i18n, inbox.email_unverified)
                    }}</span>
                }.into_any(),
                None => view! { <span class="muted">{t!(i18n, inbox.unknown)}</span> }.into_any(),
            }}</dd>
            <dt>{t!(i18n, inbox.identity)}</dt>
            <dd>{move || if signed { t_string!(i18n, inbox.signed) } else { t_string!(i18n, inbox.anonymous) }}</dd>
            <dt>{t!(i18n, inbox.first_seen)}</dt>
            <dd><Time at=first_seen_at /></dd>
        </dl>
    }
    .into_any()
}

/// Marks the message a search result named and moves focus to it, which scrolls it into view:
/// after the list's own first scroll to its newest message (a frame later).
fn show_found(seq: i64) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        request_animation_frame(move || {
            use wasm_bindgen::JsCast;
            let selector = format!("li.message[data-seq=\"{seq}\"]");
            let Some(row) = document().query_selector(&selector).ok().flatten() else {
                return;
            };
            row.set_class_name(&format!("{} found", row.class_name()));
            let _ = row.set_attribute("tabindex", "-1");
            if let Ok(row) = row.dyn_into::<web_sys::HtmlElement>() {
                let _ = row.focus();
            }
        })
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = seq;
}
