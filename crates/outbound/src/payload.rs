//! The bodies receivers get: Elastic Path's webhook body (§A7) and CloudEvents 1.0 for queues
//! (§A8), both carrying the resource as the event recorded it.

use cartwire_domain::integration::Integration;
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
    /// The snapshot stored with the event.
    pub snapshot: &'a Value,
    /// When it happened (RFC 3339).
    pub occurred_at: &'a str,
}

impl EventView<'_> {
    fn is_delete(&self) -> bool {
        self.key.ends_with(".deleted")
    }

    /// `{"data": resource, "included": …}` — or `{type, id}` for deletes.
    fn payload(&self) -> Value {
        if self.is_delete() {
            return json!({"type": self.resource_type, "id": self.resource_id});
        }
        let mut data = self.snapshot.clone();
        let included = data.as_object_mut().and_then(|o| o.remove("included"));
        if let Some(obj) = data.as_object_mut() {
            obj.entry("type").or_insert_with(|| json!(self.resource_type));
            obj.entry("id").or_insert_with(|| json!(self.resource_id));
        }
        match included {
            Some(inc) => json!({"data": data, "included": inc}),
            None => json!({"data": data}),
        }
    }
}

/// The Elastic Path webhook body for one attempt.
pub fn webhook_body(event: &EventView<'_>, integration: &Integration, job_id: &str, attempt: i64) -> Vec<u8> {
    let payload = event.payload();
    // Deprecated but still read by receivers: a JSON string for creates/updates, an object for deletes.
    let resources = if event.is_delete() { payload.clone() } else { Value::String(payload.to_string()) };
    let configuration = match &integration.config {
        cartwire_domain::integration::IntegrationConfig::Webhook { url, secret_key } => {
            json!({"url": url, "secret_key": secret_key.as_ref().map(|s| s.expose())})
        }
        _ => Value::Null,
    };
    let body = json!({
        "id": job_id,
        "triggered_by": event.key,
        "attempt": attempt,
        "integration": {
            "id": integration.id,
            "integration_type": integration.config.integration_type().as_str(),
            "name": integration.name,
            "description": integration.description,
        },
        "resources": resources,
        "payload": payload,
        "configuration": configuration,
    });
    serde_json::to_vec(&body).expect("json")
}

/// Largest queue message (SQS's limit).
pub const MAX_QUEUE_MESSAGE: usize = 256 * 1024;

/// The CloudEvents 1.0 document for SQS and STOMP; `included` is elided when the message would
/// exceed 256 KiB. `None` when even that is too large.
pub fn cloud_event(
    event: &EventView<'_>,
    integration_id: &str,
    job_id: &str,
    source: &str,
    store_id: &str,
) -> Option<Vec<u8>> {
    let payload = event.payload();
    let mut data = if event.is_delete() { payload.clone() } else { payload["data"].clone() };
    if let (Some(inc), Some(obj)) = (payload.get("included"), data.as_object_mut()) {
        obj.insert("included".into(), inc.clone());
    }
    let render = |data: &Value| {
        serde_json::to_vec(&json!({
            "specversion": "1.0",
            "id": job_id,
            "type": event.key,
            "source": source,
            "time": event.occurred_at,
            "datacontenttype": "application/json",
            "integrationid": integration_id,
            "storeid": store_id,
            "data": data,
        }))
        .expect("json")
    };
    let body = render(&data);
    if body.len() <= MAX_QUEUE_MESSAGE {
        return Some(body);
    }
    if let Some(obj) = data.as_object_mut() {
        obj.insert("included".into(), json!({"meta": {"includes_elided": true}}));
    }
    let body = render(&data);
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
        let snap = json!({"name": "x", "included": {"items": [1]}});
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &snap,
            occurred_at: "t",
        };
        let body: Value = serde_json::from_slice(&webhook_body(&e, &integration(), "job", 2)).unwrap();
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
        let body: Value = serde_json::from_slice(&webhook_body(&d, &integration(), "job", 1)).unwrap();
        assert_eq!(body["resources"], json!({"type": "product", "id": "p"}));
        assert_eq!(body["payload"], json!({"type": "product", "id": "p"}));
    }

    #[test]
    fn cloud_events_elide_included_when_too_large() {
        let big = "x".repeat(300 * 1024);
        let snap = json!({"name": "x", "included": {"items": [big]}});
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &snap,
            occurred_at: "t",
        };
        let body: Value = serde_json::from_slice(&cloud_event(&e, "i", "j", "https://cw", "s").unwrap()).unwrap();
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["data"]["included"], json!({"meta": {"includes_elided": true}}));
        assert_eq!(body["storeid"], "s");
        let huge = json!({"name": "y".repeat(300 * 1024)});
        let e = EventView {
            key: "order.created",
            resource_type: "order",
            resource_id: "o1",
            snapshot: &huge,
            occurred_at: "t",
        };
        assert!(cloud_event(&e, "i", "j", "https://cw", "s").is_none());
    }
}
