//! The chaos run: operator/guest pairs chat while their server is killed with SIGKILL and
//! started again, and while clients drop their own connections. Each client behaves like the
//! browser's: it resends every message not yet acknowledged with the same `client_id`, and
//! resumes each subscription with `after_seq`. At the end every party's record is compared with
//! what every other party received and with what the database holds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

use crate::api::{open_subscribed, Api, PairSession};
use crate::nodes::{Node, OPERATOR_EMAIL, OPERATOR_PASSWORD};

/// What a chaos run does.
#[derive(Debug, Clone)]
pub struct ChaosOptions {
    /// Operator/guest pairs, each in its own support session.
    pub pairs: usize,
    /// How long the parties send.
    pub duration: Duration,
    /// How often each party sends one message.
    pub send_every: Duration,
    /// How many times a node is killed (spread evenly over the run).
    pub kills: usize,
    /// How many client connections are dropped (spread evenly over the run).
    pub drops: usize,
    /// Messages a party may have unacknowledged at once.
    pub window: usize,
    /// How long, after sending stops, the parties may take to catch up.
    pub settle: Duration,
}

/// What a chaos run found. Every count of something wrong should be 0.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Node kills (SIGKILL) done.
    pub kills: u64,
    /// Client connections dropped on purpose (by parties that were connected when asked).
    pub drops: u64,
    /// Times a party opened a socket again.
    pub reconnects: u64,
    /// Distinct messages the parties sent (each `client_id` once, however often resent).
    pub sent: u64,
    /// Of those, how many the server acknowledged.
    pub acked: u64,
    /// Messages of this run the database holds.
    pub stored: u64,
    /// Message frames the parties received (each message reaches both parties).
    pub delivered: u64,
    /// Acknowledged but not stored, plus stored but never delivered to a party that was
    /// subscribed to its conversation.
    pub lost: u64,
    /// Sent but never acknowledged by the end (the client gave up waiting).
    pub unacked: u64,
    /// Frames the server answered with an error frame.
    pub refused: u64,
    /// One `client_id` stored twice, or one message delivered twice to one party.
    pub duplicated: u64,
    /// Message frames that did not come in seq order (a gap, or a seq going back).
    pub out_of_order: u64,
}

impl Report {
    /// Whether nothing was lost, duplicated, left unacknowledged or out of order.
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.unacked == 0 && self.duplicated == 0 && self.out_of_order == 0
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "kills: {}  drops: {}  reconnects: {}",
            self.kills, self.drops, self.reconnects
        )?;
        writeln!(
            f,
            "sent: {}  acked: {}  stored: {}  delivered: {}",
            self.sent, self.acked, self.stored, self.delivered
        )?;
        write!(
            f,
            "lost: {}  unacked: {}  duplicated: {}  out of order: {}  refused frames: {}",
            self.lost, self.unacked, self.duplicated, self.out_of_order, self.refused
        )
    }
}

/// One party's view of its conversation.
#[derive(Default)]
struct Record {
    /// How many client_ids it created.
    sent: u64,
    /// Not yet acknowledged, by client_id, with the content.
    unacked: BTreeMap<String, String>,
    acked: HashSet<String>,
    /// The highest seq received in order: the resume cursor.
    last_seq: i64,
    /// Deliveries per message id.
    received: HashMap<String, u32>,
    /// The client_ids of the messages received.
    received_client_ids: HashSet<String>,
    /// Frames the server answered with an error.
    refused: u64,
    out_of_order: u64,
    /// Sockets opened (and subscribed).
    connections: u64,
    /// Sockets dropped on purpose.
    drops: u64,
}

/// A party: an operator or a guest in one pair's conversation.
struct Party {
    name: String,
    conversation_id: String,
    /// Socket URLs to try, in order of preference (the home node first).
    urls: Vec<String>,
    cookie: Option<String>,
    record: Mutex<Record>,
    /// Whether a socket is open now: only an open socket can be dropped.
    connected: AtomicBool,
    drop_now: Notify,
}

/// What ends one socket's life.
enum Ended {
    /// The server went away or refused; try again.
    Lost,
    /// Dropped on purpose.
    Dropped,
    /// Sending stopped and everything is acknowledged and received.
    Done,
}

struct Shared {
    sending: AtomicBool,
    /// Set when the run is over, caught up or not.
    finished: AtomicBool,
    options: ChaosOptions,
    counter: AtomicU64,
}

impl Party {
    /// Whether this party has nothing left to do: every message of its own acknowledged, and
    /// every acknowledged message of its conversation (by `client_id`) received.
    fn caught_up(&self, expected: &HashSet<String>) -> bool {
        let record = self.record.lock().expect("record");
        record.unacked.is_empty() && expected.is_subset(&record.received_client_ids)
    }

