//! Switchboard's Leptos UI: the operator dashboard and the guest kiosk, rendered on the server
//! and hydrated in the browser. Pages call the engine only through the server functions in
//! [`api`].

#![recursion_limit = "512"]

pub mod api;
pub mod chat;
pub mod clock;
pub mod components;
pub mod error;
pub mod form_inputs;
pub mod inbox_feed;
pub mod language;
pub mod load;
pub mod pages;
#[cfg(any(feature = "hydrate", all(test, feature = "ssr")))]
pub mod plural_rules;
pub mod post_form;
pub mod realtime;
#[cfg(feature = "dashboard")]
pub mod routes;
pub mod sound;
pub mod ui_strings;
pub mod visitor_strings;
pub mod widget;

#[cfg(feature = "ssr")]
pub mod cookies;
#[cfg(feature = "ssr")]
pub mod error_page;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::i18n::*;
use crate::pages::NotFound;
#[cfg(feature = "dashboard")]
use crate::{
    pages::{Home, LoginPage, NoConversation},
    routes::*,
};
#[cfg(feature = "dashboard")]
use leptos_router::{components::ParentRoute, Lazy};

/// What server functions need from the server, provided as context on every request.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct ServerContext {
    /// The use cases.
    pub engine: switchboard::Engine,
    /// Where the visitors' light client's files are named, when the build made one; without it
    /// the pages it drives load no script (they work as they do without JavaScript).
    pub lite_bundle: Option<LeptosOptions>,
    /// Which wasm chunks each lazy page needs, when the server knows it better than Leptos:
    /// Leptos reads the split manifest from the site's folder, and a site inside the binary
    /// has none.
    pub split_manifest: Option<leptos::WasmSplitManifest>,
}

/// The HTML document around the app.
#[cfg(feature = "dashboard")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let hydrating = hydration_options(&options);
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                {hydrating.map(|options| view! { <HydrationScripts options /> })}
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The site settings that name the bundle that runs this page: the dashboard's, or the
/// visitors' light client for the pages it drives, or none when the build made none (the
/// dashboard's would hydrate them, but their render carries what only the light client reads).
///
/// A page the dashboard's bundle does not run must not have its wasm chunks preloaded, though
/// the dashboard's lazy routes rendered it: Leptos lists the chunks of every lazy route a render
/// went through (in a context the integration provides), and here that list is shadowed by one
/// nobody reads.
#[cfg(feature = "dashboard")]
fn hydration_options(options: &LeptosOptions) -> Option<LeptosOptions> {
    #[cfg(feature = "ssr")]
    {
        let context = use_context::<ServerContext>();
        let chosen = match Bundle::of_this_page() {
            Bundle::Dashboard => return Some(options.clone()),
            Bundle::VisitorLite => context.and_then(|c| c.lite_bundle),
        };
        provide_context(leptos::PrefetchLazyFn::default());
        chosen
    }
    #[cfg(not(feature = "ssr"))]
    Some(options.clone())
}

/// This response's CSP nonce, chosen by the server's security middleware before rendering and
/// carried in the request's extensions. The middleware also writes the policy header, so the
/// header and the page's scripts always agree.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The client's address as the server's middleware worked it out (the peer, or behind a
/// trusted proxy the address it names), carried in the request's extensions.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// Where a page render leaves its reactive owner for the server, which pauses it once the page
/// is rendered (see `server::startup::finish_renders`). The request's extensions carry it.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Default)]
pub struct RenderOwner(pub std::sync::Arc<std::sync::Mutex<Option<Owner>>>);

#[cfg(feature = "ssr")]
impl RenderOwner {
    /// Pauses the render's effects: an isomorphic effect whose first run is still queued on
    /// another worker then skips it, instead of reading signals that the end of the response
    /// is about to dispose.
    pub fn pause(&self) {
        if let Some(owner) = self.0.lock().ok().and_then(|mut slot| slot.take()) {
            owner.pause();
        }
    }
}

/// Provides what server functions and pages need on every request: the server context, and the
/// middleware's nonce in place of the one Leptos generated.
#[cfg(feature = "ssr")]
pub fn provide_server_context(context: ServerContext) {
    if let Some(manifest) = context.split_manifest.clone() {
        provide_context(manifest);
    }
    provide_context(context);
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        if let Some(RenderOwner(slot)) = parts.extensions.get::<RenderOwner>() {
            if let Ok(mut slot) = slot.lock() {
                *slot = Owner::current();
            }
        }
    }
}

