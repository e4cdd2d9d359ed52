//! Credentials: password hashes (on a bounded pool), random tokens and their stored digests, and
//! the widget's signed identities. The sign-in limiter is in `limits::logins`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

mod passwords;

pub use passwords::{
    hash_password, hashing_memory_mapped, verify_password, HashingBusy, PasswordHashing,
};

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

/// The secret under which a host site signs its users' ids for the widget.
#[derive(Clone)]
pub struct WidgetSecret(SecretString);

impl WidgetSecret {
    /// Wraps a configured or stored secret.
    pub fn new(secret: SecretString) -> Self {
        Self(secret)
    }

    /// Draws a fresh secret: 256 bits, lower-case hex.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(SecretString::from(hex::encode(bytes)))
    }

    /// The secret, to show operators (who paste it into their site's back end).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The lower-case hex HMAC-SHA256 of `user_id` under this secret: the v1 signature.
    pub fn sign(&self, user_id: &str) -> String {
        hex::encode(self.mac(user_id.as_bytes()).finalize().into_bytes())
    }

    /// The v1.1 signature of `identity`: the lower-case hex HMAC-SHA256 of its canonical text.
    pub fn sign_identity(&self, identity: &SignedIdentity) -> String {
        hex::encode(
            self.mac(identity.canonical().as_bytes())
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `signature` (hex, either case) is the v1 HMAC of `user_id`, compared in
    /// constant time. Anything that is not 64 hex digits is simply wrong.
    pub fn verifies(&self, user_id: &str, signature: &str) -> bool {
        self.checks(user_id.as_bytes(), signature)
    }

    /// Whether `signature` is the v1.1 HMAC of `identity`, compared in constant time.
    pub fn verifies_identity(&self, identity: &SignedIdentity, signature: &str) -> bool {
        self.checks(identity.canonical().as_bytes(), signature)
    }

    fn checks(&self, signed: &[u8], signature: &str) -> bool {
        match hex::decode(signature.trim()) {
            Ok(bytes) if bytes.len() == 32 => self.mac(signed).verify_slice(&bytes).is_ok(),
            _ => false,
        }
    }

    fn mac(&self, signed: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(signed);
        mac
    }
}

/// What a host site's v1.1 widget signature covers, exactly as the host sent it (the values
/// are checked as they are, before any trimming or lower-casing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIdentity {
    /// The host site's user id.
    pub user_id: String,
    /// The email, or empty when none was sent.
    pub email: String,
    /// The name, or empty when none was sent.
    pub name: String,
    /// When the host signed it, in Unix seconds.
    pub issued_at: i64,
}

impl SignedIdentity {
    /// The text the HMAC is computed over: `v2\n<user_id>\n<email>\n<name>\n<issued_at>`.
    pub fn canonical(&self) -> String {
        format!(
            "v2\n{}\n{}\n{}\n{}",
            self.user_id, self.email, self.name, self.issued_at
        )
    }
}

impl std::fmt::Debug for WidgetSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WidgetSecret(<redacted>)")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_widget_signature_is_the_known_hmac_and_only_it_verifies() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let secret = WidgetSecret::new(SecretString::from("Jefe"));
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(secret.sign("what do ya want for nothing?"), expected);
        assert!(secret.verifies("what do ya want for nothing?", expected));
        assert!(secret.verifies("what do ya want for nothing?", &expected.to_uppercase()));
        assert!(!secret.verifies("what do ya want for nothing!", expected));
        assert!(!secret.verifies("what do ya want for nothing?", &expected[..62]));
        assert!(!secret.verifies("what do ya want for nothing?", "not hex at all"));
        assert!(!secret.verifies("what do ya want for nothing?", ""));
        let other = WidgetSecret::generate();
        assert_eq!(other.expose().len(), 64);
        assert!(!other.verifies("what do ya want for nothing?", expected));
    }

    #[test]
    fn a_v2_signature_covers_every_field_and_the_time_it_was_issued() {
        let secret = WidgetSecret::new(SecretString::from("Jefe"));
        let identity = SignedIdentity {
            user_id: "42".into(),
            email: "ann@example.com".into(),
            name: "Ann".into(),
            issued_at: 1_700_000_000,
        };
        assert_eq!(
            identity.canonical(),
            "v2\n42\nann@example.com\nAnn\n1700000000"
        );
        let signature = secret.sign_identity(&identity);
        // What the Widget page's Node.js and Python examples print for these values.
        assert_eq!(
            signature,
            "abf5d3bc7dea921f28adac5c9737ed70ddb40e0aa41154d7e4207b995434c9d9"
        );
        // The same HMAC as any HMAC-SHA256 of the canonical text.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(identity.canonical().as_bytes());
        assert_eq!(signature, hex::encode(mac.finalize().into_bytes()));
        assert!(secret.verifies_identity(&identity, &signature));
        for changed in [
            SignedIdentity {
                email: "victim@elsewhere.example".into(),
                ..identity.clone()
            },
            SignedIdentity {
                name: "Ann!".into(),
                ..identity.clone()
            },
            SignedIdentity {
                issued_at: 1_700_000_001,
                ..identity.clone()
            },
            SignedIdentity {
                user_id: "43".into(),
                ..identity.clone()
            },
        ] {
            assert!(
                !secret.verifies_identity(&changed, &signature),
                "{changed:?}"
            );
        }
        assert!(
            !secret.verifies("42", &signature),
            "a v2 signature is no v1 one"
        );
    }

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
}
