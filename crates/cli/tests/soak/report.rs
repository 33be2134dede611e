//! The soak's figures: for each sink, what was acknowledged and delivered, lost, duplicated,
//! delivered without an acknowledgement, and the delay from the acknowledgement to the first
//! receipt; rendered as the Markdown table docs/reliability.md publishes.

use crate::load::Ack;
use crate::sinks::Tally;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// One sink's figures.
pub struct SinkFigures {
    pub name: &'static str,
    pub delivered: usize,
    /// Acknowledged orders the sink never got (a sample of their ids is kept for the message).
    pub lost: usize,
    pub lost_sample: Vec<String>,
    /// Receipts beyond the first of an order (at-least-once).
    pub duplicates: u64,
    /// Orders received that the generator never saw acknowledged (the answer was lost).
    pub unacknowledged: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

pub fn sink(name: &'static str, tally: &Tally, acks: &[Ack]) -> SinkFigures {
    let first = tally.first.lock().unwrap();
    let mut delays = Vec::with_capacity(acks.len());
    let mut lost_sample = Vec::new();
    let mut lost = 0;
    for a in acks {
        match first.get(&a.id) {
            // Delivered before the answer reached the client: no delay.
            Some(at) => delays.push(at.saturating_duration_since(a.at)),
            None => {
                lost += 1;
                if lost_sample.len() < 10 {
                    lost_sample.push(a.id.clone());
                }
            }
        }
    }
    let (p50, p99, max) = spread(delays);
    let acked: HashSet<&str> = acks.iter().map(|a| a.id.as_str()).collect();
    SinkFigures {
        name,
        delivered: acks.len() - lost,
        lost,
        lost_sample,
        duplicates: tally.receipts.load(Ordering::Relaxed).saturating_sub(first.len() as u64),
        unacknowledged: first.keys().filter(|id| !acked.contains(id.as_str())).count(),
        p50,
        p99,
        max,
    }
}

/// The p50, p99 and maximum of `durations` (zeros when there are none).
pub fn spread(mut durations: Vec<Duration>) -> (Duration, Duration, Duration) {
    durations.sort();
    let at =
        |q: f64| durations.get(((durations.len() as f64 * q) as usize).min(durations.len().saturating_sub(1))).copied();
    (at(0.5).unwrap_or_default(), at(0.99).unwrap_or_default(), durations.last().copied().unwrap_or_default())
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

/// The sinks' table.
pub fn table(sinks: &[SinkFigures], acknowledged: usize) -> String {
    let mut out = String::from(
        "| sink | acknowledged | delivered | lost | duplicated | delivered, not acknowledged | delay p50 / p99 / max ms |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for s in sinks {
        out += &format!(
            "| {} | {acknowledged} | {} | **{}** | {} | {} | {} / {} / {} |\n",
            s.name,
            s.delivered,
            s.lost,
            s.duplicates,
            s.unacknowledged,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    out
}
