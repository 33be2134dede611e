//! The overview: what is waiting (dead letters, pending deliveries), how many orders and
//! integrations there are, and the latest events; it reloads itself every 30 s.

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::State;
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::events::EventFilter;
use cartwire_app::integrations::DeliveryFilter;
use cartwire_app::orders::storefront::OrderFilter;
use maud::html;

/// `GET /console/overview`.
pub async fn page(State(app): State<App>, s: Session) -> Response {
    let p = &s.principal;
    let count = |status: &'static str| {
        let filter = DeliveryFilter { status: Some(status.into()), ..DeliveryFilter::default() };
        let app = app.clone();
        async move { app.deliveries(p, &filter, 0, 1).await.map(|(_, total)| total) }
    };
    let figures = async {
        let dead = count("dead").await?;
        let pending = count("pending").await?;
        let (_, orders) = app.all_orders(p, &OrderFilter::default(), 0, 1).await?;
        let integrations = app.list_integrations(p).await?;
        let events = app.event_tail(p, &EventFilter::default(), 10).await?;
        Ok::<_, cartwire_app::AppError>((dead, pending, orders, integrations, events))
    };
    let (dead, pending, orders, integrations, events) = match figures.await {
        Ok(f) => f,
        Err(e) => return error_page(Some(&s), &e),
    };
    let enabled = integrations.iter().filter(|i| i.enabled).count();
    let body = html! {
        h1 { "Overview" }
        div.cards {
            a.card href="/console/deliveries?status=dead" { div.n { (dead) } "dead letters waiting" }
            a.card href="/console/deliveries?status=pending" { div.n { (pending) } "deliveries pending" }
            a.card href="/console/orders" { div.n { (orders) } "orders" }
            a.card href="/console/integrations" { div.n { (enabled) " / " (integrations.len()) } "integrations enabled" }
        }
        h2 { "Latest events" }
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
    };
    Page::new("Overview", body).refresh(30).render(Some(&s))
}
