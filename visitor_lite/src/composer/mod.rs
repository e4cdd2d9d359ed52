//! The composer the server rendered (`form.composer`), at work: Enter sends, typing is told,
//! files are attached (picker, paste, drop) and uploaded with their progress shown, and what
//! cannot be sent says why.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use switchboard::domain::{MessageBody, MESSAGE_MAX_CHARS};
use wasm_bindgen::JsCast;
use web_sys::{
    ClipboardEvent, DragEvent, Element, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent,
};

use crate::chat::Link;
use crate::dom;
use crate::message::File;
use crate::panel::Panel;

/// How often "typing" is told while the visitor types, at most, in milliseconds.
const TYPING_EVERY_MS: f64 = 2_000.0;

/// The character count shows from this many characters on.
const COUNTER_FROM: usize = MESSAGE_MAX_CHARS - 500;

/// The composer of a panel.
#[derive(Clone)]
pub struct Composer(Rc<Inner>);

struct Inner {
    form: Element,
    input: HtmlTextAreaElement,
    submit: Element,
    panel: Panel,
    uploads: RefCell<Vec<Upload>>,
    next_key: Cell<u32>,
    typed_at: Cell<f64>,
    invalid: Cell<bool>,
    over_count: Cell<bool>,
}

mod uploads;

use uploads::Upload;

impl Composer {
    /// Takes over the panel's composer; `None` when it has none (a chat already cut off).
    pub fn attach(panel: &Panel) -> Option<Self> {
        let form = dom::find_in(panel.root(), "form.composer")?;
        let input = dom::find_in(&form, "textarea")?
            .dyn_into::<HtmlTextAreaElement>()
            .ok()?;
        let submit = dom::find_in(&form, "button[type=submit]")?;
        let composer = Self(Rc::new(Inner {
            form,
            input,
            submit,
            panel: panel.clone(),
            uploads: RefCell::new(Vec::new()),
            next_key: Cell::new(0),
            typed_at: Cell::new(0.0),
            invalid: Cell::new(false),
            over_count: Cell::new(false),
        }));
        composer.listen();
        composer.draw();
        Some(composer)
    }

    /// Redraws what depends on the chat: the hint of a lost connection, and the form itself,
    /// which goes once the chat is cut off.
    pub fn chat_changed(&self) {
        let (cut_off, link) = self
            .0
            .panel
            .connection()
            .chat(|chat| (chat.cut_off(), chat.link()));
        if cut_off {
            self.0.form.remove();
            return;
        }
        let lost = matches!(link, Link::Offline | Link::Reconnecting);
        let hint = dom::find_in(&self.0.form, ":scope > .hint");
        match (lost, hint) {
            (true, None) => dom::append(
                &self.0.form,
                &dom::make_text(
                    "p",
                    "hint",
                    &self.0.panel.strings().get("chat.connection_error"),
                ),
            ),
            (false, Some(hint)) => hint.remove(),
            _ => {}
        }
    }

