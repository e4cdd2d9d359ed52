//! The words the client writes, in the page's one language: the server puts them in the page
//! (`<script type="application/json" id="visitor-strings">`, from the same locale files as every
//! other text), so the wasm carries no translations.

use js_sys::{Array, Intl, Object};
use wasm_bindgen::JsValue;

use crate::dom;
use crate::json::Json;

/// The id of the element that holds the strings.
pub const ELEMENT_ID: &str = "visitor-strings";

/// The page's strings, by key (`chat.sending`).
pub struct Strings {
    table: Json,
    language: String,
}

impl Strings {
    /// Reads the strings the server wrote in the page.
    pub fn load() -> Self {
        let table = dom::document()
            .get_element_by_id(ELEMENT_ID)
            .and_then(|element| element.text_content())
            .and_then(|text| Json::parse(&text))
            .unwrap_or_else(|| Json::parse("{}").expect("an empty object parses"));
        Self {
            table,
            language: dom::language(),
        }
    }

    /// The string for `key`; the key itself if the page lacks it (a bug the tests would see).
    pub fn get(&self, key: &str) -> String {
        self.table.get(key).string().unwrap_or_else(|| key.into())
    }

    /// The string for `key` with `{{ name }}` replaced by `value`.
    pub fn fill(&self, key: &str, name: &str, value: &str) -> String {
        self.get(key).replace(&format!("{{{{ {name} }}}}"), value)
    }

    /// The string for `key` split around its `{{ name }}`: what comes before and after it, so
    /// that the value can be written in an element of its own.
    pub fn around(&self, key: &str, name: &str) -> (String, String) {
        let text = self.get(key);
        let mark = format!("{{{{ {name} }}}}");
        match text.split_once(&mark) {
            Some((before, after)) => (before.into(), after.into()),
            None => (text, String::new()),
        }
    }

    /// The plural form of `key` for `count` (`chat.unread` → `chat.unread_few`), chosen by the
    /// browser's plural rules for the page's language, with `{{ count }}` filled in.
    pub fn plural(&self, key: &str, count: usize) -> String {
        let category = plural_category(&self.language, count);
        let form = format!("{key}_{category}");
        let text = match self.table.get(&form).string() {
            Some(text) => text,
            None => self.get(&format!("{key}_other")),
        };
        text.replace("{{ count }}", &count.to_string())
    }
}

/// CLDR's plural category of `count` in `language` (`one`, `few`, `other`…).
fn plural_category(language: &str, count: usize) -> String {
    let locales = Array::of1(&JsValue::from_str(language));
    let rules = Intl::PluralRules::new(&locales, &Object::new());
    rules
        .select(count as f64)
        .as_string()
        .unwrap_or_else(|| "other".into())
}
