//! Where pages are rendered: a few threads, each running its renders on a runtime of its own.
//!
//! A render spawns tasks (the effects of `Suspense`, leptos_i18n's cookie effect) that read the
//! render's signals, and leptos disposes those signals when the response body ends. On a
//! multi-threaded runtime such a task can be running on another worker at that very moment and
//! panic ("already been disposed"). Here a render and every task it spawns share one thread, so
//! a task runs either wholly before the disposal or after it, never during; and the render is
//! paused before it is disposed (see `startup::finish_renders`), so a task left after it skips
//! its run.
//!
//! A render also has a time limit ([`on_render_thread`]): a render that has not finished by then
//! is dropped on its own thread and the caller hears [`RenderFailed::TimedOut`], so no page
//! request can wait forever, whatever a render waits on.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

struct RenderThreads {
    queues: Vec<mpsc::UnboundedSender<Job>>,
    next: AtomicUsize,
}

fn threads() -> &'static RenderThreads {
    static THREADS: OnceLock<RenderThreads> = OnceLock::new();
    THREADS.get_or_init(|| {
        let count = std::thread::available_parallelism().map_or(2, |n| n.get());
        let queues = (0..count)
            .map(|n| {
                let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
                std::thread::Builder::new()
                    .name(format!("page-render-{n}"))
                    .spawn(move || {
                        let runtime = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .expect("a page-render runtime starts");
                        runtime.block_on(async move {
                            while let Some(job) = rx.recv().await {
                                tokio::spawn(job);
                            }
                        });
                    })
                    .expect("a page-render thread starts");
                tx
            })
            .collect();
        RenderThreads {
            queues,
            next: AtomicUsize::new(0),
        }
    })
}

/// Why a render gave no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderFailed {
    /// It was still running when its time ran out, and was dropped.
    TimedOut,
    /// It panicked.
    Panicked,
}

/// Runs `render` on one of the render threads and waits for its output, for at most `limit`.
/// Past the limit, `on_timeout` runs (on the render thread, before the render is dropped) and
/// the answer is [`RenderFailed::TimedOut`].
pub async fn on_render_thread<T: Send + 'static>(
    limit: Duration,
    render: impl Future<Output = T> + Send + 'static,
    on_timeout: impl FnOnce() + Send + 'static,
) -> Result<T, RenderFailed> {
    let threads = threads();
    let (done, output) = oneshot::channel();
    let job: Job = Box::pin(async move {
        let _ = done.send(bounded(tokio::time::sleep(limit), render, on_timeout).await);
    });
    let n = threads.next.fetch_add(1, Ordering::Relaxed) % threads.queues.len();
    threads.queues[n]
        .send(job)
        .map_err(|_| RenderFailed::Panicked)?;
    output.await.map_err(|_| RenderFailed::Panicked)?
}

/// `render`'s output, or `TimedOut` once `deadline` has come; `on_timeout` runs before the
/// unfinished render is dropped.
async fn bounded<T>(
    deadline: impl Future<Output = ()>,
    render: impl Future<Output = T>,
    on_timeout: impl FnOnce(),
) -> Result<T, RenderFailed> {
    let render = std::pin::pin!(render);
    tokio::select! {
        biased;
        output = render => Ok(output),
        () = deadline => {
            on_timeout();
            Err(RenderFailed::TimedOut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_render_that_never_finishes_times_out_and_is_told_first() {
        let told = Arc::new(AtomicBool::new(false));
        let flag = told.clone();
        let outcome = bounded(
            std::future::ready(()),
            std::future::pending::<()>(),
            move || flag.store(true, Ordering::SeqCst),
        )
        .await;
        assert_eq!(outcome, Err(RenderFailed::TimedOut));
        assert!(told.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_render_that_finishes_before_its_deadline_gives_its_output() {
        let outcome = bounded(std::future::pending(), async { 7 }, || {
            panic!("not timed out")
        })
        .await;
        assert_eq!(outcome, Ok(7));
    }

    #[tokio::test]
    async fn a_render_thread_reports_a_panicking_render() {
        let outcome: Result<(), _> = on_render_thread(
            Duration::from_secs(10),
            async { panic!("a render bug") },
            || {},
        )
        .await;
        assert_eq!(outcome, Err(RenderFailed::Panicked));
    }
}
