//! Where the reader's choice of language is kept between pages.

use crate::i18n::Locale;
#[cfg(feature = "hydrate")]
use leptos_i18n::Locale as _;

/// The cookie that keeps the language switcher's choice, which the server reads to render
/// the next page in it.
pub const COOKIE: &str = switchboard::domain::LANGUAGE_COOKIE;

/// Keeps `locale` for every page of the site for a year. Written here rather than by
/// leptos_i18n's `cookie` feature, which would bring a cookie parser into the browser's bundles.
pub fn remember(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = leptos::prelude::document().dyn_into::<web_sys::HtmlDocument>();
        if let (Ok(document), Some(locale)) = (
            document,
            switchboard::domain::Locale::parse(locale.as_str()),
        ) {
            let _ = document.set_cookie(&locale.cookie());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

/// `locale`'s name in its own language, for the language switcher: the same whatever the
/// page's language, so not among the translations the browser loads one language at a time.
pub fn native_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::ru => "Русский",
        Locale::de => "Deutsch",
        Locale::fr => "Français",
        Locale::es => "Español",
        Locale::ar => "العربية",
    }
}

/// How long the choice is kept, in milliseconds (leptos-use's unit).
#[cfg(feature = "ssr")]
const KEPT_MS: i64 = switchboard::domain::LANGUAGE_KEPT_SECS * 1000;

/// The options of the cookie the server writes back on every page it renders in a chosen
/// language (leptos_i18n's `cookie` feature does): the same cookie as [`remember`]'s, for the
/// whole site and a year. Without them it wrote a second cookie of the same name for the page's
/// folder and the browser's session, which then won over the visitor's next choice there.
#[cfg(feature = "ssr")]
pub fn cookie_options() -> leptos_i18n::context::CookieOptions<Locale> {
    leptos_i18n::context::CookieOptions::<Locale>::default()
        .path("/".to_owned())
        .max_age(KEPT_MS)
        .same_site(leptos_use::SameSite::Lax)
}
