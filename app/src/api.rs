//! Server functions: the UI's doors into the engine. Each one parses, calls one use case and
//! returns; the REST API in `server` calls the same use cases.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard::wire::{GuestLink, Operator, Session};

use crate::error::AppError;

/// A session as a page shows it, with the server's clock so the first render of a countdown is
/// the same on the server and in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// The server's time when it answered.
    #[serde(with = "switchboard::wire::time")]
    pub now: DateTime<Utc>,
    /// The signed-in operator's name (their own messages say "You"); none for a guest.
    #[serde(default)]
    pub me: Option<String>,
}

/// Sessions for one tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionListView {
    /// Newest first.
    pub sessions: Vec<Session>,
    /// Unread guest messages per session id (sessions with none are left out).
    pub unread: std::collections::HashMap<uuid::Uuid, i64>,
    /// The server's time when it answered.
    #[serde(with = "switchboard::wire::time")]
    pub now: DateTime<Utc>,
}

/// A new session and its guest link, as the sessions page gets them. The REST answer
/// ([`CreatedSession`](switchboard::wire::CreatedSession)) puts the link's fields beside the
/// session's, which serde reads through a buffer of its own and a second reader of every type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSession {
    /// The session.
    pub session: Session,
    /// Its guest link, shown once.
    pub link: GuestLink,
}

mod desk;
mod history;
mod records;
mod team;
pub use desk::*;
pub use history::*;
pub use records::*;
pub use team::*;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::{HeaderMap, StatusCode};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use switchboard::wire::{ErrorCode, Operator};
    use switchboard::Engine;
    use uuid::Uuid;

    use crate::error::AppError;
    use crate::ServerContext;

    /// The engine from the request's context.
    pub fn engine() -> Result<Engine, AppError> {
        use_context::<ServerContext>()
            .map(|ctx| ctx.engine)
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "server context is missing"))
    }

    /// The signed-in operator, or `unauthorized`.
    pub async fn signed_in() -> Result<Operator, AppError> {
        Ok(signed_in_with_token().await?.0)
    }

    /// The signed-in operator and their sign-in's cookie value, or `unauthorized`.
    pub async fn signed_in_with_token() -> Result<(Operator, switchboard::auth::Token), AppError> {
        let headers: HeaderMap = leptos_axum::extract().await?;
        let token = crate::cookies::session_token(&engine()?, &headers)
            .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "sign in first"))?;
        let operator = engine()?.authenticate_operator(&token).await?;
        Ok((operator, token))
    }

    /// The reader's language, for the emails a request sends.
    pub async fn locale() -> Option<switchboard::domain::Locale> {
        let headers: HeaderMap = leptos_axum::extract().await.ok()?;
        let shown = crate::error_page::request_locale(&headers, None);
        switchboard::domain::Locale::parse(crate::error_page::tag(shown))
    }

    /// Signs the browser in with `session` (an accepted invitation, a reset password) and
    /// sends it to the inbox.
    pub fn sign_in_and_go(engine: &Engine, session: &switchboard::auth::Token) {
        let response = expect_context::<ResponseOptions>();
        response.append_header(
            axum::http::header::SET_COOKIE,
            crate::cookies::session_cookie(engine, session),
        );
        leptos_axum::redirect("/inbox");
    }

    /// The client's address, for rate limits, as the server's middleware worked it out (behind
    /// a trusted proxy, from `X-Forwarded-For`).
    pub fn client_addr() -> String {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<crate::ClientIp>().cloned())
            .map_or_else(|| "unknown".to_owned(), |ip| ip.0)
    }

    /// Where the request came from: the client's address and its User-Agent.
    pub fn requester() -> switchboard::Requester {
        let user_agent = use_context::<axum::http::request::Parts>().and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        switchboard::Requester::new(client_addr(), user_agent.as_deref())
    }

    /// Gives the page or response the HTTP status that goes with an error.
    pub fn set_status_for(err: &AppError) {
        if let Some(response) = use_context::<ResponseOptions>() {
            if let Ok(status) = StatusCode::from_u16(err.code.http_status()) {
                response.set_status(status);
            }
        }
    }

    /// A conversation id from a page URL; one that is not a UUID names nothing.
    pub fn conversation_id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw)
            .map_err(|_| AppError::new(ErrorCode::NotFound, "conversation not found"))
    }

    /// A session id from a page URL; one that is not a UUID names nothing.
    pub fn session_id(raw: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(raw).map_err(|_| AppError::new(ErrorCode::NotFound, "session not found"))
    }
}

/// Signs an operator in and sends them to the sessions page.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use axum::http::header::SET_COOKIE;
    let engine = ssr::engine()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    let device = crate::cookies::device_token(&engine, &headers);
    // No status is set on failure: a form posted without JavaScript must get the redirect back
    // to the page, which then shows the error.
    let signed_in = engine
        .login(&email, &password, &ssr::requester(), device.as_ref())
        .await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    for cookie in crate::cookies::signed_in_cookies(&engine, &signed_in) {
        response.append_header(SET_COOKIE, cookie);
    }
    leptos_axum::redirect("/sessions");
    Ok(())
}

