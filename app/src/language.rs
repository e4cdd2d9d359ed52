//! The language switcher, and where the reader's choice of language is kept between pages.

use leptos::prelude::*;

use crate::i18n::*;
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

/// The first of a browser's accepted languages (`de-AT`, `en`) that is one of ours, else the
/// default, English: leptos_i18n's `Locale::find_locale` for languages without regions. The
/// browser's build answers `find_locale` with this (`build/locale_parser.rs`), so that it does
/// not carry ICU's locale parser to read the tags.
pub fn find_locale<T: AsRef<[u8]>>(accepted: &[T]) -> Locale {
    accepted
        .iter()
        .filter_map(|tag| std::str::from_utf8(tag.as_ref()).ok())
        .filter_map(switchboard::domain::Locale::parse)
        .find_map(|language| language.as_str().parse::<Locale>().ok())
        .unwrap_or_default()
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

/// A `<select>` of the six UI languages, each named in its own language. Changing it switches
/// the page at once and remembers the choice in a cookie.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let select = NodeRef::<leptos::html::Select>::new();
    // The browser has one language's strings at a time: the new one's come first. If they
    // cannot, the page stays as it is, and so does the switcher.
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(locale) = event_target_value(&ev).parse::<Locale>() {
            leptos::task::spawn_local(async move {
                if crate::ui_strings::ensure(locale).await {
                    i18n.set_locale(locale);
                    remember(locale);
                } else if let Some(select) = select.get_untracked() {
                    select.set_value(i18n.get_locale_untracked().as_str());
                }
            });
        }
    };
    view! {
        <label class="language">
            <span class="visually-hidden">{t!(i18n, nav.language)}</span>
            <select node_ref=select on:change=on_change>
                {Locale::get_all()
                    .iter()
                    .map(|&locale| {
                        view! {
                            <option
                                value=locale.as_str()
                                selected=move || i18n.get_locale() == locale
                                lang=locale.as_str()
                            >
                                {native_name(locale)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_gets_the_first_of_its_languages_that_is_ours() {
        assert_eq!(find_locale(&["pt-BR", "de-AT", "fr"]), Locale::de);
        assert_eq!(find_locale(&["AR"]), Locale::ar);
        assert_eq!(find_locale(&[b"es".to_vec()]), Locale::es);
    }

    #[test]
    fn a_browser_with_none_of_our_languages_gets_english() {
        assert_eq!(find_locale(&["pt-BR", "zh-Hant"]), Locale::en);
        assert_eq!(find_locale::<&str>(&[]), Locale::en);
    }

    #[test]
    fn the_match_is_the_one_leptos_i18n_makes() {
        // The server's build is not rewritten: there `find_locale` is leptos_i18n's, with ICU.
        let cases: &[&[&str]] = &[
            &["de"],
            &["de-DE", "en-US"],
            &["pt-BR", "ru-RU", "fr"],
            &["fr-CA", "fr"],
            &["ar-EG"],
            &["es-419"],
            &["zh-Hans-CN", "ja"],
            &["EN-gb"],
            &[],
        ];
        for accepted in cases {
            assert_eq!(
                find_locale(accepted),
                <Locale as leptos_i18n::Locale>::find_locale(accepted),
                "{accepted:?}"
            );
        }
    }
}
