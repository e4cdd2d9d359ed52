//! `/inbox/:id`: one support conversation for operators: the customer's details, the chat
//! (the same panel as everywhere), and Archive/Restore. Opening it marks it viewed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_params_map;
use switchboard::wire::{ConversationDetail, ConversationItem, Customer, ErrorCode, Operator};

use super::conversation_emails::EmailHistory;
use super::inbox_list::CustomerLabel;
use crate::api::{open_conversation, SetArchived};
use crate::chat::{focus_composer, SessionChatPanel};
use crate::clock::Time;
use crate::components::{ErrorAlert, Fold, OperatorShell};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::realtime::{ChatState, Party};

/// `/inbox/:id`.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, open_conversation);
    view! {
        <Title text=t_string!(i18n, inbox.conversation_title).to_owned() />
        <OperatorShell>
            <p class="back"><A href="/inbox">{t!(i18n, inbox.back)}</A></p>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok((detail, operator)) => view! { <ConversationView detail operator /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Suspense>
        </OperatorShell>
    }
}

#[component]
fn ConversationView(detail: ConversationDetail, operator: Operator) -> impl IntoView {
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
    // A customer's message reopens an archived conversation with a note ("Reopened by a new
    // message"); notes have no frame of their own, so they load again when that happens.
    let was_archived = StoredValue::new(conversation.archived);
    let reopened_id = conversation.id.to_string();
    Effect::new(move |_| {
        let archived = item.with(|i| i.archived);
        let reopened = was_archived.get_value() && !archived;
        was_archived.set_value(archived);
        if reopened {
            let id = reopened_id.clone();
            leptos::task::spawn_local(async move {
                if let Ok((detail, _)) = open_conversation(id).await {
                    notes.set(detail.notes);
                }
            });
        }
    });
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
    // The operator opened the conversation to answer it.
    Effect::new(|_| focus_composer());
    view! {
        <h1 class="page-title"><CustomerLabel customer /></h1>
        <div class="chat-layout">
            <Fold summary=view! { <h2 id="customer-heading">{t!(i18n, inbox.customer)}</h2> }.into_any()>
                <CustomerDetails item=details />
                <ActionForm action=archive>
                    <input type="hidden" name="id" value=conversation_id.to_string() />
                    <input type="hidden" name="archived" value=move || (!item.get().archived).to_string() />
                    <button type="submit" class="secondary">
                        {move || if item.get().archived {
                            t_string!(i18n, inbox.restore)
                        } else {
                            t_string!(i18n, inbox.archive)
                        }}
                    </button>
                </ActionForm>
                {move || item.get().archived.then(|| view! {
                    <p class="hint" role="status">{t!(i18n, inbox.archived_note)}</p>
                })}
                {has_customer.then(|| view! { <EmailHistory item /> })}
            </Fold>
            <SessionChatPanel
                party=Party::Operator
                conversation_id
                state
                guest_name=Signal::stored(None::<String>)
                visible=tab_visible
                notes=notes
                me=Some(operator.name.clone())
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
        ..
    }) = item.customer
    else {
        return view! { <p>{t!(i18n, inbox.session_chat)}</p> }.into_any();
    };
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
