//! The bodies receivers get: Elastic Path's webhook body (§A7) and CloudEvents 1.0 for queues
//! (§A8), both carrying the resource as the event recorded it.
//!
//! An event is rendered once ([`RenderedEvent`]) however many deliveries carry it: the
//! resource's JSON is serialized one time and each delivery's body only wraps those bytes in
//! its own envelope (job id, attempt, integration), so fan-out to several integrations and
//! retries cost an envelope, not a re-serialization of the order.

use cartwire_domain::integration::{Integration, IntegrationConfig};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// The event a delivery carries.
#[derive(Debug, Clone)]
pub struct EventView<'a> {
    /// The event key.
    pub key: &'a str,
    /// The resource type (`order`, `api-client`, …).
    pub resource_type: &'a str,
    /// The resource id.
    pub resource_id: &'a str,
    /// The snapshot stored with the event, as the JSON text it was stored as.
    pub snapshot: &'a RawValue,
    /// When it happened (RFC 3339).
    pub occurred_at: &'a str,
}

impl EventView<'_> {
    fn is_delete(&self) -> bool {
        self.key.ends_with(".deleted")
    }
}

/// A stored snapshot's top-level members, each value kept as the text it was stored as:
/// rendering moves members between envelopes and never needs the values' trees.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON object written from members whose values are already JSON text.
struct Object<'a>(&'a [(&'a str, &'a RawValue)]);

impl Serialize for Object<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One event, serialized once for every body that carries it.
#[derive(Debug)]
pub struct RenderedEvent {
    key: String,
    occurred_at: String,
    /// The webhook's `payload`: `{"data", "included"}`, or `{type, id}` for deletes.
    payload: Box<RawValue>,
    /// The webhook's deprecated `resources`: the payload as a JSON string (an object for deletes).
    resources: Box<RawValue>,
    /// The CloudEvents `data`: the resource with `included` inside it.
    data: Box<RawValue>,
    /// Whether `data` holds an `included` that may be elided to fit a queue message.
    has_included: bool,
}

fn raw(value: &impl Serialize) -> Box<RawValue> {
    RawValue::from_string(serde_json::to_string(value).expect("json")).expect("serde_json renders valid JSON")
}

impl RenderedEvent {
    /// Renders `event` (the only place its resource is written out). The snapshot's members
    /// are moved as text: `included` leaves the resource for the webhook's `payload` and
    /// goes inside it for the CloudEvents `data`; `type` and `id` are added when missing.
    pub fn new(event: &EventView<'_>) -> Self {
        let (payload, data, has_included) = if event.is_delete() {
            let reference = raw(&json!({"type": event.resource_type, "id": event.resource_id}));
            (reference.clone(), reference, false)
        } else {
            match serde_json::from_str::<Members>(event.snapshot.get()) {
                Ok(Members(members)) => Self::resource(event, &members),
                // Not an object: the resource is the snapshot as it is.
                Err(_) => {
                    let snapshot = event.snapshot.to_owned();
                    (raw(&Object(&[("data", &snapshot)])), snapshot, false)
                }
            }
        };
        let resources = if event.is_delete() { payload.clone() } else { raw(&payload.get()) };
        Self {
            key: event.key.to_owned(),
            occurred_at: event.occurred_at.to_owned(),
            payload,
            resources,
            data,
            has_included,
        }
    }

    /// The webhook's `{"data", "included"}` and the CloudEvents resource with `included`
    /// inside, from an object snapshot's members.
    fn resource(event: &EventView<'_>, members: &[(String, &RawValue)]) -> (Box<RawValue>, Box<RawValue>, bool) {
        let kind = raw(&event.resource_type);
        let id = raw(&event.resource_id);
        let mut fields: Vec<(&str, &RawValue)> = Vec::with_capacity(members.len() + 2);
        let mut included = None;
        for (k, v) in members {
            if k == "included" {
                included = Some(*v);
            } else {
                fields.push((k.as_str(), *v));
            }
        }
        for (k, v) in [("type", &kind), ("id", &id)] {
            if !fields.iter().any(|(f, _)| *f == k) {
                fields.push((k, v));
            }
        }
        let data = raw(&Object(&fields));
        let payload = match included {
            Some(inc) => raw(&Object(&[("data", &data), ("included", inc)])),
            None => raw(&Object(&[("data", &data)])),
        };
        match included {
            Some(inc) => {
                fields.push(("included", inc));
                (payload, raw(&Object(&fields)), true)
            }
            None => (payload, data, false),
        }
    }

