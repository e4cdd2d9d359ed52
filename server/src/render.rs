//! Where pages are rendered: a few threads, each running its renders on a runtime of its own.
//!
//! A render spawns tasks (the effects of `Suspense`, leptos_i18n's cookie effect) that read the
//! render's signals, and leptos disposes those signals when the response body ends. On a
//! multi-threaded runtime such a task can be running on another worker at that very moment and
//! panic ("already been disposed"). Here a render and every task it spawns share one thread, so
//! a task runs either wholly before the disposal or after it, never during; and the render is
//! paused before it is disposed (see `startup::finish_renders`), so a task left after it skips
//! its run.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

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

/// Runs `render` on one of the render threads and waits for its output; `None` if it panicked.
pub async fn on_render_thread<T: Send + 'static>(
    render: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let threads = threads();
    let (done, output) = oneshot::channel();
    let job: Job = Box::pin(async move {
        let _ = done.send(render.await);
    });
    let n = threads.next.fetch_add(1, Ordering::Relaxed) % threads.queues.len();
    threads.queues[n].send(job).ok()?;
    output.await.ok()
}
