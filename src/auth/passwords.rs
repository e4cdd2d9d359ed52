//! Password hashes: argon2id, run on a bounded pool.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::OsRng;
use tokio::sync::Semaphore;

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it verifies
/// against a fixed dummy hash, so both cases take the same time and give the same answer.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("switchboard-dummy-password").expect("hashing a constant cannot fail")
    });
    let candidate = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
}

/// Runs argon2 on a few blocking threads at a time. Each hash takes about 19 MiB, so an
/// unbounded number of concurrent sign-ins would take the server's memory; beyond the slots, a
/// short queue waits, and anything past the queue is refused at once.
#[derive(Debug)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    capacity: usize,
    max_waiting: usize,
    waiting: AtomicUsize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

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
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let out = work();
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(|_| HashingBusy)
    }
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
