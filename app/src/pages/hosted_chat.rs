//! `/chat/:link`: the chat a reply email's link opens, on the Switchboard server itself, so it
//! works on any device without the host site. The signed link stands for the customer; the
//! page signs in with it and shows the same chat panel as the widget.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::chat::SessionChatPanel;
use crate::components::LanguageSwitcher;
use crate::i18n::*;
use crate::realtime::{ChatState, Party};
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
        session,
        failed,
        unread,
        tab_visible,
        operators_online,
        ..
    } = signals;
    let widget = StoredValue::new(WidgetLink::start_hosted(link, signals));
    let visible = Signal::derive(move || tab_visible.get());
    view! {
        <Title text=t_string!(i18n, hosted.title).to_owned() />
        <main class="hosted-chat">
            <header class="hosted-header">
                <h1>{t!(i18n, hosted.heading)}</h1>
                <LanguageSwitcher />
            </header>
            {move || match session.get() {
                Some(started) => view! {
                    <div class="widget-chat hosted-panel" data-conversation-id=started.conversation_id.to_string()>
                        {move || (operators_online.get() == Some(false)).then(|| view! {
                            <p class="widget-away" role="status">{t!(i18n, widget.away)}</p>
                        })}
                        <SessionChatPanel
                            party=Party::Customer { token: started.widget_token.clone() }
                            conversation_id=started.conversation_id
                            state=ChatState::new(false)
                            guest_name=Signal::stored(None::<String>)
                            visible
                            unread
                            announce=Callback::new(move |message| widget.with_value(|w| w.announce(&message, visible.get_untracked())))
                        />
                    </div>
                }.into_any(),
                None if failed.get() => view! {
                    <p class="alert error" role="alert">{t!(i18n, hosted.link_invalid)}</p>
                }.into_any(),
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
            }}
        </main>
    }
}
