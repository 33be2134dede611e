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

/// Orders taken in per minute.
pub struct OrderActivity {
    /// The first minute of the window (`YYYY-MM-DDTHH:MM`, UTC), then one per minute.
    pub minutes: Vec<String>,
    /// Orders per minute, one per entry of `minutes`.
    pub orders: Vec<i64>,
}

/// Delivery attempts per minute, per integration.
pub struct DeliveryActivity {
    /// The first minute of the window (`YYYY-MM-DDTHH:MM`, UTC), then one per minute.
    pub minutes: Vec<String>,
    /// Each integration with its attempts and failures per minute.
    pub integrations: Vec<(Integration, Vec<AttemptsInMinute>)>,
    /// When each integration (in the order of `integrations`) last attempted a delivery, at
    /// any time.
    pub last_attempts: Vec<Option<OffsetDateTime>>,
}

fn minute_of(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// The minutes of the last `window`, oldest first (at least one).
fn minutes_of(window: Duration) -> Vec<String> {
    let now = OffsetDateTime::now_utc();
    let count = (window.as_secs() / 60).max(1) as i64;
    (0..count).rev().map(|back| minute_of(now - time::Duration::minutes(back))).collect()
}

impl App {
    /// Orders per minute over the last `window`, every API's (an order reader's view).
    pub async fn order_activity(&self, p: &Principal, window: Duration) -> Result<OrderActivity, AppError> {
        p.require_any(&[ApiRole::OrderAdmin, ApiRole::OrderReader])?;
        let minutes = minutes_of(window);
        let mut tx = self.store().read().await?;
        let per_minute = tx.orders_per_minute(&minutes[0]).await?;
        tx.commit().await?;
        let orders = minutes.iter().map(|m| per_minute.iter().find(|(pm, _)| pm == m).map_or(0, |(_, n)| *n)).collect();
        Ok(OrderActivity { minutes, orders })
    }

    /// Each integration's delivery attempts and failures per minute over the last `window`
    /// (an integration reader's view).
    pub async fn delivery_activity(&self, p: &Principal, window: Duration) -> Result<DeliveryActivity, AppError> {
        p.require_any(&[ApiRole::WebhookAdmin, ApiRole::WebhookReader])?;
        let minutes = minutes_of(window);
        let mut tx = self.store().read().await?;
        let mut integrations = Vec::new();
        let mut last_attempts = Vec::new();
        for i in tx.integrations().await? {
            last_attempts.push(tx.last_attempt_at(&i.id).await?);
            let got = tx.attempts_per_minute(&i.id, &minutes[0]).await?;
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
            // Masked for readers, as in the integrations list.
            integrations.push((crate::integrations::for_reader(p, i), filled));
        }
        tx.commit().await?;
        Ok(DeliveryActivity { minutes, integrations, last_attempts })
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
