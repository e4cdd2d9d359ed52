//! Small components shared by several pages.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use switchboard::wire::{ErrorCode, Operator, SessionStatus};

use crate::api::{current_operator, unread_conversations, Logout};
use crate::error::AppError;
use crate::i18n::*;
use crate::inbox_feed::InboxFeed;
use crate::load::load;
use crate::post_form::PostForm;

pub use crate::language::LanguageSwitcher;

/// The translated text for an error code.
#[component]
pub fn ErrorText(code: ErrorCode) -> impl IntoView {
    let i18n = use_i18n();
    move || match code {
        ErrorCode::Invalid => t_string!(i18n, errors.invalid),
        ErrorCode::Unauthorized => t_string!(i18n, errors.unauthorized),
        ErrorCode::Forbidden => t_string!(i18n, errors.forbidden),
        ErrorCode::NotFound => t_string!(i18n, errors.not_found),
        ErrorCode::Gone => t_string!(i18n, errors.gone),
        ErrorCode::Conflict => t_string!(i18n, errors.conflict),
        ErrorCode::RateLimited => t_string!(i18n, errors.rate_limited),
        ErrorCode::PayloadTooLarge => t_string!(i18n, errors.payload_too_large),
        ErrorCode::UnsupportedMediaType => t_string!(i18n, errors.unsupported_media_type),
        ErrorCode::RequestTimeout => t_string!(i18n, errors.request_timeout),
        ErrorCode::Internal => t_string!(i18n, errors.internal),
    }
}

/// An error as an alert box.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    view! {
        <p class="alert error" role="alert">
            <ErrorText code=error.code />
        </p>
    }
}

/// A session's status as a coloured badge with words.
#[component]
pub fn StatusBadge(status: SessionStatus) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status {
        SessionStatus::Waiting => "badge waiting",
        SessionStatus::Active => "badge active",
        SessionStatus::Ended => "badge ended",
    };
    // Read in a closure, so a language switch re-renders it.
    let text = move || match status {
        SessionStatus::Waiting => t_string!(i18n, status.waiting),
        SessionStatus::Active => t_string!(i18n, status.active),
        SessionStatus::Ended => t_string!(i18n, status.ended),
    };
    view! { <span class=class>{text}</span> }
}

/// How long until `until`, in words of the current language; `None` once it has passed.
#[component]
pub fn TimeLeft(until: DateTime<Utc>, now: Signal<DateTime<Utc>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let left = until.signed_duration_since(now.get());
        let minutes = left.num_minutes();
        let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
        if left.num_seconds() <= 0 {
            None
        } else if days > 0 {
            Some(
                t!(
                    i18n,
                    time.days_hours,
                    days = move || days,
                    hours = move || hours
                )
                .into_any(),
            )
        } else if hours > 0 {
            Some(
                t!(
                    i18n,
                    time.hours_minutes,
                    hours = move || hours,
                    minutes = move || mins
                )
                .into_any(),
            )
        } else if mins > 0 {
            Some(t!(i18n, time.minutes, minutes = move || mins).into_any())
        } else {
            Some(t!(i18n, time.under_a_minute).into_any())
        }
    }
}

/// A guest link, read-only, with a copy button and the warning that it is shown once.
#[component]
pub fn GuestLinkBox(url: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="guest-link">
            <label for="guest-link">{t!(i18n, sessions.link_label)}</label>
            <div class="copy-row">
                <input id="guest-link" type="url" readonly value=url.clone() />
                <CopyButton text=url />
            </div>
            <p class="hint">{t!(i18n, sessions.link_once)}</p>
        </div>
    }
}

/// A button that copies `text` to the clipboard and then says "Copied".
#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let text = StoredValue::new(text);
    let on_copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let promise = window.navigator().clipboard().write_text(&text.get_value());
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    };
    view! {
        <button type="button" class="secondary copy" on:click=on_copy>
            {move || {
                if copied.get() {
                    t_string!(i18n, sessions.copied)
                } else {
                    t_string!(i18n, sessions.copy)
                }
            }}
        </button>
    }
}

