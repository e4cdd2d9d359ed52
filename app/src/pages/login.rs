//! The sign-in page. A plain form that also works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::Login;
use crate::components::{ErrorAlert, LanguageSwitcher, PasswordField};
use crate::i18n::*;
use crate::post_form::PostForm;

/// `/login`: email and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);
    // Sent here by a dashboard whose sign-in ended elsewhere (4401): say so.
    let signed_out = use_query_map().read_untracked().get("signed_out").is_some();
    view! {
        <Title text=t_string!(i18n, login.title).to_owned() />
        <main id="main" class="centered">
            <div class="card auth">
                <p class="brand">{t!(i18n, app.name)}</p>
                <h1>{t!(i18n, login.heading)}</h1>
                {signed_out.then(|| view! { <p class="alert" role="status">{t!(i18n, login.signed_out)}</p> })}
                <PostForm action=login>
                    <div class="field">
                        <label for="email">{t!(i18n, login.email)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" />
                    </div>
                    <PasswordField id="password" name="password"
                        label=Signal::derive(move || t_string!(i18n, login.password).to_owned()) />
                    {move || error().map(|error| view! { <ErrorAlert error /> })}
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() {
                            t_string!(i18n, login.signing_in)
                        } else {
                            t_string!(i18n, login.submit)
                        }}
                    </button>
                </PostForm>
                <p class="hint"><a href="/forgot">{t!(i18n, login.forgot)}</a></p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
