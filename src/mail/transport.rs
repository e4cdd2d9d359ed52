//! The two ways an email leaves: an SMTP server (`SWITCHBOARD_SMTP_URL`), or, when none is
//! set, an `.eml` file under `data/mail/` that a newcomer can open.

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Tokio1Executor};

use super::{Email, Mailer, SendError, Sending};

/// How long one SMTP exchange may take, end to end. Well under the claim's hold, so a claim
/// never lapses while its email is still on its way.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(45);

/// Sends through an SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    described: String,
}

impl SmtpMailer {
    /// A mailer for `smtp://user:pass@host:port` (STARTTLS when the server offers it; add
    /// `?tls=required` to insist) or `smtps://…` (TLS from the first byte).
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let mut url = url::Url::parse(url.trim()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let scheme_ok = matches!(url.scheme(), "smtp" | "smtps");
        anyhow::ensure!(scheme_ok, "must start with smtp:// or smtps://");
        if url.scheme() == "smtp" && !url.query_pairs().any(|(key, _)| key == "tls") {
            url.query_pairs_mut().append_pair("tls", "opportunistic");
        }
        let url = String::from(url);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self {
            transport,
            described: describe_url(&url),
        })
    }
}

/// `smtp://host:port` without credentials or options.
fn describe_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => {
            let host = url.host_str().unwrap_or("");
            match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            }
        }
        Err(_) => "smtp://(a URL that does not parse)".to_owned(),
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a> {
        Box::pin(async move {
            match tokio::time::timeout(SMTP_TIMEOUT, self.transport.send(email.message.clone()))
                .await
            {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(err)) if err.is_permanent() => Err(SendError::Permanent(err.to_string())),
                Ok(Err(err)) => Err(SendError::Transient(err.to_string())),
                Err(_) => Err(SendError::Transient(format!(
                    "the SMTP server did not finish within {} s",
                    SMTP_TIMEOUT.as_secs()
                ))),
            }
        })
    }

    fn describe(&self) -> String {
        format!("the SMTP server at {}", self.described)
    }
}

/// Writes each email to `<dir>/<id>.eml`. Writing the same email again changes nothing.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
}

impl FileMailer {
    /// A mailer that writes into `dir` (created when missing).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Where an email with `id` is (or would be) written.
    pub fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.eml"))
    }
}

impl Mailer for FileMailer {
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a> {
        Box::pin(async move {
            let path = self.path_of(&email.id);
            let bytes = email.message.formatted();
            let dir = self.dir.clone();
            let written = tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
                if path.exists() {
                    return Ok(false);
                }
                std::fs::create_dir_all(&dir)?;
                // Written aside and renamed, so a crash never leaves half an email under the
                // final name.
                let mut part = tempfile::NamedTempFile::new_in(&dir)?;
                std::io::Write::write_all(&mut part, &bytes)?;
                part.as_file().sync_all()?;
                part.persist(&path).map_err(|e| e.error)?;
                Ok(true)
            })
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?
            .map_err(|e| SendError::Transient(format!("writing the email file: {e}")))?;
            if written {
                tracing::info!(
                    "no SMTP server is set: wrote the email to {}",
                    self.path_of(&email.id).display()
                );
            }
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!(".eml files in {}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_described_smtp_url_has_no_credentials() {
        assert_eq!(
            describe_url("smtps://ann:secret@mail.example.com:465?x=1"),
            "smtps://mail.example.com:465"
        );
        assert_eq!(describe_url("smtp://localhost:25"), "smtp://localhost:25");
    }

    #[test]
    fn an_smtp_url_must_name_smtp_or_smtps() {
        assert!(SmtpMailer::from_url("http://mail.example.com").is_err());
        assert!(SmtpMailer::from_url("smtp://mail.example.com:2525").is_ok());
    }
}