/// Code to paste elsewhere: laid out left to right whatever the page's direction, with a Copy
/// button.
#[component]
pub fn CodeBlock(code: String) -> impl IntoView {
    view! {
        <div class="code-block" dir="ltr">
            <pre class="code"><code>{code.clone()}</code></pre>
            <CopyButton text=code />
        </div>
    }
}

/// The dashboard frame: header with navigation, the operator and sign-out, then the page. Sends
/// visitors who are not signed in to the sign-in page.
///
/// The page is built once, outside the header's `Suspense`: a `Suspend` runs its closure again
/// (on the server, `Suspense` re-resolves its children to find their loads), and a page built in
/// there would create its resources again each time, so the server and the browser could
/// number them differently and hydration would break.
#[component]
pub fn OperatorShell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let me = load(|| (), |_| current_operator());
    let unread = load(|| (), |_| unread_conversations());
    let feed = InboxFeed::start(0);
    provide_context(feed);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let me = me.await;
                if let Ok(count) = unread.await {
                    feed.unread.set(count);
                }
                match me {
                    Ok(Some(me)) => {
                        feed.use_preferences(me.preferences);
                        let operator = me.operator;
                        view! { <OperatorHeader operator feed /> }.into_any()
                    }
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Suspense>
        <main id="main" class="dashboard">{children()}</main>
    }
}

#[component]
fn OperatorHeader(operator: Operator, feed: InboxFeed) -> impl IntoView {
    let i18n = use_i18n();
    // The dashboard shows no door a role cannot open.
    let admin = operator
        .role
        .may(switchboard::domain::Capability::ManageSettings);
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="skip" href="#main">{t!(i18n, app.skip)}</a>
            <A href="/sessions" attr:class="brand">{t!(i18n, app.name)}</A>
            <nav aria-label=move || t_string!(i18n, nav.sessions)>
                <A href="/sessions">{t!(i18n, nav.sessions)}</A>
                <A href="/inbox">
                    {t!(i18n, nav.inbox)}
                    {move || (feed.unread.get() > 0).then(|| {
                        let count = feed.unread.get();
                        view! {
                            " "
                            <span class="unread-badge">
                                <span aria-hidden="true">{count}</span>
                                <span class="visually-hidden">{t!(i18n, nav.inbox_unread, count = move || count)}</span>
                            </span>
                        }
                    })}
                </A>
                <A href="/team">{t!(i18n, nav.team)}</A>
                <A href="/library">{t!(i18n, nav.library)}</A>
                {admin.then(|| view! {
                    <A href="/settings/widget">{t!(i18n, nav.widget)}</A>
                    <A href="/customers">{t!(i18n, nav.customers)}</A>
                    <A href="/audit">{t!(i18n, nav.audit)}</A>
                })}
                // On a phone the operator's name is hidden; the account is reached from here.
                <A href="/account" attr:class="account-link">{t!(i18n, nav.account)}</A>
            </nav>
            <form method="get" action="/search" role="search" class="topbar-search">
                <label for="topbar-search" class="visually-hidden">{t!(i18n, search.field)}</label>
                <input id="topbar-search" type="search" name="q" maxlength="200" required
                    placeholder=move || t_string!(i18n, search.placeholder) />
            </form>
            <div class="spacer"></div>
            <A href="/account" attr:class="who">
                <span class="visually-hidden">{t!(i18n, nav.signed_in_as)}" "</span>
                {operator.name}
            </A>
            <LanguageSwitcher />
            <PostForm action=logout>
                <button type="submit" class="link">{t!(i18n, nav.sign_out)}</button>
            </PostForm>
        </header>
        {move || feed.alert.get().map(|alert| view! { <AlertToast alert feed /> })}
    }
}

/// A mention or an assignment, until the operator opens it or dismisses it.
#[component]
fn AlertToast(alert: crate::inbox_feed::Alert, feed: InboxFeed) -> impl IntoView {
    let i18n = use_i18n();
    let what = match alert.kind {
        switchboard::wire::AlertKind::Mention => t!(i18n, alerts.mentioned).into_any(),
        switchboard::wire::AlertKind::Assigned => t!(i18n, alerts.assigned).into_any(),
    };
    view! {
        <p class="toast" role="status">
            <bdi class="user-text">{alert.by}</bdi>" "{what}" "
            <A href=format!("/inbox/{}", alert.conversation_id) on:click=move |_| feed.alert.set(None)>
                {t!(i18n, alerts.open)}
            </A>" "
            <button type="button" class="link" on:click=move |_| feed.alert.set(None)>{t!(i18n, alerts.dismiss)}</button>
        </p>
    }
}

