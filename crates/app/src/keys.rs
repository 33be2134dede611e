//! RS256 signing keys and the JSON Web Tokens they sign.
//!
//! Tokens are signed with aws-lc-rs directly: the format is three base64url parts and one
//! RSASSA-PKCS1-v1_5 SHA-256 signature, and verification checks exactly what OrderCloud
//! middleware checks (algorithm, `kid`, signature, `iss`, `aud`, `exp`, `nbf`). The test
//! suite verifies issued tokens independently with the `jsonwebtoken` crate against the
//! published `/oauth/certs/{kid}` key, as third-party middleware would.

use crate::AppError;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cartwire_store::Store;
use cartwire_store::signing_keys::SigningKey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;
use time::OffsetDateTime;

/// The claims of a cartwire access token (OrderCloud's, plus `cmp` for the buyer company).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Username.
    pub usr: String,
    /// API client id.
    pub cid: String,
    /// User id.
    pub u: String,
    /// `admin` or `buyer`.
    pub usrtype: String,
    /// Roles and custom roles (always an array).
    pub role: Vec<String>,
    /// Issuer: the public base URL.
    pub iss: String,
    /// Audience: the public base URL.
    pub aud: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Not before, epoch seconds.
    pub nbf: i64,
    /// Issued at, epoch seconds.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// The anonymous shopper's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orderid: Option<String>,
    /// Buyer company of a buyer user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmp: Option<String>,
    /// Roles added to a callout token by its integration event's `ElevatedRoles` (cartwire
    /// extension): the user need not hold these for the token to stay valid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elv: Vec<String>,
    /// The generation of the user's tokens at issue (cartwire extension, see
    /// `Tx::revoke_user_tokens`); tokens without one are of generation 0.
    #[serde(default)]
    pub r#gen: i64,
}

/// A public key as published at `/oauth/certs/{kid}` (a JWK).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    /// `RSA`.
    pub kty: &'static str,
    /// Modulus, base64url.
    pub n: String,
    /// Exponent, base64url.
    pub e: String,
    /// `RS256`.
    pub alg: &'static str,
    /// `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// Key id.
    pub kid: String,
}

struct LoadedKey {
    record: SigningKey,
    pair: KeyPair,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// The signing keys of the deployment: the newest active one signs, all of them verify.
pub struct KeyRing {
    store: Store,
    keys: RwLock<Keys>,
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, std::sync::Arc<LoadedKey>>,
    signing: Option<String>,
}

/// Generates a new RSA-2048 signing key.
pub fn generate_signing_key() -> Result<SigningKey, AppError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| AppError::Internal("RSA key generation".into()))?;
    let der = pair.as_der().map_err(|_| AppError::Internal("PKCS#8 encoding".into()))?;
    let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    Ok(SigningKey {
        kid: uuid::Uuid::new_v4().simple().to_string(),
        private_pkcs8: der.as_ref().to_vec(),
        public_n: B64URL.encode(&components.n),
        public_e: B64URL.encode(&components.e),
        created_at: OffsetDateTime::now_utc(),
        retired_at: None,
    })
}

impl KeyRing {
    /// Loads the stored keys, generating and storing the first one on an empty store.
    pub async fn load_or_create(store: &Store) -> Result<Self, AppError> {
        let ring = Self { store: store.clone(), keys: RwLock::new(Keys::default()) };
        ring.reload().await?;
        if ring.keys.read().expect("key lock").signing.is_none() {
            ring.rotate().await?;
        }
        Ok(ring)
    }

