//! What one post's transaction writes beside the message: the files it attaches, the note
//! that reopens an archived conversation, the reply-email window, and the event that tells
//! the other nodes, staged per transaction and written together.
use uuid::Uuid;

use super::{stored_of, Parts, Post, Stored, StoredPost};
use crate::domain::{ttl, Invalid};
use crate::error::Error;
use crate::hub::{Event, Notification, Topic};
use crate::store::emails::EmailWindow;
use crate::store::{Inserted, MessageRow, Tx};
use crate::wire::NoteKind;

impl Parts {
    /// Writes one post inside `tx`, uncommitted. A guarded post that others wrote after is
    /// refused here, after the insert took the conversation's lock and before anything is
    /// committed, so two guarded posts cannot both pass on the same view.
    /// Answers with the email windows it opened.
    pub(super) async fn stage_message(
        &self,
        tx: &mut Tx,
        post: &Post,
    ) -> Result<(Stored, u64), Error> {
        if let Some(guard) = &post.guard {
            if let Some(refusal) = tx.refusal(&post.new, guard).await? {
                return Err(refusal.into());
            }
        }
        let inserted = tx.insert_message(&post.new).await?;
        if let (Some(based_on), Inserted::New(row)) = (post.based_on_seq, &inserted) {
            let newer = tx
                .db()
                .messages_from_others(
                    &post.new.conversation_id,
                    based_on,
                    row.seq,
                    post.new.sender_kind,
                    post.new.sender_id.as_deref(),
                )
                .await?;
            if !newer.is_empty() {
                let messages = newer
                    .iter()
                    .map(MessageRow::to_message)
                    .collect::<Result<_, _>>()?;
                return Err(Error::Collision(messages));
            }
        }
        let mut staged = Staged::default();
        let stored = self
            .stage_effects(tx, post, inserted, true, &mut staged)
            .await?;
        let opened = staged.write(tx).await?;
        Ok((stored, opened))
    }

    /// What a newly stored post brings with it, inside `tx`. The event that tells the other
    /// nodes and the email window are added to `staged`, for the caller to write inside the
    /// same transaction (all of a batch's in one statement each), so they exist exactly when
    /// the message is committed. When `reopens`, a new message brings an archived conversation back, with a
    /// note that says so; when `emails`, it opens (or joins) the customer's reply-email window.
    /// `maybe_archived` is false when the conversation is known not to be archived.
    pub(super) async fn stage_effects(
        &self,
        tx: &mut Tx,
        post: &Post,
        inserted: Inserted,
        maybe_archived: bool,
        staged: &mut Staged,
    ) -> Result<Stored, Error> {
        let new = &post.new;
        Ok(match inserted {
            Inserted::New(row) => {
                if !post.attach.is_empty() {
                    let attached = tx
                        .db()
                        .attach_files(
                            &row.id,
                            row.internal,
                            &row.conversation_id,
                            (
                                &row.sender_kind,
                                row.sender_id.as_deref().unwrap_or_default(),
                            ),
                            &post.attach,
                        )
                        .await?;
                    if attached != post.attach.len() as u64 {
                        return Err(Invalid::new(
                            "attachments",
                            "a file was attached to another message meanwhile",
                        )
                        .into());
                    }
                }
                if post.reopens
                    && maybe_archived
                    && tx.db().reopen_if_archived(post.conversation_id).await?
                {
                    tx.db()
                        .insert_note(
                            &Uuid::now_v7().to_string(),
                            post.conversation_id,
                            NoteKind::Reopened.as_str(),
                            row.seq,
                            new.created_at,
                        )
                        .await?;
                }
                // A reply the customer does not read in time is emailed: the window exists
                // exactly when the reply does.
                if post.emails {
                    let delay = ttl(self.email_delay).num_milliseconds();
                    staged.windows.push(EmailWindow {
                        id: Uuid::now_v7().to_string(),
                        conversation_id: post.conversation_id,
                        seq: row.seq,
                        at: new.created_at,
                        due_at: new.created_at + delay,
                    });
                }
                let stored = StoredPost::of(row, true)?;
                let topic = Topic::Conversation(post.conversation_id);
                // The message goes along, so that the other nodes need not read it back.
                let event = Event::message(stored.message.clone());
                staged.crossings.extend(self.bus.crossing(&topic, &event));
                Some(stored)
            }
            inserted => stored_of(inserted)?,
        })
    }
}

/// What a transaction's posts bring with them, written together once they are all in.
#[derive(Default)]
pub(super) struct Staged {
    /// The events that tell the other nodes.
    pub(super) crossings: Vec<Notification>,
    /// The reply-email windows to open.
    pub(super) windows: Vec<EmailWindow>,
}

impl Staged {
    /// Writes them inside `tx`, one statement for each kind: how many windows opened.
    pub(super) async fn write(self, tx: &mut Tx) -> Result<u64, Error> {
        notify_all(tx, &self.crossings).await?;
        Ok(tx.db().open_email_windows(&self.windows).await?)
    }
}

/// Sends the notifications inside `tx`, in one statement.
pub(crate) async fn notify_all(tx: &mut Tx, crossings: &[Notification]) -> sqlx::Result<()> {
    let pairs: Vec<(&str, &str)> = crossings
        .iter()
        .map(|crossing| (crossing.channel, crossing.payload.as_str()))
        .collect();
    tx.db().notify_all(&pairs).await
}