/// Signs the operator out and sends them to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use axum::http::header::SET_COOKIE;
    let engine = ssr::engine()?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    // Without a session there is nothing to end, and nothing is changed.
    if let Some(token) = crate::cookies::session_token(&engine, &headers) {
        engine.logout(&token, &ssr::requester()).await?;
        expect_context::<leptos_axum::ResponseOptions>()
            .append_header(SET_COOKIE, crate::cookies::cleared_session_cookie(&engine));
    }
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in operator and their preferences, or `None`.
#[server(endpoint = "me")]
pub async fn current_operator() -> Result<Option<switchboard::wire::Me>, AppError> {
    match ssr::signed_in().await {
        Ok(operator) => Ok(Some(ssr::engine()?.me(&operator).await?)),
        Err(err) if err.code == switchboard::wire::ErrorCode::Unauthorized => Ok(None),
        Err(err) => Err(err),
    }
}

/// The sessions of one tab (`open` or `ended`), the ended ones of one outcome when given.
#[server(endpoint = "sessions")]
pub async fn list_sessions(status: String, outcome: String) -> Result<SessionListView, AppError> {
    ssr::signed_in().await?;
    let filter = switchboard::domain::SessionFilter::parse(Some(&status))?;
    let outcome = switchboard::domain::parse_outcome(Some(&outcome))?;
    let engine = ssr::engine()?;
    let sessions = engine.list_sessions(filter, outcome).await?;
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
    let unread = engine.unread_by_session(&ids).await?;
    Ok(SessionListView {
        sessions,
        unread,
        now: engine.now(),
    })
}

/// Creates a session; the answer carries its guest link, shown once.
#[server(endpoint = "sessions/create")]
pub async fn create_session(title: String) -> Result<NewSession, AppError> {
    let operator = ssr::signed_in().await?;
    let title = switchboard::domain::SessionTitle::parse(&title)?;
    let (session, link) = ssr::engine()?.create_session(&operator, title).await?;
    Ok(NewSession { session, link })
}

/// One session, for its detail page.
#[server(endpoint = "sessions/get")]
pub async fn get_session(id: String) -> Result<SessionView, AppError> {
    let operator = ssr::signed_in().await?;
    let result =
        async { Ok::<_, AppError>(ssr::engine()?.session(ssr::session_id(&id)?).await?) }.await;
    let session = result.inspect_err(ssr::set_status_for)?;
    Ok(SessionView {
        session,
        now: ssr::engine()?.now(),
        me: Some(operator.name),
    })
}

/// Ends a session with its report: the outcome, and notes (may be blank).
#[server(endpoint = "sessions/end")]
pub async fn end_session(id: String, outcome: String, report: String) -> Result<Session, AppError> {
    ssr::signed_in().await?;
    let report = switchboard::domain::SessionReport::parse(Some(&outcome), Some(&report))?;
    Ok(ssr::engine()?
        .end_session(ssr::session_id(&id)?, Some(report))
        .await?)
}

/// Replaces a session's guest link; the old one stops working at once.
#[server(endpoint = "sessions/rotate_link")]
pub async fn rotate_link(id: String) -> Result<GuestLink, AppError> {
    ssr::signed_in().await?;
    let (_, link) = ssr::engine()?.rotate_link(ssr::session_id(&id)?).await?;
    Ok(link)
}

/// A guest's link, looked at: unknown tokens answer 404 and ended sessions 410, which also
/// becomes the status of the kiosk page. Looking changes nothing (a link preview in a chat app
/// does it too); the guest joins with their first socket or message.
#[server(endpoint = "guest/visit")]
pub async fn guest_visit(token: String) -> Result<SessionView, AppError> {
    let token = switchboard::auth::Token::from_presented(&token);
    let result = async { Ok::<_, AppError>(ssr::engine()?.guest_session(&token).await?) }.await;
    let session = result.inspect_err(ssr::set_status_for)?;
    Ok(SessionView {
        session,
        now: ssr::engine()?.now(),
        me: None,
    })
}

/// One inbox page as the inbox shows it, with the server's clock for relative times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxView {
    /// Newest activity first.
    pub conversations: Vec<switchboard::wire::ConversationItem>,
    /// The server's time when it answered.
    #[serde(with = "switchboard::wire::time")]
    pub now: DateTime<Utc>,
}

