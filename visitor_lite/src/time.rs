//! Times as the reader reads them, in their own time zone (the browser's `Date`, which also
//! gets each message's daylight-saving offset right) and language (`Intl.DateTimeFormat`).

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::strings::Strings;

/// "18:25": a message's time, on a 24-hour clock with ASCII digits in every language.
pub fn clock_time(at_ms: f64) -> String {
    let date = Date::new(&JsValue::from_f64(at_ms));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// The reader's calendar day of an instant, as a number that orders days and makes
/// neighbouring days one apart.
pub fn day_of(at_ms: f64) -> i64 {
    let date = Date::new(&JsValue::from_f64(at_ms));
    let utc_midnight = Date::utc(f64::from(date.get_full_year()), f64::from(date.get_month()))
        + (f64::from(date.get_date()) - 1.0) * 86_400_000.0;
    (utc_midnight / 86_400_000.0).round() as i64
}

/// A day divider's words: "Today", "Yesterday", or the date in the page's language.
pub fn day_text(at_ms: f64, strings: &Strings) -> String {
    let day = day_of(at_ms);
    let today = day_of(Date::now());
    if day == today {
        strings.get("chat.today")
    } else if day == today - 1 {
        strings.get("chat.yesterday")
    } else {
        let options = Object::new();
        let _ = Reflect::set(
            &options,
            &JsValue::from_str("dateStyle"),
            &JsValue::from_str("medium"),
        );
        let locales = Array::of1(&JsValue::from_str(&crate::dom::language()));
        let format = Intl::DateTimeFormat::new(&locales, &options).format();
        format
            .call1(&JsValue::NULL, &Date::new(&JsValue::from_f64(at_ms)))
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }
}
