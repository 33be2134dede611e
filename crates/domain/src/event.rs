//! The event catalog: the keys the outbox carries, in Elastic Path's `resource.action` form.

use crate::DomainError;

/// Keys cartwire emits, and the Elastic Path keys that may be observed (see `spec/events.md`).
pub const CATALOG: &[&str] = &[
    "order.created",
    "order.updated",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "order.paid",
    "order.authorized",
    "order-return.created",
    "order-return.updated",
    "cart.updated",
    "cart.deleted",
    "cart.abandoned",
    "cart.recovered",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "integration.created",
    "integration.updated",
    "integration.deleted",
    "api-client.created",
    "api-client.updated",
    "api-client.deleted",
    "integration-event.created",
    "integration-event.updated",
    "integration-event.deleted",
];

/// A key from the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKey(&'static str);

impl EventKey {
    /// Accepts only keys of the catalog.
    pub fn parse(key: &str) -> Result<Self, DomainError> {
        CATALOG
            .iter()
            .find(|k| **k == key)
            .map(|k| EventKey(k))
            .ok_or_else(|| DomainError::value(format!("must be a known event key, not '{key}'")))
    }

    /// The key as text.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// The kind of change, used to build a key for a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The resource was created.
    Created,
    /// The resource changed.
    Updated,
    /// The resource was deleted.
    Deleted,
}

impl Change {
    fn suffix(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// An event to append to the outbox in the transaction of the change that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// What happened.
    pub key: EventKey,
    /// The resource type (`api-client`, `integration-event`, `customer`, …).
    pub resource_type: &'static str,
    /// The resource's identifier.
    pub resource_id: String,
    /// The resource after the change (or `{id, type}` for deletes), in cartwire's operator shape.
    pub payload: Payload,
    /// Who caused it (see [`crate::principal::Principal::describe`]).
    pub actor: Option<String>,
    /// The API the request came through.
    pub dialect: Dialect,
}

/// An event's resource snapshot, written out as JSON once, when the event is made: the outbox
/// stores this text and the dispatcher moves it into envelopes, so an order's snapshot is
/// serialized from its own types straight to text, never built as a JSON tree first.
#[derive(Debug, Clone)]
pub struct Payload(Box<serde_json::value::RawValue>);

impl Payload {
    /// Writes `value` out.
    pub fn of(value: &impl serde::Serialize) -> Self {
        Self(serde_json::value::to_raw_value(value).expect("a snapshot serializes to JSON"))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The snapshot read back as a JSON tree (tests, and the rare event that adds a member).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).expect("written by serde_json")
    }
}

impl From<serde_json::Value> for Payload {
    fn from(value: serde_json::Value) -> Self {
        Self::of(&value)
    }
}

/// Two payloads are equal when they hold the same JSON (members in any order).
impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str() || self.to_value() == other.to_value()
    }
}

/// The API a change came through, as the event log records it (spec/events.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Checkout, identity and API clients (`/v1`, `/oauth/token`).
    OrderCloud,
    /// Integrations (`/v2/integrations`).
    ElasticPath,
    /// Storefront orders (`/api/orders`).
    Threekit,
    /// External shops (`/api/3`).
    ActiveCampaign,
    /// cartwire itself: the operator API, background work.
    Cartwire,
}

impl Dialect {
    /// The name the event log records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCloud => "ordercloud",
            Self::ElasticPath => "elasticpath",
            Self::Threekit => "threekit",
            Self::ActiveCampaign => "activecampaign",
            Self::Cartwire => "cartwire",
        }
    }
}

impl NewEvent {
    /// The `resource_type.created|updated|deleted` event for a resource of the catalog.
    pub fn change(
        resource_type: &'static str,
        change: Change,
        resource_id: impl Into<String>,
        payload: impl Into<Payload>,
    ) -> Self {
        let key = EventKey::parse(&format!("{resource_type}.{}", change.suffix()))
            .expect("resource type with created/updated/deleted keys in the catalog");
        Self {
            key,
            resource_type,
            resource_id: resource_id.into(),
            payload: payload.into(),
            actor: None,
            dialect: Dialect::Cartwire,
        }
    }

    /// Records who caused the event and through which dialect.
    pub fn by(mut self, actor: String, dialect: Dialect) -> Self {
        self.actor = Some(actor);
        self.dialect = dialect;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_catalog() {
        assert_eq!(EventKey::parse("order.created").unwrap().as_str(), "order.created");
        assert!(EventKey::parse("order.canceled").is_err(), "EP spells it cancelled");
        let e = NewEvent::change("api-client", Change::Deleted, "X", serde_json::json!({}));
        assert_eq!(e.key.as_str(), "api-client.deleted");
    }

    #[test]
    fn payloads_are_written_once_and_compare_as_json() {
        let a = Payload::from(serde_json::json!({"a": 1, "b": [true, null]}));
        assert_eq!(a.as_str(), r#"{"a":1,"b":[true,null]}"#);
        let reordered = Payload::of(&serde_json::json!({"b": [true, null], "a": 1}));
        assert_eq!(a, reordered);
        assert_ne!(a, Payload::from(serde_json::json!({"a": 2, "b": [true, null]})));
        assert_eq!(a.to_value()["b"][0], true);
    }
}
