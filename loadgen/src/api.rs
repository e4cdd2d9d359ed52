//! The HTTP calls a run makes before its sockets open: sign in as an operator, create support
//! sessions; and the server's resident memory, read from /proc.

use anyhow::{bail, Context as _};
use serde_json::{json, Value};

/// A signed-in operator's HTTP client.
#[derive(Clone)]
pub struct Api {
    /// The server's base URL, without a trailing slash.
    pub base: String,
    http: reqwest::Client,
    /// The operator's session cookie (`name=value`), for sockets.
    pub cookie: String,
}

/// A support session to chat in: its conversation and its guest token.
#[derive(Debug, Clone)]
pub struct PairSession {
    /// The session's conversation.
    pub conversation_id: String,
    /// The guest's link token.
    pub guest_token: String,
}

impl Api {
    /// Signs in at `base`.
    pub async fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        let login = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        if !login.status().is_success() {
            bail!("sign-in failed: {}", login.status());
        }
        let cookie = login
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("no session cookie")?
            .to_owned();
        Ok(Self { base, http, cookie })
    }

    /// Creates one support session.
    pub async fn create_session(&self) -> anyhow::Result<PairSession> {
        let created: Value = self
            .http
            .post(format!("{}/api/v1/sessions", self.base))
            .json(&json!({"title": "loadgen"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(PairSession {
            conversation_id: created["session"]["conversation_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            guest_token: created["guest_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        })
    }
}

impl Api {
    /// Uploads `bytes` as a file named `name` into `conversation_id`: the answer's status.
    pub async fn upload(
        &self,
        conversation_id: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<u16> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = self
            .http
            .post(format!(
                "{}/api/v1/conversations/{conversation_id}/files",
                self.base
            ))
            .multipart(form)
            .send()
            .await?;
        Ok(response.status().as_u16())
    }

    /// GETs `path` (from the base URL) as the operator; the JSON body of a success.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

/// A client socket to the server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a socket at `url` (with the operator's `cookie`, if given) and subscribes it to
/// `conversation_id`, from `after_seq` when given.
pub async fn open_subscribed(
    url: &str,
    cookie: Option<&str>,
    conversation_id: &str,
    after_seq: Option<i64>,
) -> anyhow::Result<Socket> {
    use futures_util::SinkExt as _;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = url.into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("cookie", cookie.parse()?);
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let mut subscribe = json!({"type": "subscribe", "conversation_id": conversation_id});
    if let Some(after_seq) = after_seq {
        subscribe["after_seq"] = after_seq.into();
    }
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            subscribe.to_string().into(),
        ))
        .await?;
    Ok(socket)
}

/// Resident memory of a process, from /proc, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    proc_status_kib(pid, "VmRSS:")
}

/// The peak resident memory of a process so far, from /proc, in KiB.
pub fn hwm_kib(pid: u32) -> Option<u64> {
    proc_status_kib(pid, "VmHWM:")
}

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}
