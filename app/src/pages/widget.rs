//! `/widget`: the page inside the embedded widget's iframe, the chat panel (the same
//! `SessionChatPanel` as the kiosk and the dashboard), as the server renders it. The launcher
//! and its unread badge are the loader's, on the host page. In the browser the light client
//! (crate `visitor_lite`) takes it over: it talks to the host page only through `postMessage`
//! (see `server/src/widget_assets/loader/protocol.js`), and signs the customer in with
//! `POST /api/v1/widget/session`.

use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use switchboard::wire::{ReplyTime, WidgetAppearance, WidgetPosition};
use uuid::Uuid;

use crate::api::widget_appearance;
use crate::chat::SessionChatPanel;
use crate::i18n::*;
use crate::load::load;
use crate::realtime::{ChatState, Party};
use crate::visitor_strings::VisitorStrings;
use crate::widget::theme::theme_css;

/// Switches to the language the page's `lang` query names (the host's choice, or the
/// customer's in an email link), on the server render and in the browser alike.
pub(crate) fn follow_lang_query() {
    let i18n = use_i18n();
    if let Some(locale) = use_query_map()
        .read_untracked()
        .get("lang")
        .and_then(|raw| switchboard::domain::Locale::parse(&raw))
        .and_then(|l| l.as_str().parse::<Locale>().ok())
    {
        i18n.set_locale(locale);
    }
}

/// The widget page: its look first (operators' choice, read before the page renders), then
/// the widget.
#[component]
pub fn WidgetPage() -> impl IntoView {
    follow_lang_query();
    let look = load(|| (), |_| widget_appearance());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let look = look.await.unwrap_or_default();
                view! { <WidgetFrame look /> }
            })}
        </Suspense>
    }
}

/// The closed panel, dressed as `look` says, "Loading…" until the customer is signed in; the
/// chat and the email offer wait in templates for the light client (crate `visitor_lite`),
/// which signs the customer in once the host page has said who they are.
#[component]
fn WidgetFrame(look: WidgetAppearance) -> impl IntoView {
    let i18n = use_i18n();
    let css = theme_css(&look);
    let position = look.position;
    let words = WidgetWords::of(Signal::stored(look));
    view! {
        <Title text=t_string!(i18n, widget.title).to_owned() />
        <style nonce=use_nonce()>{css}</style>
        <div class="widget themed" class:left=position == WidgetPosition::Left
            data-position=match position {
                WidgetPosition::Left => "left",
                WidgetPosition::Right => "right",
            }>
            <section id="widget-panel" class="widget-panel" hidden=true
                aria-label=t_string!(i18n, widget.title)>
                <p class="loading">{t!(i18n, common.loading)}</p>
            </section>
        </div>
        <template id="customer-chat"><CustomerChat words close=true /></template>
        <template id="email-offer"><EmailOffer /></template>
        <VisitorStrings />
    }
}

/// A customer's chat, in the widget and on the hosted chat page, as the light client finds it
/// in its template: the chat panel, in the widget with the team's words and a close button.
#[component]
pub(crate) fn CustomerChat(
    #[prop(optional)] words: Option<WidgetWords>,
    #[prop(optional)] close: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="widget-chat">
            <SessionChatPanel
                party=Party::Customer { token: String::new() }
                conversation_id=Uuid::nil()
                state=ChatState::new(false)
                visible=Signal::stored(false)
                closable=close
                title=words.map(|w| w.title)
                subtitle=words.map(|w| w.subtitle)
                greeting=words.map(|w| w.greeting)
            />
            <p class="transcript-link">
                <button type="button" class="link" data-transcript="">{t!(i18n, chat.transcript)}</button>
            </p>
        </div>
    }
}

/// What the widget says in the team's voice: its name and reply-time promise in the header, and
/// the greeting that opens the log, in the page's language where operators left the default.
/// The widget reads the saved appearance; the Widget page's preview reads the draft.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WidgetWords {
    /// The team's name.
    pub title: Signal<String>,
    /// "Usually replies in a few minutes".
    pub subtitle: Signal<String>,
    /// The first line in the log.
    pub greeting: Signal<String>,
}

impl WidgetWords {
    pub(crate) fn of(look: Signal<WidgetAppearance>) -> Self {
        let i18n = use_i18n();
        Self {
            title: Signal::derive(move || {
                look.with(|l| l.team_name.clone())
                    .unwrap_or_else(|| t_string!(i18n, widget.team_default).to_owned())
            }),
            subtitle: Signal::derive(move || {
                reply_time_text(i18n, look.with(|l| l.reply_time)).to_owned()
            }),
            greeting: Signal::derive(move || {
                look.with(|l| l.greeting.clone())
                    .unwrap_or_else(|| t_string!(i18n, widget.greeting_default).to_owned())
            }),
        }
    }
}

/// The header's promise for `time`, in the page's language.
pub(crate) fn reply_time_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    time: ReplyTime,
) -> &'static str {
    match time {
        ReplyTime::Minutes => t_string!(i18n, widget.reply_minutes),
        ReplyTime::Hours => t_string!(i18n, widget.reply_hours),
        ReplyTime::Day => t_string!(i18n, widget.reply_day),
    }
}

/// For an anonymous visitor without an address, while no one from the team is online: a field
/// to get replies by email (the light client sends it and says how it went).
#[component]
fn EmailOffer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="email-offer" novalidate>
            <label for="widget-email">{t!(i18n, widget.email_offer)}</label>
            <div class="copy-row">
                <input id="widget-email" type="email" autocomplete="email" inputmode="email"
                    placeholder="you@example.com" />
                <button type="submit" class="secondary">{t!(i18n, widget.email_save)}</button>
            </div>
        </form>
    }
}