    /// Re-reads the keys from the store (another node or the CLI may have rotated them).
    pub async fn reload(&self) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let records = tx.signing_keys().await?;
        tx.commit().await?;
        let mut keys = Keys::default();
        for record in records {
            let pair = KeyPair::from_pkcs8(&record.private_pkcs8)
                .map_err(|e| AppError::Internal(format!("stored signing key {}: {e}", record.kid)))?;
            let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
            if keys.signing.is_none() && record.retired_at.is_none() {
                keys.signing = Some(record.kid.clone());
            }
            let kid = record.kid.clone();
            keys.by_kid.insert(kid, std::sync::Arc::new(LoadedKey { record, pair, n: components.n, e: components.e }));
        }
        *self.keys.write().expect("key lock") = keys;
        Ok(())
    }

    /// Generates a new signing key, retires the others (they keep verifying) and returns its kid.
    pub async fn rotate(&self) -> Result<String, AppError> {
        let key = generate_signing_key()?;
        let mut tx = self.store.begin().await?;
        tx.rotate_signing_key(&key).await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(key.kid)
    }

    /// The public key with `kid`, reloading once when it is unknown.
    pub async fn public_jwk(&self, kid: &str) -> Result<Option<PublicJwk>, AppError> {
        if self.get(kid).is_none() {
            self.reload().await?;
        }
        Ok(self.get(kid).map(|k| jwk(&k.record)))
    }

    /// Every public key, newest first.
    pub fn public_jwks(&self) -> Vec<PublicJwk> {
        let keys = self.keys.read().expect("key lock");
        let mut all: Vec<_> = keys.by_kid.values().map(|k| k.record.clone()).collect();
        all.sort_by_key(|k| std::cmp::Reverse(k.created_at));
        all.iter().map(jwk).collect()
    }

    fn get(&self, kid: &str) -> Option<std::sync::Arc<LoadedKey>> {
        self.keys.read().expect("key lock").by_kid.get(kid).cloned()
    }

    /// Signs `claims` with the current key.
    pub fn sign(&self, claims: &Claims) -> Result<String, AppError> {
        let key = {
            let keys = self.keys.read().expect("key lock");
            let kid = keys.signing.clone().ok_or_else(|| AppError::Internal("no signing key".into()))?;
            keys.by_kid.get(&kid).cloned().expect("signing kid is loaded")
        };
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key.record.kid});
        let signing_input = format!(
            "{}.{}",
            B64URL.encode(serde_json::to_vec(&header).expect("json")),
            B64URL.encode(serde_json::to_vec(claims).expect("json"))
        );
        let mut sig = vec![0u8; key.pair.public_modulus_len()];
        key.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut sig)
            .map_err(|_| AppError::Internal("RSA signing".into()))?;
        Ok(format!("{signing_input}.{}", B64URL.encode(sig)))
    }

    /// Verifies a token's algorithm, key, signature, issuer, audience and validity window.
    pub async fn verify(&self, token: &str, expected_aud: &str) -> Result<Claims, AppError> {
        let bad = |why: &str| AppError::Unauthenticated(why.to_owned());
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad("malformed token"));
        };
        #[derive(Deserialize)]
        struct Header {
            alg: String,
            kid: Option<String>,
        }
        let header: Header = B64URL
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| bad("malformed token header"))?;
        if header.alg != "RS256" {
            return Err(bad("unsupported token algorithm"));
        }
        let kid = header.kid.ok_or_else(|| bad("token without kid"))?;
        if self.get(&kid).is_none() {
            self.reload().await?;
        }
        let key = self.get(&kid).ok_or_else(|| bad("unknown signing key"))?;
        let sig = B64URL.decode(s).map_err(|_| bad("malformed signature"))?;
        let public = PublicKeyComponents { n: key.n.as_slice(), e: key.e.as_slice() };
        public
            .verify(&RSA_PKCS1_2048_8192_SHA256, format!("{h}.{c}").as_bytes(), &sig)
            .map_err(|_| bad("invalid signature"))?;
        let claims: Claims = B64URL
            .decode(c)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| bad("malformed token claims"))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        // A little leeway for clocks of several nodes.
        const LEEWAY: i64 = 30;
        if claims.exp + LEEWAY < now {
            return Err(bad("token expired"));
        }
        if claims.nbf - LEEWAY > now {
            return Err(bad("token not yet valid"));
        }
        if claims.aud != expected_aud || claims.iss != expected_aud {
            return Err(bad("token issued for another audience"));
        }
        Ok(claims)
    }
}

fn jwk(record: &SigningKey) -> PublicJwk {
    PublicJwk {
        kty: "RSA",
        n: record.public_n.clone(),
        e: record.public_e.clone(),
        alg: "RS256",
        use_: "sig",
        kid: record.kid.clone(),
    }
}
