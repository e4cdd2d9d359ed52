//! The chat panel the server rendered (`section.chat`), kept up to date: the connection dot,
//! the banners, the message list with its day dividers, "Seen" and sends in flight, the "new
//! messages" pill, the typing line, and which of the other side's messages were in view.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use switchboard::wire::ErrorCode;

use wasm_bindgen::JsCast;
use web_sys::{Element, IntersectionObserver};

use crate::chat::{Changes, Chat, Link, Pending};
use crate::connection::Connection;
use crate::dom;
use crate::message::Message;
use crate::rows;
use crate::strings::Strings;
use crate::time;

/// "Near the bottom" for following new messages, in pixels.
const STICKY_BOTTOM_PX: i32 = 80;

mod seen;

/// Who hears the count of unread messages.
type UnreadReport = Box<dyn Fn(usize)>;

/// A chat panel on the page.
#[derive(Clone)]
pub struct Panel(Rc<Inner>);

struct Inner {
    root: Element,
    scroll: Element,
    list: Element,
    connection: Connection,
    strings: Rc<Strings>,
    /// The stored messages drawn (id, time), in order; their rows follow the greeting.
    drawn: RefCell<Vec<(String, f64)>>,
    pending_rows: RefCell<Vec<Element>>,
    stuck_to_bottom: Cell<bool>,
    visible: Cell<bool>,
    away: Cell<bool>,
    seen_up_to: Cell<i64>,
    read_sent: Cell<i64>,
    observer: RefCell<Option<IntersectionObserver>>,
    typing_timer: Cell<Option<i32>>,
    on_unread: RefCell<Option<UnreadReport>>,
    /// The unread count last reported.
    unread_told: Cell<Option<usize>>,
}

impl Panel {
    /// Takes over the panel `root` (`section.chat`) for `connection`; `None` if the page lacks
    /// its parts.
    pub fn attach(root: Element, connection: Connection, strings: Rc<Strings>) -> Option<Self> {
        let scroll = dom::find_in(&root, ".chat-scroll")?;
        let list = dom::find_in(&scroll, "ol.messages")?;
        let panel = Self(Rc::new(Inner {
            root,
            scroll,
            list,
            connection,
            strings,
            drawn: RefCell::new(Vec::new()),
            pending_rows: RefCell::new(Vec::new()),
            stuck_to_bottom: Cell::new(true),
            visible: Cell::new(false),
            away: Cell::new(false),
            seen_up_to: Cell::new(0),
            read_sent: Cell::new(0),
            observer: RefCell::new(None),
            typing_timer: Cell::new(None),
            on_unread: RefCell::new(None),
            unread_told: Cell::new(None),
        }));
        panel.listen();
        panel.watch_rows();
        Some(panel)
    }

    /// The panel's element.
    pub fn root(&self) -> &Element {
        &self.0.root
    }

    /// The connection it shows.
    pub fn connection(&self) -> &Connection {
        &self.0.connection
    }

    /// The page's strings.
    pub fn strings(&self) -> &Strings {
        &self.0.strings
    }

    /// Hears the count of the other side's messages that are unread and not yet seen here,
    /// each time it changes.
    pub fn on_unread(&self, report: impl Fn(usize) + 'static) {
        *self.0.on_unread.borrow_mut() = Some(Box::new(report));
    }

    /// Whether the reader can see the panel: only then are messages in view marked read.
    pub fn set_visible(&self, visible: bool) {
        let was = self.0.visible.replace(visible);
        if visible && !was {
            // What shows now counts as seen; the observer reports it afresh.
            self.observe_rows();
            if self.0.stuck_to_bottom.get() {
                let me = self.clone();
                dom::next_frame(move || me.scroll_to_bottom());
            }
        }
        self.mark_read();
    }

    /// Whether no one from the team is online: a line under the header says so, and a live
    /// connection reads "Team away" rather than "Connected".
    pub fn set_away(&self, away: bool) {
        if self.0.away.replace(away) == away {
            return;
        }
        self.draw_connection();
        let line = dom::find_in(&self.0.root, ":scope > .widget-away");
        match (away, line) {
            (true, None) => {
                let line = dom::make_text("p", "widget-away", &self.0.strings.get("widget.away"));
                dom::set(&line, "role", "status");
                if let Some(header) = dom::find_in(&self.0.root, ":scope > .chat-header") {
                    let _ = header.after_with_node_1(&line);
                }
            }
            (false, Some(line)) => line.remove(),
            _ => {}
        }
    }

    /// Lets the panel go (another customer's takes its place): its connection stops, and so do
    /// its timer and its watch over the rows.
    pub fn stop(&self) {
        self.0.connection.stop();
        if let Some(timer) = self.0.typing_timer.take() {
            dom::stop(timer);
        }
        if let Some(observer) = self.0.observer.borrow_mut().take() {
            observer.disconnect();
        }
    }

