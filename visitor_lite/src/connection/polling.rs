//! The REST fallback while the socket is down: the messages after the cursor every few
//! seconds, and the sends that wait, posted one after the other.

use switchboard::wire::ErrorCode;

use super::{upgrade, Connection, Party};
use crate::chat::{Chat, Pending};
use crate::dom;
use crate::json::{self, Json};
use crate::message::Message;
use crate::net::{self, Fields};

/// How often the REST API is asked while the socket is down, in milliseconds.
const POLL_EVERY_MS: i32 = 5_000;
/// The most messages one answer brings (the contract's largest page).
const POLL_LIMIT: usize = 500;

impl Connection {
    pub(super) fn start_polling(&self) {
        if self.0.poll_timer.get().is_some() {
            return;
        }
        let me = self.weak();
        let handle = dom::every(POLL_EVERY_MS, move || {
            if let Some(this) = upgrade(&me) {
                this.poll_once();
            }
        });
        self.0.poll_timer.set(Some(handle));
    }

    pub(super) fn stop_polling(&self) {
        if let Some(handle) = self.0.poll_timer.take() {
            dom::stop(handle);
        }
    }

    fn poll_once(&self) {
        if self.is_open() || self.stays_closed() {
            self.stop_polling();
            return;
        }
        let party = self.party();
        let url = format!(
            "{}?after_seq={}&limit={POLL_LIMIT}",
            party.messages_url(),
            self.chat(Chat::last_seq)
        );
        let me = self.weak();
        net::request("GET", &url, party.bearer(), None, move |answer| {
            let Some(this) = upgrade(&me).filter(|this| !this.0.stopped.get()) else {
                return;
            };
            match answer.status {
                200 => {
                    if let Some(body) = Json::parse(&answer.body) {
                        this.take_polled(&body);
                    }
                    // The socket is down but the server is up: send the outbox over REST.
                    let waiting: Vec<Pending> = this.chat(|chat| chat.waiting().cloned().collect());
                    this.post_each(waiting);
                }
                0 => {}
                status => {
                    this.update(|chat| chat.answered(status));
                }
            }
        });
    }

    /// The messages of a poll's answer: the first answer before any subscription is the
    /// history; each later message that is news is announced with its JSON.
    fn take_polled(&self, body: &Json) {
        let items = body.get("messages").items();
        let complete = items.len() < POLL_LIMIT;
        let items: Vec<(Message, Json)> = items
            .into_iter()
            .filter_map(|item| json::message(&item).map(|m| (m, item)))
            .collect();
        if !self.chat(Chat::history_known) {
            let messages = items.into_iter().map(|(m, _)| m).collect();
            self.update(|chat| chat.polled(messages, complete));
            // A history longer than one answer: the rest at once, not in five seconds.
            if !complete {
                self.poll_once();
            }
            return;
        }
        for (message, raw) in items {
            self.arrived(message, raw);
        }
    }

    /// Posts `waiting` over REST one after the other, stopping at the first that the server
    /// could not take (it goes again on the next poll).
    fn post_each(&self, mut waiting: Vec<Pending>) {
        if waiting.is_empty() {
            return;
        }
        let pending = waiting.remove(0);
        let ids: Vec<String> = pending.attachments.iter().map(|f| f.id.clone()).collect();
        let mut body = Fields::new()
            .text("content", &pending.content)
            .text("client_id", &pending.client_id)
            .texts("attachments", &ids);
        let party = self.party();
        if let (Party::Guest(_), Some(name)) = (&party, self.0.guest_name.borrow().as_ref()) {
            body = body.text("guest_name", name);
        }
        let me = self.weak();
        net::request(
            "POST",
            &party.messages_url(),
            party.bearer(),
            Some(body.json()),
            move |answer| {
                let Some(this) = upgrade(&me).filter(|this| !this.0.stopped.get()) else {
                    return;
                };
                let reply = Json::parse(&answer.body);
                match answer.status {
                    200 | 201 => {
                        let stored = reply.and_then(|r| json::message(&r.get("message")));
                        if let Some(stored) = stored {
                            this.update(|chat| chat.acknowledge(&pending.client_id, stored));
                        }
                        this.post_each(waiting);
                    }
                    status @ 400..=499 => {
                        let code = reply
                            .as_ref()
                            .and_then(json::error_code)
                            .unwrap_or(ErrorCode::Invalid);
                        this.update(|chat| {
                            chat.refuse(&pending.client_id, code) | chat.answered(status)
                        });
                        this.post_each(waiting);
                    }
                    _ => {}
                }
            },
        );
    }
}
