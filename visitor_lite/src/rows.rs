//! The rows of the message list, built from the chat's data: stored messages with their
//! files, and sends in flight.

use std::rc::Rc;

use switchboard::domain::links::{pieces, Piece};
use switchboard::domain::{file_kind_text, file_size_text};
use switchboard::wire::{ErrorCode, SenderKind};
use web_sys::Element;

use crate::chat::Pending;
use crate::connection::{Connection, Party};
use crate::dom;
use crate::message::{File, Message};
use crate::net;
use crate::strings::Strings;
use crate::time;

/// A stored message's row; `own` when this side sent it. Its files are fetched with the
/// credential `connection` holds when they are.
pub fn message_row(
    message: &Message,
    own: bool,
    strings: &Rc<Strings>,
    connection: &Connection,
) -> Element {
    let row = dom::make("li", if own { "message own" } else { "message other" });
    dom::set(&row, "data-seq", &message.seq.to_string());
    // A visitor's own messages say "You".
    let sender = match (&message.name, message.kind) {
        _ if own => strings.get("chat.you"),
        (Some(name), _) => name.clone(),
        (None, SenderKind::Guest) => strings.get("chat.guest"),
        (None, SenderKind::Customer) => strings.get("chat.customer"),
        (None, _) => strings.get("chat.operator"),
    };
    let name = dom::make_text("p", "sender", &sender);
    dom::set(&name, "dir", "auto");
    dom::append(&row, &name);
    if !message.content.is_empty() {
        dom::append(&row, &linked_bubble(&message.content));
    }
    if !message.attachments.is_empty() {
        dom::append(
            &row,
            &attachments(&message.attachments, strings, connection),
        );
    }
    let meta = dom::make("p", "meta");
    let time = dom::make_text("time", "", &time::clock_time(message.created_ms));
    dom::set(&time, "datetime", &message.created_at);
    dom::append(&meta, &time);
    dom::append(&row, &meta);
    row
}

/// A message's files: images as thumbnails, other files as cards that download.
fn attachments(files: &[File], strings: &Rc<Strings>, connection: &Connection) -> Element {
    let box_ = dom::make("div", "attachments");
    for file in files.iter().filter(|f| f.thumbnail) {
        let button = dom::make("button", "file-thumb");
        dom::set(&button, "type", "button");
        dom::set(
            &button,
            "aria-label",
            &format!("{}: {}", strings.get("files.open"), file.name),
        );
        dom::set(&button, "data-file", &file.id);
        let img = dom::make("img", "");
        show_file(&img, &connection.party(), &file.id, true);
        dom::set(&img, "alt", &file.name);
        if let Some((width, height)) = file.dimensions {
            dom::set(&img, "width", &width.min(320).to_string());
            dom::set(&img, "height", &height.min(320).to_string());
        }
        dom::append(&button, &img);
        let (strings, connection, file, shown_in) = (
            strings.clone(),
            connection.clone(),
            file.clone(),
            box_.clone(),
        );
        dom::listen::<web_sys::MouseEvent>(&button, "click", move |_| {
            view_image(&file, &strings, &connection.party(), &shown_in)
        });
        dom::append(&box_, &button);
    }
    for file in files.iter().filter(|f| !f.thumbnail) {
        let card = dom::make("a", "file-card");
        dom::set(&card, "href", &connection.party().file_url(&file.id, false));
        dom::set(&card, "download", &file.name);
        let (party_of, id, name) = (connection.clone(), file.id.clone(), file.name.clone());
        dom::listen::<web_sys::MouseEvent>(&card, "click", move |event| {
            let party = party_of.party();
            // A link cannot carry a customer's bearer: the file comes through a blob instead.
            if let Some(bearer) = party.bearer() {
                event.prevent_default();
                let name = name.clone();
                net::fetch_blob(&party.file_url(&id, false), bearer, move |blob| {
                    if let Some(blob) = blob {
                        dom::save_as(&blob, &name);
                    }
                });
            }
        });
        dom::set(
            &card,
            "aria-label",
            &format!("{}: {}", strings.get("files.download"), file.name),
        );
        let kind = file_kind_text(&file.content_type);
        let icon = dom::make_text("span", "file-icon", kind);
        dom::set(&icon, "aria-hidden", "true");
        dom::append(&card, &icon);
        let name = dom::make("span", "file-name");
        dom::set(&name, "dir", "auto");
        dom::append(&name, &dom::make_text("bdi", "", &file.name));
        dom::append(&card, &name);
        let size = file_size_text(
            file.size as i64,
            &strings.get("files.kb"),
            &strings.get("files.mb"),
        );
        let details = dom::make("span", "file-details");
        dom::append(
            &details,
            &dom::make_text("bdi", "", &format!("{kind} · {size}")),
        );
        dom::append(&card, &details);
        dom::append(&box_, &card);
    }
    box_
}