    /// Redraws what `changes` touched.
    pub fn redraw(&self, changes: Changes) {
        let before = self.row_count();
        if changes.touches(Changes::LINK | Changes::CLOSED) {
            self.draw_connection();
        }
        if changes.touches(Changes::CLOSED | Changes::ERROR) {
            self.draw_banners();
        }
        if changes.touches(Changes::MESSAGES) {
            self.draw_messages();
        }
        if changes.touches(Changes::MESSAGES | Changes::READ) {
            self.draw_seen();
        }
        if changes.touches(Changes::PENDING | Changes::CLOSED) {
            self.draw_pending();
        }
        if changes.touches(Changes::MESSAGES | Changes::PENDING) {
            self.draw_empty();
            self.follow(before);
        }
        if changes.touches(Changes::TYPING) {
            self.draw_typing();
        }
        if changes.touches(Changes::MESSAGES) {
            self.observe_rows();
            self.report_unread();
        }
    }

    /// Shows the newest messages, and hides the pill.
    pub fn scroll_to_bottom(&self) {
        let scroll = &self.0.scroll;
        scroll.set_scroll_top(scroll.scroll_height());
        self.show_pill(false);
    }

    fn chat<T>(&self, read: impl FnOnce(&Chat) -> T) -> T {
        self.0.connection.chat(read)
    }

    fn row_count(&self) -> usize {
        self.0.drawn.borrow().len() + self.0.pending_rows.borrow().len()
    }

