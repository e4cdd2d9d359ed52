//! `/invite/:token`: the page an invitation email links to. It says who invited whom as what,
//! and takes a name and a password; a link that no longer works says why, with status 410
//! (404 for an unknown one).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use switchboard::wire::ErrorCode;

use crate::api::{preview_invitation, AcceptInvitation};
use crate::components::{role_text, ErrorAlert, LanguageSwitcher, PasswordField};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;

/// The invitation page.
#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let preview = load(
        {
            let token = token.clone();
            move || token.clone()
        },
        preview_invitation,
    );
    let accept = ServerAction::<AcceptInvitation>::new();
    let pending = accept.pending();
    view! {
        <Title text=t_string!(i18n, join.title).to_owned() />
        <main id="main" class="centered">
            <div class="card auth">
                <p class="brand">{t!(i18n, app.name)}</p>
                <h1>{t!(i18n, join.title)}</h1>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let token = token.clone();
                        move || {
                            let token = token.clone();
                            Suspend::new(async move {
                                match preview.await {
                                    Ok(invitation) => {
                                        let role = invitation.role;
                                        let by = invitation.invited_by.clone().unwrap_or_default();
                                        view! {
                                            <p>{t!(i18n, join.invited, name = move || by.clone(), role = move || role_text(i18n, role))}</p>
                                            <PostForm action=accept>
                                                <input type="hidden" name="token" value=token />
                                                <div class="field">
                                                    <label for="email">{t!(i18n, join.email)}</label>
                                                    <input id="email" type="email" dir="ltr" readonly value=invitation.email autocomplete="username" />
                                                </div>
                                                <div class="field">
                                                    <label for="name">{t!(i18n, join.name)}</label>
                                                    <input id="name" name="name" type="text" required maxlength="100" autocomplete="name" />
                                                </div>
                                                <PasswordField id="password" name="password" label=Signal::derive(move || t_string!(i18n, join.password).to_owned()) new=true />
                                                {move || accept.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
                                                <button type="submit" class="primary" disabled=move || pending.get()>
                                                    {move || if pending.get() { t_string!(i18n, join.joining) } else { t_string!(i18n, join.submit) }}
                                                </button>
                                            </PostForm>
                                        }.into_any()
                                    }
                                    Err(error) if error.code == ErrorCode::Gone => view! {
                                        <p class="alert error" role="alert">{t!(i18n, join.gone)}</p>
                                    }.into_any(),
                                    Err(error) if error.code == ErrorCode::NotFound => view! {
                                        <p class="alert error" role="alert">{t!(i18n, join.unknown)}</p>
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
