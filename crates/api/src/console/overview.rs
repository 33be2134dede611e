//! The overview: orders and delivery attempts per minute over the last hour, the delivery
//! success rate, each integration's attempts and failures, what is waiting (dead letters,
//! pending deliveries), each integration event's calls (count, failures, median and slowest)
//! and the latest events; it reloads itself every 30 s. Each part needs its own reader role.

use super::Session;
use super::charts::bars;
use super::layout::{Page, error_page, explain, when};
use axum::extract::State;
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::AppError;
use cartwire_app::activity::AttemptsInMinute;
use cartwire_app::events::EventFilter;
use cartwire_app::integrations::DeliveryFilter;
use cartwire_app::orders::storefront::OrderFilter;
use maud::{Markup, html};

/// `GET /console/overview`.
///
/// Each part is read with the caller's own roles: an order reader sees the orders, a webhook
/// reader the deliveries, an integration-event reader the callouts, FullAccess everything
/// (the latest events too). A part the caller may not read says which roles would show it;
/// a caller who may read none of them gets the refusal page.
pub async fn page(State(app): State<App>, s: Session) -> Response {
    let p = &s.principal;
    let hour = std::time::Duration::from_secs(3600);
    let count = |status: &'static str| {
        let filter = DeliveryFilter { status: Some(status.into()), ..DeliveryFilter::default() };
        let app = app.clone();
        async move { app.deliveries(p, &filter, 0, 1).await.map(|(_, total)| total) }
    };
    let waiting = async { Ok::<_, AppError>((count("dead").await?, count("pending").await?)) }.await;
    let orders = async {
        let (_, total) = app.all_orders(p, &OrderFilter::default(), 0, 1).await?;
        Ok::<_, AppError>((total, app.order_activity(p, hour).await?))
    }
    .await;
    let deliveries = app.delivery_activity(p, hour).await;
    let calls = app.recent_callouts(p, 1000).await;
    let events = app.event_tail(p, &EventFilter::default(), 10).await;
    // Every part refused: the caller holds no role the overview shows anything for.
    if let (Err(e), Err(_), Err(_), Err(_), Err(_)) = (&waiting, &orders, &deliveries, &calls, &events) {
        return error_page(Some(&s), e);
    }
    for e in [
        waiting.as_ref().err(),
        orders.as_ref().err(),
        deliveries.as_ref().err(),
        calls.as_ref().err(),
        events.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        if !matches!(e, AppError::Forbidden(_)) {
            return error_page(Some(&s), e);
        }
    }
    let rate = |tried: i64, failed: i64| {
        if tried == 0 { "—".to_owned() } else { format!("{:.1} %", 100.0 * (tried - failed) as f64 / tried as f64) }
    };
    let body = html! {
        h1 { "Overview" }
        div.cards {
            @if let Ok((dead, pending)) = &waiting {
                a.card href="/console/deliveries?status=dead" { div.n { (dead) } "dead letters waiting" }
                a.card href="/console/deliveries?status=pending" { div.n { (pending) } "deliveries pending" }
            }
            @if let Ok((total, _)) = &orders {
                a.card href="/console/orders" { div.n { (total) } "orders" }
            }
            @if let Ok(activity) = &deliveries {
                a.card href="/console/integrations" {
                    div.n { (activity.integrations.iter().filter(|(i, _)| i.enabled).count()) " / " (activity.integrations.len()) }
                    "integrations enabled"
                }
            }
        }
        h2 { "Last hour" }
        div.charts {
            figure {
                @match &orders {
                    Ok((_, activity)) => {
                        figcaption { "Orders per minute (" (activity.orders.iter().sum::<i64>()) ")" }
                        (bars("Orders", &activity.minutes, &activity.orders, None, 480, 80))
                    }
                    Err(e) => { figcaption { "Orders per minute" } (not_shown(e)) }
                }
            }
            figure {
                @match &deliveries {
                    Ok(activity) => {
                        @let minutes = &activity.minutes;
                        @let column = |pick: fn(&AttemptsInMinute) -> i64| -> Vec<i64> {
                            (0..minutes.len()).map(|m| activity.integrations.iter().map(|(_, a)| pick(&a[m])).sum()).collect()
                        };
                        @let (attempts, failures) = (column(|a| a.attempts), column(|a| a.failures));
                        @let (tried, failed): (i64, i64) = (attempts.iter().sum(), failures.iter().sum());
                        figcaption { "Delivery attempts per minute (" (tried) ", " (failed) " failed; success " (rate(tried, failed)) ")" }
                        (bars("Delivery attempts", minutes, &attempts, Some(&failures), 480, 80))
                    }
                    Err(e) => { figcaption { "Delivery attempts per minute" } (not_shown(e)) }
                }
            }
        }
        h2 { "Integrations" }
        @match &deliveries {
            Ok(activity) => {
                div.table {
                    table {
                        thead { tr { th { "Integration" } th { "Attempts and failures, last hour" } th { "Success" } } }
                        tbody {
                            @for (i, per) in &activity.integrations {
                                @let a: Vec<i64> = per.iter().map(|m| m.attempts).collect();
                                @let f: Vec<i64> = per.iter().map(|m| m.failures).collect();
                                tr {
                                    td { a href={ "/console/integrations/" (i.id) } { (i.name) } @if !i.enabled { " (disabled)" } }
                                    td { (bars(&i.name, &activity.minutes, &a, Some(&f), 240, 24)) }
                                    td { (rate(a.iter().sum(), f.iter().sum())) }
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => (not_shown(e)),
        }
        h2 { "Callouts, last hour" }
        @match &calls {
            Ok(calls) => {
                @let latency = callout_latency(calls);
                @if latency.is_empty() { p { "No integration event was called in the last hour." } }
                @else {
                    div.table {
                        table {
                            thead { tr { th { "Integration event" } th { "Calls" } th { "Failed" } th { "Median" } th { "Slowest" } } }
                            tbody {
                                @for l in &latency {
                                    tr {
                                        td { code { (l.event) } " (" (l.event_type) ")" }
                                        td { (l.calls) }
                                        td { (l.failed) }
                                        td { (l.median_ms) " ms" }
                                        td { (l.max_ms) " ms" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => (not_shown(e)),
        }
        h2 { "Latest events" }
        @match &events {
            Ok(events) => {
                div.table {
                    table {
                        thead { tr { th { "When" } th { "Key" } th { "Resource" } th { "Through" } } }
                        tbody {
                            @for e in events.iter().rev() {
                                tr {
                                    td { (when(e.occurred_at)) }
                                    td { code { (e.key) } }
                                    td { (e.resource_type) " " code { (e.resource_id) } }
                                    td { (e.dialect) }
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => (not_shown(e)),
        }
    };
    Page::new("Overview", body).refresh(30).render(Some(&s))
}

/// What a part the caller may not read shows instead: the refusal, which names the roles.
fn not_shown(e: &AppError) -> Markup {
    html! { p.muted { "Not shown. " (explain(e)) } }
}

/// One integration event's calls in the last hour.
struct Latency {
    event: String,
    event_type: String,
    calls: usize,
    failed: usize,
    median_ms: i64,
    max_ms: i64,
}

/// Calls of the last hour per integration event, from the newest 1000 in the log.
fn callout_latency(calls: &[cartwire_app::integration_events::CalloutLogEntry]) -> Vec<Latency> {
    let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let mut by_event: std::collections::BTreeMap<&str, Vec<&cartwire_app::integration_events::CalloutLogEntry>> =
        std::collections::BTreeMap::new();
    for c in calls.iter().filter(|c| c.at >= since) {
        by_event.entry(c.integration_event_id.as_str()).or_default().push(c);
    }
    by_event
        .into_iter()
        .map(|(event, cs)| {
            let mut ms: Vec<i64> = cs.iter().map(|c| c.duration_ms).collect();
            ms.sort_unstable();
            Latency {
                event: event.to_owned(),
                event_type: cs[0].event_type.clone(),
                calls: cs.len(),
                failed: cs.iter().filter(|c| c.outcome != "ok").count(),
                median_ms: ms[ms.len() / 2],
                max_ms: ms[ms.len() - 1],
            }
        })
        .collect()
}
