//! What every order entry point shares: generated ids.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use cartwire_domain::id::{OrderId, ShortId};

/// A generated order id (a UUID).
pub(crate) fn new_order_id() -> OrderId {
    OrderId::parse(&uuid::Uuid::new_v4().to_string()).expect("a UUID is a valid order id")
}

/// A random short id: 10 characters of `[A-Za-z0-9]`.
pub(crate) fn new_short_id() -> ShortId {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(10);
    let rng = SystemRandom::new();
    // One call to the system RNG per 32 bytes, not per character: ten characters need about
    // eleven bytes, since the top values are rejected.
    let mut bytes = [0u8; 32];
    while out.len() < 10 {
        rng.fill(&mut bytes).expect("the system RNG works");
        for b in bytes {
            // Reject the top values so every character is equally likely.
            if out.len() < 10 && (b as usize) < 256 - 256 % ALPHABET.len() {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    ShortId::parse(&out).expect("ten letters and digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_ten_letters_and_digits_and_do_not_repeat() {
        let ids: std::collections::HashSet<String> = (0..2_000).map(|_| new_short_id().to_string()).collect();
        assert_eq!(ids.len(), 2_000);
        assert!(ids.iter().all(|id| id.len() == 10 && id.bytes().all(|b| b.is_ascii_alphanumeric())));
    }
}
