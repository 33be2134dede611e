//! Criterion benches for the per-delivery CPU work: rendering bodies, signing them, and STOMP
//! framing. Run with `cargo bench -p cartwire-outbound`.

use cartwire_domain::integration::{Integration, IntegrationConfig, Observes, Secret};
use cartwire_outbound::payload::{EventView, RenderedEvent, cloud_event, webhook_body};
use cartwire_outbound::signing::{oc_hash, standard_webhooks_signature};
use cartwire_outbound::stomp::frame::Frame;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

fn order_snapshot() -> Box<serde_json::value::RawValue> {
    let items: Vec<_> = (0..10)
        .map(|i| json!({"type": "order_item", "id": format!("item-{i}"), "quantity": 2, "unit_price": {"amount": 1999, "currency": "USD"}}))
        .collect();
    serde_json::value::to_raw_value(
        &json!({"status": "complete", "payment": "paid", "customer": {"name": "Ada", "email": "ada@example.com"}, "included": {"items": items}}),
    )
    .unwrap()
}

fn integration() -> Integration {
    Integration {
        id: "8cb9e689-ede7-4f6d-b61a-6aa970d572dd".into(),
        name: "bench".into(),
        description: "bench".into(),
        enabled: true,
        observes: Observes::parse(&["order.created".into()]).unwrap(),
        config: IntegrationConfig::Webhook {
            url: "https://example.com/hook".into(),
            secret_key: Some(Secret::new("whsec_YmVuY2g=")),
        },
        ordered_delivery: false,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        updated_at: time::OffsetDateTime::UNIX_EPOCH,
    }
}

fn benches(c: &mut Criterion) {
    let snapshot = order_snapshot();
    let event = EventView {
        key: "order.created",
        resource_type: "order",
        resource_id: "o-1",
        snapshot: &snapshot,
        occurred_at: "2026-11-23T10:00:00Z",
    };
    let integration = integration();
    c.bench_function("render the event once (order, 10 items)", |b| b.iter(|| RenderedEvent::new(black_box(&event))));
    let event = RenderedEvent::new(&event);
    let body = webhook_body(&event, &integration, "job-1", 1);
    c.bench_function("webhook_body (order, 10 items)", |b| {
        b.iter(|| webhook_body(black_box(&event), &integration, "job-1", 1))
    });
    c.bench_function("cloud_event (order, 10 items)", |b| {
        b.iter(|| cloud_event(black_box(&event), "i", "job-1", "https://cw", "s"))
    });
    c.bench_function("standard_webhooks_signature", |b| {
        b.iter(|| standard_webhooks_signature("whsec_YmVuY2g=", "job-1", 1_795_000_000, black_box(&body)))
    });
    c.bench_function("oc_hash", |b| b.iter(|| oc_hash("supersecrethash", black_box(&body))));
    let frame = Frame::new("SEND").header("destination", "/queue/orders").header("receipt", "r1").body(body.clone());
    let encoded = frame.encode();
    c.bench_function("stomp encode SEND", |b| b.iter(|| black_box(&frame).encode()));
    c.bench_function("stomp parse SEND", |b| b.iter(|| Frame::parse(black_box(&encoded)).unwrap()));
}

criterion_group!(hot_path, benches);
criterion_main!(hot_path);
