//! The database URL, kept secret.

use secrecy::{ExposeSecret as _, SecretString};

/// The database URL. It may hold a password, so it never reaches `Debug` or a log line
/// whole: [`DatabaseUrl::redacted`] is what may be shown.
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The URL itself, to connect with.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL with any password (in the user part or a `password=` parameter) replaced by
    /// `***`.
    pub fn redacted(&self) -> String {
        let raw = self.0.expose_secret();
        let Ok(mut url) = url::Url::parse(raw) else {
            return "<a database URL that does not parse>".to_owned();
        };
        let mut changed = false;
        if url.password().is_some() {
            changed = url.set_password(Some("***")).is_ok();
        }
        let is_password = |key: &str| key.eq_ignore_ascii_case("password");
        if url.query_pairs().any(|(key, _)| is_password(&key)) {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(key, value)| {
                    let value = if is_password(&key) {
                        "***".into()
                    } else {
                        value
                    };
                    (key.into_owned(), value.into_owned())
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            changed = true;
        }
        if changed {
            url.into()
        } else {
            raw.to_owned()
        }
    }

    /// The path of a SQLite database file, if this URL names one.
    pub fn sqlite_path(&self) -> Option<&str> {
        let url = self.0.expose_secret();
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .map(|path| path.split('?').next().unwrap_or(path))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}
