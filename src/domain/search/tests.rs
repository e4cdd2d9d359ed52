use super::*;

fn folded(text: &str) -> Vec<String> {
    words(text).into_iter().map(|(_, w)| w).collect()
}

fn query(raw: &str) -> SearchQuery {
    SearchQuery::parse(raw).unwrap()
}

#[test]
fn words_fold_case_and_accents_in_latin_scripts() {
    assert_eq!(folded("Café CAFE café"), ["cafe", "cafe", "cafe"]);
    assert_eq!(folded("Straße STRASSE"), ["strasse", "strasse"]);
    assert_eq!(folded("Señor Ñandú"), ["senor", "nandu"]);
    assert_eq!(folded("İstanbul"), ["istanbul"]);
    assert_eq!(folded("ﬁle"), ["file"]);
}

#[test]
fn cyrillic_words_fold_case_and_yo_but_keep_short_i() {
    assert_eq!(folded("Ёлка ЁЛКА елка"), ["елка", "елка", "елка"]);
    assert_eq!(folded("Мой МОЙ"), ["мой", "мой"]);
    assert_ne!(folded("мой"), folded("мои"));
}

#[test]
fn arabic_words_drop_harakat_tatweel_and_hamza_seats() {
    assert_eq!(folded("مَرْحَبًا"), folded("مرحبا"));
    assert_eq!(folded("مرحـــبا"), folded("مرحبا"));
    assert_eq!(folded("أحمد إحمد آحمد"), ["احمد", "احمد", "احمد"]);
    assert_eq!(folded("٤٢ ۴۲"), ["42", "42"]);
}

#[test]
fn words_split_on_punctuation_and_keep_their_places() {
    let text = "Hi, ann@example.com! «Привет»";
    let found = words(text);
    let spans: Vec<&str> = found.iter().map(|(r, _)| &text[r.clone()]).collect();
    assert_eq!(spans, ["Hi", "ann", "example", "com", "Привет"]);
    assert_eq!(index_text(text), "hi ann example com привет");
    assert_eq!(index_text("  ...  "), "");
}

#[test]
fn a_very_long_word_is_cut_alike_in_the_index_and_the_query() {
    let long = "a".repeat(100);
    assert_eq!(index_text(&long).chars().count(), 64);
    assert_eq!(query(&long).terms()[0].words[0], index_text(&long));
}

