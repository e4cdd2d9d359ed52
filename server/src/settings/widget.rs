//! The widget's settings, and the origins settings name.

use std::time::Duration;

use anyhow::{bail, Context as _};
use secrecy::SecretString;
use switchboard::widget::WidgetConfig;

use super::{count, parse_duration};

/// The widget's settings from the environment.
pub(super) fn widget_config(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<WidgetConfig> {
    let mut config = WidgetConfig::default();
    if let Some(secret) = get("SWITCHBOARD_WIDGET_SECRET") {
        if secret.trim().chars().count() < 16 {
            bail!("SWITCHBOARD_WIDGET_SECRET must be at least 16 characters");
        }
        config.secret = Some(SecretString::from(secret.trim().to_owned()));
    }
    if let Some(raw) = get("SWITCHBOARD_WIDGET_ANONYMOUS") {
        config.anonymous = match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => bail!("SWITCHBOARD_WIDGET_ANONYMOUS must be true or false"),
        };
    }
    // A rate a minute: at most a million, which no real deployment would reach.
    let per_minute = |key: &str, default: u32| -> anyhow::Result<u32> {
        Ok(count(get, key, default as usize, 1_000_000)? as u32)
    };
    if let Some(raw) = get("SWITCHBOARD_WIDGET_SIGNATURE_TTL") {
        let ttl = parse_duration(&raw).context("SWITCHBOARD_WIDGET_SIGNATURE_TTL")?;
        if ttl.is_zero() || ttl > Duration::from_secs(30 * 86_400) {
            bail!("SWITCHBOARD_WIDGET_SIGNATURE_TTL: from 1 second to 30 days");
        }
        config.signature_ttl = ttl;
    }
    let doors = config.doors;
    config.doors.per_customer =
        per_minute("SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER", doors.per_customer)?;
    config.doors.per_network =
        per_minute("SWITCHBOARD_WIDGET_RATE_PER_ADDRESS", doors.per_network)?;
    config.doors.new_visitors_per_network = per_minute(
        "SWITCHBOARD_WIDGET_NEW_VISITORS_PER_ADDRESS",
        doors.new_visitors_per_network,
    )?;
    if let Some(raw) = get("SWITCHBOARD_WIDGET_EMBED_ORIGINS") {
        let origins = raw
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| match o {
                "*" => Ok("*".to_owned()),
                origin => parse_origin(origin).context("SWITCHBOARD_WIDGET_EMBED_ORIGINS"),
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if !origins.is_empty() {
            config.embed_origins = origins;
        }
    }
    Ok(config)
}

/// Accepts an origin and nothing else: `http(s)://host[:port]`, the host a DNS name or an IP
/// address (IPv6 in brackets), and drops a trailing slash. Embedding origins go into a
/// `Content-Security-Policy` header, so a `;`, a space or a path must never pass.
pub(super) fn parse_origin(raw: &str) -> anyhow::Result<String> {
    let value = raw.trim().trim_end_matches('/');
    let refused =
        || format!("{raw:?} is not an origin like https://shop.example or http://127.0.0.1:8080");
    let url = url::Url::parse(value).with_context(refused)?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{raw:?} is not an http:// or https:// origin");
    }
    // The URL parser lets `;` and `_` into a domain; a CSP source must hold DNS labels only.
    let host_ok = match url.host() {
        Some(url::Host::Domain(domain)) => domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    // Anything beyond scheme, host and port (a path, a query, credentials) is not an origin.
    let only_origin = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !host_ok || !only_origin {
        bail!(refused());
    }
    Ok(value.to_owned())
}
