//! The signed links an email carries: one opens the customer's chat, one unsubscribes them. A
//! link names the customer and its expiry, signed with HMAC-SHA256 under a key only this
//! installation knows (generated once and kept in the database), so nothing is stored per link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

/// What a link is for; a link for one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Opens the customer's chat on the hosted page.
    Chat,
    /// Unsubscribes the customer from reply emails.
    Unsubscribe,
    /// Confirms an address: the link names the confirmation, not the customer.
    Confirm,
}

impl LinkPurpose {
    fn tag(self) -> u8 {
        match self {
            Self::Chat => b'c',
            Self::Unsubscribe => b'u',
            Self::Confirm => b'e',
        }
    }
}

/// Bytes of the MAC kept in a link: 128 bits.
const MAC_LEN: usize = 16;
/// purpose (1) + customer id (16) + expiry in seconds (8) + MAC.
const LINK_LEN: usize = 1 + 16 + 8 + MAC_LEN;

/// The key links are signed with.
#[derive(Clone)]
pub struct LinkKey(SecretString);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(<redacted>)")
    }
}

impl LinkKey {
    /// Wraps the stored secret.
    pub fn new(secret: SecretString) -> Self {
        Self(secret)
    }

    /// A link token for `customer` and `purpose`, valid until `expires_at`.
    pub fn sign(&self, purpose: LinkPurpose, customer: Uuid, expires_at: DateTime<Utc>) -> String {
        let mut bytes = Vec::with_capacity(LINK_LEN);
        bytes.push(purpose.tag());
        bytes.extend_from_slice(customer.as_bytes());
        bytes.extend_from_slice(&expires_at.timestamp().to_be_bytes());
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The customer a token names, when it is this key's, for `purpose`, and not expired at
    /// `now`. The MAC is compared in constant time.
    pub fn verify(&self, purpose: LinkPurpose, token: &str, now: DateTime<Utc>) -> Option<Uuid> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != LINK_LEN || bytes[0] != purpose.tag() {
            return None;
        }
        let (signed, mac) = bytes.split_at(LINK_LEN - MAC_LEN);
        let mut check = self.hmac();
        check.update(signed);
        check.verify_truncated_left(mac).ok()?;
        let customer = Uuid::from_slice(&signed[1..17]).ok()?;
        let expires = i64::from_be_bytes(signed[17..25].try_into().ok()?);
        (now.timestamp() < expires).then_some(customer)
    }

    fn hmac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length")
    }

    fn mac(&self, bytes: &[u8]) -> [u8; 32] {
        let mut mac = self.hmac();
        mac.update(bytes);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> LinkKey {
        LinkKey::new(SecretString::from(secret.to_owned()))
    }

    #[test]
    fn a_link_opens_for_its_purpose_until_it_expires_and_not_under_another_key() {
        let now = Utc::now();
        let customer = Uuid::now_v7();
        let k = key("one secret");
        let link = k.sign(LinkPurpose::Chat, customer, now + chrono::Duration::days(1));
        assert_eq!(k.verify(LinkPurpose::Chat, &link, now), Some(customer));
        assert_eq!(k.verify(LinkPurpose::Unsubscribe, &link, now), None);
        assert_eq!(
            k.verify(LinkPurpose::Chat, &link, now + chrono::Duration::days(2)),
            None
        );
        assert_eq!(key("another").verify(LinkPurpose::Chat, &link, now), None);
    }

    #[test]
    fn a_changed_or_cut_link_is_refused() {
        let now = Utc::now();
        let k = key("one secret");
        let link = k.sign(
            LinkPurpose::Unsubscribe,
            Uuid::now_v7(),
            now + chrono::Duration::days(1),
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&link).unwrap();
        bytes[5] ^= 1;
        let forged = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(k.verify(LinkPurpose::Unsubscribe, &forged, now), None);
        assert_eq!(
            k.verify(LinkPurpose::Unsubscribe, &link[..link.len() - 2], now),
            None
        );
        assert_eq!(k.verify(LinkPurpose::Unsubscribe, "not a link", now), None);
    }
}
