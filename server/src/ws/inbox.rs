//! An operator's inbox follower: turns "conversation changed" events into
//! `conversation_updated` frames carrying the item as the store has it now.

use switchboard::hub::{Event, RecvError, Subscription};
use switchboard::wire::ServerFrame;
use switchboard::Engine;

use super::connection::close;
use super::queue::{Outbox, Queued};

/// Follows the inbox for one operator connection.
pub(super) struct InboxFollower {
    pub(super) engine: Engine,
    pub(super) outbox: Outbox,
}

impl InboxFollower {
    pub(super) async fn run(self, mut events: Subscription) {
        loop {
            let frame = match events.recv().await {
                // Read when the event arrives, so the latest change always ends with the latest
                // item, whatever order concurrent changes were published in.
                Ok(Event::ConversationChanged { conversation_id }) => {
                    match self.engine.inbox_item(conversation_id).await {
                        // Not listed until its first message: nothing to update.
                        Ok(conversation) if conversation.last_message_at.is_none() => continue,
                        Ok(conversation) => ServerFrame::ConversationUpdated { conversation },
                        Err(switchboard::Error::NotFound(_)) => continue,
                        Err(err) => {
                            tracing::error!(error = %err, "reading an inbox item failed");
                            self.outbox
                                .push(Queued::Close(close::INTERNAL, "try again"))
                                .await;
                            return;
                        }
                    }
                }
                // Changes may have been missed: the client reloads its list when it hears
                // `inbox_subscribed` again.
                Ok(Event::Resync) | Err(RecvError::Lagged(_)) => ServerFrame::InboxSubscribed,
                Ok(_) => continue,
                Err(RecvError::Closed) => return,
            };
            if !self.outbox.push(Queued::frame(frame)).await {
                return;
            }
        }
    }
}
