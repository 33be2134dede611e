//! Callouts: the latest calls to the merchant's middleware (checkout, add-to-cart, returns,
//! sign-on) — which integration event, the path, the status, how long, and the error body
//! the middleware answered. The log keeps seven days.

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::State;
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::integration_events::CalloutLogEntry;
use maud::{Markup, html};

/// `GET /console/callouts`.
pub async fn page(State(app): State<App>, s: Session) -> Response {
    let calls = match app.recent_callouts(&s.principal, 200).await {
        Ok(calls) => calls,
        Err(e) => return error_page(Some(&s), &e),
    };
    let body = html! {
        h1 { "Callouts" }
        p { "The latest " (calls.len()) " calls to integration events, newest first (kept seven days)." }
        (table(&calls))
    };
    Page::new("Callouts", body).render(Some(&s))
}

/// Calls as a table, newest first (this page's and an integration event's own).
pub(super) fn table(calls: &[CalloutLogEntry]) -> Markup {
    html! {
    div.table {
        table {
            thead { tr { th { "When" } th { "Integration event" } th { "Type" } th { "Path" } th { "Status" } th { "Outcome" } th { "Duration" } th { "Error body" } } }
            tbody {
                @for c in calls {
                    tr {
                        td { (when(c.at)) }
                        td { a href={ "/console/integration-events/" (c.integration_event_id) } { code { (c.integration_event_id) } } }
                        td { (c.event_type) }
                        td { code { (c.path) } }
                        td { @if c.status > 0 { (c.status) } @else { "—" } }
                        td class={ @if c.outcome == "ok" { "status-succeeded" } @else { "status-failed" } } { (c.outcome) }
                        td { (c.duration_ms) " ms" }
                        td { @if let Some(b) = &c.error_body { pre { (b) } } }
                    }
                }
            }
        }
    }
    }
}
