//! The guest's kiosk (`/support/guest/:token`), as the server rendered it, at work: the chat
//! toggle with its unread badge, the optional name, the session's status, and the chat.

use std::cell::RefCell;
use std::rc::Rc;

use switchboard::domain::DisplayName;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::chat::Changes;
use crate::composer::Composer;
use crate::connection::{Connection, Party};
use crate::dom;
use crate::panel::Panel;
use crate::strings::Strings;

/// Keys in the guest's storage (shared by every session link of this site).
const NAME_KEY: &str = "switchboard.guest_name";
const NAME_ASKED_KEY: &str = "switchboard.guest_name_asked";
const CHAT_OPEN_KEY: &str = "switchboard.chat_open";

/// The kiosk's state in the browser.
struct Kiosk {
    panel: Panel,
    composer: Option<Composer>,
    holder: Element,
    toggle: Element,
    strings: Rc<Strings>,
    open: bool,
    name: Option<String>,
    name_asked: bool,
}

/// Starts the kiosk whose chat is in `holder` (`#kiosk-chat`); `None` when the page is not
/// the kiosk's layout (its ended and not-found pages have nothing to run).
pub fn start(holder: Element, strings: Rc<Strings>) -> Option<()> {
    let token = dom::window()
        .location()
        .pathname()
        .ok()?
        .strip_prefix("/support/guest/")?
        .to_owned();
    let token = js_sys::decode_uri_component(&token).ok()?.as_string()?;
    let conversation_id = holder.get_attribute("data-conversation-id")?;
    let ended = holder.has_attribute("data-ended");
    let toggle = dom::find(".chat-toggle")?;
    let section = dom::find_in(&holder, "section.chat")?;

    // Stored choices apply before the socket opens, so that it carries the name.
    let name = dom::stored(NAME_KEY).filter(|n| !n.is_empty());
    let connection = Connection::new(Party::Guest(token), conversation_id, ended);
    connection.set_guest_name(name.clone());
    let panel = Panel::attach(section, connection.clone(), strings.clone())?;
    let composer = Composer::attach(&panel);
    let kiosk = Rc::new(RefCell::new(Kiosk {
        panel: panel.clone(),
        composer,
        holder,
        toggle,
        strings,
        open: dom::stored(CHAT_OPEN_KEY).as_deref() == Some("1"),
        name,
        name_asked: dom::stored(NAME_ASKED_KEY).is_some(),
    }));

    let me = kiosk.clone();
    connection.on_change(move |changes| {
        let kiosk = me.borrow();
        kiosk.panel.redraw(changes);
        if changes.touches(Changes::LINK | Changes::CLOSED) {
            if let Some(composer) = &kiosk.composer {
                composer.chat_changed();
            }
        }
        if changes.touches(Changes::CLOSED) {
            kiosk.draw_status();
            drop(kiosk);
            draw_name(&me);
        }
    });
    let me = kiosk.clone();
    panel.on_unread(move |count| {
        if let Ok(kiosk) = me.try_borrow() {
            kiosk.draw_badge(count);
        }
    });
    if let Some(change) = dom::find(".name-line button") {
        let me = kiosk.clone();
        dom::listen::<web_sys::MouseEvent>(&change, "click", move |_| {
            me.borrow_mut().name_asked = false;
            draw_name(&me);
        });
    }
    let me = kiosk.clone();
    let toggle = kiosk.borrow().toggle.clone();
    dom::listen::<web_sys::MouseEvent>(&toggle, "click", move |_| {
        let open = !me.borrow().open;
        me.borrow_mut().open = open;
        dom::store(CHAT_OPEN_KEY, if open { "1" } else { "0" });
        draw_open(&me);
    });
    draw_open(&kiosk);
    connection.start();
    Some(())
}

impl Kiosk {
    fn draw_status(&self) {
        let (replaced, ended) = self.panel.connection().chat(|c| (c.replaced(), c.ended()));
        if !(replaced || ended) {
            return;
        }
        if let Some(dot) = dom::find(".kiosk-status .status-dot") {
            dot.set_class_name("status-dot ended");
        }
        if let Some(text) = dom::find(".kiosk-status p") {
            let key = if replaced {
                "kiosk.replaced"
            } else {
                "kiosk.ended_title"
            };
            text.set_text_content(Some(&self.strings.get(key)));
        }
    }

    /// The count on the toggle, while there is one.
    fn draw_badge(&self, count: usize) {
        if let Some(old) = dom::find_in(&self.toggle, ".unread-badge") {
            old.remove();
        }
        if count == 0 {
            return;
        }
        let badge = dom::make("span", "unread-badge");
        let number = dom::make_text("span", "", &count.to_string());
        dom::set(&number, "aria-hidden", "true");
        dom::append(&badge, &number);
        let words = self.strings.plural("chat.unread", count);
        dom::append(&badge, &dom::make_text("span", "visually-hidden", &words));
        dom::append(&self.toggle, &badge);
    }
}