/// The app: language context, document metadata and every page's route. The dashboard's
/// bundle hydrates it.
#[cfg(feature = "dashboard")]
#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/sessions") view={Lazy::<SessionsRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/sessions/:id") view={Lazy::<SessionDetailRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/support/guest/:token") view={Lazy::<GuestKioskRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("/inbox") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view=NoConversation />
                    <Route path=path!(":id") view={Lazy::<ConversationRoute>::new()} />
                </ParentRoute>
                <Route path=path!("/search") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/conversations/:id/print") view={Lazy::<PrintRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/library") view={Lazy::<LibraryRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/settings/widget") view={Lazy::<WidgetSetupRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/team") view={Lazy::<TeamRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/customers") view={Lazy::<CustomersRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view={Lazy::<InviteRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/reset/:token") view={Lazy::<ResetRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/widget") view={Lazy::<WidgetRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/chat/:link") view={Lazy::<HostedChatRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/email/unsubscribe/:link") view={Lazy::<UnsubscribeRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/email/confirm/:link") view={Lazy::<ConfirmEmailRoute>::new()} ssr=SsrMode::Async />
            </Routes>
        </AppFrame>
    }
}

/// What every page sits in: document metadata, the reader's clock, the language and the
/// router around `children` (the routes). The dashboard's entry point marks the page live once
/// its lazy routes hydrated.
#[component]
fn AppFrame(children: Children) -> impl IntoView {
    provide_meta_context();
    clock::ReaderClock::provide();
    view! {
        <LanguageContext>
            <AppTitle />
            <Router>{children()}</Router>
        </LanguageContext>
    }
}

/// The language context around `children`, and the page's language's strings for the browser
/// ([`ui_strings::UiStrings`]); on the server, with the language cookie's options
/// ([`language::cookie_options`]), which only the server uses.
#[component]
fn LanguageContext(children: Children) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let context = view! {
        <I18nContextProvider cookie_options=language::cookie_options()>
            <ui_strings::UiStrings />
            {children()}
        </I18nContextProvider>
    };
    #[cfg(not(feature = "ssr"))]
    let context = view! {
        <I18nContextProvider>
            <ui_strings::UiStrings />
            {children()}
        </I18nContextProvider>
    };
    context
}

/// Marks the page live (`data-hydrated` on `<body>`) for tests and curious people in devtools:
/// an effect runs only in the browser, once the view it was created in has hydrated.
pub fn mark_when_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Which wasm bundle hydrates a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// Every page ([`App`]): the dashboard's.
    Dashboard,
    /// The guest's kiosk, the widget and the hosted chat page: the visitors' light client
    /// (crate `visitor_lite`), no hydration.
    VisitorLite,
}

impl Bundle {
    /// The bundle of the page at `path`: [`Bundle::VisitorLite`] for exactly the kiosk's, the
    /// widget's and the hosted chat's routes.
    pub fn for_path(path: &str) -> Self {
        let one_segment_under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        };
        if one_segment_under("/support/guest/") || path == "/widget" || one_segment_under("/chat/")
        {
            Self::VisitorLite
        } else {
            Self::Dashboard
        }
    }

    /// The bundle of the page the server is rendering (from the request's path).
    #[cfg(feature = "ssr")]
    pub fn of_this_page() -> Self {
        let path = use_context::<axum::http::request::Parts>()
            .map(|parts| parts.uri.path().to_owned())
            .unwrap_or_default();
        Self::for_path(&path)
    }

    /// The name of its built files (`pkg/<name>.<hash>.wasm`).
    pub fn output_name(self) -> &'static str {
        match self {
            Self::Dashboard => "switchboard",
            Self::VisitorLite => "visitor_lite",
        }
    }
}

/// "Page – Switchboard" for every page's `<Title>`.
#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    // Titles are plain strings, never signals: leptos_meta renders them after the page's
    // reactive owner is gone, and reading a signal there panics under concurrent load.
    let app_name = t_string!(i18n, app.name).to_owned();
    view! { <Title formatter=move |text: String| {
        let title = if text.is_empty() { app_name.clone() } else { format!("{text} – {app_name}") };
        escape_for_ssr(title)
    } /> }
}

/// leptos_meta 0.8 writes the server-rendered `<title>` without escaping it, and titles carry
/// operator-chosen text; escape it there. In the browser the title is set as plain text.
fn escape_for_ssr(text: String) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn each_page_names_the_bundle_that_runs_it() {
        assert_eq!(Bundle::for_path("/support/guest/abc"), Bundle::VisitorLite);
        assert_eq!(Bundle::for_path("/widget"), Bundle::VisitorLite);
        assert_eq!(Bundle::for_path("/chat/xyz"), Bundle::VisitorLite);
        for dashboard in [
            "/",
            "/sessions",
            "/support/guest/",
            "/support/guest/a/b",
            "/chat/",
        ] {
            assert_eq!(
                Bundle::for_path(dashboard),
                Bundle::Dashboard,
                "{dashboard}"
            );
        }
        assert_eq!(Bundle::VisitorLite.output_name(), "visitor_lite");
    }
}
