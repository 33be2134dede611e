//! A receiver down for a simulated day: the default retry schedule scaled down 10,000 times
//! (`CARTWIRE_OUTAGE_SCALE`; its ~28 h horizon becomes ~10 s), the receiver down for 1.4
//! times the horizon. Deliveries still inside
//! the horizon when the receiver returns all arrive; older ones are dead letters, and a replay
//! delivers them; an ordered integration never sends a resource's event before the earlier
//! one has ended (delivered or dead), outage or not. Figures and the longer form are in
//! docs/reliability.md.

use crate::delivery::{emit, webhook};
use crate::support::receiver::{Mode, Receiver};
use crate::support::{TestServer, eventually, fast_delivery};
use cartwire_domain::delivery::RetryPolicy;
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The default schedule ÷ `CARTWIRE_OUTAGE_SCALE` (10,000 unless set; 1,000 makes a day
/// ~86 s), each delay a millisecond at least; and the schedule's horizon.
fn scaled_schedule() -> (cartwire_app::dispatcher::DeliveryConfig, Duration) {
    let scale: u32 = std::env::var("CARTWIRE_OUTAGE_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut cfg = fast_delivery();
    cfg.retry.delays =
        RetryPolicy::default().delays.iter().map(|d| (*d / scale).max(Duration::from_millis(1))).collect();
    let horizon = cfg.retry.delays.iter().sum();
    (cfg, horizon)
}

async fn count(s: &TestServer, query: &str) -> i64 {
    let r = s.get(&format!("/cartwire/v1/deliveries?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["total"].as_i64().unwrap()
}

/// The app names of what `integration` got, in arrival order (`accepted` only, or every try).
fn names(rx: &Receiver, integration: &str, accepted_only: bool) -> Vec<String> {
    let got = if accepted_only { rx.accepted() } else { rx.received() };
    got.iter()
        .filter(|r| r.body["integration"]["id"] == integration)
        .map(|r| r.body["payload"]["data"]["app_name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_receiver_down_for_a_simulated_day_gets_what_is_inside_the_horizon_and_a_replay_the_rest() {
    let (cfg, horizon) = scaled_schedule();
    // Waits scale with the horizon (30 s at least: the dispatcher's pace on a loaded machine).
    let wait = horizon.as_secs().max(10) * 3;
    let s = TestServer::start_with(cfg).await;
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::Fail);
    let plain = webhook(&s, &rx.url, None, &["api-client.created"], json!({})).await;
    let ordered = webhook(&s, &rx.url, None, &["api-client.updated"], json!({"ordered_delivery": true})).await;
    let before = time::OffsetDateTime::now_utc() - Duration::from_secs(1);
    let started = Instant::now();

    // At the outage's start: ten clients, each renamed twice (the ordered integration's events).
    let mut early = Vec::new();
    for n in 0..10 {
        let id = emit(&s, &format!("early-{n}")).await;
        for v in 1..=2 {
            let r = s.patch(&format!("/v1/apiclients/{id}"), json!({"AppName": format!("early-{n} v{v}")})).await;
            assert_eq!(r.status, 200);
        }
        early.push(n);
    }
    // A horizon later (a simulated 27.6 h): ten more, well inside theirs when the receiver
    // returns; the early ones have used up theirs (even with +20 % jitter) by then.
    tokio::time::sleep_until((started + horizon).into()).await;
    for n in 0..10 {
        emit(&s, &format!("late-{n}")).await;
    }
    tokio::time::sleep_until((started + horizon.mul_f64(1.4)).into()).await;
    rx.set_mode(Mode::Ok);

    // Inside the horizon: every late one arrives. Outside: every early one is a dead letter.
    let late: HashSet<String> = (0..10).map(|n| format!("late-{n}")).collect();
    eventually(wait, "every late delivery", || async {
        late.is_subset(&names(&rx, &plain, true).into_iter().collect()).then_some(())
    })
    .await;
    eventually(wait, "the early deliveries to be dead letters", || async {
        (count(&s, &format!("integration_id={plain}&status=dead")).await == 10).then_some(())
    })
    .await;
    assert_eq!(count(&s, &format!("integration_id={plain}&status=pending")).await, 0);
    let got: HashSet<String> = names(&rx, &plain, true).into_iter().collect();
    assert!(got.iter().all(|n| n.starts_with("late-")), "no early one arrived: {got:?}");

    // The ordered integration: each resource's first rename died during the outage, then the
    // second was sent — never one of its tries before the first had ended.
    eventually(wait, "every second rename", || async {
        let got: HashSet<String> = names(&rx, &ordered, true).into_iter().collect();
        early.iter().all(|n| got.contains(&format!("early-{n} v2"))).then_some(())
    })
    .await;
    let tries = names(&rx, &ordered, false);
    for n in &early {
        let (v1, v2) = (format!("early-{n} v1"), format!("early-{n} v2"));
        let last_v1 = tries.iter().rposition(|t| *t == v1).expect("v1 was tried");
        let first_v2 = tries.iter().position(|t| *t == v2).expect("v2 was tried");
        assert!(last_v1 < first_v2, "resource {n}: v2 tried before v1 ended: {tries:?}");
    }
    assert_eq!(count(&s, &format!("integration_id={ordered}&status=dead")).await, 10, "each first rename");

    // A replay of the outage's range delivers the dead letters (and the rest again).
    let fmt = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let after = time::OffsetDateTime::now_utc() + Duration::from_secs(1);
    let r = s
        .post(&format!("/cartwire/v1/integrations/{plain}/replay"), json!({"from": fmt(before), "to": fmt(after)}))
        .await;
    assert_eq!((r.status.as_u16(), r.body["requeued"].as_i64()), (200, Some(20)), "{}", r.body);
    let everyone: HashSet<String> = (0..10).map(|n| format!("early-{n}")).chain(late.iter().cloned()).collect();
    eventually(wait, "the replay", || async {
        everyone.is_subset(&names(&rx, &plain, true).into_iter().collect()).then_some(())
    })
    .await;
    assert_eq!(count(&s, &format!("integration_id={plain}&status=dead")).await, 0);
}
