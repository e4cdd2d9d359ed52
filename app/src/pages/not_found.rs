//! The 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::LanguageSwitcher;
use crate::i18n::*;

/// Shown for any address that names nothing; answers HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, not_found.title).to_owned() />
        <main id="main" class="centered">
            <div class="card">
                <p class="brand"><a href="/">{t!(i18n, app.name)}</a></p>
                <h1>{t!(i18n, not_found.title)}</h1>
                <p>{t!(i18n, not_found.body)}</p>
                <p><a href="/">{t!(i18n, not_found.home)}</a></p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
