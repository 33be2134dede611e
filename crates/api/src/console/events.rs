//! The event log: the outbox's latest events, filtered by key (`order.*` for a resource's
//! keys) and resource; with "follow" on, the page reloads itself every 5 s (a live tail
//! without a script).

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::{Query, State};
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::events::EventFilter;
use maud::html;
use serde::Deserialize;

/// The page's filters.
#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    key: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    follow: String,
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `GET /console/events`.
pub async fn page(State(app): State<App>, s: Session, Query(f): Query<Filters>) -> Response {
    let key = nonempty(&f.key);
    let (key, key_prefix) = match key {
        Some(k) if k.ends_with(".*") => (None, Some(k.trim_end_matches('*').to_owned())),
        other => (other, None),
    };
    let filter = EventFilter {
        key,
        key_prefix,
        resource_type: nonempty(&f.resource_type),
        resource_id: nonempty(&f.resource_id),
        ..EventFilter::default()
    };
    let events = match app.event_tail(&s.principal, &filter, 100).await {
        Ok(events) => events,
        Err(e) => return error_page(Some(&s), &e),
    };
    let follow = f.follow == "on";
    let body = html! {
        h1 { "Events" }
        form.filters method="get" action="/console/events" {
            div { label for="key" { "Key" } input #key name="key" type="text" value=(f.key) placeholder="order.*"; }
            div { label for="resource_type" { "Resource type" } input #resource_type name="resource_type" type="text" value=(f.resource_type); }
            div { label for="resource_id" { "Resource id" } input #resource_id name="resource_id" type="text" value=(f.resource_id); }
            div { label for="follow" { "Follow" } input #follow name="follow" type="checkbox" checked[follow]; }
            button type="submit" { "Show" }
        }
        p { "The latest " (events.len()) " events, newest first." @if follow { " Reloads every 5 s." } }
        div.table {
            table {
                thead { tr { th { "#" } th { "When" } th { "Key" } th { "Resource" } th { "Through" } th { "Actor" } } }
                tbody {
                    @for e in events.iter().rev() {
                        tr {
                            td { (e.seq) }
                            td { (when(e.occurred_at)) }
                            td { code { (e.key) } }
                            td { (e.resource_type) " " code { (e.resource_id) } }
                            td { (e.dialect) }
                            td { (e.actor.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    let page = Page::new("Events", body);
    if follow { page.refresh(5) } else { page }.render(Some(&s))
}
