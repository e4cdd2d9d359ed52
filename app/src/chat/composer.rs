//! The typing line and the composer.

use leptos::prelude::*;
use switchboard::domain::{MessageBody, MESSAGE_MAX_CHARS};
use switchboard::wire::ErrorCode;

use crate::i18n::*;
use crate::realtime::{ChatClient, ChatState, Link};

/// The composer's text box, by id (one chat per page).
pub(super) const INPUT_ID: &str = "chat-input";

/// The composer shows a counter from this many characters on.
const COUNTER_FROM: usize = MESSAGE_MAX_CHARS - 500;

#[component]
pub(super) fn TypingLine(state: ChatState) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(0f64);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(js_sys::Date::now()),
            std::time::Duration::from_millis(1000),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let who = move || {
        now.track();
        state
            .typing
            .get()
            .filter(|(_, until)| *until > now.get_untracked().max(0.0))
            .map(|(who, _)| who.name)
    };
    view! {
        <p class="typing" aria-live="polite">
            {move || who().map(|name| match name {
                Some(name) => t!(i18n, chat.typing, name = move || {
                    let name = name.clone();
                    view! { <bdi class="user-text">{name}</bdi> }
                })
                .into_any(),
                None => t!(i18n, chat.someone_typing).into_any(),
            })}
        </p>
    }
}

#[component]
pub(super) fn Composer(state: ChatState, client: StoredValue<ChatClient>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<ErrorCode>);
    let chars = move || text.with(|t| t.trim().chars().count());
    let empty = move || text.with(|t| t.trim().is_empty());
    let last_typing = StoredValue::new(0f64);

    let submit = move || {
        if state.ended.get_untracked() {
            return;
        }
        match MessageBody::parse(&text.get_untracked()) {
            Ok(body) => {
                client.with_value(|c| c.send(body.as_str().to_owned()));
                text.set(String::new());
                problem.set(None);
            }
            Err(_) if empty() => {}
            Err(_) => problem.set(Some(ErrorCode::Invalid)),
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            if now - last_typing.get_value() > 2_000.0 {
                last_typing.set_value(now);
                client.with_value(|c| c.typing());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = last_typing;
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <label for=INPUT_ID class="visually-hidden">{t!(i18n, chat.placeholder)}</label>
            <textarea id=INPUT_ID rows="2"
                placeholder=move || t_string!(i18n, chat.placeholder)
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                disabled=move || state.ended.get()
            ></textarea>
            <div class="composer-row">
                {move || (chars() >= COUNTER_FROM).then(|| {
                    let over = chars() > MESSAGE_MAX_CHARS;
                    view! {
                        <span class=if over { "counter over" } else { "counter" } aria-live="polite">
                            {format!("{} / {MESSAGE_MAX_CHARS}", chars())}
                        </span>
                    }
                })}
                {move || problem.get().map(|_| view! {
                    <span class="alert error" role="alert">{t!(i18n, chat.invalid)}</span>
                })}
                <button type="submit" class="primary"
                    disabled=move || { empty() || state.ended.get() || chars() > MESSAGE_MAX_CHARS }>
                    {t!(i18n, chat.send)}
                </button>
            </div>
            {move || (state.link.get() == Link::Offline || state.link.get() == Link::Reconnecting).then(|| view! {
                <p class="hint">{t!(i18n, chat.connection_error)}</p>
            })}
        </form>
    }
}
