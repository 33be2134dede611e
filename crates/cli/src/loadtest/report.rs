//! One line of the load test's report: throughput, latency percentiles, delivery, CPU, RSS.

use super::Sent;
use std::time::Duration;

/// One line of the report.
pub(super) struct Line {
    pub(super) phase: String,
    pub(super) sent: Vec<Sent>,
    pub(super) wall: Duration,
    pub(super) delivered_share: f64,
    pub(super) deliveries_per_s: Option<f64>,
    pub(super) cpu: f64,
    pub(super) rss: u64,
    pub(super) receipt: Vec<f64>,
}

pub(super) fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub(super) fn summary(ms: &mut [f64]) -> String {
    ms.sort_by(f64::total_cmp);
    format!("{:.1} / {:.1} / {:.0}", pct(ms, 0.5), pct(ms, 0.99), ms.last().copied().unwrap_or(f64::NAN))
}

impl Line {
    pub(super) fn render(mut self) -> String {
        let ok = self.sent.iter().filter(|s| s.status == 200).count();
        let shed = self.sent.iter().filter(|s| s.status == 503).count();
        let other = self.sent.len() - ok - shed;
        let mut http: Vec<f64> = self.sent.iter().map(|s| s.latency.as_secs_f64() * 1e3).collect();
        format!(
            "| {} | {:.0} | {} | {} | {:.1} % | {} | {:.0} | {:.0} | {ok} / {shed} / {other} |",
            self.phase,
            ok as f64 / self.wall.as_secs_f64(),
            summary(&mut http),
            summary(&mut self.receipt),
            self.delivered_share * 100.0,
            self.deliveries_per_s.map_or("–".into(), |d| format!("{d:.0}")),
            self.cpu / ok.max(1) as f64 * 1e6,
            self.rss as f64 / 1e6,
        )
    }
}
