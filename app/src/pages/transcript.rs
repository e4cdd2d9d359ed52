//! Transcripts for operators: the download form beside a conversation or session, and
//! `/conversations/:id/print`, the conversation laid out for paper.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};
use switchboard::wire::{ErrorCode, Message, SenderKind, Transcript};
use uuid::Uuid;

use crate::api::load_transcript;
use crate::clock::Time;
use crate::components::ErrorAlert;
use crate::i18n::*;
use crate::load::load;

/// Download a conversation's transcript (text or JSON, notes when ticked), or open it to print.
/// A plain form: the browser downloads what the API answers.
#[component]
pub fn TranscriptForm(conversation_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let action = format!("/api/v1/conversations/{conversation_id}/transcript");
    let print = format!("/conversations/{conversation_id}/print");
    view! {
        <section class="transcript-form" aria-labelledby="transcript-heading">
            <h3 id="transcript-heading">{t!(i18n, transcript.title)}</h3>
            <form method="get" action=action>
                <div class="field">
                    <label for="transcript-format">{t!(i18n, transcript.format)}</label>
                    <select id="transcript-format" name="format">
                        <option value="txt">{t!(i18n, transcript.text)}</option>
                        <option value="json">"JSON"</option>
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" name="notes" value="true" />
                    {t!(i18n, transcript.with_notes)}
                </label>
                <button type="submit" class="secondary">{t!(i18n, transcript.download)}</button>
            </form>
            <p><a href=print target="_blank" rel="noopener">{t!(i18n, transcript.print_page)}</a></p>
        </section>
    }
}

/// `/conversations/:id/print?notes=true|false`: every message, oldest first, with no chat
/// around it.
#[component]
pub fn PrintPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query.read().get("notes").is_some_and(|n| n == "true"),
        )
    };
    let transcript = load(key, |(id, notes)| load_transcript(id, notes));
    view! {
        <Title text=t_string!(i18n, transcript.title).to_owned() />
        <main id="main" class="print-page">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match transcript.await {
                        Ok(transcript) => view! { <Printed transcript /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn Printed(transcript: Transcript) -> impl IntoView {
    let i18n = use_i18n();
    let head = transcript.conversation;
    let who = head
        .title
        .clone()
        .or_else(|| head.customer_name.clone())
        .or_else(|| head.customer_email.clone());
    let email = head
        .customer_email
        .clone()
        .filter(|_| head.customer_name.is_some());
    let rows = transcript
        .messages
        .into_iter()
        .map(|message| view! { <PrintedMessage message /> })
        .collect_view();
    view! {
        <h1>
            {t!(i18n, transcript.title)}
            {who.map(|who| view! { ": " <bdi class="user-text">{who}</bdi> })}
        </h1>
        <dl class="facts">
            {email.map(|email| view! {
                <div><dt>{t!(i18n, inbox.email)}</dt><dd><bdi>{email}</bdi></dd></div>
            })}
            <div><dt>{t!(i18n, transcript.exported)}</dt><dd><Time at=transcript.exported_at /></dd></div>
        </dl>
        <p class="no-print">
            <button type="button" on:click=move |_| print_page()>{t!(i18n, transcript.print)}</button>
        </p>
        <ol class="transcript">{rows}</ol>
    }
}

#[component]
fn PrintedMessage(message: Message) -> impl IntoView {
    let i18n = use_i18n();
    let who = match (message.sender.name, message.sender.kind) {
        (Some(name), _) => view! { <bdi class="user-text">{name}</bdi> }.into_any(),
        (None, SenderKind::Guest) => t!(i18n, chat.guest).into_any(),
        (None, SenderKind::Customer) => t!(i18n, inbox.customer).into_any(),
        (None, _) => "—".into_any(),
    };
    let files = message
        .attachments
        .into_iter()
        .map(|file| view! { <li><bdi>{file.name}</bdi></li> })
        .collect_view();
    view! {
        <li class:note=message.internal>
            <p class="meta">
                <Time at=message.created_at />" · "{who}
                {message.internal.then(|| view! { " · " <span class="badge note-badge">{t!(i18n, search.note)}</span> })}
            </p>
            <p class="content user-text" dir="auto">{message.content}</p>
            <ul class="files">{files}</ul>
        </li>
    }
}

/// The browser's print dialog.
fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
