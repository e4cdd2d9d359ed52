//! Password hashes: argon2id, run on a bounded pool of threads.
//!
//! Each argon2 run needs about 19 MiB. Allocated afresh per run from the heap (as
//! `Argon2::hash_password` does), glibc kept what was freed: bursts of wrong sign-ins left the
//! server 1.3 GB larger. Kept for good in each hashing thread, a server that had checked one
//! password held 19 MiB per thread ever after. Here the blocks are mapped from the kernel, not
//! the heap: a hashing thread keeps its mapping while jobs wait for it, and unmaps it when it
//! has nothing left to do. So a burst costs the pool's size times 19 MiB while it lasts, and an
//! idle server holds none of it.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use memmap2::{MmapMut, MmapOptions};
use rand_core::OsRng;
use tokio::sync::{oneshot, Semaphore};

thread_local! {
    /// This thread's argon2 working memory: mapped by its first hash, reused by the hashes
    /// that follow until [`release_memory`] unmaps it (or the thread ends).
    static MEMORY: RefCell<Option<Blocks>> = const { RefCell::new(None) };
}

/// Bytes mapped for argon2's blocks in this process now, on every thread.
static MAPPED: AtomicUsize = AtomicUsize::new(0);

/// How many bytes of argon2 working memory are mapped now, on every thread: 0 once the hashing
/// threads are idle.
pub fn hashing_memory_mapped() -> usize {
    MAPPED.load(Ordering::SeqCst)
}

/// An anonymous mapping that holds argon2 blocks.
struct Blocks {
    map: MmapMut,
    // Declared after the mapping, so it is counted off once unmapped.
    _counted: Counted,
}

/// A mapping's share of [`MAPPED`].
struct Counted(usize);

impl Drop for Counted {
    fn drop(&mut self) {
        MAPPED.fetch_sub(self.0, Ordering::SeqCst);
    }
}

impl Blocks {
    /// Maps room for `count` blocks, zeroed by the kernel.
    fn map(count: usize) -> std::io::Result<Self> {
        let bytes = count * std::mem::size_of::<Block>();
        let map = MmapOptions::new().len(bytes.max(1)).map_anon()?;
        MAPPED.fetch_add(map.len(), Ordering::SeqCst);
        let counted = Counted(map.len());
        Ok(Self {
            map,
            _counted: counted,
        })
    }

    /// How many blocks the mapping holds.
    fn count(&self) -> usize {
        self.map.len() / std::mem::size_of::<Block>()
    }

    /// The first `count` blocks.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        assert!(
            count <= self.count(),
            "the mapping holds {} blocks",
            self.count()
        );
        let start = self.map.as_mut_ptr();
        assert_eq!(start.align_offset(std::mem::align_of::<Block>()), 0);
        // SAFETY: the mapping is page-aligned (checked above against `Block`'s 64 bytes), holds
        // `self.count()` blocks' bytes, is borrowed mutably for the slice's life, and a block is
        // plain `u64`s, for which any bytes (the kernel's zeros to begin with) are valid.
        unsafe { std::slice::from_raw_parts_mut(start.cast::<Block>(), count) }
    }
}

/// Unmaps this thread's argon2 memory, if it has any.
fn release_memory() {
    MEMORY.with_borrow_mut(|memory| *memory = None);
}

/// Runs argon2 with `params` into `out`, in this thread's mapped memory.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let need = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    MEMORY.with_borrow_mut(|memory| {
        if memory.as_ref().is_none_or(|blocks| blocks.count() < need) {
            *memory = None;
            let blocks = Blocks::map(need).map_err(|err| {
                tracing::error!(error = %err, "could not map argon2's working memory");
                argon2::Error::MemoryTooMuch
            })?;
            *memory = Some(blocks);
        }
        let blocks = memory.as_mut().expect("mapped above");
        argon.hash_password_into_with_memory(password, salt, out, blocks.blocks(need))
    })
}

