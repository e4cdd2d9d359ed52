//! The guest kiosk: what a guest sees after opening a session link. No account needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchboard::wire::{ErrorCode, Session, SessionStatus};

use crate::api::guest_visit;
use crate::components::{ErrorAlert, LanguageSwitcher};
use crate::i18n::*;

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
                    Ok(view) => view! { <KioskLayout session=view.session /> }.into_any(),
                    Err(error) if error.code == ErrorCode::Gone => view! { <KioskEnded /> }.into_any(),
                    Err(error) if error.code == ErrorCode::NotFound => view! { <KioskNotFound /> }.into_any(),
                    Err(error) => view! { <main class="centered"><ErrorAlert error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The kiosk frame: header with the session's title, main area with its status, footer.
#[component]
fn KioskLayout(session: Session) -> impl IntoView {
    let i18n = use_i18n();
    let title = session.title.clone();
    let heading = session.title.clone();
    view! {
        <Title text=move || title.clone().unwrap_or_else(|| t_string!(i18n, kiosk.default_title).to_owned()) />
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
                    <span class="status-dot" aria-hidden="true"></span>
                    <p>{match session.status {
                        SessionStatus::Waiting => t!(i18n, kiosk.waiting).into_any(),
                        _ => t!(i18n, kiosk.active).into_any(),
                    }}</p>
                </section>
            </main>
            <footer class="kiosk-footer">
                <p>{t!(i18n, kiosk.footer)}</p>
            </footer>
        </div>
    }
}

/// Shown once a session has ended or its link has expired.
#[component]
fn KioskEnded() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, kiosk.ended_title) />
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
        <Title text=move || t_string!(i18n, kiosk.not_found_title) />
        <main id="main" class="centered">
            <div class="card">
                <h1>{t!(i18n, kiosk.not_found_title)}</h1>
                <p>{t!(i18n, kiosk.not_found_body)}</p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
