//! Password checks take their memory from the kernel and give it back: a burst of wrong
//! passwords allocates no argon2 blocks from the heap, and once the pool's threads are idle none
//! of their memory is left. (Once, every check allocated its 19 MiB afresh from the heap, and
//! glibc kept what was freed: four bursts of 96 wrong sign-ins left the server 1.3 GB larger.
//! Then each thread kept its blocks for good: 19 MiB per thread after a single sign-in.) This
//! binary counts large allocations with its own global allocator.

#![cfg(feature = "server")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use switchboard::auth::{hash_password, hashing_memory_mapped, verify_password, PasswordHashing};

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

/// This process's resident memory, in bytes.
fn resident() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_passwords_takes_nothing_from_the_heap_and_leaves_no_memory_behind() {
    let slots = 2;
    let pool = Arc::new(PasswordHashing::new(slots, 64));
    let resident_before = resident();
    let stored = pool
        .run(|| hash_password("correct horse battery staple").unwrap())
        .await
        .unwrap();
    let answers = check_all(&pool, &stored, 24).await;
    assert!(answers.iter().all(|a| !a), "every guess is wrong");
    assert_eq!(
        LARGE_ALLOCATIONS.load(Ordering::SeqCst),
        0,
        "argon2's blocks came from the heap"
    );
    // The threads unmap their blocks just after answering: wait for that, a few seconds at most.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while hashing_memory_mapped() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} bytes of hashing memory still mapped",
            hashing_memory_mapped()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Two threads kept 19 MiB each before; what is left now is far less than one of them.
    let grown = resident().saturating_sub(resident_before);
    assert!(
        grown < 8 * 1024 * 1024,
        "the process grew by {grown} bytes over a burst of checks"
    );
}
