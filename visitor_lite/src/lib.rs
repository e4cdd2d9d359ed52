//! The visitors' light client: drives the pages guests and customers open in the browser in
//! place of Leptos' hydration, so that a visitor downloads a fraction of the dashboard's code
//! (issue 24: at most 150 KB for a page with its chat open).
//!
//! The server keeps rendering the pages (the `app` crate's Leptos components); this client
//! takes the rendered page over with web-sys, reads the server's JSON with the browser's own
//! parser instead of serde, and writes the words the server put in the page (`strings`). The
//! chat's state (`chat`) is plain data, tested natively; the rest runs in the browser and is
//! tested end to end.
//!
//! Pages: the guest's kiosk (`kiosk`), the widget's iframe (`widget`) and the hosted chat
//! (`hosted`); the last two share the customer's sign-in and chat (`customer`).

pub mod chat;
mod composer;
mod connection;
mod customer;
mod dom;
mod hosted;
pub mod json;
mod kiosk;
pub mod message;
mod net;
mod panel;
mod rows;
mod sound;
mod strings;
mod time;
mod widget;

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Called by the page's module script once the wasm is loaded (the name Leptos' hydration
/// script calls).
#[wasm_bindgen]
pub fn hydrate() {
    let strings = Rc::new(strings::Strings::load());
    if let Some(holder) = dom::find("#kiosk-chat") {
        kiosk::start(holder, strings);
    } else if let Some(frame) = dom::find("div.widget") {
        widget::start(frame, strings);
    } else if let Some(main) = dom::find("main.hosted-chat") {
        hosted::start(main, strings);
    }
    follow_language_switcher();
    if let Some(body) = dom::document().body() {
        dom::set(&body, "data-hydrated", "true");
    }
}

/// The language switcher keeps the choice for a year (the cookie the server reads) and shows
/// the page again in that language.
fn follow_language_switcher() {
    let Some(select) = dom::find("label.language select") else {
        return;
    };
    let picked = select.clone();
    dom::listen::<web_sys::Event>(&select, "change", move |_| {
        let Some(select) = picked.dyn_ref::<web_sys::HtmlSelectElement>() else {
            return;
        };
        let locale = switchboard::domain::Locale::parse(&select.value());
        if let (Ok(document), Some(locale)) =
            (dom::document().dyn_into::<web_sys::HtmlDocument>(), locale)
        {
            let _ = document.set_cookie(&locale.cookie());
        }
        show_again();
    });
}

/// Shows the page again, in the language just chosen: without the address's `?lang=` (a reply
/// email's), which would otherwise win over the choice.
fn show_again() {
    let location = dom::window().location();
    let query = location
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok());
    match (query, location.pathname()) {
        (Some(query), Ok(path)) if query.has("lang") => {
            query.delete("lang");
            let rest = String::from(query.to_string());
            let url = if rest.is_empty() {
                path
            } else {
                format!("{path}?{rest}")
            };
            let _ = location.replace(&url);
        }
        _ => {
            let _ = location.reload();
        }
    }
}
