//! `/email/unsubscribe/:link`: a customer's reply-email preference, from the link in every
//! reply email. Opening the page changes nothing (mail scanners open links); its button
//! posts, and works without JavaScript. A mail client's one-click POST (RFC 8058) goes to the
//! same address and is answered by the server directly. The forms' addresses carry the page's
//! language, so the answer (or an error page) comes back in it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::email_subscription;
use crate::components::LanguageSwitcher;
use crate::i18n::*;
use crate::load::load;

/// The unsubscribe page.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    super::widget::follow_lang_query();
    let link = move || use_params_map().read().get("link").unwrap_or_default();
    let link = link();
    let state = load(
        {
            let link = link.clone();
            move || link.clone()
        },
        email_subscription,
    );
    view! {
        <Title text=t_string!(i18n, unsubscribe.title).to_owned() />
        <main class="centered">
            <div class="card narrow">
                <h1>{t!(i18n, unsubscribe.title)}</h1>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let link = link.clone();
                        move || {
                            let link = link.clone();
                            Suspend::new(async move {
                                let lang = i18n.get_locale_untracked().as_str();
                                match state.await {
                                    Ok(true) => view! {
                                        <p>{t!(i18n, unsubscribe.subscribed)}</p>
                                        <form method="post" action=format!("/email/unsubscribe/{link}?lang={lang}")>
                                            <input type="hidden" name="List-Unsubscribe" value="One-Click" />
                                            <input type="hidden" name="back" value="page" />
                                            <button type="submit">{t!(i18n, unsubscribe.stop)}</button>
                                        </form>
                                    }.into_any(),
                                    Ok(false) => view! {
                                        <p role="status">{t!(i18n, unsubscribe.unsubscribed)}</p>
                                        <form method="post" action=format!("/email/resubscribe/{link}?lang={lang}")>
                                            <input type="hidden" name="back" value="page" />
                                            <button type="submit" class="secondary">{t!(i18n, unsubscribe.resume)}</button>
                                        </form>
                                    }.into_any(),
                                    Err(_) => view! {
                                        <p class="alert error" role="alert">{t!(i18n, unsubscribe.invalid)}</p>
                                    }.into_any(),
                                }
                            })
                        }
                    }
                </Suspense>
                <LanguageSwitcher />
            </div>
        </main>
    }
}
