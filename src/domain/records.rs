//! What the owner and admins ask of customers' records: which customers the list shows.

use uuid::Uuid;

use super::search::words;
use super::Invalid;

/// The longest `q` the customers list takes, in characters.
pub const CUSTOMER_QUERY_MAX_CHARS: usize = 200;
/// The most customers one page of the list holds.
pub const CUSTOMER_PAGE_MAX: i64 = 200;
/// Customers on a page when the caller does not say.
pub const CUSTOMER_PAGE_DEFAULT: i64 = 50;

/// `GET /api/v1/customers`, parsed: customers whose name or email has a word beginning with
/// each word of `q` (folded as search folds them: any case, any accents), or whose id `q` is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerFilter {
    /// `LIKE` patterns over a customer's folded words, one per word of `q`: `% word%`.
    pub prefixes: Vec<String>,
    /// `q` itself, when it is an id.
    pub id: Option<Uuid>,
    /// Older than this customer.
    pub before: Option<Uuid>,
    /// At most this many.
    pub limit: i64,
}

impl CustomerFilter {
    /// Parses the list's query: `q` (absent or blank: everyone), `before` and `limit`.
    pub fn parse(
        q: Option<&str>,
        before: Option<Uuid>,
        limit: Option<i64>,
    ) -> Result<Self, Invalid> {
        let q = q.map(str::trim).unwrap_or_default();
        if q.chars().count() > CUSTOMER_QUERY_MAX_CHARS {
            return Err(Invalid::new(
                "q",
                format!("must be at most {CUSTOMER_QUERY_MAX_CHARS} characters"),
            ));
        }
        let limit = match limit {
            None => CUSTOMER_PAGE_DEFAULT,
            Some(n) if (1..=CUSTOMER_PAGE_MAX).contains(&n) => n,
            Some(_) => {
                return Err(Invalid::new(
                    "limit",
                    format!("must be 1 to {CUSTOMER_PAGE_MAX}"),
                ))
            }
        };
        let prefixes: Vec<String> = words(q)
            .into_iter()
            .map(|(_, word)| format!("% {word}%"))
            .collect();
        if !q.is_empty() && prefixes.is_empty() {
            return Err(Invalid::new("q", "must hold a letter or a digit"));
        }
        Ok(Self {
            prefixes,
            id: Uuid::parse_str(q).ok(),
            before,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_of_the_query_becomes_a_folded_prefix() {
        let filter = CustomerFilter::parse(Some("  Zoë  Müller "), None, None).unwrap();
        assert_eq!(filter.prefixes, vec!["% zoe%", "% muller%"]);
        assert_eq!(filter.id, None);
        assert_eq!(filter.limit, CUSTOMER_PAGE_DEFAULT);
    }

    #[test]
    fn an_id_is_matched_as_an_id_too() {
        let id = Uuid::now_v7();
        let filter = CustomerFilter::parse(Some(&id.to_string()), None, Some(5)).unwrap();
        assert_eq!(filter.id, Some(id));
        assert_eq!(filter.limit, 5);
    }

    #[test]
    fn a_blank_query_lists_everyone() {
        let filter = CustomerFilter::parse(Some("   "), None, None).unwrap();
        assert!(filter.prefixes.is_empty());
    }

    #[test]
    fn bad_queries_and_page_sizes_are_refused_by_name() {
        let long = "a".repeat(CUSTOMER_QUERY_MAX_CHARS + 1);
        assert_eq!(
            CustomerFilter::parse(Some(&long), None, None)
                .unwrap_err()
                .field,
            "q"
        );
        assert_eq!(
            CustomerFilter::parse(Some("@@"), None, None)
                .unwrap_err()
                .field,
            "q"
        );
        for limit in [0, CUSTOMER_PAGE_MAX + 1] {
            let err = CustomerFilter::parse(None, None, Some(limit)).unwrap_err();
            assert_eq!(err.field, "limit");
        }
    }
}
