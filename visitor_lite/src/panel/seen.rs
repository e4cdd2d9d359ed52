//! Which of the other side's messages the reader has seen: rows at least half in view while
//! the panel is visible are marked read, and the rest counted as unread.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::Panel;
use crate::dom;

impl Panel {
    /// Watches the other side's rows: each one at least half in view while the panel is
    /// visible raises how far this page has seen.
    pub(super) fn watch_rows(&self) {
        let me = self.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if !me.0.visible.get() {
                return;
            }
            let highest = entries
                .iter()
                .filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                .filter(|e| e.is_intersecting())
                .filter_map(|e| e.target().get_attribute("data-seq")?.parse::<i64>().ok())
                .max();
            if let Some(seq) = highest.filter(|s| *s > me.0.seen_up_to.get()) {
                me.0.seen_up_to.set(seq);
                me.mark_read();
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root(Some(&self.0.scroll));
        options.set_threshold(&JsValue::from_f64(0.5));
        if let Ok(observer) =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
        {
            *self.0.observer.borrow_mut() = Some(observer);
        }
        callback.forget();
    }

    /// (Re)observes every row of the other side, after a redraw, so that a panel that just
    /// became visible reports what it shows.
    pub(super) fn observe_rows(&self) {
        let me = self.clone();
        dom::next_frame(move || {
            let observer = me.0.observer.borrow();
            let Some(observer) = observer.as_ref() else {
                return;
            };
            for row in dom::find_all(&me.0.list, "li.message.other[data-seq]") {
                observer.unobserve(&row);
                observer.observe(&row);
            }
        });
    }

    /// Sends the read mark for what was seen while visible, and reports what is still unread.
    pub(super) fn mark_read(&self) {
        let seen = self.0.seen_up_to.get();
        if self.0.visible.get()
            && seen > self.0.read_sent.get()
            && self.0.connection.mark_read(seen)
        {
            self.0.read_sent.set(seen);
        }
        self.report_unread();
    }

    pub(super) fn report_unread(&self) {
        let read = self.0.read_sent.get();
        let count = self.chat(|chat| chat.unread(read));
        if self.0.unread_told.replace(Some(count)) == Some(count) {
            return;
        }
        if let Some(report) = self.0.on_unread.borrow().as_ref() {
            report(count);
        }
    }
}
