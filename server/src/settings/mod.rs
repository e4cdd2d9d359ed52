//! Typed settings from environment variables, each with a default that works out of the box.

use std::net::SocketAddr;
use std::time::Duration;

use switchboard::widget::WidgetConfig;
use switchboard::MAX_GUEST_LINK_TTL;

use anyhow::{bail, Context as _};

mod database;
pub mod email;
mod files;
mod net;
mod widget;

pub use database::DatabaseUrl;
pub use net::IpNet;
use widget::{parse_origin, widget_config};

/// Everything the server reads from its environment. The README lists each variable.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite:PATH` (default `sqlite:data/switchboard.db`, created if
    /// missing) or `postgres://USER:PASSWORD@HOST/DATABASE` for one or more nodes.
    pub database_url: DatabaseUrl,
    /// `LEPTOS_SITE_ADDR`: where to listen; default `127.0.0.1:3000`. Port 0 picks a free port.
    pub site_addr: SocketAddr,
    /// `SWITCHBOARD_PUBLIC_URL`: the public base URL for guest links and the server's own
    /// origin; default `http://<LEPTOS_SITE_ADDR>`.
    pub public_url: String,
    /// The origin of `public_url` (`scheme://host[:port]`), worked out once: what a browser's
    /// `Origin` header says on our own pages.
    pub public_origin: String,
    /// `SWITCHBOARD_ALLOWED_ORIGINS`: further allowed WebSocket origins, comma-separated.
    pub allowed_origins: Vec<String>,
    /// `SWITCHBOARD_GUEST_LINK_TTL`: guest-link lifetime (`24h`, `90m`, `3600s`, `2d`); default 24h.
    pub guest_link_ttl: Duration,
    /// `LEPTOS_SITE_ROOT`: a folder with the built wasm, JS and CSS, served instead of the site
    /// a release binary carries inside it (for development); a binary that carries none serves
    /// `target/site` when it is unset.
    pub site_root: Option<String>,
    /// `SWITCHBOARD_FIRST_OPERATOR_EMAIL`: the email of the operator created on a first start
    /// with an empty database; default `admin@localhost`.
    pub first_operator_email: String,
    /// `SWITCHBOARD_TRUSTED_PROXIES`: addresses or CIDR ranges of reverse proxies whose
    /// `X-Forwarded-For` names the client; default none (the peer address is the client).
    pub trusted_proxies: Vec<IpNet>,
    /// `SWITCHBOARD_HEADER_TIMEOUT`: how long a client may take to send a request's headers;
    /// default 10 s.
    pub header_timeout: Duration,
    /// `SWITCHBOARD_IDLE_TIMEOUT`: how long a connection may stay open with no request in
    /// flight (HTTP/1.1 keep-alive and HTTP/2 alike; WebSockets have their own heartbeat);
    /// default 60 s.
    pub idle_timeout: Duration,
    /// `SWITCHBOARD_REQUEST_TIMEOUT`: how long a request (its body included) may take before it
    /// is answered 408; default 30 s.
    pub request_timeout: Duration,
    /// `SWITCHBOARD_RENDER_TIMEOUT`: how long rendering one page may take before it is dropped
    /// and answered 503; default 10 s (pages take milliseconds).
    pub render_timeout: Duration,
    /// `SWITCHBOARD_OPERATOR_IDLE_TIMEOUT`: an operator's sign-in ends after this long without
    /// use; default 72 h (it ends after 30 days whatever happens).
    pub operator_idle_timeout: Duration,
    /// `SWITCHBOARD_DB_POOL`: database connections this node keeps open, from 1 to 200;
    /// default 8. All of them are opened at start; on PostgreSQL the bus's listener holds one.
    pub database_pool: u32,
    /// `SWITCHBOARD_SEND_LIMIT`: messages one sender may post per 10 s; default 20.
    pub send_limit: u32,
    /// `SWITCHBOARD_SOCKETS_PER_OPERATOR`: live sockets per operator; default 30.
    pub sockets_per_operator: usize,
    /// `SWITCHBOARD_SOCKETS_PER_GUEST_LINK`: live sockets per guest link; default 10.
    pub sockets_per_guest_link: usize,
    /// `SWITCHBOARD_MAX_CONNECTIONS`: open connections served at once (sockets included);
    /// default 10,000. Connections past it are closed at once.
    pub max_connections: usize,
    /// `SWITCHBOARD_CONNECTIONS_PER_ADDRESS`: open connections (sockets included) one client
    /// address, or one IPv6 /64, may hold; trusted proxies are exempt. Default: a quarter of
    /// `SWITCHBOARD_MAX_CONNECTIONS` (2,500), and never fewer than 100 (or the cap, if lower).
    pub connections_per_address: usize,
    /// The widget: `SWITCHBOARD_WIDGET_SECRET` (at least 16 characters; generated and kept in
    /// the database when unset), `SWITCHBOARD_WIDGET_ANONYMOUS` (default true) and
    /// `SWITCHBOARD_WIDGET_EMBED_ORIGINS` (comma-separated origins, default `*`), and the
    /// lifetime of a v1.1 identity signature, `SWITCHBOARD_WIDGET_SIGNATURE_TTL` (1d), and the
    /// customer doors' limits per minute: `SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER` (240),
    /// `SWITCHBOARD_WIDGET_RATE_PER_ADDRESS` (600) and
    /// `SWITCHBOARD_WIDGET_NEW_VISITORS_PER_ADDRESS` (30).
    pub widget: WidgetConfig,
    /// `SWITCHBOARD_DEMO_ADDR`: when set, a second address that serves only the demo shop page,
    /// which embeds the widget from another origin, the way a customer's site does.
    pub demo_addr: Option<SocketAddr>,
    /// `SWITCHBOARD_METRICS_ADDR`: when set, the address that serves `GET /metrics`
    /// (Prometheus' text format), apart from the public one; unset, no metrics are served.
    pub metrics_addr: Option<SocketAddr>,
    /// Reply emails: `SWITCHBOARD_EMAIL_DELAY`, `SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM`,
    /// `SWITCHBOARD_PRODUCT_NAME`, `SWITCHBOARD_MAIL_DIR`.
    pub email: email::EmailSettings,
    /// Files: `SWITCHBOARD_FILE_MAX_SIZE` (default 10MiB), `SWITCHBOARD_FILES_PER_MESSAGE` (5),
    /// `SWITCHBOARD_FILES_PER_CONVERSATION` (200MiB), `SWITCHBOARD_UPLOADS_PER_MINUTE` (20 per
    /// sender), `SWITCHBOARD_IMAGE_MAX_PIXELS` (40000000) and `SWITCHBOARD_FILE_TYPES` (the
    /// kinds accepted, comma-separated; default `png,jpeg,gif,webp,pdf,text`, also known: `zip`,
    /// `mp4`).
    pub files: switchboard::domain::FileLimits,
    /// `SWITCHBOARD_RETENTION`: conversations and support sessions without activity for this
    /// long (at least `1d`, e.g. `365d`) are deleted, checked once a day; unset keeps them for
    /// good.
    pub retention: Option<Duration>,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let site_addr: SocketAddr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .trim()
            .parse()
            .context("LEPTOS_SITE_ADDR must be an address like 127.0.0.1:3000")?;
        let public_url = match get("SWITCHBOARD_PUBLIC_URL") {
            Some(url) => parse_origin_like(&url).context("SWITCHBOARD_PUBLIC_URL")?,
            None => format!("http://{site_addr}"),
        };
        let allowed_origins = get("SWITCHBOARD_ALLOWED_ORIGINS")
            .map(|raw| {
                raw.split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(|o| parse_origin(o).context("SWITCHBOARD_ALLOWED_ORIGINS"))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let guest_link_ttl = match get("SWITCHBOARD_GUEST_LINK_TTL") {
            Some(raw) => parse_duration(&raw).context("SWITCHBOARD_GUEST_LINK_TTL")?,
            None => Duration::from_secs(24 * 3600),
        };
        if guest_link_ttl > MAX_GUEST_LINK_TTL {
            bail!(
                "SWITCHBOARD_GUEST_LINK_TTL: at most {} days",
                MAX_GUEST_LINK_TTL.as_secs() / 86_400
            );
        }
        let trusted_proxies = get("SWITCHBOARD_TRUSTED_PROXIES")
            .map(|raw| {
                raw.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| IpNet::parse(p).context("SWITCHBOARD_TRUSTED_PROXIES"))
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let bounded = |key: &str, default: u64, max: u64| -> anyhow::Result<Duration> {
            let value = match get(key) {
                Some(raw) => parse_duration(&raw).with_context(|| key.to_owned())?,
                None => Duration::from_secs(default),
            };
            if value > Duration::from_secs(max) {
                bail!("{key}: at most {max} seconds");
            }
            Ok(value)
        };
        let count = |key: &str, default: usize, max: usize| count(&get, key, default, max);
        let max_connections = count("SWITCHBOARD_MAX_CONNECTIONS", 10_000, 1_000_000)?;
        let connections_per_address = count(
            "SWITCHBOARD_CONNECTIONS_PER_ADDRESS",
            (max_connections / 4).max(max_connections.min(100)),
            max_connections,
        )?;
        let widget = widget_config(&get)?;
        let email = email::EmailSettings::from_lookup(&get)?;
        let files = files::file_limits(&get)?;
        let retention = get("SWITCHBOARD_RETENTION")
            .map(|raw| {
                let keep = parse_duration(&raw).context("SWITCHBOARD_RETENTION")?;
                if keep < Duration::from_secs(86_400) {
                    bail!("SWITCHBOARD_RETENTION: at least 1d");
                }
                Ok(keep)
            })
            .transpose()?;
        Ok(Self {
            database_url: DatabaseUrl::new(
                get("DATABASE_URL").unwrap_or_else(|| "sqlite:data/switchboard.db".to_owned()),
            ),
            site_addr,
            public_origin: crate::origin::origin_of(&public_url),
            public_url,
            allowed_origins,
            guest_link_ttl,
            site_root: get("LEPTOS_SITE_ROOT"),
            first_operator_email: get("SWITCHBOARD_FIRST_OPERATOR_EMAIL")
                .unwrap_or_else(|| "admin@localhost".to_owned()),
            trusted_proxies,
            header_timeout: bounded("SWITCHBOARD_HEADER_TIMEOUT", 10, 300)?,
            idle_timeout: bounded("SWITCHBOARD_IDLE_TIMEOUT", 60, 3600)?,
            request_timeout: bounded("SWITCHBOARD_REQUEST_TIMEOUT", 30, 3600)?,
            render_timeout: bounded("SWITCHBOARD_RENDER_TIMEOUT", 10, 300)?,
            operator_idle_timeout: bounded(
                "SWITCHBOARD_OPERATOR_IDLE_TIMEOUT",
                72 * 3600,
                30 * 86_400,
            )?,
            database_pool: count("SWITCHBOARD_DB_POOL", 8, 200)? as u32,
            send_limit: count("SWITCHBOARD_SEND_LIMIT", 20, 100_000)? as u32,
            sockets_per_operator: count("SWITCHBOARD_SOCKETS_PER_OPERATOR", 30, 100_000)?,
            sockets_per_guest_link: count("SWITCHBOARD_SOCKETS_PER_GUEST_LINK", 10, 100_000)?,
            max_connections,
            connections_per_address,
            widget,
            demo_addr: get("SWITCHBOARD_DEMO_ADDR")
                .map(|raw| {
                    raw.trim()
                        .parse()
                        .context("SWITCHBOARD_DEMO_ADDR must be an address like 127.0.0.1:3001")
                })
                .transpose()?,
            metrics_addr: get("SWITCHBOARD_METRICS_ADDR")
                .map(|raw| {
                    raw.trim()
                        .parse()
                        .context("SWITCHBOARD_METRICS_ADDR must be an address like 127.0.0.1:9464")
                })
                .transpose()?,
            email,
            files,
            retention,
        })
    }

    /// Whether cookies must carry `Secure`: the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// A whole-number setting from 1 to `max`, or `default` when unset.
fn count(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: usize,
    max: usize,
) -> anyhow::Result<usize> {
    match get(key) {
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .with_context(|| format!("{key} must be a number from 1 to {max}")),
        None => Ok(default),
    }
}

/// Accepts `http(s)://host[:port]` with an optional path, and drops a trailing slash.
fn parse_origin_like(raw: &str) -> anyhow::Result<String> {
    let value = raw.trim().trim_end_matches('/');
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(value.to_owned())
        }
        _ => bail!("{raw:?} is not an http:// or https:// URL"),
    }
}

