//! The guest kiosk: what a guest sees after opening a session link. No account needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchboard::wire::{ErrorCode, Session, SessionStatus};

use crate::api::guest_visit;
use crate::chat::SessionChatPanel;
use crate::components::{ErrorAlert, LanguageSwitcher};
use crate::i18n::*;
use crate::load::load;
use crate::realtime::{ChatState, Party};
use crate::visitor_strings::VisitorStrings;

/// `/support/guest/:token`: the kiosk, the "session has ended" page (HTTP 410) or the "link not
/// found" page (HTTP 404).
#[component]
pub fn GuestKiosk() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let visit = load(token, guest_visit);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match visit.await {
                    Ok(view) => view! { <KioskLayout session=view.session token=token() /> }.into_any(),
                    Err(error) if error.code == ErrorCode::Gone => view! { <KioskEnded /> }.into_any(),
                    Err(error) if error.code == ErrorCode::NotFound => view! { <KioskNotFound /> }.into_any(),
                    Err(error) => view! { <main class="centered"><ErrorAlert error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The kiosk frame: header with the session's title, main area with its status and the chat,
/// footer with the chat toggle. It renders as the page first shows (the chat closed, no name
/// chosen yet); the light client (crate `visitor_lite`, `kiosk.rs`) applies the guest's stored
/// choices and does everything the page does after that.
#[component]
fn KioskLayout(session: Session, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let title = session.title.clone();
    let heading = session.title.clone();
    let ended = session.is_ended();
    let status = if ended {
        t!(i18n, kiosk.ended_title).into_any()
    } else if session.status == SessionStatus::Waiting {
        t!(i18n, kiosk.waiting).into_any()
    } else {
        t!(i18n, kiosk.active).into_any()
    };
    view! {
        <Title text=title.unwrap_or_else(|| t_string!(i18n, kiosk.default_title).to_owned()) />
        <div class="kiosk">
            <header class="kiosk-header">
                <h1>{match heading {
                    Some(text) => text.into_any(),
                    None => t!(i18n, kiosk.default_title).into_any(),
                }}</h1>
                <LanguageSwitcher />
            </header>
            <main id="main" class="kiosk-main">
                <section class="card kiosk-status" aria-labelledby="kiosk-status-label">
                    <h2 id="kiosk-status-label" class="visually-hidden">{t!(i18n, kiosk.status_label)}</h2>
                    <span class=if ended { "status-dot ended" } else { "status-dot" } aria-hidden="true"></span>
                    <p>{status}</p>
                </section>
                <div id="kiosk-chat" class="kiosk-chat" hidden=true
                    data-conversation-id=session.conversation_id.to_string()
                    data-ended=ended.then_some("")>
                    {(!ended).then(|| view! { <NameLine /> })}
                    <SessionChatPanel
                        party=Party::Guest { token: token.clone() }
                        conversation_id=session.conversation_id
                        state=ChatState::new(ended)
                        visible=Signal::stored(false)
                    />
                    {(!ended).then(|| view! {
                        <p class="transcript-link">
                            <a href=format!("/support/guest/{token}/transcript?format=txt") download="transcript.txt">
                                {t!(i18n, chat.transcript)}
                            </a>
                        </p>
                    })}
                </div>
            </main>
            <VisitorStrings />
            <footer class="kiosk-footer">
                <p>{t!(i18n, kiosk.footer)}</p>
                <button type="button" class="primary chat-toggle" aria-expanded="false"
                    aria-controls="kiosk-chat">
                    {t_string!(i18n, chat.open)}
                </button>
            </footer>
        </div>
    }
}

/// "You are chatting without a name · Change name" (the client writes the chosen name).
#[component]
fn NameLine() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="name-line">
            {t!(i18n, chat.anonymous)}
            " "
            <button type="button" class="link">{t!(i18n, chat.name_change)}</button>
        </p>
    }
}

/// Shown once a session has ended or its link has expired.
#[component]
fn KioskEnded() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, kiosk.ended_title).to_owned() />
        <main id="main" class="centered">
            <div class="card ended">
                <h1>{t!(i18n, kiosk.ended_title)}</h1>
                <p>{t!(i18n, kiosk.ended_body)}</p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}

/// Shown for a link that never existed or was replaced.
#[component]
fn KioskNotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, kiosk.not_found_title).to_owned() />
        <main id="main" class="centered">
            <div class="card">
                <h1>{t!(i18n, kiosk.not_found_title)}</h1>
                <p>{t!(i18n, kiosk.not_found_body)}</p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