/// A password input with a Show button: typing a long password on a phone goes better when
/// one can see it. A `new` password says its rules under the input.
#[component]
pub fn PasswordField(
    id: &'static str,
    name: &'static str,
    label: Signal<String>,
    #[prop(optional)] new: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <div class="password-row">
                <input id=id name=name required
                    autocomplete=if new { "new-password" } else { "current-password" }
                    minlength=if new { "12" } else { "1" }
                    maxlength=if new { "256" } else { "1024" }
                    aria-describedby=new.then(|| hint_id.clone())
                    type=move || if shown.get() { "text" } else { "password" } />
                <button type="button" class="secondary" aria-controls=id
                    aria-pressed=move || shown.get().to_string()
                    on:click=move |_| shown.update(|s| *s = !*s)>
                    {t!(i18n, login.show_password)}
                </button>
            </div>
            {new.then(|| view! { <p class="hint" id=hint_id>{t!(i18n, reset.rules)}</p> })}
        </div>
    }
}

/// A submit button that asks first, for what cannot be undone. The first click shows
/// `question` with a confirm button (the form's real submit) and Cancel; focus moves to the
/// confirm button, and Escape or Cancel goes back. Put it inside the form it submits.
#[component]
pub fn ConfirmSubmit(
    /// The button's words, and the confirm button's.
    label: Signal<String>,
    /// What the user is about to do, and what follows from it.
    question: Signal<String>,
    /// "danger" or "secondary": the style of both buttons.
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let confirm = NodeRef::<leptos::html::Button>::new();
    let ask = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |was_asking: Option<bool>| {
        let now = asking.get();
        if now {
            if let Some(button) = confirm.get() {
                let _ = button.focus();
            }
        } else if was_asking == Some(true) {
            if let Some(button) = ask.get() {
                let _ = button.focus();
            }
        }
        now
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            asking.set(false);
        }
    };
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button type="button" class=class node_ref=ask on:click=move |_| asking.set(true)>
                    {move || label.get()}
                </button>
            }
        >
            <div class="confirm" role="group" on:keydown=on_keydown>
                <p class="confirm-question">{move || question.get()}</p>
                <div class="confirm-buttons">
                    <button type="submit" class=class node_ref=confirm>{move || label.get()}</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>
                        {t!(i18n, common.cancel)}
                    </button>
                </div>
            </div>
        </Show>
    }
}

/// What sits beside a chat (a session's facts, a customer's card): a disclosure that is open on
/// wide screens and folded on a phone, so that there the chat comes first. The server renders it
/// open; the browser folds it once it knows the screen is narrow.
#[component]
pub fn Fold(
    /// The always-visible line that opens and closes it.
    summary: AnyView,
    children: Children,
) -> impl IntoView {
    let open = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let narrow = web_sys::window()
            .and_then(|w| w.match_media(NARROW_SCREEN).ok().flatten())
            .is_some_and(|query| query.matches());
        if narrow {
            open.set(false);
        }
    });
    let on_toggle = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(details) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            {
                open.set(details.open());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <details class="fold card" prop:open=move || open.get() on:toggle=on_toggle>
            <summary>{summary}</summary>
            {children()}
        </details>
    }
}

/// Where the chat pages switch to their phone layout; style/main.css uses the same width.
#[cfg(feature = "hydrate")]
const NARROW_SCREEN: &str = "(max-width: 760px)";

/// A role's name in the reader's language.
pub fn role_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    role: switchboard::wire::Role,
) -> &'static str {
    match role {
        switchboard::wire::Role::Owner => t_string!(i18n, team.role_owner),
        switchboard::wire::Role::Admin => t_string!(i18n, team.role_admin),
        switchboard::wire::Role::Agent => t_string!(i18n, team.role_agent),
    }
}
