//! Signatures receivers verify: OrderCloud's `X-oc-hash` and Standard Webhooks'
//! `webhook-signature`.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// `X-oc-hash`: base64(HMAC-SHA256(UTF-8 hash key, exact body bytes)).
pub fn oc_hash(hash_key: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, hash_key.as_bytes());
    STANDARD.encode(hmac::sign(&key, body).as_ref())
}

/// The key Standard Webhooks signs with: the base64-decoded rest of a `whsec_…` secret, else
/// the secret's UTF-8 bytes.
pub fn standard_webhooks_key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|rest| STANDARD.decode(rest).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// `webhook-signature`: `v1,` + base64 HMAC-SHA256(key, `{id}.{timestamp}.{body}`).
pub fn standard_webhooks_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &standard_webhooks_key(secret));
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(format!("{id}.{timestamp}.").as_bytes());
    ctx.update(body);
    format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
}

/// Verifies a Standard Webhooks signature header (space-separated `v1,…` entries) in constant
/// time.
pub fn verify_standard_webhooks(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &standard_webhooks_key(secret));
    let signed = [format!("{id}.{timestamp}.").as_bytes(), body].concat();
    header
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| STANDARD.decode(sig).map(|raw| hmac::verify(&key, &signed, &raw).is_ok()).unwrap_or(false))
}

/// Verifies an `X-oc-hash` header in constant time.
pub fn verify_oc_hash(hash_key: &str, body: &[u8], header: &str) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, hash_key.as_bytes());
    STANDARD.decode(header.trim()).map(|raw| hmac::verify(&key, body, &raw).is_ok()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oc_hash_matches_the_spec_vectors() {
        let body = br#"{"Environment":"Sandbox","OrderCloudAccessToken":"abc","ConfigData":null,"OrderWorksheet":{}}"#;
        assert_eq!(oc_hash("supersecrethash", body), "Lqn8CkoPIrBDFK7tyMTsESfPy8E3FmhV9HA4ftMeb2w=");
        assert_eq!(oc_hash("k", b""), "i7mQxAp9YcuXWXqUISUCW+UKyL63RDbjc1uYiTp/ZiA=");
        assert!(verify_oc_hash("k", b"", "i7mQxAp9YcuXWXqUISUCW+UKyL63RDbjc1uYiTp/ZiA="));
        assert!(!verify_oc_hash("k", b"x", "i7mQxAp9YcuXWXqUISUCW+UKyL63RDbjc1uYiTp/ZiA="));
    }

    #[test]
    fn standard_webhooks_reference_vector() {
        // The Standard Webhooks specification's own example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let sig = standard_webhooks_signature(secret, id, 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify_standard_webhooks(secret, id, 1614265330, body, &format!("v1,bogus {sig}")));
        assert!(!verify_standard_webhooks(secret, id, 1614265331, body, &sig));
    }
}
