//! The words the visitors' light client (crate `visitor_lite`) writes in the browser, put in
//! the page by the server in the page's one language: the client carries no translations.
//! They come from the same locale files as every other text of the page.

use leptos::prelude::*;

/// The sections of the locale files the client reads from.
#[cfg(feature = "ssr")]
const SECTIONS: &[&str] = &[
    "chat", "files", "errors", "kiosk", "widget", "hosted", "common",
];

/// `<script type="application/json" id="visitor-strings">` with the strings of `SECTIONS` in
/// the page's language, keyed `section.key`. Pages that render it are never hydrated by Leptos
/// (the light client drives them), so the browser's side of this component renders nothing.
#[component]
pub fn VisitorStrings() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let json = {
        use crate::i18n::*;
        let locale = use_i18n().get_locale_untracked();
        table_json(locale.as_str())
    };
    #[cfg(not(feature = "ssr"))]
    let json = String::new();
    view! { <script type="application/json" id="visitor-strings" inner_html=json></script> }
}

/// The table for `locale` as JSON safe inside a `<script>` element (no `<` can close it).
#[cfg(feature = "ssr")]
fn table_json(locale: &str) -> String {
    use std::collections::BTreeMap;
    use std::sync::LazyLock;

    static TABLES: LazyLock<BTreeMap<&'static str, String>> = LazyLock::new(|| {
        [
            ("en", include_str!("../locales/en.json")),
            ("ru", include_str!("../locales/ru.json")),
            ("de", include_str!("../locales/de.json")),
            ("fr", include_str!("../locales/fr.json")),
            ("es", include_str!("../locales/es.json")),
            ("ar", include_str!("../locales/ar.json")),
        ]
        .into_iter()
        .map(|(locale, file)| (locale, table(file)))
        .collect()
    });
    TABLES
        .get(locale)
        .or_else(|| TABLES.get("en"))
        .cloned()
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn table(file: &str) -> String {
    let locale: serde_json::Value =
        serde_json::from_str(file).expect("the locale files are JSON (leptos_i18n checked them)");
    let mut flat = serde_json::Map::new();
    for section in SECTIONS {
        if let Some(entries) = locale.get(section).and_then(|s| s.as_object()) {
            for (key, value) in entries {
                if let Some(text) = value.as_str() {
                    flat.insert(format!("{section}.{key}"), text.into());
                }
            }
        }
    }
    serde_json::Value::Object(flat)
        .to_string()
        .replace('<', "\\u003c")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn each_language_s_table_holds_its_own_words_keyed_by_section_and_cannot_close_its_script() {
        let en: serde_json::Value = serde_json::from_str(&table_json("en")).unwrap();
        let ar: serde_json::Value = serde_json::from_str(&table_json("ar")).unwrap();
        assert_eq!(en["chat.sending"], "sending…");
        assert_ne!(ar["chat.sending"], en["chat.sending"]);
        assert!(
            ar["chat.unread_few"].is_string(),
            "every plural form is there"
        );
        assert!(en["kiosk.replaced"].is_string() && en["errors.invalid"].is_string());
        assert!(
            en.get("login.heading").is_none(),
            "only the client's sections"
        );
        assert!(!table_json("fr").contains('<'));
        assert_eq!(table_json("xx"), table_json("en"));
    }
}
