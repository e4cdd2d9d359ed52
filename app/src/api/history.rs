//! The server functions of the history: the search page's (the query string's values, parsed
//! by the domain and answered by the engine, as `GET /api/v1/search` is) and the printable
//! transcript's.

use leptos::prelude::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use switchboard::wire::{SearchPage, Transcript};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::ssr;

/// A search as the page's address holds it; empty values are not given. `from` and `to` are
/// days (`YYYY-MM-DD`, UTC), both included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchParams {
    /// The words, phrases and prefixes.
    pub q: String,
    /// `active`, `archived` or empty.
    pub status: String,
    /// `me`, `none`, an operator id or empty.
    pub assignee: String,
    /// A label id or empty.
    pub label: String,
    /// `support`, `session` or empty.
    pub kind: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// Where the page starts, as the previous one gave it.
    pub cursor: String,
}

impl SearchParams {
    /// The values of a page address's query (`?q=…&status=…`).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |key: &str| get(key).unwrap_or_default();
        Self {
            q: value("q"),
            status: value("status"),
            assignee: value("assignee"),
            label: value("label"),
            kind: value("kind"),
            from: value("from"),
            to: value("to"),
            cursor: value("cursor"),
        }
    }

    /// The page's address for these values, the empty ones left out.
    pub fn href(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("status", &self.status),
            ("assignee", &self.assignee),
            ("label", &self.label),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
            ("cursor", &self.cursor),
        ];
        let query = pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", utf8_percent_encode(value, NON_ALPHANUMERIC)))
            .collect::<Vec<_>>()
            .join("&");
        format!("/search?{query}")
    }
}

/// The times a day range covers: from the first day's start to the day after the last one
/// (UTC), as RFC 3339; an empty day is no bound, and anything else is left for the domain
/// to refuse.
pub fn day_bounds(from: &str, to: &str) -> (String, String) {
    let day = |raw: &str, after: bool| -> String {
        let raw = raw.trim();
        match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) => {
                let date = if after {
                    date.succ_opt().unwrap_or(date)
                } else {
                    date
                };
                format!("{date}T00:00:00Z")
            }
            Err(_) => raw.to_owned(),
        }
    };
    (day(from, false), day(to, true))
}

/// One page of conversations that match, newest match first.
#[server(endpoint = "search")]
pub async fn search_history(params: SearchParams) -> Result<SearchPage, AppError> {
    use switchboard::domain::search::{RawSearch, SearchRequest};
    let me = ssr::signed_in().await?;
    let (from, to) = day_bounds(&params.from, &params.to);
    let raw = RawSearch {
        q: Some(&params.q),
        status: Some(&params.status),
        assignee: Some(&params.assignee),
        label: Some(&params.label),
        kind: Some(&params.kind),
        from: Some(&from),
        to: Some(&to),
        limit: None,
        cursor: Some(&params.cursor),
    };
    let request = SearchRequest::parse(raw, me.id)?;
    Ok(ssr::engine()?.search(&request).await?)
}

/// A conversation's transcript for the printable page (notes when asked).
#[server(endpoint = "transcript")]
pub async fn load_transcript(id: String, notes: bool) -> Result<Transcript, AppError> {
    let me = ssr::signed_in().await?;
    let actor = switchboard::Actor::Operator(me);
    let result = async {
        Ok::<_, AppError>(
            ssr::engine()?
                .transcript(&actor, ssr::conversation_id(&id)?, notes)
                .await?,
        )
    }
    .await;
    result.inspect_err(ssr::set_status_for)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_covers_the_last_day_whole() {
        assert_eq!(
            day_bounds("2026-12-01", "2026-12-31"),
            (
                "2026-12-01T00:00:00Z".to_owned(),
                "2027-01-01T00:00:00Z".to_owned()
            )
        );
        assert_eq!(day_bounds("", " "), (String::new(), String::new()));
        assert_eq!(
            day_bounds("yesterday", ""),
            ("yesterday".to_owned(), String::new())
        );
    }

    #[test]
    fn a_search_address_keeps_only_what_is_given_and_reads_back_the_same() {
        let params = SearchParams {
            q: "\"reset password\" café".to_owned(),
            status: "active".to_owned(),
            ..SearchParams::default()
        };
        let href = params.href();
        assert_eq!(
            href,
            "/search?q=%22reset%20password%22%20caf%C3%A9&status=active"
        );
        let query: std::collections::HashMap<String, String> = href["/search?".len()..]
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| {
                let v = percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap();
                (k.to_owned(), v.into_owned())
            })
            .collect();
        assert_eq!(SearchParams::from_query(|k| query.get(k).cloned()), params);
    }
}
