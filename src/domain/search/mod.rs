//! The search language: how text becomes words, and how a search box's query is read.
//!
//! Both databases index and match the same words, worked out here once: a word is a run of
//! letters, digits and marks; it is folded to lower case without accents (Café and CAFE are
//! `cafe`, Ёлка is `елка`, مَرْحَبًا is `مرحبا`, أحمد is `احمد`, Straße is `strasse`). The index holds
//! a message's folded words joined by spaces; a query is parsed into terms whose words are folded
//! the same way, so neither database's own parser or locale takes part.
//!
//! Han, Hiragana and other scripts written without spaces are one word per run of letters: a
//! search finds such a run only whole (or by its beginning with `*`).

mod request;
mod snippet;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

use super::Invalid;

pub use request::{
    RawSearch, SearchCursor, SearchRequest, HITS_PER_CONVERSATION, SEARCH_PAGE_DEFAULT,
    SEARCH_PAGE_MAX,
};
pub use snippet::{snippet, SNIPPET_MAX_CHARS};

/// The longest query, in Unicode scalar values.
pub const QUERY_MAX_CHARS: usize = 200;
/// The most terms (words, phrases, prefixes) one query may hold.
pub const QUERY_MAX_TERMS: usize = 16;
/// The shortest prefix (`ab*`), in folded characters: shorter ones match most of the index.
pub const PREFIX_MIN_CHARS: usize = 2;
/// The longest word kept, in characters; the rest of a longer run is cut off (in the index and
/// in queries alike, so such words still match each other).
const WORD_MAX_CHARS: usize = 64;

/// Folds one character into `out`: compatibility decomposition, marks dropped, lower case.
fn fold_char(c: char, out: &mut String) {
    match c {
        // Most of what is written: decomposition leaves ASCII as it is.
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        // Russian й is a letter of its own, not и with an accent.
        'й' | 'Й' => out.push('й'),
        'ß' | 'ẞ' => out.push_str("ss"),
        'ς' => out.push('σ'),
        // Tatweel only stretches a written Arabic word.
        '\u{0640}' => {}
        // Arabic-Indic digits match the same number in Western digits.
        '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        _ => {
            for d in std::iter::once(c).nfkd() {
                if canonical_combining_class(d) == 0 {
                    out.extend(d.to_lowercase());
                }
            }
        }
    }
}

/// Whether `c` belongs to a word: a letter, a digit or a mark.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// The words of `text`: each one's byte range in `text` and its folded form. A run of word
/// characters whose folded form is empty (marks alone) is no word.
pub fn words(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                start = None;
                let folded = fold(&text[from..at]);
                if !folded.is_empty() {
                    found.push((from..at, folded));
                }
            }
            _ => {}
        }
    }
    found
}

/// The folded form of one word (no separators in `word`), cut to the longest word kept.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        fold_char(c, &mut out);
    }
    // Folding can turn a word character into a separator (a compatibility form such as "½"
    // decomposes into "1⁄2"): what is left of them is dropped, not split on.
    out.retain(is_word_char);
    match out.char_indices().nth(WORD_MAX_CHARS) {
        Some((cut, _)) => out[..cut].to_owned(),
        None => out,
    }
}

/// What the index holds for `text`: its folded words, one space between each.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (_, word) in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// One term of a query: words that must appear in this order, next to each other (one word
/// for a plain term); with `prefix`, the last one only has to begin with its letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The folded words, at least one.
    pub words: Vec<String>,
    /// Whether the last word is a prefix (`word*`).
    pub prefix: bool,
}

impl Term {
    /// Whether the folded `word` matches this term's word at `index`.
    pub(crate) fn word_matches(&self, index: usize, word: &str) -> bool {
        let expected = &self.words[index];
        if self.prefix && index + 1 == self.words.len() {
            word.starts_with(expected.as_str())
        } else {
            word == expected
        }
    }
}

/// A parsed search query: terms that must all match one document (a message, a customer's
/// name and email, a session's title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

