//! Guessing credentials is slowed down. Wrong client secrets and passwords are counted per
//! API client and per caller address in fixed one-minute windows; past the window's allowance
//! the token endpoint answers 429 with `Retry-After` until the window ends, whatever the
//! credentials. A user whose password is wrong [`USER_LOCKOUT_FAILURES`] times in a row is
//! locked out for [`USER_LOCKOUT`] (OrderCloud's lockout: `Auth.AccountLocked`), and a correct
//! password ends the streak. The counts live in the node's memory: several nodes each allow
//! their own share, and a restart forgets them (documented in the README's security model).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The counting window for clients and addresses.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Wrong secrets or passwords through one client allowed per window.
pub const CLIENT_FAILURES: u32 = 10;
/// Wrong secrets or passwords from one address allowed per window.
pub const ADDRESS_FAILURES: u32 = 30;
/// Wrong passwords in a row that lock a user out.
pub const USER_LOCKOUT_FAILURES: u32 = 5;
/// How long a locked-out user stays locked.
pub const USER_LOCKOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Count {
    since: Instant,
    failures: u32,
}

/// Why a token request is held back, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// What is being throttled: `client`, `address` or `user`.
    pub what: &'static str,
    /// Seconds until a retry can succeed (at least 1).
    pub retry_after: u64,
}

/// The failure counts of one node.
#[derive(Default)]
pub(crate) struct Throttle {
    counts: Mutex<HashMap<(&'static str, String), Count>>,
}

fn keys(client: &str, peer: Option<IpAddr>) -> Vec<(&'static str, String, u32, Duration)> {
    let mut keys = vec![("client", client.to_owned(), CLIENT_FAILURES, WINDOW)];
    if let Some(ip) = peer {
        keys.push(("address", ip.to_string(), ADDRESS_FAILURES, WINDOW));
    }
    keys
}

impl Throttle {
    fn over(&self, what: &'static str, key: &str, allowed: u32, window: Duration) -> Option<Held> {
        let counts = self.counts.lock().expect("throttle lock");
        let c = counts.get(&(what, key.to_owned()))?;
        let left = window.checked_sub(c.since.elapsed())?;
        (c.failures >= allowed).then(|| Held { what, retry_after: left.as_secs().max(1) })
    }

    fn fail(&self, what: &'static str, key: &str, window: Duration) {
        let mut counts = self.counts.lock().expect("throttle lock");
        if counts.len() > 100_000 {
            counts.retain(|_, c| c.since.elapsed() < USER_LOCKOUT.max(WINDOW));
        }
        let c = counts.entry((what, key.to_owned())).or_insert(Count { since: Instant::now(), failures: 0 });
        if c.since.elapsed() >= window {
            *c = Count { since: Instant::now(), failures: 0 };
        }
        c.failures += 1;
    }

    /// Refuses a request through `client` from `peer` while either has used its allowance.
    pub(crate) fn check(&self, client: &str, peer: Option<IpAddr>) -> Result<(), Held> {
        for (what, key, allowed, window) in keys(client, peer) {
            if let Some(held) = self.over(what, &key, allowed, window) {
                return Err(held);
            }
        }
        Ok(())
    }

    /// Counts a wrong secret or password through `client` from `peer`.
    pub(crate) fn failed(&self, client: &str, peer: Option<IpAddr>) {
        for (what, key, _, window) in keys(client, peer) {
            self.fail(what, &key, window);
        }
    }

    /// Refuses a password grant for a locked-out user.
    pub(crate) fn check_user(&self, username: &str) -> Result<(), Held> {
        match self.over("user", &username.to_lowercase(), USER_LOCKOUT_FAILURES, USER_LOCKOUT) {
            Some(held) => Err(held),
            None => Ok(()),
        }
    }

    /// Counts a wrong password for `username` (the streak starts at the first failure).
    pub(crate) fn user_failed(&self, username: &str) {
        self.fail("user", &username.to_lowercase(), USER_LOCKOUT);
    }

    /// A correct password ends the user's streak.
    pub(crate) fn user_succeeded(&self, username: &str) {
        self.counts.lock().expect("throttle lock").remove(&("user", username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowances_then_held_until_the_window_ends() {
        let t = Throttle::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..CLIENT_FAILURES {
            assert!(t.check("c", Some(ip)).is_ok());
            t.failed("c", Some(ip));
        }
        let held = t.check("c", Some(ip)).unwrap_err();
        assert_eq!(held.what, "client");
        assert!((1..=60).contains(&held.retry_after));
        assert!(t.check("other", None).is_ok(), "another client is not held");
        // The address is held once its own allowance is used, through any client.
        for i in 0..ADDRESS_FAILURES {
            t.failed(&format!("c{i}"), Some(ip));
        }
        assert_eq!(t.check("fresh", Some(ip)).unwrap_err().what, "address");
    }

    #[test]
    fn users_lock_after_a_streak_and_a_success_resets_it() {
        let t = Throttle::default();
        for _ in 0..USER_LOCKOUT_FAILURES - 1 {
            t.user_failed("Ann");
        }
        assert!(t.check_user("ann").is_ok());
        t.user_succeeded("ANN");
        for _ in 0..USER_LOCKOUT_FAILURES {
            t.user_failed("ann");
        }
        let held = t.check_user("Ann").unwrap_err();
        assert!(held.retry_after > 60, "locked for minutes, not the window");
    }
}