/// Hashes a password with argon2id (the crate's default parameters) and a random salt, in the
/// PHC string format.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("hashing a password: {e}");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let params = Params::default();
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    argon2_into(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` gives the stored PHC hash, compared in constant time.
fn matches(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm);
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let params = Params::try_from(&parsed);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, params) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    argon2_into(
        algorithm,
        version,
        params,
        password.as_bytes(),
        salt,
        &mut out,
    )
    .is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it verifies
/// against a fixed dummy hash, so both cases take the same time and give the same answer.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("switchboard-dummy-password").expect("hashing a constant cannot fail")
    });
    let ok = matches(password, stored.unwrap_or(dummy));
    ok && stored.is_some()
}

/// Runs argon2 on as many threads as it has slots, each thread keeping its memory while busy.
/// Each hash takes about 19 MiB, so an unbounded number of concurrent sign-ins would take the
/// server's memory; beyond the slots, a short queue waits, and anything past the queue is
/// refused at once.
#[derive(Debug)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    capacity: usize,
    max_waiting: usize,
    waiting: AtomicUsize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    /// The hashing threads' queue, started at the first hash.
    threads: OnceLock<Mutex<mpsc::Sender<Job>>>,
}

/// Work for a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

/// Password hashing is busy: the caller should answer "try again shortly".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingBusy;

impl PasswordHashing {
    /// `slots` hashes at once, and at most `max_waiting` callers waiting for a slot.
    pub fn new(slots: usize, max_waiting: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            capacity: slots,
            max_waiting,
            waiting: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            threads: OnceLock::new(),
        }
    }

    /// Two slots per core, as many waiting as eight times that.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(2 * cores, 16 * cores)
    }

    /// How many hashes may run at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most hashes that ever ran at once: a bound the server reports.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Runs `work` (a password hash or check) on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingBusy> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(HashingBusy);
                }
                let permit = self.slots.clone().acquire_owned().await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                permit.map_err(|_| HashingBusy)?
            }
        };
        let running = self.running.clone();
        let peak = self.peak.clone();
        let (done, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            // A panicking hash drops `done`, which the caller sees; the thread lives on.
            if let Ok(out) = std::panic::catch_unwind(AssertUnwindSafe(work)) {
                let _ = done.send(out);
            }
            running.fetch_sub(1, Ordering::SeqCst);
        });
        let sent = self
            .threads
            .get_or_init(|| Mutex::new(start_threads(self.capacity)))
            .lock()
            .map_err(|_| HashingBusy)?
            .send(job);
        sent.map_err(|_| HashingBusy)?;
        let out = answer.await.map_err(|_| HashingBusy);
        drop(permit);
        out
    }
}

/// Starts `count` hashing threads that take jobs from one queue; they end when the queue's
/// sender is dropped with its pool.
fn start_threads(count: usize) -> mpsc::Sender<Job> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for i in 0..count {
        let queue = queue.clone();
        let started = std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || loop {
                // A queue locked by another thread means that thread is waiting for work (or
                // taking some): this one counts as idle too, rather than wait holding memory.
                let waiting = match queue.try_lock() {
                    Ok(queue) => queue.try_recv(),
                    Err(std::sync::TryLockError::WouldBlock) => Err(mpsc::TryRecvError::Empty),
                    Err(std::sync::TryLockError::Poisoned(_)) => return,
                };
                let job = match waiting {
                    Ok(job) => job,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                    Err(mpsc::TryRecvError::Empty) => {
                        // Nothing waits for this thread: its memory goes back to the system
                        // before it sleeps.
                        release_memory();
                        match queue.lock().map(|queue| queue.recv()) {
                            Ok(Ok(job)) => job,
                            _ => return,
                        }
                    }
                };
                job();
            });
        if let Err(err) = started {
            tracing::error!(error = %err, "could not start a password hashing thread");
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_argon2id_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
    }

    #[test]
    fn hashes_made_here_and_by_the_argon2_crate_verify_either_way() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert_eq!(
            ours.split('$').take(4).collect::<Vec<_>>(),
            theirs.split('$').take(4).collect::<Vec<_>>(),
            "same algorithm, version and parameters"
        );
        assert!(verify_password("correct horse battery", Some(&theirs)));
        assert!(!verify_password("correct horse batterx", Some(&theirs)));
        assert!(!verify_password(
            "x",
            Some("$argon2id$v=19$m=8,t=1,p=1$bad")
        ));
    }

    #[test]
    fn an_unknown_account_never_verifies_even_with_the_dummy_password() {
        assert!(!verify_password("switchboard-dummy-password", None));
    }

    #[tokio::test]
    async fn password_hashing_runs_at_most_its_slots_at_once_and_refuses_past_the_queue() {
        let pool = Arc::new(PasswordHashing::new(2, 3));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(std::sync::Mutex::new(held));
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (pool, held) = (pool.clone(), held.clone());
            tasks.push(tokio::spawn(async move {
                pool.run(move || held.lock().unwrap().recv().unwrap()).await
            }));
        }
        // Two take the slots and run, and three queue.
        while pool.waiting.load(Ordering::SeqCst) < 3 || pool.running.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|| ()).await, Err(HashingBusy), "the queue is full");
        for _ in 0..5 {
            release.send(()).unwrap();
        }
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(pool.peak(), 2);
    }
}
