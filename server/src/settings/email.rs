//! The reply-email settings from the environment: when to email, from whom, and through what.

use std::path::PathBuf;

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use switchboard::mail::{EmailConfig, FileMailer, Mailer, SmtpMailer};

use super::parse_duration;

/// The longest `SWITCHBOARD_EMAIL_DELAY` accepted.
const MAX_DELAY_SECS: u64 = 7 * 86_400;

/// How reply emails are sent.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// `SWITCHBOARD_EMAIL_DELAY` (default `5m`), `SWITCHBOARD_EMAIL_FROM` (default
    /// `Switchboard <support@localhost>`) and `SWITCHBOARD_PRODUCT_NAME` (default
    /// `Switchboard`).
    pub config: EmailConfig,
    /// `SWITCHBOARD_SMTP_URL`: `smtp://user:pass@host:port` (STARTTLS when offered) or
    /// `smtps://…`; unset, emails are written as `.eml` files into `mail_dir`.
    pub smtp_url: Option<SecretString>,
    /// `SWITCHBOARD_MAIL_DIR`: where `.eml` files go without SMTP; default `data/mail`.
    pub mail_dir: PathBuf,
}

impl EmailSettings {
    /// Reads the variables through `get`.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut config = EmailConfig::default();
        if let Some(raw) = get("SWITCHBOARD_EMAIL_DELAY") {
            config.delay = parse_duration(&raw).context("SWITCHBOARD_EMAIL_DELAY")?;
            anyhow::ensure!(
                config.delay.as_secs() <= MAX_DELAY_SECS,
                "SWITCHBOARD_EMAIL_DELAY: at most 7 days"
            );
        }
        if let Some(raw) = get("SWITCHBOARD_EMAIL_FROM") {
            config.from = raw.trim().parse().map_err(|e| {
                anyhow::anyhow!(
                    "SWITCHBOARD_EMAIL_FROM must be an address like \"Acme Support <help@acme.com>\": {e}"
                )
            })?;
        }
        if let Some(raw) = get("SWITCHBOARD_PRODUCT_NAME") {
            let name = raw.trim();
            anyhow::ensure!(
                !name.is_empty() && name.chars().count() <= 80 && !name.contains(['\r', '\n']),
                "SWITCHBOARD_PRODUCT_NAME must be 1 to 80 characters on one line"
            );
            config.product_name = name.to_owned();
        }
        let smtp_url = get("SWITCHBOARD_SMTP_URL")
            .filter(|u| !u.trim().is_empty())
            .map(SecretString::from);
        if let Some(url) = &smtp_url {
            // Checked at start-up, so a typo stops the server instead of every email.
            SmtpMailer::from_url(url.expose_secret()).context("SWITCHBOARD_SMTP_URL")?;
        }
        Ok(Self {
            config,
            smtp_url,
            mail_dir: get("SWITCHBOARD_MAIL_DIR")
                .filter(|d| !d.trim().is_empty())
                .map_or_else(|| PathBuf::from("data/mail"), PathBuf::from),
        })
    }

    /// The mailer these settings name.
    pub fn mailer(&self) -> anyhow::Result<std::sync::Arc<dyn Mailer>> {
        Ok(match &self.smtp_url {
            Some(url) => std::sync::Arc::new(
                SmtpMailer::from_url(url.expose_secret()).context("SWITCHBOARD_SMTP_URL")?,
            ),
            None => std::sync::Arc::new(FileMailer::new(self.mail_dir.clone())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Duration;

    fn read(pairs: &[(&str, &str)]) -> anyhow::Result<EmailSettings> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        EmailSettings::from_lookup(&|k| map.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn without_settings_emails_wait_five_minutes_and_go_to_files() {
        let s = read(&[]).unwrap();
        assert_eq!(s.config.delay, Duration::from_secs(300));
        assert_eq!(s.config.product_name, "Switchboard");
        assert_eq!(s.config.from.to_string(), "Switchboard <support@localhost>");
        assert!(s.smtp_url.is_none());
        assert_eq!(s.mail_dir, PathBuf::from("data/mail"));
        assert!(s.mailer().unwrap().describe().contains("data/mail"));
    }

    #[test]
    fn each_bad_value_is_refused_naming_its_variable() {
        for (key, value) in [
            ("SWITCHBOARD_EMAIL_DELAY", "soon"),
            ("SWITCHBOARD_EMAIL_DELAY", "8d"),
            ("SWITCHBOARD_EMAIL_FROM", "not an address"),
            ("SWITCHBOARD_PRODUCT_NAME", " "),
            ("SWITCHBOARD_SMTP_URL", "http://mail.example.com"),
        ] {
            let err = read(&[(key, value)]).unwrap_err();
            assert!(format!("{err:#}").contains(key), "{key}={value}: {err:#}");
        }
    }

    #[test]
    fn an_smtp_url_is_kept_secret_and_described_without_its_password() {
        let s = read(&[
            (
                "SWITCHBOARD_SMTP_URL",
                "smtp://ann:hunter22@mail.example.com:2525",
            ),
            ("SWITCHBOARD_EMAIL_DELAY", "90s"),
        ])
        .unwrap();
        assert_eq!(s.config.delay, Duration::from_secs(90));
        assert!(!format!("{s:?}").contains("hunter22"));
        let described = s.mailer().unwrap().describe();
        assert!(described.contains("mail.example.com:2525"));
        assert!(!described.contains("hunter22"));
    }
}
