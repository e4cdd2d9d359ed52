//! The pages as lazy routes, in groups: with a split build (`cargo leptos build --split`) each
//! group's code is a wasm chunk of its own, which the browser loads when one of its pages is
//! first shown, so signing in does not download every page of the product. A group holds pages
//! that share most of their code (a chunk per page would repeat it, or cut it into many small
//! shared chunks, each a request). Without a split build they are ordinary routes that resolve
//! at once.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::pages::{
    AccountPage, AuditPage, ConfirmEmailPage, ConversationPage, CustomersPage, ForgotPage,
    GuestKiosk, HostedChatPage, InboxPage, InvitePage, LibraryPage, PrintPage, ResetPage,
    SearchPage, SessionDetailPage, SessionsPage, TeamPage, UnsubscribePage, WidgetPage,
    WidgetSetupPage,
};

/// Declares a group: `$group`, the function whose code is the group's chunk, rendering one of
/// its pages, and for each page `$page` its lazy route `$route`. `$preload` is the name
/// `#[lazy]` gives the function that loads the chunk (`__preload_` and the group's).
macro_rules! lazy_group {
    ($group:ident / $preload:ident, $pages:ident { $($route:ident => $page:ident),* $(,)? }) => {
        /// The pages of one lazy group, named as their components.
        #[allow(clippy::enum_variant_names)]
        #[derive(Debug, Clone, Copy)]
        enum $pages {
            $($page,)*
        }

        #[leptos::lazy]
        fn $group(page: $pages) -> AnyView {
            match page {
                $($pages::$page => view! { <$page /> }.into_any(),)*
            }
        }

        $(
            #[doc = concat!("The lazy route of [`", stringify!($page), "`].")]
            #[derive(Debug, Clone, Copy)]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $group($pages::$page).await
                }

                // The router loads the chunk before it hydrates or shows the page; the server
                // renders at once.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    };
}

// What a signed-out operator sees, but for the sign-in page itself: that one is in the main
// bundle, which its code mostly is (forms, server functions), so that signing in loads no group.
lazy_group!(sign_in_pages / __preload_sign_in_pages, SignInPages {
    ForgotRoute => ForgotPage,
    ResetRoute => ResetPage,
    InviteRoute => InvitePage,
});

// The first page after signing in, alone: it shows no chat, so it need not load the chat's code.
lazy_group!(session_list / __preload_session_list, SessionList {
    SessionsRoute => SessionsPage,
});

// Every page with a chat panel: they share the composer, the message list and the socket.
lazy_group!(chat_pages / __preload_chat_pages, ChatPages {
    SessionDetailRoute => SessionDetailPage,
    GuestKioskRoute => GuestKiosk,
    WidgetRoute => WidgetPage,
    HostedChatRoute => HostedChatPage,
});

// Search and the printable transcript are here: they show conversations as the inbox does.
lazy_group!(inbox_pages / __preload_inbox_pages, InboxPages {
    InboxRoute => InboxPage,
    ConversationRoute => ConversationPage,
    SearchRoute => SearchPage,
    PrintRoute => PrintPage,
});

lazy_group!(admin_pages / __preload_admin_pages, AdminPages {
    LibraryRoute => LibraryPage,
    WidgetSetupRoute => WidgetSetupPage,
    TeamRoute => TeamPage,
    AccountRoute => AccountPage,
    AuditRoute => AuditPage,
    CustomersRoute => CustomersPage,
});

lazy_group!(email_pages / __preload_email_pages, EmailPages {
    UnsubscribeRoute => UnsubscribePage,
    ConfirmEmailRoute => ConfirmEmailPage,
});
