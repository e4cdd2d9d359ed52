//! The sign-in page. A plain form that also works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::Login;
use crate::components::{ErrorAlert, LanguageSwitcher};
use crate::i18n::*;

/// `/login`: email and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    // Typing a long password on a phone goes better when one can see it.
    let shown = RwSignal::new(false);
    let error = move || login.value().get().and_then(Result::err);
    view! {
        <Title text=t_string!(i18n, login.title).to_owned() />
        <main id="main" class="centered">
            <div class="card auth">
                <p class="brand">{t!(i18n, app.name)}</p>
                <h1>{t!(i18n, login.heading)}</h1>
                <ActionForm action=login>
                    <div class="field">
                        <label for="email">{t!(i18n, login.email)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" />
                    </div>
                    <div class="field">
                        <label for="password">{t!(i18n, login.password)}</label>
                        <div class="password-row">
                            <input id="password" name="password" autocomplete="current-password" required maxlength="1024"
                                type=move || if shown.get() { "text" } else { "password" } />
                            <button type="button" class="secondary" aria-controls="password"
                                aria-pressed=move || shown.get().to_string()
                                on:click=move |_| shown.update(|s| *s = !*s)>
                                {t!(i18n, login.show_password)}
                            </button>
                        </div>
                    </div>
                    {move || error().map(|error| view! { <ErrorAlert error /> })}
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() {
                            t_string!(i18n, login.signing_in)
                        } else {
                            t_string!(i18n, login.submit)
                        }}
                    </button>
                </ActionForm>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
