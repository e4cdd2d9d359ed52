//! Turns at SQLite's one write lock (see [`WriteGate`]).

use super::Store;

/// Turns at SQLite's one write lock for the two writers that would otherwise take it by the
/// hundred: the message writer and the file chunks. Without it they meet in SQLite's busy
/// handler, which sleeps in steps of up to 100 ms, and a message waits behind a crowd of
/// chunks for a second. With it, chunks go one at a time and the message writer waits for at
/// most the one being written (tokio's mutex serves in order). Unused on PostgreSQL.
#[derive(Debug, Default)]
pub(super) struct WriteGate {
    turn: tokio::sync::Mutex<()>,
    files: tokio::sync::Mutex<()>,
}

/// A turn at the write lock (nothing on PostgreSQL); the turn ends when it is dropped.
#[derive(Debug)]
pub struct WriteTurn<'a> {
    _files: Option<tokio::sync::MutexGuard<'a, ()>>,
    _turn: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl Store {
    /// The message writer's turn at SQLite's write lock: after the chunk being written, if any.
    pub async fn writer_turn(&self) -> WriteTurn<'_> {
        if self.sqlite().is_none() {
            return WriteTurn {
                _files: None,
                _turn: None,
            };
        }
        WriteTurn {
            _files: None,
            _turn: Some(self.gate.turn.lock().await),
        }
    }

    /// A file chunk's turn at SQLite's write lock: behind the other chunks, so that the
    /// message writer never waits for more than one.
    pub async fn file_turn(&self) -> WriteTurn<'_> {
        if self.sqlite().is_none() {
            return WriteTurn {
                _files: None,
                _turn: None,
            };
        }
        let files = self.gate.files.lock().await;
        WriteTurn {
            _turn: Some(self.gate.turn.lock().await),
            _files: Some(files),
        }
    }
}
