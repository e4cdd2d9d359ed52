//! The sessions list: "Open" and "Ended" tabs, and the "New session" form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;
use switchboard::domain::SessionFilter;

use switchboard::wire::{ConversationKind, ErrorCode, Session, SessionOutcome};
use uuid::Uuid;

use crate::api::{list_sessions, CreateSession};
use crate::clock::Time;
use crate::components::{ErrorAlert, GuestLinkBox, OperatorShell, StatusBadge};
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::load::load;
use crate::post_form::PostForm;

/// `/`: the dashboard's start is the sessions list (or the sign-in page, via the shell).
#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path="/sessions" /> }
}

/// `/sessions?tab=open|ended`.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateSession>::new();
    view! {
        <Title text=t_string!(i18n, sessions.title).to_owned() />
        <OperatorShell>
            <h1>{t!(i18n, sessions.title)}</h1>
            <NewSessionForm create />
            <SessionTabs created=create.version().into() />
        </OperatorShell>
    }
}

#[component]
fn NewSessionForm(create: ServerAction<CreateSession>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = create.pending();
    view! {
        <section class="card new-session" aria-labelledby="new-session-heading">
            <h2 id="new-session-heading">{t!(i18n, sessions.new_heading)}</h2>
            <PostForm action=create>
                <div class="field inline">
                    <label for="title">{t!(i18n, sessions.title_label)}</label>
                    <input id="title" name="title" type="text" maxlength="120"
                        placeholder=move || t_string!(i18n, sessions.title_placeholder) />
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() {
                            t_string!(i18n, sessions.creating)
                        } else {
                            t_string!(i18n, sessions.create)
                        }}
                    </button>
                </div>
            </PostForm>
            {move || match create.value().get() {
                Some(Ok(created)) => view! {
                    <div class="created" role="status">
                        <p>{t!(i18n, sessions.created)}</p>
                        <GuestLinkBox url=created.link.guest_url />
                        <p><a href=format!("/sessions/{}", created.session.id)>{t!(i18n, sessions.view)}</a></p>
                    </div>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// The tabs and the list; `created` changes whenever a session is created, to refetch.
#[component]
fn SessionTabs(created: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        SessionFilter::parse(query.read().get("tab").as_deref()).unwrap_or_default()
    });
    // Ended sessions of one outcome (`?tab=ended&outcome=resolved`).
    let outcome = Memo::new(move |_| {
        (filter.get() == SessionFilter::Ended)
            .then(|| {
                query
                    .read()
                    .get("outcome")
                    .and_then(|o| SessionOutcome::parse(&o))
            })
            .flatten()
    });
    // A session's chat changed (a guest wrote, an operator read): the list loads again, so
    // its unread pills are live like the navigation's count.
    let changes = RwSignal::new(0u32);
    if let Some(feed) = use_context::<InboxFeed>() {
        Effect::new(move |subscribed_before: Option<u32>| {
            let session_chat = feed.latest.with(|item| {
                item.as_ref()
                    .is_some_and(|i| i.kind == ConversationKind::Session)
            });
            let subscriptions = feed.subscriptions.get();
            if session_chat || subscribed_before.is_some_and(|before| before != subscriptions) {
                changes.update(|n| *n += 1);
            }
            subscriptions
        });
    }
    let sessions = load(
        move || (filter.get(), outcome.get(), created.get(), changes.get()),
        |(filter, outcome, _, _)| {
            list_sessions(
                filter.as_str().to_owned(),
                outcome.map_or("", SessionOutcome::as_str).to_owned(),
            )
        },
    );
    let tab = move |which: SessionFilter| {
        let label = move || match which {
            SessionFilter::Open => t_string!(i18n, sessions.tab_open),
            SessionFilter::Ended => t_string!(i18n, sessions.tab_ended),
        };
        view! {
            <A href=format!("?tab={}", which.as_str())
                attr:class=move || if filter.get() == which { "tab current" } else { "tab" }
                attr:aria-current=move || (filter.get() == which).then_some("page")>
                {label}
            </A>
        }
    };
    view! {
        <nav class="tabs" aria-label=move || t_string!(i18n, sessions.tabs)>
            {tab(SessionFilter::Open)}
            {tab(SessionFilter::Ended)}
        </nav>
        {move || (filter.get() == SessionFilter::Ended).then(|| view! { <OutcomeFilter outcome /> })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) if list.sessions.is_empty() => view! {
                        <p class="empty">{move || match filter.get() {
                            SessionFilter::Open => t_string!(i18n, sessions.empty_open),
                            SessionFilter::Ended => t_string!(i18n, sessions.empty_ended),
                        }}</p>
                    }.into_any(),
                    Ok(list) => {
                        let ended = filter.get_untracked() == SessionFilter::Ended;
                        view! { <SessionTable sessions=list.sessions unread=list.unread ended /> }.into_any()
                    }
                    Err(error) if error.code == ErrorCode::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Links to the ended sessions of each outcome, the current one marked.
#[component]
fn OutcomeFilter(outcome: Memo<Option<SessionOutcome>>) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |which: Option<SessionOutcome>| {
        let href = match which {
            Some(o) => format!("?tab=ended&outcome={}", o.as_str()),
            None => "?tab=ended".to_owned(),
        };
        let label = move || match which {
            None => t_string!(i18n, sessions.all_outcomes),
            Some(o) => outcome_text(i18n, o),
        };
        view! {
            // A plain link: the router's own marks every link to this page as current.
            <a href=href aria-current=move || (outcome.get() == which).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="outcome-filter" aria-label=move || t_string!(i18n, sessions.outcome_filter)>
            {link(None)}
            {SessionOutcome::ALL.map(|o| link(Some(o))).collect_view()}
        </nav>
    }
}

/// An outcome in words of the current language.
pub(super) fn outcome_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    outcome: SessionOutcome,
) -> &'static str {
    match outcome {
        SessionOutcome::Resolved => t_string!(i18n, sessions.outcome_resolved),
        SessionOutcome::Unresolved => t_string!(i18n, sessions.outcome_unresolved),
        SessionOutcome::Unknown => t_string!(i18n, sessions.outcome_unknown),
    }
}

/// How long a guest was there: from joining to the end, in minutes (none if nobody joined).
fn duration_minutes(session: &Session) -> Option<i64> {
    let (joined, ended) = (session.joined_at?, session.ended_at?);
    Some(ended.signed_duration_since(joined).num_minutes().max(0))
}

#[component]
fn GuestTime(minutes: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    match minutes {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some(m) if m < 60 => t!(i18n, sessions.duration_minutes, minutes = move || m).into_any(),
        Some(m) => {
            let (hours, minutes) = (m / 60, m % 60);
            t!(
                i18n,
                sessions.duration_hours,
                hours = move || hours,
                minutes = move || minutes
            )
            .into_any()
        }
    }
}

#[component]
fn SessionTable(sessions: Vec<Session>, unread: HashMap<Uuid, i64>, ended: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="sessions">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, sessions.session)}</th>
                    <th scope="col">{t!(i18n, sessions.status)}</th>
                    <th scope="col">{t!(i18n, sessions.created_at)}</th>
                    {ended.then(|| view! {
                        <th scope="col">{t!(i18n, sessions.outcome)}</th>
                        <th scope="col">{t!(i18n, sessions.duration)}</th>
                    })}
                </tr>
            </thead>
            <tbody>
                {sessions.into_iter().map(|session| {
                    let href = format!("/sessions/{}", session.id);
                    let title = session.title.clone();
                    let unread = unread.get(&session.id).copied().unwrap_or(0);
                    let outcome = session.outcome;
                    let minutes = duration_minutes(&session);
                    view! {
                        <tr>
                            <td>
                                <a href=href>
                                    {match title {
                                        Some(title) => view! { <bdi class="user-text">{title}</bdi> }.into_any(),
                                        None => view! { <span class="muted">{t!(i18n, sessions.untitled)}</span> }.into_any(),
                                    }}
                                </a>
                                {(unread > 0).then(|| view! {
                                    " "
                                    <span class="unread-badge">{t!(i18n, sessions.unread, count = move || unread)}</span>
                                })}
                            </td>
                            <td><StatusBadge status=session.status /></td>
                            <td><Time at=session.created_at /></td>
                            {ended.then(|| view! {
                                <td>{outcome.map(|o| view! { <span class=format!("outcome {}", o.as_str())>{move || outcome_text(i18n, o)}</span> })}</td>
                                <td><GuestTime minutes /></td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
