//! `/chat/:link`: the chat a reply email's link opens, on the Switchboard server itself, so it
//! works on any device without the host site. The signed link stands for the customer: in the
//! browser the light client (crate `visitor_lite`) signs in with it and puts the chat panel,
//! which waits in a template, in place of "Loading…".

use leptos::prelude::*;
use leptos_meta::Title;

use super::widget::CustomerChat;
use crate::components::LanguageSwitcher;
use crate::i18n::*;
use crate::visitor_strings::VisitorStrings;

/// The hosted chat page.
#[component]
pub fn HostedChatPage() -> impl IntoView {
    let i18n = use_i18n();
    super::widget::follow_lang_query();
    view! {
        <Title text=t_string!(i18n, hosted.title).to_owned() />
        <main class="hosted-chat">
            <header class="hosted-header">
                <h1>{t!(i18n, hosted.heading)}</h1>
                <LanguageSwitcher />
            </header>
            <p class="loading">{t!(i18n, common.loading)}</p>
        </main>
        <template id="customer-chat"><CustomerChat /></template>
        <VisitorStrings />
    }
}
