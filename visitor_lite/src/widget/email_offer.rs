//! For an anonymous customer without an address while no one from the team is online: a form to
//! get replies by email (the server rendered it in `template#email-offer`). It stays as the
//! customer left it across presence answers; it goes when the team is back or the customer
//! changes.

use std::rc::Rc;

use switchboard::domain::Email;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::customer::Customer;
use crate::dom;
use crate::net::{self, Fields};
use crate::strings::Strings;

/// The id of the template that holds the form.
const TEMPLATE: &str = "email-offer";

/// Shows the form in `chat` (`.widget-chat`) when `wanted`, or takes it away.
pub fn draw(chat: &Element, customer: &Customer, wanted: bool, strings: &Rc<Strings>) {
    let shown = dom::find_in(chat, ":scope > form.email-offer");
    match (wanted, shown) {
        (true, None) => {
            let Some(form) = dom::from_template(TEMPLATE) else {
                return;
            };
            dom::append(chat, &form);
            listen(&form, customer.clone(), strings.clone());
        }
        (false, Some(form)) => form.remove(),
        _ => {}
    }
}

fn listen(form: &Element, customer: Customer, strings: Rc<Strings>) {
    let this = form.clone();
    dom::listen::<web_sys::Event>(form, "submit", move |event| {
        event.prevent_default();
        let draft = dom::find_in(&this, "input")
            .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default();
        let (Ok(email), Some(token)) = (Email::parse(&draft), customer.token()) else {
            say(&this, &strings, false);
            return;
        };
        let body = Fields::new()
            .text("email", email.as_str())
            .value("name", &wasm_bindgen::JsValue::NULL)
            .json();
        let (form, strings) = (this.clone(), strings.clone());
        // The session (and so the chat) stays as it is: only the form changes.
        net::request(
            "PATCH",
            "/api/v1/widget/customer",
            Some(&token),
            Some(body),
            move |answer| say(&form, &strings, answer.status == 200),
        );
    });
}

/// "Thanks, confirm the address" once saved, or why it was not.
fn say(form: &Element, strings: &Strings, saved: bool) {
    for old in dom::find_all(form, ":scope > .alert, :scope > [role=status]") {
        old.remove();
    }
    let line = match saved {
        true => {
            let line = dom::make_text("p", "", &strings.get("widget.email_saved"));
            dom::set(&line, "role", "status");
            line
        }
        false => {
            let line = dom::make_text("p", "alert error", &strings.get("widget.email_invalid"));
            dom::set(&line, "role", "alert");
            line
        }
    };
    dom::append(form, &line);
}