#[test]
fn a_query_reads_words_phrases_and_prefixes() {
    let q = query(r#"  Printer "paper JAM" refu*  "#);
    let terms: Vec<(Vec<&str>, bool)> = q
        .terms()
        .iter()
        .map(|t| (t.words.iter().map(String::as_str).collect(), t.prefix))
        .collect();
    assert_eq!(
        terms,
        [
            (vec!["printer"], false),
            (vec!["paper", "jam"], false),
            (vec!["refu"], true)
        ]
    );
    assert_eq!(q.to_fts5(), r#""printer" AND "paper jam" AND "refu"*"#);
    assert_eq!(q.to_tsquery(), "'printer' & ('paper' <-> 'jam') & 'refu':*");
    assert_eq!(
        q.like_patterns(),
        ["% printer %", "% paper jam %", "% refu%"]
    );
}

#[test]
fn a_word_with_separators_is_the_phrase_of_its_parts() {
    let q = query("ann@example.com");
    assert_eq!(q.terms()[0].words, ["ann", "example", "com"]);
    assert_eq!(q.to_tsquery(), "('ann' <-> 'example' <-> 'com')");
}

#[test]
fn a_phrase_may_end_in_a_prefix_and_an_unclosed_quote_closes_at_the_end() {
    let q = query(r#""paper ja"* "still open"#);
    assert_eq!(q.to_fts5(), r#""paper ja"* AND "still open""#);
    assert_eq!(query(r#""paper ja*""#).to_fts5(), r#""paper ja"*"#);
}

#[test]
fn the_same_term_twice_counts_once() {
    assert_eq!(query("jam JAM Jam").terms().len(), 1);
}

#[test]
fn a_query_without_words_or_too_long_is_refused() {
    for bad in ["", "   ", "!!! ... ---", r#""""#] {
        assert_eq!(SearchQuery::parse(bad).unwrap_err().field, "q", "{bad:?}");
    }
    assert!(SearchQuery::parse(&"a".repeat(QUERY_MAX_CHARS)).is_ok());
    assert!(SearchQuery::parse(&"a".repeat(QUERY_MAX_CHARS + 1)).is_err());
    let many: Vec<String> = (0..=QUERY_MAX_TERMS).map(|i| format!("w{i}")).collect();
    assert!(SearchQuery::parse(&many.join(" ")).is_err());
    assert!(SearchQuery::parse(&many[..QUERY_MAX_TERMS].join(" ")).is_ok());
}

#[test]
fn a_one_letter_prefix_is_refused() {
    assert!(SearchQuery::parse("a*").is_err());
    assert!(SearchQuery::parse("ab*").is_ok());
    assert!(SearchQuery::parse("é*").is_err());
}

#[test]
fn a_tsvector_literal_numbers_the_words() {
    assert_eq!(tsvector_literal("one two one"), "'one':1 'two':2 'one':3");
    assert_eq!(tsvector_literal(""), "");
}

#[test]
fn a_snippet_marks_every_match_and_escapes_everything_else() {
    let s = snippet(
        "<script>alert('x')</script> the Printer & the printer's <mark>",
        &query("printer"),
    );
    assert_eq!(
        s,
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; the <mark>Printer</mark> &amp; \
         the <mark>printer</mark>&#39;s &lt;mark&gt;"
    );
}

#[test]
fn a_snippet_marks_phrases_only_in_order_and_prefixes_whole_words() {
    let q = query(r#""paper jam" refu*"#);
    assert_eq!(
        snippet("jam paper; Paper jam again, refunded", &q),
        "jam paper; <mark>Paper</mark> <mark>jam</mark> again, <mark>refunded</mark>"
    );
}

#[test]
fn a_snippet_of_long_content_is_a_window_around_the_first_match() {
    let before = "word ".repeat(100);
    let after = " tail".repeat(100);
    let content = format!("{before}Needle{after}");
    let s = snippet(&content, &query("needle"));
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(s.contains("<mark>Needle</mark>"));
    let shown = s.replace("<mark>", "").replace("</mark>", "");
    assert!(shown.chars().count() <= SNIPPET_MAX_CHARS + 2, "{shown}");
    // Whole words at both ends.
    assert!(shown.trim_matches('…').starts_with("word "), "{shown}");
    assert!(shown.trim_matches('…').ends_with("tail"), "{shown}");
}

#[test]
fn a_snippet_without_a_match_is_the_beginning_and_line_breaks_are_spaces() {
    assert_eq!(snippet("first\nsecond", &query("absent")), "first second");
}

#[test]
fn a_snippet_finds_arabic_and_cyrillic_matches_in_the_written_text() {
    assert_eq!(
        snippet("قال: مَرْحَبًا بكم", &query("مرحبا")),
        "قال: <mark>مَرْحَبًا</mark> بكم"
    );
    assert_eq!(
        snippet("Новая ёлка", &query("ЕЛКА")),
        "Новая <mark>ёлка</mark>"
    );
}

#[test]
fn a_query_matches_a_documents_words_as_the_index_does() {
    let text = index_text("Le CAFÉ est fermé: paper-jam in the printer, Ёлка");
    assert!(query("cafe").matches(&text));
    assert!(query("printer cafe").matches(&text));
    assert!(query(r#""paper jam""#).matches(&text));
    assert!(!query(r#""jam paper""#).matches(&text));
    assert!(query("prin*").matches(&text));
    assert!(query(r#""paper ja"*"#).matches(&text));
    assert!(query("елка").matches(&text));
    // Every term, and whole words unless a prefix.
    assert!(!query("cafe absent").matches(&text));
    assert!(!query("print").matches(&text));
    assert!(!query("cafe").matches(""));
}
