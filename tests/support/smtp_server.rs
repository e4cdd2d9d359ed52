//! A real SMTP server on loopback for tests (mailin-embedded, on its own threads), which keeps
//! every message it accepts and can refuse one recipient for good (550).

#![allow(dead_code)]

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use mailin_embedded::{response, Handler, Response, Server, SslConfig};

/// One message as the server received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`, each.
    pub to: Vec<String>,
    /// The message as sent after `DATA`.
    pub data: String,
}

#[derive(Clone)]
struct Recorder {
    inbox: Arc<Mutex<Vec<Received>>>,
    refuse: Option<String>,
    current: Received,
}

impl Handler for Recorder {
    fn rcpt(&mut self, to: &str) -> Response {
        if self.refuse.as_deref() == Some(to) {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: String::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let done = std::mem::take(&mut self.current);
        self.inbox.lock().expect("the inbox lock").push(done);
        response::OK
    }
}

/// The running server.
pub struct TestSmtpServer {
    /// Where it listens.
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl TestSmtpServer {
    /// A server on a free loopback port.
    pub fn start() -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("a free port"), None)
    }

    /// A server on `listener`, refusing `refuse` (an address) for good when given.
    pub fn start_on(listener: TcpListener, refuse: Option<&str>) -> Self {
        let addr = listener.local_addr().expect("the listener's address");
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let recorder = Recorder {
            inbox: inbox.clone(),
            refuse: refuse.map(str::to_owned),
            current: Received::default(),
        };
        let mut server = Server::new(recorder);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .expect("plain SMTP")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { addr, inbox }
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("the inbox lock").clone()
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }
}
