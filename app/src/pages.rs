//! One module per page.

mod account;
mod audit;
mod confirm_email;
mod conversation;
mod conversation_emails;
mod hosted_chat;
mod inbox;
mod join;
mod kiosk;
mod login;
mod not_found;
mod reset;
mod session_detail;
mod sessions;
mod team;
mod unsubscribe;
mod widget;
mod widget_look;
mod widget_setup;

pub use account::AccountPage;
pub use audit::AuditPage;
pub use confirm_email::ConfirmEmailPage;
pub use conversation::ConversationPage;
pub use hosted_chat::HostedChatPage;
pub use inbox::{InboxPage, RelativeTime};
pub use join::InvitePage;
pub use kiosk::GuestKiosk;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use reset::{ForgotPage, ResetPage};
pub use session_detail::SessionDetailPage;
pub use sessions::{Home, SessionsPage};
pub use team::TeamPage;
pub use unsubscribe::UnsubscribePage;
pub use widget::{badge_text, WidgetPage};
pub use widget_setup::WidgetSetupPage;
