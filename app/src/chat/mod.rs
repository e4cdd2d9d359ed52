//! `SessionChatPanel`: the chat of a support session, for the operator and for the guest.

mod composer;
pub mod desk;
mod files;
mod links;
mod list;

use leptos::prelude::*;
use switchboard::wire::{CannedReply, ConversationNote};
use uuid::Uuid;

use crate::components::ErrorText;
use crate::i18n::*;
use crate::realtime::{ChatClient, ChatState, Link, Party};
use composer::{Composer, TypingLine};
use list::MessageList;

/// What an operator's composer works with: how canned replies are filled in for this
/// conversation, the colleagues a note may mention, the team's canned replies, and whether the
/// composer writes a private note (a page shortcut may switch it).
#[derive(Clone, Copy)]
pub struct Desk {
    /// The values canned replies are filled with.
    pub fill: Signal<desk::Fill>,
    /// Active colleagues, by id and name.
    pub team: Signal<Vec<(Uuid, String)>>,
    /// The canned replies.
    pub canned: Signal<Vec<CannedReply>>,
    /// Whether the composer writes a note.
    pub note: RwSignal<bool>,
}

/// Puts the keyboard in the composer once the page has drawn it (browser only): where the
/// reader came to write, such as an opened widget or a conversation page.
pub fn focus_composer() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(composer::INPUT_ID)
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    });
}

/// Puts the keyboard in the composer at once (browser only): a shortcut's key then lands in
/// it.
pub fn focus_composer_now() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(composer::INPUT_ID)
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }
}

/// A chat panel. `party` says whose side this is; `state` is the chat's state (the parent may
/// watch it, for example for the end of the session); `visible` says whether the reader can see
/// the panel, so that only seen messages are marked read. `closable` adds a close button to the
/// header (the widget's, which its client wires). `title` and `subtitle` replace the header's "Chat" (the
/// widget's team name and reply-time promise); `greeting` opens the log. `desk` gives an
/// operator's composer notes, canned replies and the collision guard.
#[component]
pub fn SessionChatPanel(
    party: Party,
    conversation_id: Uuid,
    state: ChatState,
    #[prop(into)] visible: Signal<bool>,
    #[prop(optional)] closable: bool,
    #[prop(optional, into)] notes: Option<Signal<Vec<ConversationNote>>>,
    #[prop(optional_no_strip)] me: Option<String>,
    #[prop(optional_no_strip)] title: Option<Signal<String>>,
    #[prop(optional_no_strip)] subtitle: Option<Signal<String>>,
    #[prop(optional_no_strip)] greeting: Option<Signal<String>>,
    #[prop(optional_no_strip)] desk: Option<Desk>,
) -> impl IntoView {
    let i18n = use_i18n();
    let client = StoredValue::new(ChatClient::start(party.clone(), conversation_id, state));
    let party = StoredValue::new(party);

    // Mark the other side's messages read while the panel is visible. A message counts as read once it has been in view while the panel was visible: the
    // list reports the highest such seq (an IntersectionObserver in the browser).
    let seen_up_to = RwSignal::new(0i64);
    let last_read_sent = StoredValue::new(0i64);
    Effect::new(move |_| {
        let seen = seen_up_to.get();
        if visible.get() && seen > last_read_sent.get_value() {
            last_read_sent.set_value(seen);
            client.with_value(|c| c.mark_read(seen));
        }
    });

    view! {
        <section class="chat" aria-label=move || t_string!(i18n, chat.title)>
            <header class="chat-header">
                {match title {
                    Some(title) => view! {
                        <div class="chat-title">
                            <h2 dir="auto">{move || title.get()}</h2>
                            {subtitle.map(|subtitle| view! { <p class="chat-subtitle">{move || subtitle.get()}</p> })}
                        </div>
                    }.into_any(),
                    None => view! { <h2>{t!(i18n, chat.title)}</h2> }.into_any(),
                }}
                <ConnectionDot state />
                {closable.then(|| view! {
                    <button type="button" class="icon-button close"
                        aria-label=move || t_string!(i18n, widget.close)>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                    </button>
                })}
            </header>
            {move || if state.replaced.get() {
                Some(view! { <p class="chat-ended" role="status">{t!(i18n, chat.replaced_banner)}</p> }.into_any())
            } else if state.ended.get() {
                Some(view! { <p class="chat-ended" role="status">{t!(i18n, chat.ended_banner)}</p> }.into_any())
            } else {
                None
            }}
            {move || state.error.get().map(|code| view! {
                <p class="alert error" role="alert"><ErrorText code /></p>
            })}
            <MessageList state party client notes=notes.unwrap_or_default() me seen_up_to visible greeting />
            <TypingLine state />
            // A chat that can take no more messages offers no box to type them in.
            {move || (!state.cut_off()).then(|| view! { <Composer state client desk party conversation_id /> })}
        </section>
    }
}

/// What the connection dot shows, worked out once from the chat's state: why a chat was cut off
/// comes first (never "Reconnecting…"), then the socket.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Replaced,
    Ended,
    Connected,
    Connecting,
    Reconnecting,
    Offline,
}

impl Shown {
    fn of(state: &ChatState) -> Self {
        if state.replaced.get() {
            return Self::Replaced;
        }
        if state.ended.get() {
            return Self::Ended;
        }
        match state.link.get() {
            Link::Connected => Self::Connected,
            Link::Connecting => Self::Connecting,
            Link::Reconnecting => Self::Reconnecting,
            Link::Offline => Self::Offline,
        }
    }

    fn dot(self) -> &'static str {
        match self {
            Self::Replaced | Self::Ended | Self::Offline => "dot offline",
            Self::Connected => "dot connected",
            Self::Connecting | Self::Reconnecting => "dot reconnecting",
        }
    }

    /// What the socket is doing, for tests and styles, apart from the words.
    fn link(self) -> &'static str {
        match self {
            Self::Replaced => "replaced",
            Self::Ended => "ended",
            Self::Connected => "connected",
            Self::Connecting => "connecting",
            Self::Reconnecting => "reconnecting",
            Self::Offline => "offline",
        }
    }
}

/// The connection as a coloured dot and a word.
#[component]
fn ConnectionDot(state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let shown = Memo::new(move |_| Shown::of(&state));
    let label = move || match shown.get() {
        Shown::Replaced => t_string!(i18n, chat.replaced_short),
        Shown::Ended => t_string!(i18n, chat.ended_short),
        Shown::Connected => t_string!(i18n, chat.connected),
        Shown::Connecting | Shown::Reconnecting => t_string!(i18n, chat.reconnecting),
        Shown::Offline => t_string!(i18n, chat.offline),
    };
    view! {
        <span class="connection" role="status" data-link=move || shown.get().link()>
            <span class=move || shown.get().dot() aria-hidden="true"></span>
            <span class="connection-label">{label}</span>
        </span>
    }
}
