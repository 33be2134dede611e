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
    while out.len() < 10 {
        let mut b = [0u8; 1];
        rng.fill(&mut b).expect("the system RNG works");
        // Reject the top values so every character is equally likely.
        if (b[0] as usize) < 256 - 256 % ALPHABET.len() {
            out.push(ALPHABET[b[0] as usize % ALPHABET.len()] as char);
        }
    }
    ShortId::parse(&out).expect("ten letters and digits")
}
