//! Getting an operator's attention for a new message they cannot see right now: a short, quiet
//! two-tone chime (browsers that refuse audio stay silent) and a desktop notification (only
//! once the operator allowed them; clicking one opens the conversation).

use switchboard::wire::ConversationItem;

/// Plays the chime (browser only).
pub fn chime() {
    #[cfg(feature = "hydrate")]
    browser::chime();
}

/// Shows a desktop notification for a conversation's new message, when the browser allows it.
pub fn notify(item: &ConversationItem) {
    let title = notification_title(item);
    let body = item.last_message_preview.clone().unwrap_or_default();
    // One notification per conversation: a newer message replaces the older one.
    show(&title, &body, &item.id.to_string(), item.id);
}

/// Shows a desktop notification that opens `conversation` when clicked, replacing any other with
/// the same `tag`, when the browser allows it.
pub fn show(title: &str, body: &str, tag: &str, conversation: uuid::Uuid) {
    #[cfg(feature = "hydrate")]
    browser::show(title, body, tag, conversation);
    #[cfg(not(feature = "hydrate"))]
    let _ = (title, body, tag, conversation);
}

/// Asks the browser for leave to show desktop notifications (it asks the operator once).
pub fn ask_for_notifications() {
    #[cfg(feature = "hydrate")]
    if let Ok(promise) = web_sys::Notification::request_permission() {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// Who a notification is about: the customer's name, else their email, else their number.
pub fn notification_title(item: &ConversationItem) -> String {
    match &item.customer {
        Some(c) => c
            .name
            .clone()
            .or_else(|| c.email.clone())
            .unwrap_or_else(|| format!("#{}", c.number)),
        None => String::new(),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    thread_local! {
        static CONTEXT: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
    }

    pub fn chime() {
        CONTEXT.with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                *slot = web_sys::AudioContext::new().ok();
            }
            let Some(context) = slot.as_ref() else { return };
            let start = context.current_time();
            for (i, frequency) in [880.0f32, 1320.0].into_iter().enumerate() {
                let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain())
                else {
                    return;
                };
                tone.frequency().set_value(frequency);
                gain.gain().set_value(0.06);
                let at = start + i as f64 * 0.12;
                let _ = tone
                    .connect_with_audio_node(&gain)
                    .and_then(|_| gain.connect_with_audio_node(&context.destination()));
                let _ = tone.start_with_when(at);
                let _ = tone.stop_with_when(at + 0.1);
            }
        });
    }

    pub fn show(title: &str, body: &str, tag: &str, conversation: uuid::Uuid) {
        if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(body);
        options.set_tag(tag);
        let Ok(shown) = web_sys::Notification::new_with_options(title, &options) else {
            return;
        };
        let href = format!("/inbox/{conversation}");
        let open = Closure::<dyn FnMut()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
                let _ = window.location().set_href(&href);
            }
        });
        shown.set_onclick(Some(open.as_ref().unchecked_ref()));
        open.forget();
    }
}