/// Parses `90`, `90s`, `15m`, `24h` or `7d`.
pub fn parse_duration(raw: &str) -> anyhow::Result<Duration> {
    let value = raw.trim();
    let (number, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => value.split_at(i),
        None => (value, "s"),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("{raw:?} is not a duration like 24h, 90m or 3600s"))?;
    let unit_secs: u64 = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => bail!("unknown unit {other:?} in {raw:?}: use s, m, h or d"),
    };
    let secs = n
        .checked_mul(unit_secs)
        .with_context(|| format!("{raw:?} is far too long"))?;
    if secs == 0 {
        bail!("{raw:?} must be longer than zero");
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_work_without_any_environment() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url.expose_secret(), "sqlite:data/switchboard.db");
        assert_eq!(s.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
        assert_eq!(s.guest_link_ttl, Duration::from_secs(86_400));
        assert!(s.allowed_origins.is_empty());
        assert!(!s.secure_cookies());
        assert_eq!(
            (
                s.send_limit,
                s.sockets_per_operator,
                s.sockets_per_guest_link
            ),
            (20, 30, 10)
        );
        assert_eq!(s.max_connections, 10_000);
        assert_eq!(s.connections_per_address, 2_500);
        assert_eq!(s.idle_timeout, Duration::from_secs(60));
    }

    #[test]
    fn public_url_and_origins_are_normalised_and_https_means_secure_cookies() {
        let s = settings(&[
            ("SWITCHBOARD_PUBLIC_URL", "https://support.example.com/"),
            (
                "SWITCHBOARD_ALLOWED_ORIGINS",
                "https://a.example, http://b.example:8080",
            ),
        ])
        .unwrap();
        assert_eq!(s.public_url, "https://support.example.com");
        assert_eq!(
            s.allowed_origins,
            vec!["https://a.example", "http://b.example:8080"]
        );
        assert!(s.secure_cookies());
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        for (key, value) in [
            ("LEPTOS_SITE_ADDR", "nowhere"),
            ("SWITCHBOARD_PUBLIC_URL", "ftp://x"),
            ("SWITCHBOARD_GUEST_LINK_TTL", "soon"),
            ("SWITCHBOARD_GUEST_LINK_TTL", "0h"),
            ("SWITCHBOARD_GUEST_LINK_TTL", "18446744073709551615d"),
            ("SWITCHBOARD_GUEST_LINK_TTL", "99999999999999s"),
            ("SWITCHBOARD_GUEST_LINK_TTL", "366d"),
            ("SWITCHBOARD_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("SWITCHBOARD_TRUSTED_PROXIES", "proxy.local"),
            ("SWITCHBOARD_HEADER_TIMEOUT", "1h"),
            ("SWITCHBOARD_MAX_CONNECTIONS", "0"),
            ("SWITCHBOARD_SEND_LIMIT", "lots"),
            ("SWITCHBOARD_SOCKETS_PER_OPERATOR", "0"),
            ("SWITCHBOARD_CONNECTIONS_PER_ADDRESS", "0"),
            ("SWITCHBOARD_IDLE_TIMEOUT", "2h"),
            ("SWITCHBOARD_ALLOWED_ORIGINS", "https://a.example/path"),
            ("SWITCHBOARD_WIDGET_RATE_PER_ADDRESS", "0"),
            ("SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER", "many"),
            ("SWITCHBOARD_WIDGET_SIGNATURE_TTL", "0s"),
            ("SWITCHBOARD_WIDGET_SIGNATURE_TTL", "31d"),
            ("SWITCHBOARD_RETENTION", "23h"),
            ("SWITCHBOARD_RETENTION", "a year"),
        ] {
            let err = settings(&[(key, value)]).unwrap_err();
            assert!(format!("{err:#}").contains(key), "{key}={value}: {err:#}");
        }
    }

    #[test]
    fn embedding_origins_are_origins_and_nothing_that_could_break_out_of_the_csp() {
        for bad in [
            "https://shop.example; script-src *",
            "https://shop.example script-src",
            "https://shop.example/path",
            "https://shop.example:99999",
            "https://[::1",
            "https://sh_op.example",
            "javascript:alert(1)",
        ] {
            let err = settings(&[("SWITCHBOARD_WIDGET_EMBED_ORIGINS", bad)]).unwrap_err();
            assert!(
                format!("{err:#}").contains("SWITCHBOARD_WIDGET_EMBED_ORIGINS"),
                "{bad}: {err:#}"
            );
        }
        let s = settings(&[(
            "SWITCHBOARD_WIDGET_EMBED_ORIGINS",
            "https://shop.example/, http://127.0.0.1:8080, https://[2001:db8::1]:8443, *",
        )])
        .unwrap();
        assert_eq!(
            s.widget.embed_origins,
            vec![
                "https://shop.example",
                "http://127.0.0.1:8080",
                "https://[2001:db8::1]:8443",
                "*"
            ]
        );
    }

    #[test]
    fn retention_is_off_unless_set_and_takes_days() {
        assert_eq!(settings(&[]).unwrap().retention, None);
        let s = settings(&[("SWITCHBOARD_RETENTION", "365d")]).unwrap();
        assert_eq!(s.retention, Some(Duration::from_secs(365 * 86_400)));
    }

    #[test]
    fn durations_take_seconds_minutes_hours_and_days() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("3w").is_err());
    }

    #[test]
    fn a_database_password_never_shows_in_debug_or_the_redacted_url() {
        let url =
            DatabaseUrl::new("postgres://app:s3cret@db.internal:5432/switchboard?sslmode=require");
        assert_eq!(
            url.redacted(),
            "postgres://app:***@db.internal:5432/switchboard?sslmode=require"
        );
        let settings = Settings::from_lookup(|k| {
            (k == "DATABASE_URL").then(|| url.expose_secret().to_owned())
        })
        .unwrap();
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert_eq!(
            DatabaseUrl::new("postgres://postgres@127.0.0.1/x").redacted(),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            DatabaseUrl::new("postgres://db/x?user=app&password=s3cret").redacted(),
            "postgres://db/x?user=app&password=***"
        );
        assert_eq!(
            DatabaseUrl::new("sqlite:data/a.db").sqlite_path(),
            Some("data/a.db")
        );
    }
}
