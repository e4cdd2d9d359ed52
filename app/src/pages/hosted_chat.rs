//! `/chat/:link`: the chat a reply email's link opens, on the Switchboard server itself, so it
//! works on any device without the host site. The signed link stands for the customer; the
//! page signs in with it and shows the same chat panel as the widget.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::widget::CustomerChat;
use crate::components::LanguageSwitcher;
use crate::i18n::*;
use crate::widget::{WidgetLink, WidgetSignals};

/// The hosted chat page.
#[component]
pub fn HostedChatPage() -> impl IntoView {
    let i18n = use_i18n();
    super::widget::follow_lang_query();
    let link = use_params_map()
        .read_untracked()
        .get("link")
        .unwrap_or_default();
    let signals = WidgetSignals::new();
    signals.open.set(true);
    let WidgetSignals {
        session, failed, ..
    } = signals;
    let widget = StoredValue::new(WidgetLink::start_hosted(link, signals));
    view! {
        <Title text=t_string!(i18n, hosted.title).to_owned() />
        <main class="hosted-chat">
            <header class="hosted-header">
                <h1>{t!(i18n, hosted.heading)}</h1>
                <LanguageSwitcher />
            </header>
            {move || match session.get() {
                Some(started) => view! {
                    <CustomerChat started signals link=widget />
                }.into_any(),
                None if failed.get() => view! {
                    <p class="alert error" role="alert">{t!(i18n, hosted.link_invalid)}</p>
                }.into_any(),
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
            }}
        </main>
    }
}