    async fn live(self: Arc<Self>, shared: Arc<Shared>) {
        let mut backoff = Duration::from_millis(20);
        let mut attempt = 0usize;
        while !shared.finished.load(Ordering::Relaxed) {
            let url = &self.urls[attempt % self.urls.len()];
            let ended = self.connected(url, &shared).await;
            self.connected.store(false, Ordering::Relaxed);
            match ended {
                Ok(Ended::Done) => return,
                Ok(Ended::Dropped) => backoff = Duration::from_millis(20),
                Ok(Ended::Lost) | Err(_) => {
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_millis(500));
                }
            }
        }
    }

    /// One socket's life: subscribe from the cursor, resend what is unacknowledged, send new
    /// messages while the run sends, record what comes in.
    async fn connected(&self, url: &str, shared: &Shared) -> anyhow::Result<Ended> {
        let (after_seq, resend) = {
            let record = self.record.lock().expect("record");
            (record.last_seq, record.unacked.clone())
        };
        let mut socket = open_subscribed(
            url,
            self.cookie.as_deref(),
            &self.conversation_id,
            Some(after_seq),
        )
        .await?;
        for (client_id, content) in resend {
            socket.send(self.send_frame(&client_id, &content)).await?;
        }
        self.record.lock().expect("record").connections += 1;
        self.connected.store(true, Ordering::Relaxed);
        let mut ticker = tokio::time::interval(shared.options.send_every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    if shared.finished.load(Ordering::Relaxed) {
                        return Ok(Ended::Done);
                    }
                    if !shared.sending.load(Ordering::Relaxed) {
                        continue;
                    }
                    let frame = {
                        let mut record = self.record.lock().expect("record");
                        if record.unacked.len() >= shared.options.window {
                            continue;
                        }
                        let n = shared.counter.fetch_add(1, Ordering::Relaxed);
                        let client_id = format!("{}-{n}", self.name);
                        let content = format!("chaos {n} from {}", self.name);
                        record.sent += 1;
                        record.unacked.insert(client_id.clone(), content.clone());
                        self.send_frame(&client_id, &content)
                    };
                    socket.send(frame).await?;
                }
                () = self.drop_now.notified() => {
                    // Abruptly: no close frame, the TCP connection just goes.
                    drop(socket);
                    self.record.lock().expect("record").drops += 1;
                    return Ok(Ended::Dropped);
                }
                incoming = socket.next() => match incoming {
                    Some(Ok(Message::Text(text))) => self.take(&serde_json::from_str(&text)?)?,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(Ended::Lost),
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    fn send_frame(&self, client_id: &str, content: &str) -> Message {
        let frame = json!({"type": "send", "conversation_id": self.conversation_id, "client_id": client_id, "content": content});
        Message::Text(frame.to_string().into())
    }

    /// Records one frame from the server.
    fn take(&self, frame: &Value) -> anyhow::Result<()> {
        let mut record = self.record.lock().expect("record");
        match frame["type"].as_str() {
            Some("ack") => {
                let client_id = frame["client_id"]
                    .as_str()
                    .context("ack without client_id")?;
                if record.unacked.remove(client_id).is_some() {
                    record.acked.insert(client_id.to_owned());
                }
            }
            Some("message") => {
                let message = &frame["message"];
                let seq = message["seq"].as_i64().context("message without seq")?;
                let id = message["id"].as_str().context("message without id")?;
                if let Some(client_id) = message["client_id"].as_str() {
                    record.received_client_ids.insert(client_id.to_owned());
                }
                let seen = record.received.entry(id.to_owned()).or_insert(0);
                *seen += 1;
                if *seen == 1 && seq != record.last_seq + 1 {
                    record.out_of_order += 1;
                }
                if seq > record.last_seq {
                    record.last_seq = seq;
                }
            }
            // A refused send stays unacknowledged and is sent again on the next socket.
            Some("error") => record.refused += 1,
            _ => {}
        }
        Ok(())
    }
}

/// A small xorshift generator: chaos needs spread, not secrecy.
struct Spread(u64);

impl Spread {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

/// Every stored message of a conversation, read as an operator: (id, client_id) in seq order.
async fn stored(api: &Api, conversation_id: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = api
            .get(&format!(
                "/api/v1/conversations/{conversation_id}/messages?after_seq={after}&limit=500"
            ))
            .await?;
        let messages = page["messages"].as_array().context("no messages")?;
        for message in messages {
            after = message["seq"].as_i64().context("seq")?;
            all.push((
                message["id"].as_str().unwrap_or_default().to_owned(),
                message["client_id"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        if messages.len() < 500 {
            return Ok(all);
        }
    }
}

/// Runs chaos against `nodes` (all on one database, already started): parties prefer node
/// `pair % nodes` for operators and the next one for guests, and fail over to the others while
/// theirs is down. Each kill takes one node down (in turn) and starts it again at once.
pub async fn run(nodes: &mut [Node], options: &ChaosOptions) -> anyhow::Result<Report> {
    let api = Api::sign_in(&nodes[0].url, OPERATOR_EMAIL, OPERATOR_PASSWORD).await?;
    let mut sessions: Vec<PairSession> = Vec::with_capacity(options.pairs);
    for _ in 0..options.pairs {
        sessions.push(api.create_session().await?);
    }
    let ws: Vec<String> = nodes
        .iter()
        .map(|n| n.url.replacen("http", "ws", 1))
        .collect();
    let preferring = |home: usize, path: &str| -> Vec<String> {
        (0..ws.len())
            .map(|k| format!("{}{path}", ws[(home + k) % ws.len()]))
            .collect()
    };
    let mut parties = Vec::new();
    for (pair, session) in sessions.iter().enumerate() {
        parties.push(Arc::new(Party {
            name: format!("op{pair}"),
            conversation_id: session.conversation_id.clone(),
            urls: preferring(pair, "/ws"),
            cookie: Some(api.cookie.clone()),
            record: Mutex::default(),
            connected: AtomicBool::new(false),
            drop_now: Notify::new(),
        }));
        parties.push(Arc::new(Party {
            name: format!("guest{pair}"),
            conversation_id: session.conversation_id.clone(),
            urls: preferring(
                pair + 1,
                &format!("/ws?guest_token={}&guest_name=Chaos", session.guest_token),
            ),
            cookie: None,
            record: Mutex::default(),
            connected: AtomicBool::new(false),
            drop_now: Notify::new(),
        }));
    }
    let shared = Arc::new(Shared {
        sending: AtomicBool::new(true),
        finished: AtomicBool::new(false),
        options: options.clone(),
        counter: AtomicU64::new(0),
    });
    let tasks: Vec<_> = parties
        .iter()
        .map(|p| tokio::spawn(p.clone().live(shared.clone())))
        .collect();

    // Kills and drops, spread evenly over the sending time.
    let mut report = Report::default();
    let mut spread = Spread(0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id()));
    let mut events: Vec<(Duration, bool)> = (1..=options.kills)
        .map(|k| {
            (
                options.duration * k as u32 / (options.kills as u32 + 1),
                true,
            )
        })
        .chain((1..=options.drops).map(|k| {
            (
                options.duration * k as u32 / (options.drops as u32 + 1),
                false,
            )
        }))
        .collect();
    events.sort();
    let started = Instant::now();
    for (at, kill) in events {
        tokio::time::sleep_until((started + at).into()).await;
        if kill {
            let node = &mut nodes[report.kills as usize % nodes.len()];
            node.kill();
            node.start().await?;
            report.kills += 1;
        } else {
            // The first connected party from a random one on.
            let from = spread.next(parties.len());
            if let Some(party) = (0..parties.len())
                .map(|k| &parties[(from + k) % parties.len()])
                .find(|p| p.connected.load(Ordering::Relaxed))
            {
                party.drop_now.notify_one();
            }
        }
    }
    tokio::time::sleep_until((started + options.duration).into()).await;
    shared.sending.store(false, Ordering::Relaxed);

    // Every party must end with all its messages acknowledged and every message of its
    // conversation that either party had acknowledged received.
    let deadline = Instant::now() + options.settle;
    loop {
        let all_caught_up = parties.chunks(2).all(|pair| {
            let expected: HashSet<String> = pair
                .iter()
                .flat_map(|p| p.record.lock().expect("record").acked.clone())
                .collect();
            pair.iter().all(|p| p.caught_up(&expected))
        });
        if all_caught_up || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shared.finished.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }

    for (pair, session) in parties.chunks(2).zip(&sessions) {
        let stored = stored(&api, &session.conversation_id).await?;
        let mut by_client: HashMap<&str, u64> = HashMap::new();
        for (_, client_id) in &stored {
            *by_client.entry(client_id.as_str()).or_default() += 1;
        }
        let ours: Vec<&(String, String)> = stored
            .iter()
            .filter(|(_, c)| c.starts_with("op") || c.starts_with("guest"))
            .collect();
        report.stored += ours.len() as u64;
        report.duplicated += by_client.values().map(|n| n - 1).sum::<u64>();
        for party in pair {
            let record = party.record.lock().expect("record");
            report.sent += record.sent;
            report.acked += record.acked.len() as u64;
            report.unacked += record.unacked.len() as u64;
            report.reconnects += record.connections.saturating_sub(1);
            report.drops += record.drops;
            report.refused += record.refused;
            report.out_of_order += record.out_of_order;
            report.delivered += record.received.values().map(|&n| u64::from(n)).sum::<u64>();
            report.duplicated += record
                .received
                .values()
                .map(|&n| u64::from(n.saturating_sub(1)))
                .sum::<u64>();
            report.lost += record
                .acked
                .iter()
                .filter(|c| !by_client.contains_key(c.as_str()))
                .count() as u64;
            report.lost += ours
                .iter()
                .filter(|(id, _)| !record.received.contains_key(id))
                .count() as u64;
        }
    }
    Ok(report)
}
