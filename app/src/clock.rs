//! Times as the reader reads them: in the reader's time zone and language, with day dividers
//! that say "Today" and "Yesterday".
//!
//! The server does not know the reader's time zone, so it renders UTC (ISO dates, "UTC"
//! after the time) and the browser's first render agrees with it; once hydrated, the browser
//! sets the zone and every time on the page renders again in local time, formatted by the
//! browser's `Intl.DateTimeFormat` for the page's language.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Timelike, Utc};
use leptos::prelude::*;

use crate::i18n::*;

/// The reader's UTC offset, in minutes east, once the browser has said it.
#[derive(Clone, Copy)]
pub struct ReaderClock {
    offset_minutes: RwSignal<Option<i32>>,
}

impl ReaderClock {
    /// Provides the clock for the page: UTC until hydrated, then the browser's zone.
    pub fn provide() {
        let clock = Self {
            offset_minutes: RwSignal::new(None),
        };
        provide_context(clock);
        // Effects run only in the browser, after hydration matched the server's UTC render.
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            clock
                .offset_minutes
                .set(Some(-(js_sys::Date::new_0().get_timezone_offset() as i32)));
        });
    }

    /// The page's clock; a UTC-only one where none was provided.
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or(Self {
            offset_minutes: RwSignal::new(None),
        })
    }

    /// The reader's zone, or `None` while only UTC is known (tracked).
    pub fn zone(&self) -> Option<FixedOffset> {
        self.offset_minutes
            .get()
            .and_then(|minutes| FixedOffset::east_opt(minutes * 60))
    }
}

/// What a day divider says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    /// The reader's today.
    Today,
    /// The day before.
    Yesterday,
    /// Any other day.
    On(NaiveDate),
}

impl Day {
    /// The label for `day`, seen on `today` (both in the reader's zone).
    pub fn of(day: NaiveDate, today: NaiveDate) -> Self {
        if day == today {
            Self::Today
        } else if Some(day) == today.checked_sub_signed(Duration::days(1)) {
            Self::Yesterday
        } else {
            Self::On(day)
        }
    }
}

/// The calendar day of `at` for the reader (UTC until the browser has said its zone).
pub fn day_of(at: DateTime<Utc>, zone: Option<FixedOffset>) -> NaiveDate {
    match zone {
        Some(zone) => at.with_timezone(&zone).date_naive(),
        None => at.date_naive(),
    }
}

/// "18:25" for a message, in the reader's zone.
pub fn clock_time(at: DateTime<Utc>, zone: Option<FixedOffset>) -> String {
    // Written out rather than with chrono's `format`, whose pattern parser the visitors' bundle
    // would otherwise carry for these two numbers.
    let (hour, minute) = match zone {
        Some(zone) => {
            let local = at.with_timezone(&zone);
            (local.hour(), local.minute())
        }
        None => (at.hour(), at.minute()),
    };
    format!("{hour:02}:{minute:02}")
}

/// "2026-12-03": a day as the server renders it, before the browser has said its zone.
fn iso_date(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// "2026-12-03 18:25 UTC": an instant as the server renders it.
fn utc_minute(at: DateTime<Utc>) -> String {
    format!("{} {} UTC", iso_date(at.date_naive()), clock_time(at, None))
}

/// A date and time as the reader reads it: "3 Dec 2026, 18:25" (in the page's language and the
/// reader's zone), or "2026-12-03 18:25 UTC" until the browser has said its zone.
pub fn time_text(at: DateTime<Utc>) -> Signal<String> {
    let i18n = use_i18n();
    let clock = ReaderClock::get();
    Signal::derive(move || match clock.zone() {
        Some(_) => intl(at, i18n.get_locale().as_str(), Style::DateTime),
        None => utc_minute(at),
    })
}

/// A day divider's words: "Today", "Yesterday", or the date in the page's language.
pub fn day_text(day: NaiveDate) -> Signal<String> {
    let i18n = use_i18n();
    let clock = ReaderClock::get();
    Signal::derive(move || {
        let Some(zone) = clock.zone() else {
            return iso_date(day);
        };
        let today = Utc::now().with_timezone(&zone).date_naive();
        match Day::of(day, today) {
            Day::Today => t_string!(i18n, chat.today).to_owned(),
            Day::Yesterday => t_string!(i18n, chat.yesterday).to_owned(),
            Day::On(day) => {
                let noon = day
                    .and_hms_opt(12, 0, 0)
                    .map(|t| t.and_utc() - Duration::seconds(i64::from(zone.local_minus_utc())));
                noon.map(|at| intl(at, i18n.get_locale().as_str(), Style::Date))
                    .unwrap_or_else(|| iso_date(day))
            }
        }
    })
}

/// A point in time for the page: a `<time>` with the machine-readable instant, its words
/// isolated so that a right-to-left page cannot reorder them.
#[component]
pub fn Time(at: DateTime<Utc>) -> impl IntoView {
    let text = time_text(at);
    view! { <time datetime=at.to_rfc3339()><bdi>{move || text.get()}</bdi></time> }
}

#[derive(Clone, Copy)]
enum Style {
    Date,
    DateTime,
}

/// `Intl.DateTimeFormat` in the browser, which knows every language's order and words; the
/// server never gets here (it has no zone).
fn intl(at: DateTime<Utc>, locale: &str, style: Style) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let options = js_sys::Object::new();
        let set = |key: &str, value: &str| {
            let _ =
                js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
        };
        set("dateStyle", "medium");
        if let Style::DateTime = style {
            set("timeStyle", "short");
        }
        let locales = js_sys::Array::of1(&JsValue::from_str(locale));
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options).format();
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        format
            .call1(&JsValue::NULL, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| at.to_rfc3339())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (locale, style);
        utc_minute(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_divider_says_today_yesterday_or_the_date() {
        let today = date(2026, 12, 4);
        assert_eq!(Day::of(date(2026, 12, 4), today), Day::Today);
        assert_eq!(Day::of(date(2026, 12, 3), today), Day::Yesterday);
        assert_eq!(
            Day::of(date(2026, 12, 2), today),
            Day::On(date(2026, 12, 2))
        );
        // Across a month and a year.
        assert_eq!(
            Day::of(date(2026, 12, 31), date(2027, 1, 1)),
            Day::Yesterday
        );
    }

    #[test]
    fn the_day_and_the_time_are_the_readers_not_utcs() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).unwrap();
        let tokyo = FixedOffset::east_opt(9 * 3600);
        assert_eq!(day_of(at, None), date(2026, 12, 3));
        assert_eq!(day_of(at, tokyo), date(2026, 12, 4));
        assert_eq!(clock_time(at, None), "23:30");
        assert_eq!(clock_time(at, tokyo), "08:30");
        let new_york = FixedOffset::west_opt(5 * 3600);
        assert_eq!(clock_time(at, new_york), "18:30");
    }

    #[test]
    fn before_the_zone_is_known_days_and_instants_read_as_iso_utc() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 0).unwrap();
        assert_eq!(iso_date(date(2026, 3, 4)), "2026-03-04");
        assert_eq!(utc_minute(at), "2026-03-04 05:06 UTC");
    }
}
