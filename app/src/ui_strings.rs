//! The UI's strings, one language at a time in the browser.
//!
//! The dashboard's bundle carries no translations: the browser's build of the generated i18n
//! module asks [`table`] for a language's strings (see `build/ui_strings.rs`). The server puts
//! the page's language in the page ([`UiStrings`]), and the language switcher fetches another
//! one ([`ensure`]) before it switches.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
use crate::i18n::Locale;

/// One language's strings, in the order the generated i18n module indexes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    /// The language (`en`, `ar`, …).
    pub locale: String,
    /// Its strings.
    pub strings: Vec<String>,
}

/// `locale`'s table as JSON that is safe inside a `<script>` element, written by the build.
#[cfg(feature = "ssr")]
pub fn json(locale: Locale) -> &'static str {
    macro_rules! table {
        ($name:literal) => {
            include_str!(concat!(env!("OUT_DIR"), "/ui_strings/", $name, ".json"))
        };
    }
    match locale {
        Locale::en => table!("en"),
        Locale::ru => table!("ru"),
        Locale::de => table!("de"),
        Locale::fr => table!("fr"),
        Locale::es => table!("es"),
        Locale::ar => table!("ar"),
    }
}

/// `<script type="application/json" id="ui-strings">` with the page's language's [`Table`], on
/// the pages the dashboard's bundle hydrates. Hydration keeps what the server wrote: an
/// element's inner HTML is not set again when it is hydrated.
#[component]
pub fn UiStrings() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let json = {
        use crate::i18n::use_i18n;
        (crate::Bundle::of_this_page() == crate::Bundle::Dashboard)
            .then(|| json(use_i18n().get_locale_untracked()))
    };
    #[cfg(not(feature = "ssr"))]
    let json = Some("");
    json.map(
        |json| view! { <script type="application/json" id="ui-strings" inner_html=json></script> },
    )
}

/// Another language's [`Table`], for the browser when the reader switches language.
#[server(endpoint = "ui-strings", input = leptos::server_fn::codec::GetUrl)]
pub async fn ui_strings(locale: String) -> Result<Table, AppError> {
    let locale = locale.parse::<Locale>().map_err(|_| {
        AppError::new(
            switchboard::wire::ErrorCode::Invalid,
            format!("no language {locale:?}"),
        )
    })?;
    serde_json::from_str(json(locale)).map_err(|err| {
        AppError::new(
            switchboard::wire::ErrorCode::Internal,
            format!("the {locale:?} table: {err}"),
        )
    })
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub use browser::{ensure, table};

/// Whether `locale`'s strings are here; the server's build carries every language's.
#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
pub async fn ensure(_locale: Locale) -> bool {
    true
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod browser {
    use std::sync::{Mutex, MutexGuard, Once, PoisonError};

    use leptos::prelude::document;
    use leptos_i18n::Locale as _;

    use super::{ui_strings, Table};
    use crate::i18n::Locale;

    /// The languages this page has the strings of, each pushed whole; the page's own comes
    /// first.
    static LOADED: Mutex<Vec<(Locale, Strings)>> = Mutex::new(Vec::new());

    type Strings = &'static [&'static str];

    /// [`LOADED`], locked, with the page's table read into it the first time. A panic while
    /// it was held cannot have left half an entry.
    fn loaded() -> MutexGuard<'static, Vec<(Locale, Strings)>> {
        let lock = || LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        static PAGE_READ: Once = Once::new();
        PAGE_READ.call_once(|| {
            if let Some((locale, strings)) = from_page() {
                lock().push((locale, leak(strings)));
            }
        });
        lock()
    }

    /// `locale`'s strings among `loaded`.
    fn strings_of(loaded: &[(Locale, Strings)], locale: Locale) -> Option<Strings> {
        loaded
            .iter()
            .find(|(have, _)| *have == locale)
            .map(|(_, strings)| *strings)
    }

    /// `locale`'s strings, for the generated i18n module. Until they are here (the switcher
    /// waits for them, but the browser's preferred languages can change under a page), the
    /// page's own language stands in.
    pub fn table<const N: usize>(locale: Locale) -> &'static [&'static str; N] {
        let loaded = loaded();
        let strings = strings_of(&loaded, locale)
            .or(loaded.first().map(|(_, strings)| *strings))
            .unwrap_or(&[]);
        <&[&str; N]>::try_from(strings).unwrap_or_else(|_| blank(locale, strings.len()))
    }

    /// A table of empty strings, made once per length: what the page shows when it carries no
    /// table for the generated module (or one of another length, from another build).
    fn blank<const N: usize>(locale: Locale, had: usize) -> &'static [&'static str; N] {
        static BLANK: Mutex<Vec<Strings>> = Mutex::new(Vec::new());
        let mut blank = BLANK.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(table) = blank
            .iter()
            .find_map(|table| <&[&str; N]>::try_from(*table).ok())
        {
            return table;
        }
        leptos::logging::warn!("no strings for {}: the page has {had}", locale.as_str());
        let table: &'static [&'static str; N] = Box::leak(Box::new([""; N]));
        blank.push(table);
        table
    }

    /// Fetches `locale`'s strings unless they are here already; whether they are now.
    pub async fn ensure(locale: Locale) -> bool {
        if strings_of(&loaded(), locale).is_some() {
            return true;
        }
        match ui_strings(locale.as_str().to_owned()).await {
            Ok(table) if table.locale == locale.as_str() => {
                let mut loaded = loaded();
                if strings_of(&loaded, locale).is_none() {
                    loaded.push((locale, leak(table.strings)));
                }
                true
            }
            Ok(table) => {
                leptos::logging::warn!("asked for {}, got {}", locale.as_str(), table.locale);
                false
            }
            Err(err) => {
                leptos::logging::warn!("the strings of {}: {err:?}", locale.as_str());
                false
            }
        }
    }

    /// The table the server put in the page.
    fn from_page() -> Option<(Locale, Vec<String>)> {
        let json = document().get_element_by_id("ui-strings")?.text_content()?;
        let table: Table = crate::load::read_json(&json).ok()?;
        Some((table.locale.parse().ok()?, table.strings))
    }

    /// Strings for the rest of the page's life: a language once loaded is kept.
    fn leak(strings: Vec<String>) -> Strings {
        let strings: Vec<&'static str> = strings.into_iter().map(|s| &*s.leak()).collect();
        strings.leak()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos_i18n::Locale as _;

    use super::*;
    use crate::i18n::td_string;

    #[test]
    fn each_language_s_table_holds_its_own_strings_and_is_safe_in_a_script_element() {
        for &locale in Locale::get_all() {
            let json = json(locale);
            assert!(!json.contains('<'), "{locale:?}");
            let table: Table = serde_json::from_str(json).unwrap();
            assert_eq!(table.locale, locale.as_str());
            for expected in [
                td_string!(locale, inbox.title),
                td_string!(locale, sessions.title),
                td_string!(locale, login.heading),
            ] {
                assert!(
                    table.strings.iter().any(|s| s == expected),
                    "{locale:?}: {expected}"
                );
            }
        }
    }

    #[test]
    fn the_tables_of_two_languages_differ() {
        let table = |locale| serde_json::from_str::<Table>(json(locale)).unwrap().strings;
        assert_ne!(table(Locale::en), table(Locale::ar));
    }
}
