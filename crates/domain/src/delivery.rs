//! Delivery rules: when to try again, and when to give up.

use std::time::Duration;

/// What an attempt's failure says about when to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The receiver answered with a non-2xx status (or a broker refused the message).
    Rejected,
    /// The receiver did not answer in time, or answered 429: it is overloaded.
    Overloaded,
    /// The target could not be reached at all.
    Unreachable,
}

/// The retry schedule: delays before attempts 2, 3, …; after the last one the delivery is
/// dead-lettered.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Delay before attempt n+2 is `delays[n]`.
    pub delays: Vec<Duration>,
    /// ± this fraction of random jitter on each delay (0.2 = ±20 %).
    pub jitter: f64,
    /// Least wait after a timeout or a 429.
    pub overload_floor: Duration,
}

impl Default for RetryPolicy {
    /// Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over ~28 h.
    fn default() -> Self {
        let s = Duration::from_secs;
        Self {
            delays: vec![s(5), s(300), s(1800), s(7200), s(18000), s(36000), s(36000)],
            jitter: 0.2,
            overload_floor: s(60),
        }
    }
}

impl RetryPolicy {
    /// Total attempts before a dead letter.
    pub fn max_attempts(&self) -> u32 {
        self.delays.len() as u32 + 1
    }

    /// The wait after failed attempt number `attempt` (1-based), or `None` when that was the
    /// last one. `unit_random` is a uniform sample in [0, 1) for the jitter; `retry_after` is the
    /// receiver's `Retry-After`, honoured up to twice the scheduled delay.
    pub fn next_delay(
        &self,
        attempt: u32,
        kind: FailureKind,
        retry_after: Option<Duration>,
        unit_random: f64,
    ) -> Option<Duration> {
        let scheduled = *self.delays.get(attempt.checked_sub(1)? as usize)?;
        let factor = 1.0 + self.jitter * (2.0 * unit_random.clamp(0.0, 1.0) - 1.0);
        let mut delay = scheduled.mul_f64(factor.max(0.0));
        if kind == FailureKind::Overloaded {
            delay = delay.max(self.overload_floor);
        }
        if let Some(after) = retry_after {
            delay = delay.max(after.min(scheduled.saturating_mul(2)));
        }
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn schedule_and_dead_letter() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts(), 8);
        assert_eq!(p.next_delay(1, FailureKind::Rejected, None, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(p.next_delay(2, FailureKind::Rejected, None, 0.5), Some(Duration::from_secs(300)));
        assert_eq!(p.next_delay(8, FailureKind::Rejected, None, 0.5), None, "the eighth failure is final");
        assert_eq!(
            p.next_delay(1, FailureKind::Overloaded, None, 0.5),
            Some(Duration::from_secs(60)),
            "timeouts and 429 wait at least 60 s"
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_twice_the_schedule() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.next_delay(2, FailureKind::Rejected, Some(Duration::from_secs(400)), 0.5),
            Some(Duration::from_secs(400))
        );
        assert_eq!(
            p.next_delay(2, FailureKind::Rejected, Some(Duration::from_secs(9999)), 0.5),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            p.next_delay(2, FailureKind::Rejected, Some(Duration::from_secs(1)), 0.5),
            Some(Duration::from_secs(300))
        );
    }

    proptest! {
        #[test]
        fn jitter_stays_within_twenty_percent(attempt in 1u32..8, r in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let base = p.delays[attempt as usize - 1].as_secs_f64();
            let d = p.next_delay(attempt, FailureKind::Rejected, None, r).unwrap().as_secs_f64();
            prop_assert!(d >= base * 0.8 - 1e-9 && d <= base * 1.2 + 1e-9);
        }
    }
}