impl SearchQuery {
    /// Reads a search box's text: words (all must match), `"quoted phrases"` (words in this
    /// order), and `prefix*`. A word with separators inside (`ann@example.com`) is the phrase of
    /// its parts; an unclosed quote closes at the end.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Invalid::new("q", "must not be empty"));
        }
        if raw.chars().count() > QUERY_MAX_CHARS {
            return Err(Invalid::new(
                "q",
                format!("must be at most {QUERY_MAX_CHARS} characters"),
            ));
        }
        let mut terms: Vec<Term> = Vec::new();
        for (piece, prefix) in pieces(raw) {
            let words: Vec<String> = words(piece).into_iter().map(|(_, w)| w).collect();
            if words.is_empty() {
                continue;
            }
            let term = Term { words, prefix };
            if term.prefix {
                let last = term.words.last().map_or(0, |w| w.chars().count());
                if last < PREFIX_MIN_CHARS {
                    return Err(Invalid::new(
                        "q",
                        format!("a prefix needs at least {PREFIX_MIN_CHARS} letters before *"),
                    ));
                }
            }
            // The same term twice is one.
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.is_empty() {
            return Err(Invalid::new("q", "has no words to search for"));
        }
        if terms.len() > QUERY_MAX_TERMS {
            return Err(Invalid::new(
                "q",
                format!("may hold at most {QUERY_MAX_TERMS} words or phrases"),
            ));
        }
        Ok(Self { terms })
    }

    /// The terms, in the order typed.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Whether a document's index text (its folded words, one space between each: see
    /// [`index_text`]) matches: every term somewhere in it, a phrase's words next to each other
    /// in order. The same rule as the index's (FTS5 over these words, or a `tsquery`).
    pub fn matches(&self, index_text: &str) -> bool {
        let words: Vec<&str> = index_text.split(' ').filter(|w| !w.is_empty()).collect();
        self.terms.iter().all(|term| {
            let n = term.words.len();
            words.len() >= n
                && (0..=words.len() - n)
                    .any(|start| (0..n).all(|i| term.word_matches(i, words[start + i])))
        })
    }

    /// The query in SQLite FTS5's syntax, over an index of folded words: each term a quoted
    /// phrase (its words hold only letters, digits and marks), a prefix marked with `*`, all
    /// joined with AND.
    pub fn to_fts5(&self) -> String {
        self.terms
            .iter()
            .map(|term| {
                let phrase = format!("\"{}\"", term.words.join(" "));
                if term.prefix {
                    phrase + "*"
                } else {
                    phrase
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The query as a PostgreSQL `tsquery` literal over the same words: a phrase's words joined
    /// with `<->`, a prefix marked `:*`, the terms joined with `&`.
    pub fn to_tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|term| {
                let last = term.words.len() - 1;
                let words: Vec<String> = term
                    .words
                    .iter()
                    .enumerate()
                    .map(|(i, word)| {
                        let star = if term.prefix && i == last { ":*" } else { "" };
                        format!("'{word}'{star}")
                    })
                    .collect();
                if words.len() == 1 {
                    words.into_iter().collect()
                } else {
                    format!("({})", words.join(" <-> "))
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// `LIKE` patterns, all of which match a short field's index text (its folded words with a
    /// space before and after) when the query does: `% word %`, `% one two %`, `% pre%`.
    pub fn like_patterns(&self) -> Vec<String> {
        self.terms
            .iter()
            .map(|term| {
                let end = if term.prefix { "%" } else { " %" };
                format!("% {}{end}", term.words.join(" "))
            })
            .collect()
    }
}

/// A PostgreSQL `tsvector` literal of an index text: each word with its position (from 1,
/// capped where PostgreSQL caps them).
pub fn tsvector_literal(index_text: &str) -> String {
    index_text
        .split(' ')
        .filter(|word| !word.is_empty())
        .enumerate()
        .map(|(i, word)| format!("'{word}':{}", (i + 1).min(16_383)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The query's pieces, quoted phrases and runs between spaces, each with whether it ends in a
/// prefix: a `*` at its end, or right after a phrase's closing quote.
fn pieces(raw: &str) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let mut rest = raw;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return found;
        }
        let piece = if let Some(inner) = rest.strip_prefix('"') {
            let end = inner.find('"').unwrap_or(inner.len());
            rest = inner.get(end + 1..).unwrap_or("");
            match rest.strip_prefix('*') {
                Some(after) => {
                    rest = after;
                    (&inner[..end], true)
                }
                None => (&inner[..end], false),
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let run = &rest[..end];
            rest = &rest[end..];
            (run, false)
        };
        let (text, star) = piece;
        let trimmed = text.trim_end();
        found.push((trimmed, star || trimmed.ends_with('*')));
    }
}

#[cfg(test)]
mod tests;
