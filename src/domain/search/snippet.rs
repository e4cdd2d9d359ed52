//! A search hit's snippet: the text around the first match, HTML-escaped, each matched word
//! inside `<mark>` and `</mark>`, the only markup it holds.

use super::{words, SearchQuery};
use crate::domain::escape_html;

/// The most characters of content a snippet shows (its marks and ellipses not counted).
pub const SNIPPET_MAX_CHARS: usize = 200;
/// How many characters before the first match a snippet starts, when there are that many.
const LEAD_CHARS: usize = 60;

/// The snippet of `content` for `query`. Without a match (the hit matched on another field),
/// it is the beginning of the content.
pub fn snippet(content: &str, query: &SearchQuery) -> String {
    let found = words(content);
    let marked = marked_words(&found, query);
    let first = found
        .iter()
        .zip(&marked)
        .find(|(_, hit)| **hit)
        .map_or(0, |((range, _), _)| range.start);
    let (start, end) = window(content, first);

    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for ((range, _), _) in found.iter().zip(&marked).filter(|(_, hit)| **hit) {
        let (from, to) = (range.start.max(start), range.end.min(end));
        if from >= to {
            continue;
        }
        escape_into(&content[at..from], &mut out);
        out.push_str("<mark>");
        escape_into(&content[from..to], &mut out);
        out.push_str("</mark>");
        at = to;
    }
    escape_into(&content[at..end], &mut out);
    if end < content.len() {
        out.push('…');
    }
    out
}

/// Which of `found` belong to a match of one of the query's terms.
fn marked_words(found: &[(std::ops::Range<usize>, String)], query: &SearchQuery) -> Vec<bool> {
    let mut marked = vec![false; found.len()];
    for term in query.terms() {
        let n = term.words.len();
        for start in 0..found.len().saturating_sub(n - 1) {
            if (0..n).all(|i| term.word_matches(i, &found[start + i].1)) {
                marked[start..start + n].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    marked
}

/// The byte range of the window shown: from a little before `first` (at a word's start where
/// one is near) for at most [`SNIPPET_MAX_CHARS`], not cutting a word where it can help it.
fn window(content: &str, first: usize) -> (usize, usize) {
    let before: Vec<usize> = content[..first].char_indices().map(|(i, _)| i).collect();
    let mut start = before
        .len()
        .checked_sub(LEAD_CHARS)
        .map_or(0, |from| before[from]);
    if start > 0 {
        // Begin after a space, when one is within the lead.
        if let Some(space) = content[start..first].find(char::is_whitespace) {
            start += space;
            start += content[start..].chars().next().map_or(0, char::len_utf8);
        }
    }
    let mut end = content[start..]
        .char_indices()
        .nth(SNIPPET_MAX_CHARS)
        .map_or(content.len(), |(i, _)| start + i);
    if end < content.len() {
        // End before the word the limit cuts, when a space comes late enough.
        if let Some(space) = content[start..end].rfind(char::is_whitespace) {
            if start + space > first {
                end = start + space;
            }
        }
    }
    (start, end)
}

/// Appends `text` escaped for HTML, line breaks and tabs as spaces.
fn escape_into(text: &str, out: &mut String) {
    out.push_str(&escape_html(&text.replace(['\n', '\r', '\t'], " ")));
}