    fn listen(&self) {
        let me = self.clone();
        dom::listen::<web_sys::Event>(&self.0.form, "submit", move |event| {
            event.prevent_default();
            me.submit();
        });
        let me = self.clone();
        dom::listen::<KeyboardEvent>(&self.0.input, "keydown", move |event| {
            if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                me.submit();
            }
        });
        let me = self.clone();
        dom::listen::<web_sys::Event>(&self.0.input, "input", move |_| {
            let now = dom::now_ms();
            if now - me.0.typed_at.get() > TYPING_EVERY_MS {
                me.0.typed_at.set(now);
                me.0.panel.connection().typing();
            }
            me.0.invalid.set(false);
            me.draw();
        });
        let me = self.clone();
        dom::listen::<ClipboardEvent>(&self.0.input, "paste", move |event| {
            let files = event.clipboard_data().and_then(|data| data.files());
            if let Some(files) = files.filter(|f| f.length() > 0) {
                event.prevent_default();
                me.add(&files);
            }
        });
        if let Some(picker) = dom::find_in(&self.0.form, "input[type=file]")
            .and_then(|p| p.dyn_into::<HtmlInputElement>().ok())
        {
            if let Some(attach) = dom::find_in(&self.0.form, "button.attach") {
                let input = picker.clone();
                dom::listen::<web_sys::MouseEvent>(&attach, "click", move |_| input.click());
            }
            let me = self.clone();
            let input = picker.clone();
            dom::listen::<web_sys::Event>(&picker, "change", move |_| {
                if let Some(files) = input.files() {
                    me.add(&files);
                }
                input.set_value("");
            });
        }
        let me = self.clone();
        dom::listen::<DragEvent>(&self.0.form, "dragover", move |event| {
            event.prevent_default();
            me.dragging(true);
        });
        let me = self.clone();
        dom::listen::<DragEvent>(&self.0.form, "dragleave", move |event| {
            let inside = event
                .related_target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|node| me.0.form.contains(Some(&node)));
            if !inside {
                me.dragging(false);
            }
        });
        let me = self.clone();
        dom::listen::<DragEvent>(&self.0.form, "drop", move |event| {
            event.prevent_default();
            me.dragging(false);
            if let Some(files) = event.data_transfer().and_then(|d| d.files()) {
                me.add(&files);
            }
        });
        // The tray's remove buttons.
        let me = self.clone();
        dom::listen::<web_sys::MouseEvent>(&self.0.form, "click", move |event| {
            let key = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.get_attribute("data-remove"))
                .and_then(|k| k.parse::<u32>().ok());
            if let Some(key) = key {
                me.remove(key);
            }
        });
    }

    fn dragging(&self, on: bool) {
        let hint = dom::find_in(&self.0.form, ":scope > .drop-hint");
        let _ = self.0.form.class_list().toggle_with_force("dragging", on);
        match (on, hint) {
            (true, None) => {
                let hint = dom::make_text(
                    "p",
                    "drop-hint",
                    &self.0.panel.strings().get("files.drop_here"),
                );
                dom::set(&hint, "aria-hidden", "true");
                let _ = self.0.form.prepend_with_node_1(&hint);
            }
            (false, Some(hint)) => hint.remove(),
            _ => {}
        }
    }

    fn text(&self) -> String {
        self.0.input.value()
    }

    fn uploading(&self) -> bool {
        self.0
            .uploads
            .borrow()
            .iter()
            .any(|u| u.done.is_none() && !u.failed)
    }

    fn stored_files(&self) -> Vec<File> {
        self.0
            .uploads
            .borrow()
            .iter()
            .filter_map(|u| u.done.clone())
            .collect()
    }

    /// Sends what is written, with the files that are up.
    fn submit(&self) {
        if self.0.panel.connection().chat(|chat| chat.cut_off()) || self.uploading() {
            return;
        }
        let draft = self.text();
        let files = self.stored_files();
        let content = if draft.trim().is_empty() && !files.is_empty() {
            Ok(String::new())
        } else {
            MessageBody::parse(&draft).map(|body| body.as_str().to_owned())
        };
        match content {
            Ok(content) => {
                self.0.panel.connection().send(content, files);
                self.0.input.set_value("");
                self.0.uploads.borrow_mut().clear();
                if let Some(tray) = dom::find_in(&self.0.form, "ul.uploads") {
                    tray.remove();
                }
                self.0.over_count.set(false);
                self.0.invalid.set(false);
            }
            Err(_) if draft.trim().is_empty() => {}
            Err(_) => self.0.invalid.set(true),
        }
        self.draw();
    }

    /// The parts that follow what is written and attached: the tray's room, the counter, the
    /// error, and whether Send can be pressed.
    fn draw(&self) {
        let strings = self.0.panel.strings();
        let chars = self.text().trim().chars().count();
        let row = dom::find_in(&self.0.form, ".composer-row");
        for old in dom::find_all(
            &self.0.form,
            ".counter, .composer-row > .alert, :scope > .alert",
        ) {
            old.remove();
        }
        if self.0.over_count.get() {
            let alert = dom::make_text("p", "alert error", &strings.get("files.at_most"));
            dom::set(&alert, "role", "alert");
            if let Some(row) = &row {
                let _ = self.0.form.insert_before(&alert, Some(row));
            }
        }
        if let Some(row) = &row {
            if chars >= COUNTER_FROM {
                let class = if chars > MESSAGE_MAX_CHARS {
                    "counter over"
                } else {
                    "counter"
                };
                let counter =
                    dom::make_text("span", class, &format!("{chars} / {MESSAGE_MAX_CHARS}"));
                dom::set(&counter, "aria-live", "polite");
                let _ = row.insert_before(&counter, Some(&self.0.submit));
            }
            if self.0.invalid.get() {
                let alert = dom::make_text("span", "alert error", &strings.get("chat.invalid"));
                dom::set(&alert, "role", "alert");
                let _ = row.insert_before(&alert, Some(&self.0.submit));
            }
        }
        let blocked = (chars == 0 && self.stored_files().is_empty())
            || self.uploading()
            || chars > MESSAGE_MAX_CHARS;
        dom::flag(&self.0.submit, "disabled", blocked);
    }
}