    /// `data` with `included` replaced by the elision marker (only for over-large messages,
    /// so it is worked out on demand).
    fn elided_data(&self) -> Box<RawValue> {
        let mut data: Value = serde_json::from_str(self.data.get()).expect("rendered by serde_json");
        if let Some(obj) = data.as_object_mut() {
            obj.insert("included".into(), json!({"meta": {"includes_elided": true}}));
        }
        raw(&data)
    }
}

#[derive(Serialize)]
struct WebhookEnvelope<'a> {
    id: &'a str,
    triggered_by: &'a str,
    attempt: i64,
    integration: WebhookIntegration<'a>,
    resources: &'a RawValue,
    payload: &'a RawValue,
    configuration: Value,
}

#[derive(Serialize)]
struct WebhookIntegration<'a> {
    id: &'a str,
    integration_type: &'a str,
    name: &'a str,
    description: &'a str,
}

/// The Elastic Path webhook body for one attempt.
pub fn webhook_body(event: &RenderedEvent, integration: &Integration, job_id: &str, attempt: i64) -> Vec<u8> {
    let configuration = match &integration.config {
        IntegrationConfig::Webhook { url, secret_key } => {
            json!({"url": url, "secret_key": secret_key.as_ref().map(|s| s.expose())})
        }
        _ => Value::Null,
    };
    let body = WebhookEnvelope {
        id: job_id,
        triggered_by: &event.key,
        attempt,
        integration: WebhookIntegration {
            id: &integration.id,
            integration_type: integration.config.integration_type().as_str(),
            name: &integration.name,
            description: &integration.description,
        },
        resources: &event.resources,
        payload: &event.payload,
        configuration,
    };
    serde_json::to_vec(&body).expect("json")
}

/// Largest queue message (SQS's limit).
pub const MAX_QUEUE_MESSAGE: usize = 256 * 1024;

#[derive(Serialize)]
struct CloudEnvelope<'a> {
    specversion: &'a str,
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    source: &'a str,
    time: &'a str,
    datacontenttype: &'a str,
    integrationid: &'a str,
    storeid: &'a str,
    data: &'a RawValue,
}

