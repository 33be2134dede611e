//! Replay: requeues an integration's deliveries of a time range (after a confirmation), then
//! shows them draining — the page reloads itself every 2 s while any is pending.

use super::Session;
use super::layout::{Page, error_page, message_page};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartwire_app::App;
use cartwire_app::integrations::DeliveryFilter;
use maud::{Markup, html};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The replay form on an integration's page.
pub fn form(s: &Session, integration_id: &str) -> Markup {
    html! {
        h2 { "Replay" }
        form method="post" action={ "/console/integrations/" (integration_id) "/replay" } {
            input type="hidden" name="csrf" value=(s.csrf);
            div.filters {
                div { label for="from" { "From (UTC)" } input #from name="from" type="datetime-local" required; }
                div { label for="to" { "To (UTC)" } input #to name="to" type="datetime-local" required; }
            }
            label { input name="confirm" type="checkbox" required; " Send every delivery of this range again, delivered or not" }
            button type="submit" { "Replay" }
        }
    }
}

/// What the form sends.
#[derive(Deserialize)]
pub struct ReplayForm {
    csrf: String,
    from: String,
    to: String,
    confirm: Option<String>,
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) read as UTC.
pub(super) fn utc(field: &str, v: &str) -> Result<OffsetDateTime, String> {
    let v = v.trim();
    let full = if v.len() == 16 { format!("{v}:00Z") } else { format!("{v}Z") };
    OffsetDateTime::parse(&full, &Rfc3339).map_err(|_| format!("{field} must be a date and time"))
}

/// `POST /console/integrations/{id}/replay`.
pub async fn replay(State(app): State<App>, s: Session, Path(id): Path<String>, Form(f): Form<ReplayForm>) -> Response {
    if let Some(refused) = s.refuse_forged(&f.csrf) {
        return refused;
    }
    let refuse = |message: String| message_page(Some(&s), StatusCode::UNPROCESSABLE_ENTITY, "Replay refused", &message);
    if f.confirm.is_none() {
        return refuse("Tick the confirmation: a replay sends deliveries again.".into());
    }
    let (from, to) = match (utc("From", &f.from), utc("To", &f.to)) {
        (Ok(from), Ok(to)) if from < to => (from, to),
        (Ok(_), Ok(_)) => return refuse("From must be before To.".into()),
        (Err(e), _) | (_, Err(e)) => return refuse(e),
    };
    match app.replay_deliveries(&s.principal, &id, from, to).await {
        Ok(n) => Redirect::to(&format!("/console/integrations/{id}/replay?requeued={n}")).into_response(),
        Err(e) => error_page(Some(&s), &e),
    }
}

/// The progress page's query.
#[derive(Deserialize)]
pub struct Progress {
    #[serde(default)]
    requeued: u64,
}

/// `GET /console/integrations/{id}/replay`: how many of the integration's deliveries are
/// still pending.
pub async fn progress(
    State(app): State<App>,
    s: Session,
    Path(id): Path<String>,
    Query(q): Query<Progress>,
) -> Response {
    let filter =
        DeliveryFilter { integration_id: Some(id.clone()), status: Some("pending".into()), ..Default::default() };
    let pending = match app.deliveries(&s.principal, &filter, 0, 1).await {
        Ok((_, total)) => total,
        Err(e) => return error_page(Some(&s), &e),
    };
    let body = html! {
        h1 { "Replay" }
        p { (q.requeued) " deliveries requeued." }
        @if pending > 0 {
            p role="status" { (pending) " of the integration's deliveries pending; this page follows them." }
            progress max=(q.requeued.max(pending as u64)) value=(q.requeued.saturating_sub(pending as u64)) {}
        } @else {
            p role="status" { "Nothing pending: the replay has drained." }
        }
        p { a href={ "/console/deliveries?integration=" (id) } { "The integration's deliveries" } }
    };
    let page = Page::new("Replay", body);
    if pending > 0 { page.refresh(2) } else { page }.render(Some(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_values_are_read_as_utc() {
        assert_eq!(utc("From", "2026-12-02T05:30").unwrap(), time::macros::datetime!(2026-12-02 05:30 UTC));
        assert_eq!(utc("From", "2026-12-02T05:30:15").unwrap(), time::macros::datetime!(2026-12-02 05:30:15 UTC));
        assert!(utc("From", "yesterday").is_err());
        assert!(utc("From", "").is_err());
    }
}
