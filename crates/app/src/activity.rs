//! What the pipeline did lately, minute by minute: orders taken in (every API) and, per
//! integration, delivery attempts and how many failed. The operator console draws its
//! overview from it. Minutes without anything are filled with zeros here, so a reader gets
//! one entry per minute of the window.

use crate::{App, AppError, Principal};
use cartwire_domain::integration::Integration;
use cartwire_domain::role::ApiRole;
use std::time::Duration;
use time::OffsetDateTime;

pub use cartwire_store::deliveries::AttemptsInMinute;

/// The last `minutes` minutes.
pub struct Activity {
    /// The first minute of the window (`YYYY-MM-DDTHH:MM`, UTC), then one per minute.
    pub minutes: Vec<String>,
    /// Orders per minute, one per entry of `minutes`.
    pub orders: Vec<i64>,
    /// Each integration with its attempts and failures per minute.
    pub integrations: Vec<(Integration, Vec<AttemptsInMinute>)>,
}

fn minute_of(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

impl App {
    /// The pipeline's activity over the last `window` (FullAccess: it spans every resource).
    pub async fn activity(&self, p: &Principal, window: Duration) -> Result<Activity, AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let now = OffsetDateTime::now_utc();
        let count = (window.as_secs() / 60).max(1) as i64;
        let minutes: Vec<String> =
            (0..count).rev().map(|back| minute_of(now - time::Duration::minutes(back))).collect();
        let since = minutes[0].clone();
        let mut tx = self.store().read().await?;
        let per_minute = tx.orders_per_minute(&since).await?;
        let orders = minutes.iter().map(|m| per_minute.iter().find(|(pm, _)| pm == m).map_or(0, |(_, n)| *n)).collect();
        let mut integrations = Vec::new();
        for i in tx.integrations().await? {
            let got = tx.attempts_per_minute(&i.id, &since).await?;
            let filled = minutes
                .iter()
                .map(|m| {
                    got.iter().find(|a| &a.minute == m).cloned().unwrap_or(AttemptsInMinute {
                        minute: m.clone(),
                        attempts: 0,
                        failures: 0,
                    })
                })
                .collect();
            integrations.push((i, filled));
        }
        tx.commit().await?;
        Ok(Activity { minutes, orders, integrations })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_the_stores_sixteen_character_prefix() {
        let t = time::macros::datetime!(2026-12-02 05:07:59.250 UTC);
        assert_eq!(minute_of(t), "2026-12-02T05:07");
        let stored = t.format(&time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(&stored[..16], minute_of(t));
        let east = time::macros::datetime!(2026-12-02 06:07:59 +01:00);
        assert_eq!(minute_of(east), "2026-12-02T05:07");
    }
}