/// The chat shown or hidden, as the toggle says.
fn draw_open(kiosk: &Rc<RefCell<Kiosk>>) {
    {
        let kiosk = kiosk.borrow();
        let open = kiosk.open;
        dom::flag(&kiosk.holder, "hidden", !open);
        dom::set(
            &kiosk.toggle,
            "aria-expanded",
            if open { "true" } else { "false" },
        );
        let words = kiosk
            .strings
            .get(if open { "chat.close" } else { "chat.open" });
        dom::set_leading_text(&kiosk.toggle, &words);
        kiosk.panel.set_visible(open);
    }
    draw_name(kiosk);
}

/// The name line ("You are Ann · Change name") and, when the chat is open and the name was
/// never asked, the prompt for it; neither once the chat is cut off.
fn draw_name(kiosk: &Rc<RefCell<Kiosk>>) {
    let this = kiosk.borrow();
    let cut_off = this.panel.connection().chat(|c| c.cut_off());
    let line = dom::find_in(&this.holder, ".name-line");
    let prompt = dom::find_in(&this.holder, "form.name-prompt");
    if cut_off {
        line.into_iter().chain(prompt).for_each(|e| e.remove());
        return;
    }
    if let Some(line) = &line {
        let words = match &this.name {
            Some(name) => this.strings.fill("chat.you_are", "name", name),
            None => this.strings.get("chat.anonymous"),
        };
        dom::set_leading_text(line, &format!("{words} "));
    }
    let wanted = this.open && !this.name_asked;
    match (wanted, prompt) {
        (true, None) => {
            let form = name_prompt(&this);
            let _ = this.holder.prepend_with_node_1(&form);
            drop(this);
            listen_to_prompt(kiosk, &form);
        }
        (false, Some(prompt)) => prompt.remove(),
        _ => {}
    }
}

fn name_prompt(kiosk: &Kiosk) -> Element {
    let strings = &kiosk.strings;
    let form = dom::make("form", "name-prompt card");
    let heading = dom::make("p", "");
    dom::append(
        &heading,
        &dom::make_text("strong", "", &strings.get("chat.name_prompt")),
    );
    dom::append(&form, &heading);
    let label = dom::make_text("label", "", &strings.get("chat.name_label"));
    dom::set(&label, "for", "guest-name");
    dom::append(&form, &label);
    let row = dom::make("div", "copy-row");
    let input = dom::make("input", "");
    for (name, value) in [
        ("id", "guest-name"),
        ("type", "text"),
        ("maxlength", "60"),
        ("autocomplete", "name"),
    ] {
        dom::set(&input, name, value);
    }
    if let Some(input) = input.dyn_ref::<HtmlInputElement>() {
        input.set_value(kiosk.name.as_deref().unwrap_or_default());
    }
    dom::append(&row, &input);
    let save = dom::make_text("button", "primary", &strings.get("chat.name_save"));
    dom::set(&save, "type", "submit");
    dom::append(&row, &save);
    let skip = dom::make_text("button", "secondary", &strings.get("chat.name_skip"));
    dom::set(&skip, "type", "button");
    dom::set(&skip, "data-skip", "");
    dom::append(&row, &skip);
    dom::append(&form, &row);
    form
}

fn listen_to_prompt(kiosk: &Rc<RefCell<Kiosk>>, form: &Element) {
    let me = kiosk.clone();
    let prompt = form.clone();
    dom::listen::<web_sys::Event>(form, "submit", move |event| {
        event.prevent_default();
        let draft = dom::find_in(&prompt, "input")
            .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default();
        match DisplayName::parse("guest_name", &draft) {
            Ok(name) => {
                let name = name.map(|n| n.as_str().to_owned());
                dom::store(NAME_KEY, name.as_deref().unwrap_or(""));
                dom::store(NAME_ASKED_KEY, "1");
                let changed = {
                    let mut kiosk = me.borrow_mut();
                    kiosk.name_asked = true;
                    let changed = kiosk.name != name;
                    kiosk.name = name.clone();
                    changed
                };
                if changed {
                    // The server knows a guest's name by their socket: connect again with it.
                    let connection = me.borrow().panel.connection().clone();
                    connection.set_guest_name(name);
                    connection.reconnect_now();
                }
                draw_name(&me);
            }
            Err(_) => {
                if dom::find_in(&prompt, ".alert").is_none() {
                    let strings = me.borrow().strings.clone();
                    let alert = dom::make_text("p", "alert error", &strings.get("errors.invalid"));
                    dom::set(&alert, "role", "alert");
                    dom::append(&prompt, &alert);
                }
            }
        }
    });
    let me = kiosk.clone();
    if let Some(skip) = dom::find_in(form, "[data-skip]") {
        dom::listen::<web_sys::MouseEvent>(&skip, "click", move |_| {
            dom::store(NAME_ASKED_KEY, "1");
            me.borrow_mut().name_asked = true;
            draw_name(&me);
        });
    }
}
