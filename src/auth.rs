//! Credentials: password hashes, random tokens and their stored digests, and the sign-in limiter.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A bearer secret (guest link token, operator session cookie): 256 bits from the operating
/// system's CSPRNG, base64url without padding (43 characters).
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Draws a fresh token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Wraps a token presented by a client.
    pub fn from_presented(raw: &str) -> Self {
        Self(SecretString::from(raw.to_owned()))
    }

    /// The token itself, to hand to its owner once.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The digest that is stored instead of the token.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(hex::encode(Sha256::digest(self.expose().as_bytes())))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The SHA-256 of a token, in lower-case hex: what the database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDigest(String);

impl TokenDigest {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fresh Content-Security-Policy nonce: 128 bits, base64url.
pub fn csp_nonce() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A password that is generated for a new operator: 20 characters of base64url (120 bits).
pub fn generate_password() -> String {
    let mut bytes = [0u8; 15];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

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

/// Limits failed sign-ins per client address and per email, in a sliding window. In memory: a
/// restart forgets, which is acceptable for slowing down guessing.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    max_per_email: u32,
    max_per_ip: u32,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing `max_per_email` and `max_per_ip` failures per `window`.
    pub fn new(window: Duration, max_per_email: u32, max_per_ip: u32) -> Self {
        Self {
            window,
            max_per_email,
            max_per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(ip: &str, email: &str) -> [String; 2] {
        [format!("ip:{ip}"), format!("email:{email}")]
    }

    /// `Err(seconds)` when either key has used up its failures; the seconds say when the oldest
    /// counted failure leaves the window.
    pub fn check(&self, ip: &str, email: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        let [ip_key, email_key] = Self::keys(ip, email);
        let mut wait = None::<Duration>;
        for (key, max) in [(ip_key, self.max_per_ip), (email_key, self.max_per_email)] {
            if let Some(list) = map.get_mut(&key) {
                list.retain(|t| now.duration_since(*t) < self.window);
                if list.len() as u32 >= max {
                    let oldest = list[0];
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        match wait {
            Some(left) => Err(left.as_secs().max(1)),
            None => Ok(()),
        }
    }

    /// Counts one failed attempt against both keys.
    pub fn record_failure(&self, ip: &str, email: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        // Keep memory bounded under a spray of addresses: drop entries whose window has passed.
        if map.len() > 10_000 {
            map.retain(|_, list| {
                list.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for key in Self::keys(ip, email) {
            map.entry(key).or_default().push(now);
        }
    }

    /// Forgets the failures of an email after a successful sign-in.
    pub fn record_success(&self, email: &str) {
        let mut map = self.failures.lock().expect("limiter lock");
        map.remove(&format!("email:{email}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ_each_time() {
        let a = Token::generate();
        let b = Token::generate();
        assert_eq!(a.expose().len(), 43);
        assert!(a
            .expose()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn a_token_digest_is_its_sha256_in_hex() {
        let token = Token::from_presented("abc");
        assert_eq!(
            token.digest().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!format!("{token:?}").contains("abc"));
    }

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

    #[test]
    fn the_limiter_refuses_after_too_many_failures_for_one_email() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(limiter.check("1.1.1.1", "a@x").is_ok());
            limiter.record_failure("1.1.1.1", "a@x");
        }
        let wait = limiter.check("2.2.2.2", "a@x").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("2.2.2.2", "b@x").is_ok());
        limiter.record_success("a@x");
        assert!(limiter.check("2.2.2.2", "a@x").is_ok());
    }

    #[test]
    fn the_limiter_refuses_an_address_that_sprays_many_emails() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        limiter.record_failure("9.9.9.9", "a@x");
        limiter.record_failure("9.9.9.9", "b@x");
        assert!(limiter.check("9.9.9.9", "c@x").is_err());
        assert!(limiter.check("8.8.8.8", "c@x").is_ok());
    }
}
