//! The few DOM operations the pages need, over web-sys: finding the server's elements, making
//! new ones, listening to events, timers, and the page's storage.
//!
//! The pages live as long as the document, so listeners and timers handed to the browser are
//! kept for its lifetime (`Closure::forget`); lists redraw without new listeners, through one
//! listener on their container.

use js_sys::JSON;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, Window};

/// The page's window.
pub fn window() -> Window {
    web_sys::window().expect("a browser window")
}

/// The page's document.
pub fn document() -> Document {
    window().document().expect("a document")
}

/// The first element under `root` that matches `selector`.
pub fn find_in(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

/// The first element of the page that matches `selector`.
pub fn find(selector: &str) -> Option<Element> {
    document().query_selector(selector).ok().flatten()
}

/// Every element under `root` that matches `selector`, in document order.
pub fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

/// A new element with a class (none when `class` is empty).
pub fn make(tag: &str, class: &str) -> Element {
    let element = document().create_element(tag).expect("a valid tag");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element
}

/// A new element holding `text` as text (never markup).
pub fn make_text(tag: &str, class: &str, text: &str) -> Element {
    let element = make(tag, class);
    element.set_text_content(Some(text));
    element
}

/// Sets an attribute (the DOM only refuses invalid names, and these are ours).
pub fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// Adds or removes a boolean attribute such as `hidden` or `disabled`.
pub fn flag(element: &Element, name: &str, on: bool) {
    if on {
        set(element, name, "");
    } else {
        let _ = element.remove_attribute(name);
    }
}

/// Adds or removes the class `name`.
pub fn class(element: &Element, name: &str, on: bool) {
    let _ = element.class_list().toggle_with_force(name, on);
}

/// Appends `child` to `parent`.
pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

/// Appends text to `parent`.
pub fn append_text(parent: &Element, text: &str) {
    let _ = parent.append_child(&document().create_text_node(text));
}

/// Removes every child of `parent`.
pub fn clear(parent: &Element) {
    parent.set_text_content(None);
}

/// Calls `handler` on each `event` at `target`, for the page's lifetime.
pub fn listen<E: JsCast + 'static>(
    target: &EventTarget,
    event: &str,
    handler: impl FnMut(E) + 'static,
) {
    let mut handler = handler;
    let callback = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        if let Ok(event) = event.dyn_into::<E>() {
            handler(event);
        }
    });
    let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
    callback.forget();
}

/// Runs `f` once after `ms` milliseconds; returns the timer's handle.
pub fn after(ms: f64, f: impl FnOnce() + 'static) -> i32 {
    let callback = Closure::once_into_js(f);
    window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            ms.clamp(0.0, 2_147_483_647.0) as i32,
        )
        .unwrap_or(0)
}

/// Cancels a timer from [`after`].
pub fn cancel(handle: i32) {
    window().clear_timeout_with_handle(handle);
}

/// Runs `f` every `ms` milliseconds, for the page's lifetime.
pub fn every(ms: i32, f: impl FnMut() + 'static) -> i32 {
    let callback = Closure::<dyn FnMut()>::new(f);
    let handle = window()
        .set_interval_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            ms,
        )
        .unwrap_or(0);
    callback.forget();
    handle
}

/// Stops a timer from [`every`].
pub fn stop(handle: i32) {
    window().clear_interval_with_handle(handle);
}

/// Runs `f` before the next paint (after the layout of what was just drawn).
pub fn next_frame(f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    let _ = window().request_animation_frame(callback.unchecked_ref());
}

/// A fresh copy of what `template#id` holds (its first element), which the server rendered for
/// the client to put on the page when the time comes.
pub fn from_template(id: &str) -> Option<Element> {
    let template = document()
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlTemplateElement>()
        .ok()?;
    template
        .content()
        .first_element_child()?
        .clone_node_with_deep(true)
        .ok()?
        .dyn_into::<Element>()
        .ok()
}

/// Whether the page's tab is shown.
pub fn tab_visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

/// Puts the keyboard in `element`, if it can take it.
pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}

/// The milliseconds since the epoch now.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's language (`<html lang>`, which the server set).
pub fn language() -> String {
    document()
        .document_element()
        .map(|html| html.get_attribute("lang").unwrap_or_default())
        .filter(|lang| !lang.is_empty())
        .unwrap_or_else(|| "en".into())
}

/// A string kept in the browser's storage. Values are JSON strings, as the pages always stored
/// them (`"1"` with its quotes). `None` when missing, unreadable, or storage is refused.
pub fn stored(key: &str) -> Option<String> {
    let storage = window().local_storage().ok().flatten()?;
    let raw = storage.get_item(key).ok().flatten()?;
    JSON::parse(&raw).ok()?.as_string()
}

/// Keeps a string in the browser's storage; private browsing may refuse, and the page works
/// on without it.
pub fn store(key: &str, value: &str) {
    let Some(storage) = window().local_storage().ok().flatten() else {
        return;
    };
    if let Ok(json) = JSON::stringify(&JsValue::from_str(value)) {
        let _ = storage.set_item(key, &String::from(json));
    }
}

/// Replaces the words of `element` that come before its first child element (the server's
/// render may have split them with comment markers), keeping its child elements.
pub fn set_leading_text(element: &Element, text: &str) {
    let children = element.child_nodes();
    let mut written = false;
    let mut stale = Vec::new();
    for i in 0..children.length() {
        let Some(node) = children.item(i) else {
            continue;
        };
        match node.node_type() {
            web_sys::Node::ELEMENT_NODE => break,
            web_sys::Node::TEXT_NODE if !written => {
                node.set_text_content(Some(text));
                written = true;
            }
            web_sys::Node::TEXT_NODE => stale.push(node),
            _ => {}
        }
    }
    for node in stale {
        if let Some(parent) = node.parent_node() {
            let _ = parent.remove_child(&node);
        }
    }
    if !written {
        let _ = element.prepend_with_str_1(text);
    }
}

/// Saves the blob `url` as a file named `name`, and lets it go a minute later (the download
/// reads it after this returns).
pub fn save_as(url: &str, name: &str) {
    let link = make("a", "");
    set(&link, "href", url);
    set(&link, "download", name);
    if let Some(link) = link.dyn_ref::<web_sys::HtmlElement>() {
        link.click();
    }
    let url = url.to_owned();
    after(60_000.0, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}
