//! Password and client-secret hashing with Argon2id, off the async runtime.

use crate::AppError;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

/// How expensive a hash is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    /// OWASP's recommended Argon2id setting (19 MiB, 2 passes).
    Standard,
    /// A cheap setting for test suites (it still is Argon2id; never use it in production).
    Test,
}

/// Hashes and verifies secrets.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random value, verified against when the user does not exist, so a login
    /// for an unknown user costs the same time as one with a wrong password.
    dummy: String,
}

impl PasswordHasher {
    /// A hasher with the given cost.
    pub fn new(cost: HashCost) -> Self {
        let params = match cost {
            HashCost::Standard => Params::new(19 * 1024, 2, 1, None),
            HashCost::Test => Params::new(256, 1, 1, None),
        }
        .expect("static Argon2 parameters are valid");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let dummy = argon
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes())
            .expect("hashing with valid parameters")
            .to_string();
        Self { params, dummy }
    }

    /// Hashes `secret` into a PHC string.
    pub async fn hash(&self, secret: String) -> Result<String, AppError> {
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(secret.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hashing: {e}")))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// True when `secret` matches `hash`; with `None` it burns the same time and says false.
    pub async fn verify(&self, secret: String, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.clone());
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}
