//! The hosted chat page (`/chat/:link`), which a reply email's link opens on the Switchboard
//! server itself, so that it works on any device without the website: the signed link stands
//! for the customer, and the chat is always open.

use std::rc::Rc;

use web_sys::Element;

use crate::customer::{Around, Credential, Customer};
use crate::dom;
use crate::json::Json;
use crate::sound;
use crate::strings::Strings;

/// Starts the hosted chat in `main` (`main.hosted-chat`); `None` when the address holds no link.
pub fn start(main: Element, strings: Rc<Strings>) -> Option<()> {
    let link = dom::window()
        .location()
        .pathname()
        .ok()?
        .strip_prefix("/chat/")?
        .to_owned();
    let link = js_sys::decode_uri_component(&link).ok()?.as_string()?;
    let customer = Customer::new(
        main,
        strings,
        "hosted.link_invalid",
        Credential::Link(link),
        Page,
    );
    customer.set_visible(dom::tab_visible());
    let shown = customer.clone();
    dom::listen::<web_sys::Event>(&dom::document(), "visibilitychange", move |_| {
        shown.set_visible(dom::tab_visible());
    });
    customer.sign_in();
    Some(())
}

/// The page around the chat: no host to tell, no badge; a reply chimes while the tab is
/// hidden.
struct Page;

impl Around for Page {
    // A chat link's sign-in is no anonymous visit: no token comes to keep.
    fn keep_visitor_token(&self, _token: &str) {}

    fn unread(&self, _count: usize) {}

    fn news(&self, _message: &Json, seen: bool) {
        if !seen {
            sound::chime();
        }
    }

    // The panel says that the team is away; this page offers no email form (the customer
    // came from an email).
    fn presence(&self, _chat: &Element, _customer: &Customer, _away: bool, _no_address: bool) {}
}
