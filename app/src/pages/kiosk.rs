//! The guest kiosk: what a guest sees after opening a session link. No account needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchboard::wire::{ErrorCode, Session, SessionStatus};

use switchboard::domain::DisplayName;

use crate::api::guest_visit;
use crate::chat::SessionChatPanel;
use crate::components::{ErrorAlert, ErrorText, LanguageSwitcher};
use crate::i18n::*;
use crate::realtime::{ChatState, Party};
use crate::visitor_strings::VisitorStrings;

/// `/support/guest/:token`: the kiosk, the "session has ended" page (HTTP 410) or the "link not
/// found" page (HTTP 404).
#[component]
pub fn GuestKiosk() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let visit = Resource::new(token, guest_visit);
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

/// Keys in the guest's localStorage.
const NAME_KEY: &str = "switchboard.guest_name";
const NAME_ASKED_KEY: &str = "switchboard.guest_name_asked";
const CHAT_OPEN_KEY: &str = "switchboard.chat_open";

/// Reads a stored string (browser only; `None` on the server).
fn stored(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::Storage;
        gloo_storage::LocalStorage::get::<String>(key).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Stores a string (browser only). Private browsing may refuse; the page works on without it.
fn store(key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::Storage;
        let _ = gloo_storage::LocalStorage::set(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// The kiosk frame: header with the session's title, main area with its status and the chat,
/// footer with the chat toggle.
#[component]
fn KioskLayout(session: Session, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let title = session.title.clone();
    let heading = session.title.clone();
    let chat = ChatState::new(session.is_ended());
    // Server and first client render agree (closed, no name); stored choices apply after.
    let chat_open = RwSignal::new(false);
    let guest_name = RwSignal::new(None::<String>);
    let name_asked = RwSignal::new(true);
    let unread = RwSignal::new(0usize);
    Effect::new(move |_| {
        chat_open.set(stored(CHAT_OPEN_KEY).as_deref() == Some("1"));
        guest_name.set(stored(NAME_KEY).filter(|n| !n.is_empty()));
        name_asked.set(stored(NAME_ASKED_KEY).is_some());
    });
    let toggle = move |_| {
        let open = !chat_open.get_untracked();
        chat_open.set(open);
        store(CHAT_OPEN_KEY, if open { "1" } else { "0" });
    };
    let status = session.status;
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
                    <span class=move || if chat.cut_off() { "status-dot ended" } else { "status-dot" } aria-hidden="true"></span>
                    <p>{move || if chat.replaced.get() {
                        t!(i18n, kiosk.replaced).into_any()
                    } else if chat.ended.get() {
                        t!(i18n, kiosk.ended_title).into_any()
                    } else if status == SessionStatus::Waiting {
                        t!(i18n, kiosk.waiting).into_any()
                    } else {
                        t!(i18n, kiosk.active).into_any()
                    }}</p>
                </section>
                <div id="kiosk-chat" class="kiosk-chat" hidden=move || !chat_open.get()
                    data-conversation-id=session.conversation_id.to_string()
                    data-ended=session.is_ended().then_some("")>
                    {move || (chat_open.get() && !name_asked.get() && !chat.cut_off()).then(|| view! {
                        <NamePrompt guest_name name_asked />
                    })}
                    {move || (!chat.cut_off()).then(|| view! { <NameLine guest_name name_asked /> })}
                    <SessionChatPanel
                        party=Party::Guest { token: token.clone() }
                        conversation_id=session.conversation_id
                        state=chat
                        guest_name=guest_name
                        visible=chat_open
                        unread=unread
                    />
                </div>
            </main>
            <VisitorStrings />
            <footer class="kiosk-footer">
                <p>{t!(i18n, kiosk.footer)}</p>
                <button type="button" class="primary chat-toggle" on:click=toggle
                    aria-expanded=move || chat_open.get().to_string() aria-controls="kiosk-chat">
                    {move || if chat_open.get() { t_string!(i18n, chat.close) } else { t_string!(i18n, chat.open) }}
                    {move || (unread.get() > 0).then(|| {
                        let count = unread.get();
                        view! {
                            <span class="unread-badge">
                                <span aria-hidden="true">{count}</span>
                                <span class="visually-hidden">{t!(i18n, chat.unread, count = move || count)}</span>
                            </span>
                        }
                    })}
                </button>
            </footer>
        </div>
    }
}

/// Asks once for an optional name; it can be skipped.
#[component]
fn NamePrompt(guest_name: RwSignal<Option<String>>, name_asked: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(guest_name.get_untracked().unwrap_or_default());
    let invalid = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match DisplayName::parse("guest_name", &draft.get_untracked()) {
            Ok(name) => {
                let name = name.map(|n| n.as_str().to_owned());
                store(NAME_KEY, name.as_deref().unwrap_or(""));
                store(NAME_ASKED_KEY, "1");
                guest_name.set(name);
                name_asked.set(true);
                invalid.set(false);
            }
            Err(_) => invalid.set(true),
        }
    };
    let skip = move |_| {
        store(NAME_ASKED_KEY, "1");
        name_asked.set(true);
    };
    view! {
        <form class="name-prompt card" on:submit=save>
            <p><strong>{t!(i18n, chat.name_prompt)}</strong></p>
            <label for="guest-name">{t!(i18n, chat.name_label)}</label>
            <div class="copy-row">
                <input id="guest-name" type="text" maxlength="60" autocomplete="name"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev)) />
                <button type="submit" class="primary">{t!(i18n, chat.name_save)}</button>
                <button type="button" class="secondary" on:click=skip>{t!(i18n, chat.name_skip)}</button>
            </div>
            {move || invalid.get().then(|| view! {
                <p class="alert error" role="alert"><ErrorText code=ErrorCode::Invalid /></p>
            })}
        </form>
    }
}

/// "You are Ann · Change name".
#[component]
fn NameLine(guest_name: RwSignal<Option<String>>, name_asked: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="name-line">
            {move || match guest_name.get() {
                Some(name) => t!(i18n, chat.you_are, name = move || name.clone()).into_any(),
                None => t!(i18n, chat.anonymous).into_any(),
            }}
            " "
            <button type="button" class="link" on:click=move |_| name_asked.set(false)>
                {t!(i18n, chat.name_change)}
            </button>
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
