//! `/widget`: the page inside the embedded widget's iframe, the chat panel (the same
//! `SessionChatPanel` as the kiosk and the dashboard). The launcher and its unread badge are the
//! loader's, on the host page. It talks to the host page only through `postMessage` (see
//! `server/src/widget_assets/loader/protocol.js`), and signs the customer in with
//! `POST /api/v1/widget/session`.

use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use switchboard::wire::{Customer, ReplyTime, WidgetAppearance, WidgetPosition, WidgetSession};

use crate::api::widget_appearance;
use crate::chat::SessionChatPanel;
use crate::i18n::*;
use crate::realtime::{ChatState, Party};
use crate::widget::theme::theme_css;
use crate::widget::{WidgetLink, WidgetSignals};

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
    let look = Resource::new(|| (), |_| widget_appearance());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let look = look.await.unwrap_or_default();
                view! { <WidgetFrame look /> }
            })}
        </Suspense>
    }
}

/// The panel, dressed as `look` says.
#[component]
fn WidgetFrame(look: WidgetAppearance) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let host = query.read_untracked().get("host");
    let signals = WidgetSignals::new();
    signals.side.set(look.position);
    let WidgetSignals {
        open,
        session,
        failed,
        operators_online,
        side,
        full,
        ..
    } = signals;
    let css = theme_css(&look);
    let words = WidgetWords::of(Signal::stored(look));
    let link = WidgetLink::start(host, signals);
    let link = StoredValue::new(link);
    // The launcher is the loader's, on the host page: it gets the focus back (see widget.js).
    let close = Callback::new(move |()| link.with_value(|l| l.set_open(false)));
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            close.run(());
        }
    };

    view! {
        <Title text=t_string!(i18n, widget.title).to_owned() />
        <style nonce=use_nonce()>{css}</style>
        <div class="widget themed" class:open=move || open.get()
            class:left=move || side.get() == WidgetPosition::Left class:full=move || full.get()
            on:keydown=on_keydown>
            <section id="widget-panel" class="widget-panel" hidden=move || !open.get()
                aria-label=move || t_string!(i18n, widget.title)>
                {move || match session.get() {
                    Some(started) => {
                        let customer = started.customer.clone();
                        let token = started.widget_token.clone();
                        view! {
                            <CustomerChat started signals link close words>
                                {move || (operators_online.get() == Some(false)).then(|| view! {
                                    <EmailOffer customer=customer.clone() token=token.clone() />
                                })}
                            </CustomerChat>
                        }.into_any()
                    }
                    None if failed.get() => view! {
                        <p class="alert error" role="alert">{t!(i18n, widget.unavailable)}</p>
                    }.into_any(),
                    None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

/// A signed-in customer's chat, in the widget and on the hosted chat page: the "nobody is
/// here" line, the chat panel, and what the page adds below it.
#[component]
pub(crate) fn CustomerChat(
    started: WidgetSession,
    signals: WidgetSignals,
    link: StoredValue<WidgetLink>,
    #[prop(optional, into)] close: Option<Callback<()>>,
    #[prop(optional)] words: Option<WidgetWords>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let WidgetSignals {
        open,
        unread,
        tab_visible,
        operators_online,
        ..
    } = signals;
    let visible = Signal::derive(move || open.get() && tab_visible.get());
    let state = ChatState::new(false);
    // The token expired or was signed out elsewhere: a new session replaces this panel.
    Effect::new(move |_| {
        if state.signed_out.get() {
            link.with_value(|l| l.sign_in_again());
        }
    });
    view! {
        <div class="widget-chat" data-conversation-id=started.conversation_id.to_string()>
            <SessionChatPanel
                party=Party::Customer { token: started.widget_token.clone() }
                conversation_id=started.conversation_id
                state
                guest_name=Signal::stored(None::<String>)
                visible
                unread
                close
                title=words.map(|w| w.title)
                subtitle=words.map(|w| w.subtitle)
                greeting=words.map(|w| w.greeting)
                away=Signal::derive(move || operators_online.get() == Some(false))
                announce=Callback::new(move |message| link.with_value(|l| l.announce(&message, visible.get_untracked())))
            />
            {children.map(|children| children())}
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

/// For an anonymous visitor without an address: a field to get replies by email.
#[component]
fn EmailOffer(customer: Customer, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let token = StoredValue::new(token);
    if customer.signed || customer.email.is_some() {
        return ().into_any();
    }
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(email) = switchboard::domain::Email::parse(&draft.get_untracked()) else {
            problem.set(true);
            return;
        };
        problem.set(false);
        let token = token.get_value();
        leptos::task::spawn_local(async move {
            // The session (and so the chat) stays as it is: only the form changes.
            match crate::widget::save_email(&token, email.as_str()).await {
                Some(_) => saved.set(true),
                None => problem.set(true),
            }
        });
    };
    view! {
        <form class="email-offer" novalidate on:submit=save>
            <label for="widget-email">{t!(i18n, widget.email_offer)}</label>
            <div class="copy-row">
                <input id="widget-email" type="email" autocomplete="email" inputmode="email"
                    placeholder="you@example.com"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev)) />
                <button type="submit" class="secondary">{t!(i18n, widget.email_save)}</button>
            </div>
            {move || problem.get().then(|| view! {
                <p class="alert error" role="alert">{t!(i18n, widget.email_invalid)}</p>
            })}
            {move || saved.get().then(|| view! {
                <p role="status">{t!(i18n, widget.email_saved)}</p>
            })}
        </form>
    }
    .into_any()
}
