//! A connection's followers: the futures that forward its subscriptions, follow the inbox and
//! its alerts, and watch its credential. They run inside the connection's own task, polled by
//! its loop beside the socket, instead of as tasks of their own: a socket is one task, and a
//! frame a follower queues wakes only that task.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use futures_util::future::{AbortHandle, Abortable};
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::connection::Task;

type Running = Abortable<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// The followers a connection runs, one per [`Task`].
#[derive(Default)]
pub(super) struct Followers {
    running: FuturesUnordered<Running>,
    handles: HashMap<Task, AbortHandle>,
}

impl Followers {
    /// Runs `follower` for `task`, in place of the one that ran for it before.
    pub(super) fn start(
        &mut self,
        task: Task,
        follower: impl Future<Output = ()> + Send + 'static,
    ) {
        self.stop(task);
        let (handle, registration) = AbortHandle::new_pair();
        self.running
            .push(Abortable::new(Box::pin(follower), registration));
        self.handles.insert(task, handle);
    }

    /// Stops the follower of `task`, if one runs.
    pub(super) fn stop(&mut self, task: Task) {
        if let Some(old) = self.handles.remove(&task) {
            old.abort();
        }
    }

    /// Stops every follower; their subscriptions go with them.
    pub(super) fn stop_all(&mut self) {
        self.handles.clear();
        self.running = FuturesUnordered::new();
    }

    /// Drives the followers until one of them ends (or is stopped); pending while there are
    /// none. The loop calls it again at once: the others carry on where they were.
    pub(super) async fn step(&mut self) {
        if self.running.is_empty() {
            std::future::pending::<()>().await;
        }
        self.running.next().await;
    }
}
