//! Origins: whether a browser page's origin is ours or an allowed one, and the origin part of a
//! URL. The socket's handshake and the cross-site request guard both ask here.

/// Whether a browser page at `origin` may open a socket: our public origin or one of the
/// allowed origins, compared whole (scheme, host and port). The request's `Host` is not
/// trusted for this.
pub fn origin_allowed(origin: &str, public_origin: &str, allowed: &[String]) -> bool {
    let origin = origin.trim_end_matches('/');
    origin.eq_ignore_ascii_case(public_origin)
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(origin))
}

/// The origin part (`scheme://host[:port]`) of a URL.
pub fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => parsed.origin().ascii_serialization(),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_public_origin_and_the_allowed_ones_pass_whole() {
        let allowed = vec!["https://shop.example".to_owned()];
        let public = &origin_of("https://support.example.com/base");
        assert_eq!(public, "https://support.example.com");
        assert!(origin_allowed(
            "https://support.example.com",
            public,
            &allowed
        ));
        assert!(origin_allowed("https://shop.example", public, &allowed));
        // Same host, other scheme: not our origin.
        assert!(!origin_allowed(
            "http://support.example.com",
            public,
            &allowed
        ));
        assert!(!origin_allowed("https://evil.example", public, &allowed));
        assert!(!origin_allowed(
            "https://support.example.com.evil",
            public,
            &allowed
        ));
        assert!(!origin_allowed("null", public, &allowed));
    }
}
