//! Orders as the operator sees them: one list across every entry point (storefront, shop,
//! checkout), and one order with the events it caused.

use super::storefront::OrderFilter;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::order::Order;
use cartwire_store::outbox::{EventFilter, OutboxEvent};

/// Roles that read every order, whichever API it came through.
const READ: &[ApiRole] = &[ApiRole::OrderAdmin, ApiRole::OrderReader];

impl App {
    /// Orders (not deleted) matching `filter`, newest first, one page, and the total.
    pub async fn all_orders(
        &self,
        p: &Principal,
        filter: &OrderFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let page = tx.orders(filter, "-createdAt", offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// One order by id or short id, with the first 1000 events about it, oldest first.
    pub async fn order_with_events(&self, p: &Principal, id: &str) -> Result<(Order, Vec<OutboxEvent>), AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let order = tx.order(id).await?.filter(|o| o.deleted_at.is_none());
        let order = order.ok_or_else(|| AppError::not_found(Resource::Order, id))?;
        let filter = EventFilter { resource_id: Some(order.id.to_string()), ..EventFilter::default() };
        let events = tx.events(&filter, 0, 1000).await?;
        tx.commit().await?;
        Ok((order, events))
    }
}
