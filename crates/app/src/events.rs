//! The event log as the operator reads it: pages bounded in count and in bytes, so a page of
//! large snapshots answers as fast as a page of small ones.

/// The event log's filter.
pub use cartwire_store::outbox::EventFilter;

use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_store::outbox::OutboxEvent;

/// Most payload bytes one page carries (a page always carries at least one event; the next
/// page starts after the last one shown). With order snapshots capped at
/// [`cartwire_domain::order::MAX_ORDER_BYTES`], that is a handful of the largest orders.
pub const PAGE_BYTES: usize = 1024 * 1024;

/// Events read from the store per round trip while a page fills.
const CHUNK: i64 = 100;

impl App {
    /// Events matching `filter` after the cursor `after`, oldest first: at most `limit` of
    /// them and at most [`PAGE_BYTES`] of payload (FullAccess).
    pub async fn event_page(
        &self,
        p: &Principal,
        filter: &EventFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>, AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().read().await?;
        let (mut page, mut bytes, mut cursor) = (Vec::new(), 0usize, after);
        'fill: while (page.len() as i64) < limit {
            let want = (limit - page.len() as i64).min(CHUNK);
            let batch = tx.events(filter, cursor, want).await?;
            let got = batch.len() as i64;
            for e in batch {
                let size = e.payload.get().len();
                if !page.is_empty() && bytes + size > PAGE_BYTES {
                    break 'fill;
                }
                bytes += size;
                cursor = e.seq;
                page.push(e);
            }
            if got < want {
                break;
            }
        }
        tx.commit().await?;
        Ok(page)
    }

    /// The last `limit` events matching `filter`, oldest first (FullAccess): where a tail of
    /// the log starts. Bounded by [`PAGE_BYTES`] like a page, keeping the newest.
    pub async fn event_tail(
        &self,
        p: &Principal,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>, AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().read().await?;
        let mut events = tx.latest_events(filter, limit).await?;
        tx.commit().await?;
        let mut bytes = 0usize;
        let mut keep = events.len();
        for (i, e) in events.iter().enumerate().rev() {
            bytes += e.payload.get().len();
            if bytes > PAGE_BYTES && keep < events.len() {
                break;
            }
            keep = i;
        }
        Ok(events.split_off(keep))
    }
}
