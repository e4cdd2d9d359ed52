//! `/email/confirm/:link`: the page a confirmation email links to. Opening it changes nothing
//! (mail scanners open links); its button posts, and works without JavaScript. The form's
//! address carries the page's language, so the answer (or an error page) comes back in it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::email_confirmation;
use crate::components::LanguageSwitcher;
use crate::i18n::*;
use crate::load::load;

/// The confirmation page.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    super::widget::follow_lang_query();
    let link = use_params_map()
        .read_untracked()
        .get("link")
        .unwrap_or_default();
    let state = load(
        {
            let link = link.clone();
            move || link.clone()
        },
        email_confirmation,
    );
    view! {
        <Title text=t_string!(i18n, confirm_email.title).to_owned() />
        <main class="centered">
            <div class="card narrow">
                <h1>{t!(i18n, confirm_email.title)}</h1>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let link = link.clone();
                        move || {
                            let link = link.clone();
                            Suspend::new(async move {
                                let lang = i18n.get_locale_untracked().as_str();
                                match state.await {
                                    Ok(false) => view! {
                                        <p>{t!(i18n, confirm_email.ask)}</p>
                                        <form method="post" action=format!("/email/confirm/{link}?lang={lang}")>
                                            <input type="hidden" name="back" value="page" />
                                            <button type="submit">{t!(i18n, confirm_email.button)}</button>
                                        </form>
                                    }.into_any(),
                                    Ok(true) => view! {
                                        <p role="status">{t!(i18n, confirm_email.done)}</p>
                                    }.into_any(),
                                    Err(_) => view! {
                                        <p class="alert error" role="alert">{t!(i18n, confirm_email.invalid)}</p>
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
