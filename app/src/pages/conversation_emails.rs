//! A support conversation's reply emails, as operators see them beside the chat: scheduled,
//! sent, skipped (and why), failed (and what the mail server said).

use leptos::prelude::*;
use switchboard::wire::{ConversationItem, EmailReason, EmailRecord, EmailStatus};

use crate::api::conversation_emails;
use crate::clock::time_text;
use crate::i18n::*;

/// The email history of `item`'s conversation, read in the browser once the page is live and
/// again whenever the item changes (every change to a job is published as a change to its
/// conversation). It is never part of the server render: it changes on its own clock, and a
/// history that moved between the render and hydration must not break the page.
#[component]
pub fn EmailHistory(item: RwSignal<ConversationItem>) -> impl IntoView {
    let i18n = use_i18n();
    let emails = RwSignal::new(None::<Result<Vec<EmailRecord>, ()>>);
    let id = item.get_untracked().id.to_string();
    Effect::new(move |_| {
        item.track();
        let id = id.clone();
        leptos::task::spawn_local(async move {
            emails.set(Some(conversation_emails(id).await.map_err(drop)));
        });
    });
    view! {
        <section class="email-history" aria-labelledby="emails-heading">
            <h3 id="emails-heading">{t!(i18n, emails.heading)}</h3>
            {move || match emails.get() {
                None => view! { <p class="loading">{t!(i18n, common.loading)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="hint">{t!(i18n, emails.none)}</p>
                }.into_any(),
                Some(Ok(list)) => {
                    // Reply emails go only to a confirmed address (docs/API.md).
                    let no_address = item.with(|i| {
                        i.customer
                            .as_ref()
                            .is_none_or(|c| c.email.is_none() || !c.email_verified)
                    });
                    view! {
                        <ul class="email-list">
                            {grouped(list).into_iter().map(|(record, repeats)| view! {
                                <EmailLine record repeats no_address />
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
                Some(Err(())) => view! { <p class="hint">{t!(i18n, emails.unavailable)}</p> }.into_any(),
            }}
        </section>
    }
}

/// The history with each run of skips for the same reason shown once, with how many it holds
/// (the newest of the run first): a customer who reads every reply in time would otherwise fill
/// the card with identical "Skipped: read" lines.
pub fn grouped(list: Vec<EmailRecord>) -> Vec<(EmailRecord, usize)> {
    let mut out: Vec<(EmailRecord, usize)> = Vec::new();
    for record in list {
        match out.last_mut() {
            Some((last, repeats))
                if last.status == EmailStatus::Skipped
                    && record.status == EmailStatus::Skipped
                    && last.reason == record.reason =>
            {
                *repeats += 1;
            }
            _ => out.push((record, 1)),
        }
    }
    out
}

/// One line of the history; `repeats` counts the skips it stands for, and `no_address` says
/// that a scheduled email will be skipped.
#[component]
fn EmailLine(record: EmailRecord, repeats: usize, no_address: bool) -> impl IntoView {
    let i18n = use_i18n();
    let at = time_text(record.at);
    let time = move || at.get();
    let recipient = record.recipient.clone().unwrap_or_default();
    let detail = record.detail.clone().unwrap_or_default();
    let attempts = record.attempts;
    let read = record.read_at.map(time_text);
    let read_at = move || read.map(|t| t.get()).unwrap_or_default();
    let status = match record.status {
        EmailStatus::Scheduled => "scheduled",
        EmailStatus::Sending => "sending",
        EmailStatus::Retrying => "retrying",
        EmailStatus::Sent => "sent",
        EmailStatus::Skipped => "skipped",
        EmailStatus::Failed => "failed",
    };
    let text = match (record.status, record.reason) {
        (EmailStatus::Scheduled, _) if no_address => {
            t!(i18n, emails.scheduled_no_address, time = time).into_any()
        }
        (EmailStatus::Scheduled, _) => t!(i18n, emails.scheduled, time = time).into_any(),
        (EmailStatus::Sending, _) => {
            t!(i18n, emails.sending, recipient = move || recipient.clone()).into_any()
        }
        (EmailStatus::Retrying, _) => t!(
            i18n,
            emails.retrying,
            detail = move || detail.clone(),
            time = time
        )
        .into_any(),
        (EmailStatus::Sent, _) => t!(
            i18n,
            emails.sent,
            time = time,
            recipient = move || recipient.clone()
        )
        .into_any(),
        (EmailStatus::Skipped, Some(EmailReason::Read)) => {
            t!(i18n, emails.skipped_read, time = read_at).into_any()
        }
        (EmailStatus::Skipped, Some(EmailReason::Archived)) => {
            t!(i18n, emails.skipped_archived).into_any()
        }
        (EmailStatus::Skipped, Some(EmailReason::NoEmail)) => {
            t!(i18n, emails.skipped_no_email).into_any()
        }
        (EmailStatus::Skipped, Some(EmailReason::Unsubscribed)) => {
            t!(i18n, emails.skipped_unsubscribed).into_any()
        }
        (EmailStatus::Skipped, _) => t!(i18n, emails.skipped_covered).into_any(),
        (EmailStatus::Failed, Some(EmailReason::GaveUp)) => t!(
            i18n,
            emails.failed_gave_up,
            detail = move || detail.clone(),
            count = move || attempts
        )
        .into_any(),
        (EmailStatus::Failed, _) => {
            t!(i18n, emails.failed, detail = move || detail.clone()).into_any()
        }
    };
    view! {
        <li class=format!("email-line email-{status}") data-status=status>
            {text}
            {(repeats > 1).then(|| view! { " " <span class="muted">{format!("×{repeats}")}</span> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;

    fn record(n: u128, status: EmailStatus, reason: Option<EmailReason>) -> EmailRecord {
        EmailRecord {
            id: Uuid::from_u128(n),
            status,
            at: Utc.with_ymd_and_hms(2026, 12, 4, 10, n as u32, 0).unwrap(),
            reason,
            recipient: None,
            replies: 1,
            read_at: None,
            detail: None,
            attempts: 0,
        }
    }

    #[test]
    fn a_run_of_skips_for_one_reason_shows_once_with_its_count_and_nothing_else_merges() {
        let read = Some(EmailReason::Read);
        let list = vec![
            record(6, EmailStatus::Scheduled, None),
            record(5, EmailStatus::Skipped, read),
            record(4, EmailStatus::Skipped, read),
            record(3, EmailStatus::Skipped, read),
            record(2, EmailStatus::Sent, None),
            record(1, EmailStatus::Skipped, read),
            record(0, EmailStatus::Skipped, Some(EmailReason::Archived)),
        ];
        let shown: Vec<(u128, usize)> = grouped(list)
            .into_iter()
            .map(|(r, n)| (r.id.as_u128(), n))
            .collect();
        assert_eq!(shown, vec![(6, 1), (5, 3), (2, 1), (1, 1), (0, 1)]);
    }
}
