//! Password checks reuse their memory: after the pool's threads have made their first hash, a
//! burst of wrong passwords allocates no new argon2 blocks. (Before, every check allocated its
//! 19 MiB afresh, and glibc kept what was freed: four bursts of 96 wrong sign-ins left the server
//! 1.3 GB larger.) This binary counts large allocations with its own global allocator.

#![cfg(feature = "server")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use switchboard::auth::{hash_password, verify_password, PasswordHashing};

/// Allocations of at least this many bytes are counted: argon2's blocks, nothing else here.
const LARGE: usize = 8 * 1024 * 1024;

struct Counting;

static LARGE_ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE {
            LARGE_ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= LARGE {
            LARGE_ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Checks `count` wrong passwords against `stored` at once; their answers.
async fn check_all(pool: &Arc<PasswordHashing>, stored: &str, count: usize) -> Vec<bool> {
    let checks: Vec<_> = (0..count)
        .map(|_| {
            let (pool, stored) = (pool.clone(), stored.to_owned());
            tokio::spawn(async move {
                pool.run(move || verify_password("wrong guess", Some(&stored)))
                    .await
                    .expect("the queue has room")
            })
        })
        .collect();
    let mut answers = Vec::new();
    for check in checks {
        answers.push(check.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_passwords_allocates_no_new_hashing_memory() {
    let slots = 2;
    let pool = Arc::new(PasswordHashing::new(slots, 64));
    let stored = pool
        .run(|| hash_password("correct horse battery staple").unwrap())
        .await
        .unwrap();
    // Every thread of the pool hashes once, concurrently, so each has its memory.
    check_all(&pool, &stored, slots).await;
    let before = LARGE_ALLOCATIONS.load(Ordering::SeqCst);
    assert!(before >= 1, "argon2's blocks count as a large allocation");
    let answers = check_all(&pool, &stored, 24).await;
    assert!(answers.iter().all(|a| !a), "every guess is wrong");
    let during = LARGE_ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(
        during, 0,
        "24 wrong passwords made {during} new large allocations"
    );
}
