//! While the socket cannot connect, the chat polls the REST API for new messages every few
//! seconds, and sends what waits over REST once the server answers.

use std::time::Duration;

use leptos::prelude::*;
use switchboard::wire::{ErrorCode, MessageEnvelope, MessageList, PostMessageRequest};

use super::client::Client;
use super::http::{request, Method, NO_BODY};
use super::Party;

const POLL_EVERY: Duration = Duration::from_secs(5);

impl Client {
    pub(super) fn start_polling(&self) {
        if self.poll_timer.get().is_some() {
            return;
        }
        let me = self.me.clone();
        let tick = move || {
            if let Some(client) = me.upgrade() {
                client.poll_once();
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, POLL_EVERY) {
            self.poll_timer.set(Some(handle));
        }
    }

    pub(super) fn stop_polling(&self) {
        if let Some(handle) = self.poll_timer.take() {
            handle.clear();
        }
    }

    fn messages_url(&self) -> String {
        match &self.party {
            Party::Operator => {
                format!("/api/v1/conversations/{}/messages", self.conversation_id)
            }
            Party::Guest { token } => format!("/support/guest/{token}/messages"),
            Party::Customer { .. } => "/api/v1/widget/messages".to_owned(),
        }
    }

    /// The bearer credential a customer's REST calls carry.
    fn bearer(&self) -> Option<&str> {
        match &self.party {
            Party::Customer { token } => Some(token),
            Party::Operator | Party::Guest { .. } => None,
        }
    }

    fn poll_once(&self) {
        if self.is_open() || self.stays_closed() {
            self.stop_polling();
            return;
        }
        let url = format!(
            "{}?after_seq={}",
            self.messages_url(),
            self.state.last_seq()
        );
        let state = self.state;
        let guest = self.party.is_guest();
        let me = self.me.clone();
        leptos::task::spawn_local(async move {
            let bearer = me.upgrade().and_then(|c| c.bearer().map(str::to_owned));
            let answer = request(Method::GET, &url, NO_BODY, bearer.as_deref()).await;
            match answer.as_ref().map(|a| a.status) {
                Ok(200) => {
                    if let Some(list) = answer.ok().and_then(|a| a.json::<MessageList>()) {
                        state.merge(list.messages);
                    }
                    // The socket is down but the server is up: flush the outbox over REST.
                    if let Some(client) = me.upgrade() {
                        client.flush_over_rest().await;
                    }
                }
                Ok(status) => state.answered(status, guest),
                Err(_) => {}
            }
        });
    }

    async fn flush_over_rest(&self) {
        for pending in self.state.pending.get_untracked() {
            if pending.failed.is_some() {
                continue;
            }
            let body = PostMessageRequest {
                content: pending.content.clone(),
                client_id: Some(pending.client_id.clone()),
                guest_name: None,
                internal: pending.internal,
                mentions: pending.mentions.clone(),
                based_on_seq: pending.based_on_seq,
                force: false,
                attachments: pending.attachment_ids(),
            };
            let answer = request(
                Method::POST,
                &self.messages_url(),
                Some(&body),
                self.bearer(),
            )
            .await;
            match answer {
                Ok(answer) if matches!(answer.status, 200 | 201) => {
                    if let Some(stored) = answer.json::<MessageEnvelope>() {
                        self.state.acknowledge(&pending.client_id, stored.message);
                    }
                }
                Ok(answer) if answer.status == 409 => {
                    // The collision guard: the answer carries what arrived meanwhile.
                    let newer = answer
                        .json::<switchboard::wire::ErrorBody>()
                        .and_then(|body| body.messages);
                    match newer {
                        Some(newer) => self.state.collide(&pending.client_id, newer),
                        None => self.state.refuse(&pending.client_id, ErrorCode::Conflict),
                    }
                }
                Ok(answer) if (400..500).contains(&answer.status) => {
                    let code = answer.error_code().unwrap_or(ErrorCode::Invalid);
                    self.state.refuse(&pending.client_id, code);
                    self.state.answered(answer.status, self.party.is_guest());
                }
                _ => return,
            }
        }
    }
}
