//! What an operator's composer adds, as plain functions: canned replies filled in for this
//! customer, the `/` that opens them, and the `@names` a note mentions.

use uuid::Uuid;

/// The canned replies' placeholders, as the library stores them.
pub const PLACEHOLDERS: [&str; 3] = [
    "{{customer.name}}",
    "{{customer.email}}",
    "{{operator.name}}",
];

/// The values a canned reply is filled with; `None` leaves the placeholder in place, visible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fill {
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The customer's email.
    pub customer_email: Option<String>,
    /// The operator's own name.
    pub operator_name: Option<String>,
}

impl Fill {
    /// `content` with every placeholder whose value is known replaced by it.
    pub fn apply(&self, content: &str) -> String {
        let values = [
            &self.customer_name,
            &self.customer_email,
            &self.operator_name,
        ];
        PLACEHOLDERS
            .iter()
            .zip(values)
            .fold(
                content.to_owned(),
                |text, (placeholder, value)| match value {
                    Some(value) => text.replace(placeholder, value),
                    None => text,
                },
            )
    }
}

/// Whether `text` still holds a placeholder: it must not go out like that.
pub fn unfilled(text: &str) -> bool {
    PLACEHOLDERS.iter().any(|p| text.contains(p))
}

/// What follows a `/` that starts the draft (with nothing else typed yet): the canned replies'
/// filter. `None` when the draft is not a `/` command.
pub fn slash_query(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

/// Whether a canned reply matches a filter: its shortcut or title holds it, ignoring case.
pub fn matches(query: &str, shortcut: &str, title: &str) -> bool {
    let query = query.to_lowercase();
    shortcut.to_lowercase().contains(&query) || title.to_lowercase().contains(&query)
}

/// The operators a note names as `@Name` (their whole name, or its first word), each once, in
/// the order of `team`. Case does not matter; the character after the name must not continue
/// a word, so `@Ben` does not mention Benedict.
pub fn mentions_in(text: &str, team: &[(Uuid, String)]) -> Vec<Uuid> {
    let lower = text.to_lowercase();
    team.iter()
        .filter(|(_, name)| {
            let name = name.to_lowercase();
            let first = name.split_whitespace().next().unwrap_or("").to_owned();
            [name, first]
                .iter()
                .filter(|n| !n.is_empty())
                .any(|n| names(&lower, n))
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Whether `text` holds `@name` as a whole word.
fn names(text: &str, name: &str) -> bool {
    let needle = format!("@{name}");
    text.match_indices(&needle).any(|(at, _)| {
        text[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_fill_in_and_missing_ones_stay_visible() {
        let fill = Fill {
            customer_name: Some("Ann".into()),
            customer_email: None,
            operator_name: Some("Ben".into()),
        };
        let text =
            fill.apply("Hi {{customer.name}}, we wrote to {{customer.email}}. {{operator.name}}");
        assert_eq!(text, "Hi Ann, we wrote to {{customer.email}}. Ben");
        assert!(unfilled(&text));
        assert!(!unfilled("Hi Ann"));
    }

    #[test]
    fn a_slash_at_the_start_opens_the_library_until_a_space() {
        assert_eq!(slash_query("/"), Some(""));
        assert_eq!(slash_query("/ref"), Some("ref"));
        assert_eq!(slash_query("/ref und"), None);
        assert_eq!(slash_query("see /ref"), None);
        assert!(matches("REF", "refund", "Refund policy"));
        assert!(matches("policy", "refund", "Refund policy"));
        assert!(!matches("ship", "refund", "Refund policy"));
    }

    #[test]
    fn a_note_mentions_whole_names_and_first_names_once() {
        let ben = Uuid::from_u128(1);
        let benedict = Uuid::from_u128(2);
        let olga = Uuid::from_u128(3);
        let team = vec![
            (ben, "Ben".to_owned()),
            (benedict, "Benedict Cole".to_owned()),
            (olga, "Olga Petrova".to_owned()),
        ];
        assert_eq!(mentions_in("@ben can you look? @Ben", &team), vec![ben]);
        assert_eq!(
            mentions_in("ask @Benedict, or @olga petrova", &team),
            vec![benedict, olga]
        );
        assert!(mentions_in("email ben@example.com", &team).is_empty());
        assert!(mentions_in("@bend the rules", &team).is_empty());
    }
}