/// An image at full size over the page (in `shown_in`, its message's files), until closed
/// (Escape, the button, or a click beside it).
fn view_image(file: &File, strings: &Strings, party: &Party, shown_in: &Element) {
    let viewer = dom::make("div", "image-viewer");
    dom::set(&viewer, "role", "dialog");
    dom::set(&viewer, "aria-modal", "true");
    dom::set(&viewer, "aria-label", &file.name);
    let img = dom::make("img", "");
    show_file(&img, party, &file.id, false);
    dom::set(&img, "alt", &file.name);
    dom::listen::<web_sys::MouseEvent>(&img, "click", |event| event.stop_propagation());
    let close = dom::make_text("button", "image-viewer-close", &strings.get("files.close"));
    dom::set(&close, "type", "button");
    dom::append(&viewer, &img);
    dom::append(&viewer, &close);
    let shut = viewer.clone();
    dom::listen::<web_sys::MouseEvent>(&viewer, "click", move |_| shut.remove());
    let shut = viewer.clone();
    dom::listen::<web_sys::KeyboardEvent>(&viewer, "keydown", move |event| {
        if event.key() == "Escape" {
            // The viewer's Escape closes the viewer, not the widget around it.
            event.stop_propagation();
            shut.remove();
        }
    });
    dom::append(shown_in, &viewer);
    dom::focus(&close);
}

/// Points `img` at a stored file (or its thumbnail): by address for a guest, whose token is in
/// it, or through a blob fetched with a customer's bearer, let go once the image has drawn.
fn show_file(img: &Element, party: &Party, id: &str, thumbnail: bool) {
    let url = party.file_url(id, thumbnail);
    let Some(bearer) = party.bearer() else {
        dom::set(img, "src", &url);
        return;
    };
    let img = img.clone();
    net::fetch_blob(&url, bearer, move |blob| {
        if let Some(blob) = blob {
            let drawn = blob.clone();
            dom::listen::<web_sys::Event>(&img, "load", move |_| {
                let _ = web_sys::Url::revoke_object_url(&drawn);
            });
            dom::set(&img, "src", &blob);
        }
    });
}

/// A send in flight: "sending…", or why it failed with a retry while one can succeed.
pub fn pending_row(pending: &Pending, cut_off: bool, strings: &Strings) -> Element {
    let row = dom::make("li", "message own pending");
    if !pending.content.is_empty() {
        dom::append(&row, &linked_bubble(&pending.content));
    }
    if !pending.attachments.is_empty() {
        let files = dom::make("ul", "pending-files");
        for file in &pending.attachments {
            let item = dom::make("li", "");
            dom::set(&item, "dir", "auto");
            dom::append(&item, &dom::make_text("bdi", "", &file.name));
            dom::append(&files, &item);
        }
        dom::append(&row, &files);
    }
    let meta = dom::make("p", "meta");
    match pending.failed {
        None => dom::append(
            &meta,
            &dom::make_text("span", "", &strings.get("chat.sending")),
        ),
        // Once the chat is cut off no retry can succeed: say so, offer none.
        Some(_) if cut_off => dom::append(
            &meta,
            &dom::make_text("span", "failed", &strings.get("chat.undeliverable")),
        ),
        Some(code) => {
            let key = match code {
                ErrorCode::RateLimited => "chat.rate_limited",
                ErrorCode::Invalid => "chat.rejected",
                _ => "chat.not_sent",
            };
            let failed = dom::make_text("span", "failed", &strings.get(key));
            dom::append_text(&failed, " ");
            let retry = dom::make_text("button", "link", &strings.get("chat.retry"));
            dom::set(&retry, "type", "button");
            dom::set(&retry, "data-retry", &pending.client_id);
            dom::append(&failed, &retry);
            dom::append(&meta, &failed);
        }
    }
    dom::append(&row, &meta);
    row
}

/// A message's text in a bubble, its web addresses linked (new tab, no referrer), everything
/// else text.
fn linked_bubble(text: &str) -> Element {
    let bubble = dom::make("p", "bubble");
    dom::set(&bubble, "dir", "auto");
    for piece in pieces(text) {
        match piece {
            Piece::Text(text) => dom::append_text(&bubble, &text),
            Piece::Link(address) => {
                let link = dom::make_text("a", "", &address);
                dom::set(&link, "href", &address);
                dom::set(&link, "target", "_blank");
                dom::set(&link, "rel", "noopener noreferrer nofollow");
                dom::append(&bubble, &link);
            }
        }
    }
    bubble
}
