//! A forgotten password: `/forgot` asks for the address and always answers the same way;
//! `/reset/:token`, the page the email links to, takes the new password (a link that no
//! longer works says why, with status 410, or 404 for an unknown one).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchboard::wire::ErrorCode;

use crate::api::{reset_check, ForgotPassword, ResetPassword};
use crate::components::{ErrorAlert, LanguageSwitcher, PasswordField};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;

/// `/forgot`.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let i18n = use_i18n();
    let forgot = ServerAction::<ForgotPassword>::new();
    let pending = forgot.pending();
    view! {
        <Title text=t_string!(i18n, reset.forgot_title).to_owned() />
        <main id="main" class="centered">
            <div class="card auth">
                <p class="brand">{t!(i18n, app.name)}</p>
                <h1>{t!(i18n, reset.forgot_title)}</h1>
                {move || match forgot.value().get() {
                    Some(Ok(())) => view! { <p role="status">{t!(i18n, reset.sent)}</p> }.into_any(),
                    other => view! {
                        <p>{t!(i18n, reset.forgot_intro)}</p>
                        <PostForm action=forgot>
                            <div class="field">
                                <label for="email">{t!(i18n, login.email)}</label>
                                <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" />
                            </div>
                            {other.and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
                            <button type="submit" class="primary" disabled=move || pending.get()>
                                {move || if pending.get() { t_string!(i18n, reset.sending) } else { t_string!(i18n, reset.send) }}
                            </button>
                        </PostForm>
                    }.into_any(),
                }}
                <p><a href="/login">{t!(i18n, reset.back)}</a></p>
            </div>
            <LanguageSwitcher />
        </main>
    }
}

/// `/reset/:token`.
#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let check = load(
        {
            let token = token.clone();
            move || token.clone()
        },
        reset_check,
    );
    let reset = ServerAction::<ResetPassword>::new();
    let pending = reset.pending();
    view! {
        <Title text=t_string!(i18n, reset.title).to_owned() />
        <main id="main" class="centered">
            <div class="card auth">
                <p class="brand">{t!(i18n, app.name)}</p>
                <h1>{t!(i18n, reset.title)}</h1>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let token = token.clone();
                        move || {
                            let token = token.clone();
                            Suspend::new(async move {
                                match check.await {
                                    Ok(()) => view! {
                                        <p>{t!(i18n, reset.signs_out)}</p>
                                        <PostForm action=reset>
                                            <input type="hidden" name="token" value=token />
                                            <PasswordField id="password" name="password" label=Signal::derive(move || t_string!(i18n, reset.new_password).to_owned()) new=true />
                                            {move || reset.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
                                            <button type="submit" class="primary" disabled=move || pending.get()>
                                                {move || if pending.get() { t_string!(i18n, reset.saving) } else { t_string!(i18n, reset.save) }}
                                            </button>
                                        </PostForm>
                                    }.into_any(),
                                    Err(error) if error.code == ErrorCode::Gone => view! {
                                        <p class="alert error" role="alert">{t!(i18n, reset.gone)}</p>
                                        <p><a href="/forgot">{t!(i18n, reset.ask_again)}</a></p>
                                    }.into_any(),
                                    Err(error) if error.code == ErrorCode::NotFound => view! {
                                        <p class="alert error" role="alert">{t!(i18n, reset.unknown)}</p>
                                        <p><a href="/forgot">{t!(i18n, reset.ask_again)}</a></p>
                                    }.into_any(),
                                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                                }
                            })
                        }
                    }
                </Suspense>
            </div>
            <LanguageSwitcher />
        </main>
    }
}
