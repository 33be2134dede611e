//! Deliveries: the list (by status, integration and creation time), and one delivery with
//! the request it makes (headers and body, secrets masked), every attempt (the receiver's
//! status and answer, the duration, the node) and the Retry button.

use super::Session;
use super::layout::{Page, error_page, explain, when};
use super::session::CsrfForm;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use cartwire_app::App;
use cartwire_app::integrations::DeliveryFilter;
use maud::html;
use serde::{Deserialize, Serialize};

const STATUSES: &[&str] = &["pending", "succeeded", "dead"];

/// The list's filters.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    integration: String,
    /// Created at or after (UTC, `datetime-local`).
    #[serde(default)]
    from: String,
    /// Created before.
    #[serde(default)]
    to: String,
    #[serde(default)]
    offset: i64,
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `GET /console/deliveries`.
pub async fn list(State(app): State<App>, s: Session, Query(f): Query<Filters>) -> Response {
    let status = nonempty(&f.status).filter(|st| STATUSES.contains(&st.as_str()));
    let time = |field: &str, v: &str| nonempty(v).map(|v| super::replay::utc(field, &v)).transpose();
    let (from, to) = match (time("From", &f.from), time("To", &f.to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => {
            return super::layout::message_page(Some(&s), axum::http::StatusCode::BAD_REQUEST, "Refused", &e);
        }
    };
    let filter = DeliveryFilter {
        status: status.clone(),
        integration_id: nonempty(&f.integration),
        from,
        to,
        ..Default::default()
    };
    let offset = f.offset.max(0);
    let (items, total) = match app.deliveries(&s.principal, &filter, offset, 50).await {
        Ok(page) => page,
        Err(e) => return error_page(Some(&s), &e),
    };
    let body = html! {
        h1 { "Deliveries" }
        form.filters method="get" action="/console/deliveries" {
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" { "any" }
                    @for st in STATUSES {
                        option value=(st) selected[status.as_deref() == Some(*st)] { (st) }
                    }
                }
            }
            div {
                label for="integration" { "Integration id" }
                input #integration name="integration" type="text" value=(f.integration);
            }
            div { label for="from" { "Created from (UTC)" } input #from name="from" type="datetime-local" value=(f.from); }
            div { label for="to" { "to" } input #to name="to" type="datetime-local" value=(f.to); }
            button type="submit" { "Filter" }
        }
        p { (total) " deliveries" @if total > 50 { ", showing " (offset + 1) "–" (offset + items.len() as i64) } "." }
        div.table {
            table {
                thead { tr { th { "Created" } th { "Event" } th { "Integration" } th { "Status" } th { "Attempts" } th { "Last error" } } }
                tbody {
                    @for d in &items {
                        tr {
                            td { a href={ "/console/deliveries/" (d.id) } { (when(d.created_at)) } }
                            td { code { (d.event_key) } " " (d.resource_id) }
                            td { code { (d.integration_id) } }
                            td class={ "status-" (d.status) } { (d.status) }
                            td { (d.attempts) }
                            td { (d.last_error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        @if offset + 50 < total {
            // The filters as the form sent them, encoded (an integration id or a time may hold
            // characters a query string must escape).
            @let next = serde_urlencoded::to_string(Filters { offset: offset + 50, ..f.clone() }).unwrap_or_default();
            a href={ "/console/deliveries?" (next) } { "Next page" }
        }
    };
    Page::new("Deliveries", body).render(Some(&s))
}

/// `GET /console/deliveries/{id}`.
pub async fn show(State(app): State<App>, s: Session, Path(id): Path<String>) -> Response {
    let (d, attempts) = match app.delivery_with_attempts(&s.principal, &id).await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&s), &e),
    };
    let request = app.delivery_request(&s.principal, &id).await;
    let body = html! {
        h1 { "Delivery " code { (d.id) } }
        table {
            tr { th { "Event" } td { code { (d.event_key) } " (" (d.event_id) ")" } }
            tr { th { "Resource" } td { code { (d.resource_id) } } }
            tr { th { "Integration" } td { code { (d.integration_id) } } }
            tr { th { "Status" } td class={ "status-" (d.status) } { (d.status) } }
            tr { th { "Attempts" } td { (d.attempts) } }
            @if d.status == "pending" {
                tr { th { "Next attempt" } td { (when(time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(d.next_attempt_at) * 1_000_000).unwrap_or(d.updated_at))) } }
            }
            tr { th { "Last error" } td { (d.last_error.as_deref().unwrap_or("—")) } }
        }
        @if d.status != "succeeded" {
            form method="post" action={ "/console/deliveries/" (d.id) "/retry" } {
                input type="hidden" name="csrf" value=(s.csrf);
                button type="submit" { "Retry now" }
            }
        }
        h2 { "Attempts" }
        @if attempts.is_empty() { p { "No attempt yet." } }
        @for a in &attempts {
            section.attempt {
                h3 { "Attempt " (a.attempt) " — " @if a.succeeded { span.status-succeeded { "succeeded" } } @else { span.status-failed { "failed" } } }
                p {
                    (when(a.started_at)) ", " (a.duration_ms) " ms, node " code { (a.node) }
                    @if let Some(code) = a.status_code { ", HTTP " (code) }
                }
                @if let Some(e) = &a.error_detail { p.error { (e) } }
                @if let Some(b) = a.body.as_deref().filter(|b| !b.is_empty()) {
                    h4 { "Response body" }
                    pre { (b) }
                }
            }
        }
        h2 { "Request" }
        @match &request {
            Ok(Some(r)) => {
                p.muted { "As attempt " (d.attempts.max(1)) " sent it, rebuilt from the stored event and the integration's settings; secrets are masked, and each attempt has its own timestamp and signature." }
                p { code { (r.target) } }
                div.table {
                    table.headers {
                        thead { tr { th { "Header" } th { "Value" } } }
                        tbody {
                            @for (name, value) in &r.headers {
                                tr { td { code { (name) } } td { code { (value) } } }
                            }
                        }
                    }
                }
                details {
                    summary { "Body (" (r.body.len()) " bytes)" }
                    pre { (pretty(&r.body)) }
                }
            }
            Ok(None) => p.muted { "The event or the integration no longer exists." },
            Err(e) => p.muted { "Not shown. " (explain(e)) },
        }
    };
    Page::new(format!("Delivery {}", d.id), body).render(Some(&s))
}

/// A JSON body indented for reading (anything else as it is).
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

/// `POST /console/deliveries/{id}/retry`.
pub async fn retry(State(app): State<App>, s: Session, Path(id): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    if let Some(refused) = s.refuse_forged(&f.csrf) {
        return refused;
    }
    match app.retry_delivery(&s.principal, &id).await {
        Ok(d) => Redirect::to(&format!("/console/deliveries/{}", d.id)).into_response(),
        Err(e) => error_page(Some(&s), &e),
    }
}
