//! Web addresses in a message's text: only `http://` and `https://` ones, found in the text and
//! never parsed as markup, so a message shown with them linked can neither smuggle HTML nor a
//! `javascript:` link. Both browser clients show messages this way.

/// A piece of a message: plain text, or a web address to link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Shown as it is.
    Text(String),
    /// An `http(s)://` address, shown as itself and linked.
    Link(String),
}

/// Characters that end a sentence rather than an address when they end one.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '>'];

/// Where the next web address starts in `text`, at a word's start.
fn next_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while from < lower.len() {
        let found = ["http://", "https://"]
            .iter()
            .filter_map(|scheme| lower[from..].find(scheme).map(|at| from + at))
            .min()?;
        let at_word_start = text[..found]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([{<\"'".contains(c));
        if at_word_start {
            return Some(found);
        }
        from = found + 1;
    }
    None
}

/// The address starting at the head of `rest`: up to the next space, without the punctuation that
/// ends a sentence (a closing bracket stays when the address opened one). `None` when nothing
/// follows the scheme.
fn address_at(rest: &str) -> Option<&str> {
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut address = &rest[..end];
    while let Some(last) = address.chars().next_back() {
        let opened = match last {
            ')' => address.matches('(').count() >= address.matches(')').count(),
            ']' => address.matches('[').count() >= address.matches(']').count(),
            _ => false,
        };
        if !TRAILING.contains(&last) || opened {
            break;
        }
        address = &address[..address.len() - last.len_utf8()];
    }
    let host_start = address.find("://").map_or(address.len(), |i| i + 3);
    (host_start < address.len()).then_some(address)
}

/// Splits a message into text and web addresses, in order.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = next_address(rest) {
        let Some(address) = address_at(&rest[start..]) else {
            let skip = start + "http://".len();
            pieces.push(Piece::Text(rest[..skip].to_owned()));
            rest = &rest[skip..];
            continue;
        };
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_owned()));
        }
        pieces.push(Piece::Link(address.to_owned()));
        rest = &rest[start + address.len()..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    // Neighbouring text pieces (from a skipped scheme) read as one.
    pieces.dedup_by(|next, previous| match (previous, next) {
        (Piece::Text(previous), Piece::Text(next)) => {
            previous.push_str(next);
            true
        }
        _ => false,
    });
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_owned())
    }

    fn link(s: &str) -> Piece {
        Piece::Link(s.to_owned())
    }

    #[test]
    fn web_addresses_become_links_and_the_words_around_them_stay_text() {
        assert_eq!(
            pieces("See https://example.com/a?b=1 and http://x.test."),
            vec![
                text("See "),
                link("https://example.com/a?b=1"),
                text(" and "),
                link("http://x.test"),
                text("."),
            ]
        );
        assert_eq!(pieces("no links here"), vec![text("no links here")]);
        assert_eq!(
            pieces("(https://en.wikipedia.org/wiki/Rust_(language))"),
            vec![
                text("("),
                link("https://en.wikipedia.org/wiki/Rust_(language)"),
                text(")"),
            ]
        );
    }

    #[test]
    fn only_http_and_https_at_a_word_start_link_and_never_javascript() {
        assert_eq!(
            pieces("javascript:alert(1) data:text/html,x"),
            vec![text("javascript:alert(1) data:text/html,x")]
        );
        assert_eq!(
            pieces("javascript:https://x.test"),
            vec![text("javascript:https://x.test")]
        );
        assert_eq!(pieces("https:// alone"), vec![text("https:// alone")]);
        assert_eq!(
            pieces("HTTPS://Example.com"),
            vec![link("HTTPS://Example.com")]
        );
    }
}
