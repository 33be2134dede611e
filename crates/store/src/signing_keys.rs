//! RSA signing keys of the OAuth tokens: the private half sealed, the newest signs, older
//! ones still verify.

use crate::codec::{get_opt_ts, get_str, get_ts, ts};
use crate::{StoreError, Tx};
use time::OffsetDateTime;

/// A JWT signing key.
#[derive(Clone)]
pub struct SigningKey {
    /// Key id (`kid` header).
    pub kid: String,
    /// PKCS#8 DER of the RSA private key (already unsealed).
    pub private_pkcs8: Vec<u8>,
    /// Modulus, base64url without padding.
    pub public_n: String,
    /// Exponent, base64url without padding.
    pub public_e: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it stopped signing (it still verifies until tokens signed with it expire).
    pub retired_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, retired: {:?})", self.kid, self.retired_at)
    }
}

impl Tx {
    /// Stores a new signing key and retires every other one.
    pub async fn rotate_signing_key(&mut self, key: &SigningKey) -> Result<(), StoreError> {
        let now = ts(OffsetDateTime::now_utc());
        crate::sql::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(&now)
            .execute(self.conn())
            .await?;
        let sealed = {
            use base64::Engine;
            self.sealer.seal(&base64::engine::general_purpose::STANDARD.encode(&key.private_pkcs8))
        };
        crate::sql::query(
            "INSERT INTO signing_keys (kid, private_key, public_n, public_e, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(&key.kid)
        .bind(sealed)
        .bind(&key.public_n)
        .bind(&key.public_e)
        .bind(ts(key.created_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Every signing key, newest first.
    pub async fn signing_keys(&mut self) -> Result<Vec<SigningKey>, StoreError> {
        let rows = crate::sql::query(
            "SELECT kid, private_key, public_n, public_e, created_at, retired_at FROM signing_keys \
             ORDER BY created_at DESC, kid DESC",
        )
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                use base64::Engine;
                let b64 = self.sealer.open(&get_str(row, "private_key")?)?;
                Ok(SigningKey {
                    kid: get_str(row, "kid")?,
                    private_pkcs8: base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .map_err(|e| crate::codec::corrupt("private_key", e))?,
                    public_n: get_str(row, "public_n")?,
                    public_e: get_str(row, "public_e")?,
                    created_at: get_ts(row, "created_at")?,
                    retired_at: get_opt_ts(row, "retired_at")?,
                })
            })
            .collect()
    }
}
