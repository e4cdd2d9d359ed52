//! Connections that send nothing, or idle over HTTP/2, or come many from one network: each is
//! closed or refused at the accept loop, and everyone else is still served.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::common::ws::{connect, Handshake};
use crate::common::{closed_within, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn address_of(server: &TestServer) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection to `server` from the local address `from` (any of 127.0.0.0/8 on Linux).
async fn connect_from(server: &TestServer, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    socket.connect(address_of(server)).await.unwrap()
}

/// Sends a request on a raw connection and returns what came back before the server closed it
/// or 10 s passed.
async fn request_on(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_connection_that_never_sends_a_byte_is_closed_after_the_header_timeout() {
    let server = TestServer::start_with(&[("SWITCHBOARD_HEADER_TIMEOUT", "1s")]).await;
    let mut silent = TcpStream::connect(address_of(&server)).await.unwrap();
    assert!(
        closed_within(&mut silent, Duration::from_secs(15)).await,
        "a connection with no first byte is closed"
    );
}

#[tokio::test]
async fn an_idle_http2_connection_is_closed_after_the_idle_timeout() {
    let server = TestServer::start_with(&[
        ("SWITCHBOARD_HEADER_TIMEOUT", "1s"),
        ("SWITCHBOARD_IDLE_TIMEOUT", "1s"),
    ])
    .await;
    let mut h2c = TcpStream::connect(address_of(&server)).await.unwrap();
    // The HTTP/2 connection preface and an empty SETTINGS frame, then nothing: a client that
    // never acknowledges anything, as one holding slots would.
    h2c.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut settings = [0u8; 9];
    h2c.read_exact(&mut settings).await.unwrap();
    assert_eq!(
        settings[3], 0x4,
        "the server speaks HTTP/2: its SETTINGS frame"
    );
    assert!(
        closed_within(&mut h2c, Duration::from_secs(15)).await,
        "an idle HTTP/2 connection is closed"
    );
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_and_other_addresses_are_still_served() {
    let server = TestServer::start_with(&[
        ("SWITCHBOARD_MAX_CONNECTIONS", "20"),
        ("SWITCHBOARD_CONNECTIONS_PER_ADDRESS", "5"),
    ])
    .await;
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut stream = connect_from(&server, "127.0.0.3").await;
        // A byte, so each is past the first-byte wait and holds its slot while it idles.
        stream.write_all(b"G").await.unwrap();
        held.push(stream);
    }
    let mut sixth = connect_from(&server, "127.0.0.3").await;
    assert_eq!(
        request_on(&mut sixth, "/login").await,
        "",
        "the sixth connection from one address is closed unserved"
    );
    let mut elsewhere = connect_from(&server, "127.0.0.4").await;
    let answer = request_on(&mut elsewhere, "/login").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held.pop());
    // The closed one's share comes back once the server has seen it go.
    let mut again = String::new();
    for _ in 0..50 {
        let mut stream = connect_from(&server, "127.0.0.3").await;
        again = request_on(&mut stream, "/login").await;
        if !again.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
}

#[tokio::test]
async fn open_websockets_count_in_their_address_share() {
    let server = TestServer::start_with(&[("SWITCHBOARD_CONNECTIONS_PER_ADDRESS", "2")]).await;
    let cookie = server.operator_cookie().await;
    let url = server.ws_url("");
    let mut sockets = Vec::new();
    for _ in 0..2 {
        match connect(&url, &[("cookie", &cookie)]).await {
            Handshake::Open(socket) => sockets.push(socket),
            Handshake::Refused(status, body) => panic!("refused with {status}: {body}"),
        }
    }
    let mut third = TcpStream::connect(address_of(&server)).await.unwrap();
    assert_eq!(
        request_on(&mut third, "/login").await,
        "",
        "two open sockets hold the address's whole share"
    );
}