/// The CloudEvents 1.0 document for SQS and STOMP; `included` is elided when the message would
/// exceed 256 KiB. `None` when even that is too large.
pub fn cloud_event(
    event: &RenderedEvent,
    integration_id: &str,
    job_id: &str,
    source: &str,
    store_id: &str,
) -> Option<Vec<u8>> {
    let render = |data: &RawValue| {
        serde_json::to_vec(&CloudEnvelope {
            specversion: "1.0",
            id: job_id,
            kind: &event.key,
            source,
            time: &event.occurred_at,
            datacontenttype: "application/json",
            integrationid: integration_id,
            storeid: store_id,
            data,
        })
        .expect("json")
    };
    let body = render(&event.data);
    if body.len() <= MAX_QUEUE_MESSAGE {
        return Some(body);
    }
    if !event.has_included {
        return None;
    }
    let body = render(&event.elided_data());
    (body.len() <= MAX_QUEUE_MESSAGE).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwire_domain::integration::{IntegrationConfig, Observes, Secret};

    fn integration() -> Integration {
        Integration {
            id: "int-1".into(),
            name: "n".into(),
            description: "d".into(),
            enabled: true,
            observes: Observes::parse(&["order.created".into()]).unwrap(),
            config: IntegrationConfig::Webhook { url: "https://x.example".into(), secret_key: Some(Secret::new("s")) },
            ordered_delivery: false,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn webhook_body_has_the_documented_fields() {
        let snap = raw(&json!({"name": "x", "included": {"items": [1]}}));
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &snap,
            occurred_at: "t",
        };
        let body: Value =
            serde_json::from_slice(&webhook_body(&RenderedEvent::new(&e), &integration(), "job", 2)).unwrap();
        assert_eq!(body["id"], "job");
        assert_eq!(body["triggered_by"], "order.created");
        assert_eq!(body["attempt"], 2);
        assert_eq!(body["payload"]["data"], json!({"name": "x", "type": "order", "id": "o1"}));
        assert_eq!(body["payload"]["included"], json!({"items": [1]}));
        let resources: Value = serde_json::from_str(body["resources"].as_str().unwrap()).unwrap();
        assert_eq!(resources, body["payload"]);
        assert_eq!(body["configuration"], json!({"url": "https://x.example", "secret_key": "s"}));
        assert_eq!(body["integration"]["integration_type"], "webhook");
        let d = EventView {
            key: "product.deleted",
            resource_type: "product",
            resource_id: "p",
            snapshot: &snap,
            occurred_at: "t",
        };
        let body: Value =
            serde_json::from_slice(&webhook_body(&RenderedEvent::new(&d), &integration(), "job", 1)).unwrap();
        assert_eq!(body["resources"], json!({"type": "product", "id": "p"}));
        assert_eq!(body["payload"], json!({"type": "product", "id": "p"}));
    }

    #[test]
    fn one_rendering_serves_every_attempt_and_every_integration() {
        let snap = raw(&json!({"name": "x", "included": {"items": [1, 2]}}));
        let view = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &snap,
            occurred_at: "2026-12-01T00:00:00Z",
        };
        let rendered = RenderedEvent::new(&view);
        let first: Value = serde_json::from_slice(&webhook_body(&rendered, &integration(), "job-a", 1)).unwrap();
        let mut other = integration();
        other.id = "int-2".into();
        let second: Value = serde_json::from_slice(&webhook_body(&rendered, &other, "job-b", 3)).unwrap();
        assert_eq!(first["payload"], second["payload"]);
        assert_eq!(first["resources"], second["resources"]);
        assert_eq!((first["id"].as_str(), second["id"].as_str()), (Some("job-a"), Some("job-b")));
        assert_eq!((first["attempt"].as_i64(), second["attempt"].as_i64()), (Some(1), Some(3)));
        assert_eq!(second["integration"]["id"], "int-2");
        let queued: Value =
            serde_json::from_slice(&cloud_event(&rendered, "int-3", "job-c", "https://cw", "s").unwrap()).unwrap();
        assert_eq!(queued["data"], json!({"name": "x", "type": "order", "id": "o1", "included": {"items": [1, 2]}}));
        assert_eq!(queued["type"], "order.created");
        assert_eq!(queued["time"], "2026-12-01T00:00:00Z");
        let keys: Vec<&str> = queued.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["specversion", "id", "type", "source", "time", "datacontenttype", "integrationid", "storeid", "data"]
        );
    }

    #[test]
    fn cloud_events_elide_included_when_too_large() {
        let big = "x".repeat(300 * 1024);
        let snap = raw(&json!({"name": "x", "included": {"items": [big]}}));
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &snap,
            occurred_at: "t",
        };
        let body: Value =
            serde_json::from_slice(&cloud_event(&RenderedEvent::new(&e), "i", "j", "https://cw", "s").unwrap())
                .unwrap();
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["data"]["included"], json!({"meta": {"includes_elided": true}}));
        assert_eq!(body["storeid"], "s");
        let huge = raw(&json!({"name": "y".repeat(300 * 1024)}));
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &huge,
            occurred_at: "t",
        };
        assert!(cloud_event(&RenderedEvent::new(&e), "i", "j", "https://cw", "s").is_none());
    }

    /// An `order.updated` of order `o1` carrying `snapshot`.
    fn order_update(snapshot: &RawValue) -> EventView<'_> {
        EventView { key: "order.updated", resource_type: "order", resource_id: "o1", snapshot, occurred_at: "t" }
    }

    #[test]
    fn members_keep_their_order_and_text_and_a_resource_keeps_its_own_type() {
        let snap =
            RawValue::from_string(r#"{"type":"cart","b":1.50,"a":{"x":[1,"\u00e9"]},"included":{"i":[]}}"#.into())
                .unwrap();
        let r = RenderedEvent::new(&order_update(&snap));
        assert_eq!(
            r.payload.get(),
            r#"{"data":{"type":"cart","b":1.50,"a":{"x":[1,"\u00e9"]},"id":"o1"},"included":{"i":[]}}"#
        );
        assert_eq!(r.data.get(), r#"{"type":"cart","b":1.50,"a":{"x":[1,"\u00e9"]},"id":"o1","included":{"i":[]}}"#);
        let resources: String = serde_json::from_str(r.resources.get()).unwrap();
        assert_eq!(resources, r.payload.get());
    }

    #[test]
    fn a_snapshot_that_is_not_an_object_is_the_resource_as_it_is() {
        let snap = raw(&json!([1, 2]));
        let r = RenderedEvent::new(&order_update(&snap));
        assert_eq!(r.payload.get(), r#"{"data":[1,2]}"#);
        assert_eq!(r.data.get(), "[1,2]");
        assert!(!r.has_included);
    }
}
