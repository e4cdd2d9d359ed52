//! The page a browser gets when the server cannot answer a page request with the app: a render
//! that ran out of time, or a form post that was refused before it reached a page. It is a
//! complete HTML document in the reader's language, so a person never sees raw JSON.

use axum::http::{header, HeaderMap};
use leptos::config::LeptosOptions;
use leptos_i18n::Locale as _;
use switchboard::wire::ErrorCode;

use crate::i18n::{td_string, Locale};

/// What went wrong, as the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The request was answered with one of the contract's error codes.
    Code(ErrorCode),
    /// The page could not be made in time (HTTP 503).
    Unavailable,
}

/// The reader's language: the `lang` query parameter, else the language switcher's cookie, else
/// `Accept-Language`, else English.
pub fn request_locale(headers: &HeaderMap, query: Option<&str>) -> Locale {
    let from_query = query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == "lang")
            .and_then(|(_, value)| value.parse::<Locale>().ok())
    });
    let from_cookie = || {
        crate::cookies::cookie_value(headers, crate::language::COOKIE)
            .and_then(|value| value.parse::<Locale>().ok())
    };
    let from_header = || {
        let accepted: Vec<&str> = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())?
            .split(',')
            .map(|part| part.split(';').next().unwrap_or("").trim())
            .filter(|tag| !tag.is_empty())
            .collect();
        (!accepted.is_empty()).then(|| Locale::find_locale(&accepted))
    };
    from_query
        .or_else(from_cookie)
        .or_else(from_header)
        .unwrap_or_default()
}

/// The direction `locale` is written in: `rtl` for Arabic, else `ltr`.
pub fn direction(locale: Locale) -> &'static str {
    match locale.as_str() {
        "ar" => "rtl",
        _ => "ltr",
    }
}

/// The language's tag, as `?lang=` takes it (`de`, `ar`).
pub fn tag(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The sentence that says what went wrong, in `locale`.
pub fn problem_text(locale: Locale, problem: Problem) -> &'static str {
    match problem {
        Problem::Unavailable => td_string!(locale, problem.unavailable),
        Problem::Code(code) => match code {
            ErrorCode::Invalid => td_string!(locale, errors.invalid),
            // A page answers a missing sign-in with the sign-in page itself; a 401 that reaches
            // a person as an error is a link form's link that no longer works.
            ErrorCode::Unauthorized => td_string!(locale, problem.link_invalid),
            ErrorCode::Forbidden => td_string!(locale, problem.forbidden),
            ErrorCode::NotFound => td_string!(locale, problem.link_invalid),
            ErrorCode::Gone => td_string!(locale, errors.gone),
            ErrorCode::Conflict => td_string!(locale, errors.conflict),
            ErrorCode::RateLimited => td_string!(locale, errors.rate_limited),
            ErrorCode::PayloadTooLarge => td_string!(locale, errors.payload_too_large),
            ErrorCode::UnsupportedMediaType => td_string!(locale, errors.unsupported_media_type),
            ErrorCode::RequestTimeout => td_string!(locale, errors.request_timeout),
            ErrorCode::Internal => td_string!(locale, errors.internal),
        },
    }
}

/// The whole error document. `back` is a same-site path to offer as the way back (the page the
/// form was on); without it the page offers a reload.
pub fn error_document(
    options: &LeptosOptions,
    locale: Locale,
    problem: Problem,
    back: Option<&str>,
) -> String {
    let lang = locale.as_str();
    let dir = direction(locale);
    let title = escape(td_string!(locale, problem.title));
    let app_name = escape(td_string!(locale, app.name));
    let text = escape(problem_text(locale, problem));
    let (href, link) = match back {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => {
            (escape(path), escape(td_string!(locale, problem.back)))
        }
        _ => (String::new(), escape(td_string!(locale, problem.retry))),
    };
    let css = escape(&stylesheet_href(options));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\" />\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\
         <meta name=\"color-scheme\" content=\"light dark\" />\
         <link rel=\"stylesheet\" href=\"{css}\" /><link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\" />\
         <title>{title} – {app_name}</title></head>\
         <body><main id=\"main\" class=\"centered\"><div class=\"card narrow\">\
         <h1>{title}</h1><p class=\"alert error\" role=\"alert\">{text}</p>\
         <p><a href=\"{href}\">{link}</a></p></div></main></body></html>\n"
    )
}

/// `/pkg/<output name>[.<hash>].css`, as `HashedStylesheet` names it for the app's pages.
fn stylesheet_href(options: &LeptosOptions) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        if let Some(hash) = hashes
            .lines()
            .filter_map(|line| line.trim().split_once(':'))
            .find(|(file, _)| *file == "css")
            .map(|(_, hash)| hash.trim().to_owned())
        {
            name = format!("{name}.{hash}");
        }
    }
    format!("/{}/{name}.css", options.site_pkg_dir)
}

/// Text made safe to stand in HTML, in an element or an attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_language_comes_from_the_query_then_the_cookie_then_the_browser() {
        let all = headers(&[
            ("cookie", "a=b; i18n_pref_locale=fr"),
            ("accept-language", "de-DE,de;q=0.9"),
        ]);
        assert_eq!(request_locale(&all, Some("x=1&lang=ru")), Locale::ru);
        assert_eq!(request_locale(&all, Some("lang=xx")), Locale::fr);
        assert_eq!(
            request_locale(&headers(&[("accept-language", "de-DE,de;q=0.9")]), None),
            Locale::de
        );
        assert_eq!(request_locale(&HeaderMap::new(), None), Locale::en);
    }

    #[test]
    fn the_error_document_is_in_the_readers_language_and_direction_and_escapes_the_way_back() {
        let options = LeptosOptions::builder().output_name("switchboard").build();
        let page = error_document(
            &options,
            Locale::ar,
            Problem::Code(ErrorCode::Forbidden),
            Some("/email/unsubscribe/x?lang=ar&\"<b>"),
        );
        assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
        assert!(page.contains(td_string!(Locale::ar, problem.forbidden)));
        assert!(page.contains("href=\"/email/unsubscribe/x?lang=ar&amp;&quot;&lt;b&gt;\""));
        assert!(page.contains("href=\"/pkg/switchboard.css\""));
        let elsewhere = error_document(
            &options,
            Locale::en,
            Problem::Unavailable,
            Some("//evil.example/"),
        );
        assert!(!elsewhere.contains("evil.example"), "{elsewhere}");
        assert!(elsewhere.contains(td_string!(Locale::en, problem.unavailable)));
    }
}
