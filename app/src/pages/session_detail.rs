//! One session: status, time left on the link, "New link" and "End session".

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_params_map;
use switchboard::domain::REPORT_MAX_CHARS;
use switchboard::wire::{ErrorCode, SessionOutcome, SessionStatus};

use super::sessions::outcome_text;
use super::transcript::TranscriptForm;
use crate::api::{get_session, EndSession, RotateLink, SessionView};
use crate::chat::SessionChatPanel;
use crate::clock::Time;
use crate::components::{
    ConfirmSubmit, ErrorAlert, Fold, GuestLinkBox, OperatorShell, StatusBadge, TimeLeft,
};
use crate::i18n::*;
use crate::load::load;
use crate::post_form::PostForm;
use crate::realtime::{ChatState, Party};

/// `/sessions/:id`.
#[component]
pub fn SessionDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let end = ServerAction::<EndSession>::new();
    let rotate = ServerAction::<RotateLink>::new();
    let session = load(
        move || (id(), end.version().get(), rotate.version().get()),
        |(id, _, _)| get_session(id),
    );
    view! {
        <OperatorShell>
            <p class="back"><A href="/sessions">{t!(i18n, detail.back)}</A></p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(view) => view! { <SessionDetail view end rotate /> }.into_any(),
                        Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) if error.code == ErrorCode::NotFound => view! {
                            <Title text=t_string!(i18n, errors.not_found).to_owned() />
                            <h1>{t!(i18n, errors.not_found)}</h1>
                            <p>{t!(i18n, detail.not_found)}</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error /> }.into_any(),
                    }
                })}
            </Transition>
        </OperatorShell>
    }
}

#[component]
fn SessionDetail(
    view: SessionView,
    end: ServerAction<EndSession>,
    rotate: ServerAction<RotateLink>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = view.session.clone();
    let now = use_ticking_clock(view.now);
    let ended = session.status == SessionStatus::Ended;
    let title = session.title.clone();
    let heading = title.clone();
    let session_id = session.id.to_string();
    let report = session.report.clone();
    view! {
        <Title text=title.unwrap_or_else(|| t_string!(i18n, sessions.untitled).to_owned()) />
        <h1 class="page-title">{match heading {
            Some(text) => text.into_any(),
            None => t!(i18n, sessions.untitled).into_any(),
        }}</h1>
        <div class="chat-layout">
            <Fold summary=view! { <h2>{t!(i18n, detail.details)}</h2> }.into_any()>
                <dl class="facts">
                    <div>
                        <dt>{t!(i18n, sessions.status)}</dt>
                        <dd><StatusBadge status=session.status /></dd>
                    </div>
                    <div>
                        <dt>{t!(i18n, detail.created_at)}</dt>
                        <dd><Time at=session.created_at /></dd>
                    </div>
                    {match session.ended_at {
                        Some(ended_at) => view! {
                            <div>
                                <dt>{t!(i18n, detail.ended_at)}</dt>
                                <dd><Time at=ended_at /></dd>
                            </div>
                            {session.outcome.map(|o| view! {
                                <div>
                                    <dt>{t!(i18n, sessions.outcome)}</dt>
                                    <dd class=format!("outcome {}", o.as_str())>{move || outcome_text(i18n, o)}</dd>
                                </div>
                            })}
                            {report.clone().map(|report| view! {
                                <div>
                                    <dt>{t!(i18n, detail.report)}</dt>
                                    <dd class="report user-text" dir="auto">{report}</dd>
                                </div>
                            })}
                        }.into_any(),
                        None => view! {
                            <div>
                                <dt>{t!(i18n, detail.expires_in)}</dt>
                                <dd class="time-left">
                                    <TimeLeft until=session.expires_at now />
                                </dd>
                            </div>
                        }.into_any(),
                    }}
                </dl>
                {move || match rotate.value().get() {
                    Some(Ok(link)) => view! {
                        <div class="created" role="status">
                            <p>{t!(i18n, detail.new_link)}</p>
                            <GuestLinkBox url=link.guest_url />
                        </div>
                    }.into_any(),
                    Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                    None => ().into_any(),
                }}
                {move || end.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error /> })}
                {(!ended).then(|| {
                    let id_for_end = session_id.clone();
                    let id_for_rotate = session_id.clone();
                    view! {
                        <section class="actions" aria-label=move || t_string!(i18n, detail.actions)>
                            <PostForm action=rotate>
                                <input type="hidden" name="id" value=id_for_rotate />
                                <ConfirmSubmit class="secondary"
                                    label=Signal::derive(move || t_string!(i18n, detail.rotate).to_owned())
                                    question=Signal::derive(move || t_string!(i18n, detail.rotate_confirm).to_owned()) />
                                <p class="hint">{t!(i18n, detail.rotate_hint)}</p>
                            </PostForm>
                            <PostForm action=end attr:class="end-form">
                                <input type="hidden" name="id" value=id_for_end />
                                <fieldset class="outcomes">
                                    <legend>{t!(i18n, detail.outcome_question)}</legend>
                                    {SessionOutcome::ALL.map(|o| {
                                        let id = format!("outcome-{}", o.as_str());
                                        view! {
                                            <label class="check">
                                                <input type="radio" id=id name="outcome" value=o.as_str()
                                                    checked=o == SessionOutcome::Unknown />
                                                {move || outcome_text(i18n, o)}
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                                <div class="field">
                                    <label for="end-report">{t!(i18n, detail.report)}</label>
                                    <textarea id="end-report" name="report" rows="3" maxlength=REPORT_MAX_CHARS.to_string()
                                        aria-describedby="end-report-hint"></textarea>
                                    <p id="end-report-hint" class="hint">{t!(i18n, detail.report_hint)}</p>
                                </div>
                                <ConfirmSubmit class="danger"
                                    label=Signal::derive(move || t_string!(i18n, detail.end).to_owned())
                                    question=Signal::derive(move || t_string!(i18n, detail.end_confirm).to_owned()) />
                                <p class="hint">{t!(i18n, detail.end_hint)}</p>
                            </PostForm>
                        </section>
                    }
                })}
                <TranscriptForm conversation_id=session.conversation_id />
            </Fold>
            <SessionChatPanel
                party=Party::Operator
                conversation_id=session.conversation_id
                state=ChatState::new(ended)
                visible=Signal::derive(|| true)
                me=view.me
            />
        </div>
    }
}

/// A clock that starts at the server's time (so the first render matches the server's HTML) and
/// then, in the browser, moves on every 15 seconds.
fn use_ticking_clock(server_now: DateTime<Utc>) -> Signal<DateTime<Utc>> {
    let now = RwSignal::new(server_now);
    #[cfg(feature = "hydrate")]
    {
        let offset = Utc::now().signed_duration_since(server_now);
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(Utc::now() - offset),
            std::time::Duration::from_secs(15),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    now.into()
}
