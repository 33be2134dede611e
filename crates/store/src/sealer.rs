//! Secrets at rest: AES-256-GCM under the deployment's master key.
//!
//! cartwire must send some secrets later (integration-event hash keys, webhook secrets, AWS
//! keys, the JWT signing key), so they cannot be hashed; they are sealed instead. A sealed value
//! is `v1:` + base64(nonce ‖ ciphertext ‖ tag) with a fresh random 96-bit nonce.

use crate::StoreError;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Encrypts and decrypts secrets with the master key.
pub struct Sealer {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl Sealer {
    /// Builds a sealer from a 32-byte master key.
    pub fn new(master_key: &[u8]) -> Result<Self, StoreError> {
        let unbound = UnboundKey::new(&AES_256_GCM, master_key)
            .map_err(|_| StoreError::Config("the master key must be 32 bytes".into()))?;
        Ok(Self { key: LessSafeKey::new(unbound), rng: SystemRandom::new() })
    }

    /// Generates a new random 32-byte master key.
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        SystemRandom::new().fill(&mut key).expect("the system RNG works");
        key
    }

    /// Encrypts `plain`.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).expect("the system RNG works");
        let mut buf = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
            .expect("AES-GCM sealing of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("v1:{}", STANDARD.encode(out))
    }

    /// Decrypts a value made by [`Sealer::seal`].
    pub fn open(&self, sealed: &str) -> Result<String, StoreError> {
        let body = sealed.strip_prefix("v1:").ok_or_else(|| StoreError::Sealed("unknown format".into()))?;
        let bytes = STANDARD.decode(body).map_err(|e| StoreError::Sealed(e.to_string()))?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(StoreError::Sealed("too short".into()));
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::Sealed("nonce".into()))?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut buf)
            .map_err(|_| StoreError::Sealed("wrong master key or tampered value".into()))?;
        String::from_utf8(plain.to_vec()).map_err(|e| StoreError::Sealed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let sealer = Sealer::new(&Sealer::generate_key()).unwrap();
        let a = sealer.seal("hash-key");
        let b = sealer.seal("hash-key");
        assert_ne!(a, b, "fresh nonce per seal");
        assert!(!a.contains("hash-key"));
        assert_eq!(sealer.open(&a).unwrap(), "hash-key");
        let other = Sealer::new(&Sealer::generate_key()).unwrap();
        assert!(other.open(&a).is_err());
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&tampered).is_err());
        assert!(Sealer::new(&[0u8; 16]).is_err());
    }
}
