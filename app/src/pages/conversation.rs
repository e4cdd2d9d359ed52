//! `/inbox/:id`: one support conversation for operators: the customer's details, the chat
//! (the same panel as everywhere), and Archive/Restore. Opening it marks it viewed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_params_map;
use switchboard::wire::{ConversationDetail, ConversationItem, Customer, ErrorCode, Operator};

use super::conversation_emails::EmailHistory;
use crate::api::{open_conversation, SetArchived};
use crate::chat::SessionChatPanel;
use crate::components::{format_time, ErrorAlert, OperatorShell};
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
            <p><A href="/inbox">{t!(i18n, inbox.back)}</A></p>
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
    view! {
        <div class="conversation">
            <aside class="card customer-card" aria-labelledby="customer-heading">
                <h2 id="customer-heading">{t!(i18n, inbox.customer)}</h2>
                <CustomerDetails item=conversation.clone() />
                <ActionForm action=archive>
                    <input type="hidden" name="id" value=conversation.id.to_string() />
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
                {conversation.customer.is_some().then(|| view! { <EmailHistory item /> })}
            </aside>
            <SessionChatPanel
                party=Party::Operator
                conversation_id=conversation.id
                state
                guest_name=Signal::stored(None::<String>)
                visible=tab_visible
                notes=notes
                me=operator.name.clone()
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
                    <span class="muted">{if email_verified {
                        t_string!(i18n, inbox.email_verified)
                    } else {
                        t_string!(i18n, inbox.email_unverified)
                    }}</span>
                }.into_any(),
                None => view! { <span class="muted">{t!(i18n, inbox.unknown)}</span> }.into_any(),
            }}</dd>
            <dt>{t!(i18n, inbox.identity)}</dt>
            <dd>{if signed { t_string!(i18n, inbox.signed) } else { t_string!(i18n, inbox.anonymous) }}</dd>
            <dt>{t!(i18n, inbox.first_seen)}</dt>
            <dd><time datetime=first_seen_at.to_rfc3339()>{format_time(first_seen_at)}</time></dd>
        </dl>
    }
    .into_any()
}