/// One page of the inbox: `status` is `active` or `archived`; `before` (RFC 3339, may be
/// empty) asks for the page after the item with that time; `assignee` is `me`, `none` or empty
/// (everyone's), `label` a label id or empty.
#[server(endpoint = "inbox")]
pub async fn inbox_page(
    status: String,
    before: String,
    assignee: String,
    label: String,
) -> Result<InboxView, AppError> {
    let me = ssr::signed_in().await?;
    let query = switchboard::domain::InboxQuery::parse(Some(&status), None, None, Some(&before))?
        .filtered(Some(&assignee), Some(&label), me.id)?;
    let engine = ssr::engine()?;
    Ok(InboxView {
        conversations: engine.inbox(&query).await?,
        now: engine.now(),
    })
}

/// One conversation's list item (for a live update that needs it again).
#[server(endpoint = "inbox/item")]
pub async fn inbox_item(id: String) -> Result<switchboard::wire::ConversationItem, AppError> {
    ssr::signed_in().await?;
    Ok(ssr::engine()?
        .inbox_item(ssr::conversation_id(&id)?)
        .await?)
}

/// Opens a conversation for the signed-in operator, which marks it viewed.
#[server(endpoint = "inbox/open")]
pub async fn open_conversation(
    id: String,
    at_seq: Option<i64>,
) -> Result<(switchboard::wire::ConversationDetail, Operator), AppError> {
    let operator = ssr::signed_in().await?;
    let result = async {
        Ok::<_, AppError>(
            ssr::engine()?
                .open_conversation(&operator, ssr::conversation_id(&id)?, at_seq)
                .await?,
        )
    }
    .await;
    let detail = result.inspect_err(ssr::set_status_for)?;
    Ok((detail, operator))
}

/// Archives or restores a conversation.
#[server(endpoint = "inbox/archive")]
pub async fn set_archived(
    id: String,
    archived: bool,
) -> Result<switchboard::wire::ConversationItem, AppError> {
    ssr::signed_in().await?;
    Ok(ssr::engine()?
        .set_archived(ssr::conversation_id(&id)?, archived)
        .await?)
}

/// How many support conversations hold something operators have not read.
#[server(endpoint = "inbox/unread")]
pub async fn unread_conversations() -> Result<i64, AppError> {
    ssr::signed_in().await?;
    Ok(ssr::engine()?.unread_conversations().await?)
}

/// The widget's settings and this server's address, for the dashboard's Widget page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetSetupView {
    /// The settings in force (the secret included: only operators see this).
    pub settings: switchboard::wire::WidgetSettings,
    /// The server's public URL.
    pub public_url: String,
    /// How the widget looks.
    pub appearance: switchboard::wire::WidgetAppearance,
}

/// The widget's settings, for operators.
#[server(endpoint = "widget/setup")]
pub async fn widget_setup() -> Result<WidgetSetupView, AppError> {
    let operator = ssr::signed_in().await?;
    let engine = ssr::engine()?;
    Ok(WidgetSetupView {
        settings: engine.widget_settings(&operator).await?,
        public_url: engine.config().public_url.clone(),
        appearance: engine.widget_appearance().await?,
    })
}

/// The widget's appearance. Anyone may read it: every visitor of the host site sees it.
#[server(endpoint = "widget/appearance")]
pub async fn widget_appearance() -> Result<switchboard::wire::WidgetAppearance, AppError> {
    Ok(ssr::engine()?.widget_appearance().await?)
}

/// Saves the widget's appearance, for operators.
#[server(endpoint = "widget/appearance/save")]
pub async fn save_widget_appearance(
    appearance: switchboard::wire::WidgetAppearance,
) -> Result<switchboard::wire::WidgetAppearance, AppError> {
    let operator = ssr::signed_in().await?;
    let appearance =
        switchboard::domain::Appearance::parse(&appearance).map_err(switchboard::Error::from)?;
    Ok(ssr::engine()?
        .set_widget_appearance(&operator, appearance, &ssr::requester())
        .await?)
}

/// A conversation's reply emails, newest first, for operators.
#[server(endpoint = "inbox/emails")]
pub async fn conversation_emails(
    id: String,
) -> Result<Vec<switchboard::wire::EmailRecord>, AppError> {
    ssr::signed_in().await?;
    Ok(ssr::engine()?
        .email_history(ssr::conversation_id(&id)?)
        .await?)
}

/// Whether a confirmation link was used already.
#[server(endpoint = "email/confirmation")]
pub async fn email_confirmation(link: String) -> Result<bool, AppError> {
    let result = async { Ok::<_, AppError>(ssr::engine()?.email_confirmation(&link).await?) }.await;
    result.inspect_err(ssr::set_status_for)
}

/// Whether the customer of an unsubscribe link gets reply emails.
#[server(endpoint = "email/subscription")]
pub async fn email_subscription(link: String) -> Result<bool, AppError> {
    let result = async { Ok::<_, AppError>(ssr::engine()?.email_subscription(&link).await?) }.await;
    result.inspect_err(ssr::set_status_for)
}