    fn listen(&self) {
        let me = self.clone();
        dom::listen::<web_sys::Event>(&self.0.scroll, "scroll", move |_| {
            let scroll = &me.0.scroll;
            let at_bottom = scroll.scroll_height() - scroll.scroll_top() - scroll.client_height()
                < STICKY_BOTTOM_PX;
            me.0.stuck_to_bottom.set(at_bottom);
            if at_bottom {
                me.show_pill(false);
            }
        });
        // Retry buttons in the rows of sends that failed.
        let me = self.clone();
        dom::listen::<web_sys::MouseEvent>(&self.0.list, "click", move |event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            if let Some(id) = target.get_attribute("data-retry") {
                me.0.connection.retry(&id);
            }
        });
        // The typing line expires by itself.
        let me = self.clone();
        let timer = dom::every(1_000, move || me.draw_typing());
        self.0.typing_timer.set(Some(timer));
    }

    fn draw_connection(&self) {
        let Some(element) = dom::find_in(&self.0.root, ".connection") else {
            return;
        };
        let away = self.0.away.get();
        let (link, dot, key) = self.chat(|chat| {
            if chat.replaced() {
                ("replaced", "dot offline", "chat.replaced_short")
            } else if chat.ended() {
                ("ended", "dot offline", "chat.ended_short")
            } else {
                match chat.link() {
                    Link::Connected if away => ("connected", "dot away", "chat.team_away"),
                    Link::Connected => ("connected", "dot connected", "chat.connected"),
                    Link::Connecting => ("connecting", "dot reconnecting", "chat.reconnecting"),
                    Link::Reconnecting => ("reconnecting", "dot reconnecting", "chat.reconnecting"),
                    Link::Offline => ("offline", "dot offline", "chat.offline"),
                }
            }
        });
        dom::set(&element, "data-link", link);
        if let Some(span) = dom::find_in(&element, ".dot") {
            span.set_class_name(dot);
        }
        if let Some(label) = dom::find_in(&element, ".connection-label") {
            label.set_text_content(Some(&self.0.strings.get(key)));
        }
    }

    /// The banner of a chat cut off, and the error that concerns no one send, before the list.
    fn draw_banners(&self) {
        for old in dom::find_all(&self.0.root, ":scope > .chat-ended, :scope > .alert.error") {
            old.remove();
        }
        let (replaced, ended, error) =
            self.chat(|chat| (chat.replaced(), chat.ended(), chat.error()));
        let banner = if replaced {
            Some("chat.replaced_banner")
        } else if ended {
            Some("chat.ended_banner")
        } else {
            None
        };
        if let Some(key) = banner {
            let p = dom::make_text("p", "chat-ended", &self.0.strings.get(key));
            dom::set(&p, "role", "status");
            let _ = self.0.root.insert_before(&p, Some(&self.0.scroll));
        }
        if let Some(code) = error {
            let p = dom::make_text("p", "alert error", &self.error_text(code));
            dom::set(&p, "role", "alert");
            let _ = self.0.root.insert_before(&p, Some(&self.0.scroll));
        }
    }

    /// The words for an error code (`errors.<code>`).
    fn error_text(&self, code: ErrorCode) -> String {
        self.0.strings.get(&format!("errors.{}", code.as_str()))
    }

    /// Appends the messages not drawn yet; draws them all again when one arrived between
    /// drawn ones (a replay that filled a gap).
    fn draw_messages(&self) {
        let appendable = self.chat(|chat| {
            let drawn = self.0.drawn.borrow();
            let messages = chat.messages();
            drawn.len() <= messages.len()
                && drawn.iter().zip(messages).all(|((id, _), m)| *id == m.id)
        });
        if !appendable {
            for row in dom::find_all(
                &self.0.list,
                ":scope > li.message:not(.pending), :scope > li.day-divider",
            ) {
                row.remove();
            }
            self.0.drawn.borrow_mut().clear();
        }
        let skip = self.0.drawn.borrow().len();
        let fresh: Vec<(Message, bool)> = self.chat(|chat| {
            chat.messages()[skip..]
                .iter()
                .map(|m| (m.clone(), chat.is_own(m)))
                .collect()
        });
        let before = self.0.pending_rows.borrow().first().cloned();
        let before = before.as_ref().map(|row| row.as_ref());
        let mut previous_day = self
            .0
            .drawn
            .borrow()
            .last()
            .map(|(_, at)| time::day_of(*at));
        for (message, own) in &fresh {
            let day = time::day_of(message.created_ms);
            if previous_day != Some(day) {
                previous_day = Some(day);
                let divider = dom::make("li", "day-divider");
                let words = time::day_text(message.created_ms, &self.0.strings);
                dom::append(&divider, &dom::make_text("span", "", &words));
                let _ = self.0.list.insert_before(&divider, before);
            }
            let row = rows::message_row(message, *own, &self.0.strings, &self.0.connection);
            let _ = self.0.list.insert_before(&row, before);
            self.0
                .drawn
                .borrow_mut()
                .push((message.id.clone(), message.created_ms));
        }
    }

    /// " · Seen" on the newest own message, once the other side has read it.
    fn draw_seen(&self) {
        for old in dom::find_all(&self.0.list, ".seen") {
            old.remove();
        }
        let Some(seq) = self.chat(Chat::seen_seq) else {
            return;
        };
        let selector = format!("li.message[data-seq=\"{seq}\"] .meta");
        if let Some(meta) = dom::find_in(&self.0.list, &selector) {
            let seen = dom::make_text(
                "span",
                "seen",
                &format!(" · {}", self.0.strings.get("chat.seen")),
            );
            dom::append(&meta, &seen);
        }
    }

    /// The sends in flight, after the stored messages.
    fn draw_pending(&self) {
        for row in self.0.pending_rows.borrow_mut().drain(..) {
            row.remove();
        }
        let (pending, cut_off): (Vec<Pending>, bool) =
            self.chat(|chat| (chat.pending().to_vec(), chat.cut_off()));
        let rows: Vec<Element> = pending
            .iter()
            .map(|p| rows::pending_row(p, cut_off, &self.0.strings))
            .collect();
        for row in &rows {
            dom::append(&self.0.list, row);
        }
        *self.0.pending_rows.borrow_mut() = rows;
    }

    /// "No messages yet" while there are none (and no greeting stands in for them).
    fn draw_empty(&self) {
        let empty = self.chat(|chat| chat.messages().is_empty() && chat.pending().is_empty())
            && dom::find_in(&self.0.list, "li.greeting").is_none();
        let shown = dom::find_in(&self.0.scroll, ".chat-empty");
        match (empty, shown) {
            (false, Some(line)) => line.remove(),
            (true, None) => dom::append(
                &self.0.scroll,
                &dom::make_text("p", "chat-empty", &self.0.strings.get("chat.empty")),
            ),
            _ => {}
        }
    }

    /// New rows: follow them if the reader is at the bottom, else offer the pill.
    fn follow(&self, before: usize) {
        if self.row_count() <= before {
            return;
        }
        if self.0.stuck_to_bottom.get() {
            let me = self.clone();
            dom::next_frame(move || me.scroll_to_bottom());
        } else {
            self.show_pill(true);
        }
    }

    fn show_pill(&self, shown: bool) {
        let pill = dom::find_in(&self.0.root, ":scope > .pill");
        match (shown, pill) {
            (false, Some(pill)) => pill.remove(),
            (true, None) => {
                let pill =
                    dom::make_text("button", "pill", &self.0.strings.get("chat.new_messages"));
                dom::set(&pill, "type", "button");
                let me = self.clone();
                dom::listen::<web_sys::MouseEvent>(&pill, "click", move |_| me.scroll_to_bottom());
                let _ = self.0.scroll.after_with_node_1(&pill);
            }
            _ => {}
        }
    }

    /// "Ann is typing…", with the name isolated so that a right-to-left page keeps it whole.
    fn draw_typing(&self) {
        let Some(line) = dom::find_in(&self.0.root, ".typing") else {
            return;
        };
        let typist = self.chat(|chat| chat.typist(dom::now_ms()).map(|who| who.name.clone()));
        let shown = line.has_child_nodes();
        match typist {
            None if shown => dom::clear(&line),
            None => {}
            Some(_) if shown => {}
            Some(None) => line.set_text_content(Some(&self.0.strings.get("chat.someone_typing"))),
            Some(Some(name)) => {
                let (before, after) = self.0.strings.around("chat.typing", "name");
                dom::append_text(&line, &before);
                dom::append(&line, &dom::make_text("bdi", "user-text", &name));
                dom::append_text(&line, &after);
            }
        }
    }
}
