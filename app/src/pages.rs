//! One module per page.

mod kiosk;
mod login;
mod not_found;
mod session_detail;
mod sessions;

pub use kiosk::GuestKiosk;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use session_detail::SessionDetailPage;
pub use sessions::{Home, SessionsPage};
