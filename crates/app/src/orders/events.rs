//! The outbox events an order change causes, whichever dialect made it: one rule for
//! `order.created` / `cart.updated` / `order.fulfilled` / … so every entry point emits the same.

use cartwire_domain::event::{Dialect, EventKey, NewEvent, Payload};
use cartwire_domain::order::{Order, OrderStatus};

/// The order as its events carry it (Elastic Path's order shape), written out.
pub(crate) fn snapshot(o: &Order) -> Payload {
    Payload::of(&cartwire_outbound::order_resource::order_resource(o))
}

/// The events a change from `before` (None = creation) to `after` causes.
pub(crate) fn order_events(before: Option<&Order>, after: &Order, actor: String, dialect: Dialect) -> Vec<NewEvent> {
    let key = |k: &str| EventKey::parse(k).expect("catalog key");
    let was_cart = before.is_none_or(|b| b.status.is_cart());
    let mut keys = Vec::new();
    if after.deleted_at.is_some() && before.is_some_and(|b| b.deleted_at.is_none()) {
        keys.push(if after.status.is_cart() { "cart.deleted" } else { "order.updated" });
    } else if after.status.is_cart() {
        keys.push("cart.updated");
    } else if was_cart {
        keys.push("order.created");
    } else {
        keys.push("order.updated");
    }
    if after.status == OrderStatus::Completed && before.is_none_or(|b| b.status != OrderStatus::Completed) {
        keys.push("order.fulfilled");
    }
    if after.status == OrderStatus::Canceled && before.is_none_or(|b| b.status != OrderStatus::Canceled) {
        keys.push("order.cancelled");
    }
    if before.is_some_and(|b| b.status.is_cart() && b.abandoned_at.is_some()) && !after.status.is_cart() {
        keys.push("cart.recovered");
    }
    // Written out once; each event of the change carries a copy of the text.
    let payload = snapshot(after);
    keys.into_iter()
        .map(|k| NewEvent {
            key: key(k),
            resource_type: if after.status.is_cart() { "cart" } else { "order" },
            resource_id: after.id.to_string(),
            payload: payload.clone(),
            actor: Some(actor.clone()),
            dialect,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::OffsetDateTime;

    fn order(status: OrderStatus) -> Order {
        Order {
            id: cartwire_domain::id::OrderId::parse("o1").unwrap(),
            short_id: cartwire_domain::id::ShortId::parse("abcdefghij").unwrap(),
            org_id: "org".into(),
            origin_org_id: None,
            name: None,
            customer_id: None,
            owner: None,
            platform: Default::default(),
            lines: vec![],
            legacy_items: json!([]),
            metadata: json!({}),
            derivative: json!({}),
            status,
            created_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: None,
            placed_at: None,
            deleted_at: None,
            abandoned_at: None,
            totals: None,
            shop: None,
            checkout: None,
        }
    }

    fn keys(before: Option<&Order>, after: &Order) -> Vec<(String, &'static str)> {
        order_events(before, after, "tester".into(), Dialect::Cartwire)
            .into_iter()
            .map(|e| (e.key.as_str().to_owned(), e.resource_type))
            .collect()
    }

    fn k(key: &str, resource: &'static str) -> (String, &'static str) {
        (key.to_owned(), resource)
    }

    #[test]
    fn creation_emits_by_the_state_it_starts_in() {
        assert_eq!(keys(None, &order(OrderStatus::Cart)), [k("cart.updated", "cart")]);
        assert_eq!(keys(None, &order(OrderStatus::Placed)), [k("order.created", "order")]);
        assert_eq!(
            keys(None, &order(OrderStatus::Completed)),
            [k("order.created", "order"), k("order.fulfilled", "order")],
            "an order created complete is also fulfilled"
        );
    }

    #[test]
    fn transitions_emit_once_and_a_recovered_cart_says_so() {
        let placed = order(OrderStatus::Placed);
        let mut abandoned = order(OrderStatus::Cart);
        abandoned.abandoned_at = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(keys(Some(&abandoned), &placed), [k("order.created", "order"), k("cart.recovered", "order")]);
        let completed = order(OrderStatus::Completed);
        assert_eq!(keys(Some(&placed), &completed), [k("order.updated", "order"), k("order.fulfilled", "order")]);
        assert_eq!(keys(Some(&completed), &completed), [k("order.updated", "order")], "fulfilled only once");
        let canceled = order(OrderStatus::Canceled);
        assert_eq!(keys(Some(&placed), &canceled), [k("order.updated", "order"), k("order.cancelled", "order")]);
    }

    #[test]
    fn deleting_a_cart_is_cart_deleted_and_an_order_an_update() {
        let cart = order(OrderStatus::Cart);
        let mut gone = cart.clone();
        gone.deleted_at = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(keys(Some(&cart), &gone), [k("cart.deleted", "cart")]);
        let placed = order(OrderStatus::Placed);
        let mut gone = placed.clone();
        gone.deleted_at = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(keys(Some(&placed), &gone), [k("order.updated", "order")]);
    }
}
