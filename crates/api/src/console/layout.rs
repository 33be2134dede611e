//! The console's page chrome: the document, the navigation, the security headers every page
//! is sent with, the stylesheet, and the pages for errors. maud escapes every interpolated
//! value, so a stored `<script>` shows as text.

use super::Session;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::AppError;
use maud::{DOCTYPE, Markup, html};

/// Only the console's own stylesheet; no script, no frame, forms only to itself.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

const NAV: &[(&str, &str)] = &[
    ("/console/overview", "Overview"),
    ("/console/orders", "Orders"),
    ("/console/integrations", "Integrations"),
    ("/console/deliveries", "Deliveries"),
    ("/console/events", "Events"),
    ("/console/callouts", "Callouts"),
    ("/console/clients", "API clients"),
    ("/console/integration-events", "Integration events"),
];

/// A page to send.
pub struct Page {
    title: String,
    body: Markup,
    status: StatusCode,
    refresh: Option<u32>,
}

impl Page {
    /// A 200 page.
    pub fn new(title: impl Into<String>, body: Markup) -> Self {
        Self { title: title.into(), body, status: StatusCode::OK, refresh: None }
    }

    /// With another status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Reloads itself every `seconds`.
    pub fn refresh(mut self, seconds: u32) -> Self {
        self.refresh = Some(seconds);
        self
    }

    /// The response, with the navigation when someone is signed in.
    pub fn render(self, session: Option<&Session>) -> Response {
        let doc = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if let Some(s) = self.refresh { meta http-equiv="refresh" content=(s); }
                    title { (self.title) " — cartwire console" }
                    link rel="stylesheet" href="/console/assets/console.css";
                }
                body {
                    header {
                        a.brand href="/console/overview" { "cartwire" }
                        @if let Some(s) = session {
                            nav aria-label="Main" {
                                @for (href, label) in NAV {
                                    a href=(href) { (label) }
                                }
                            }
                            form.logout method="post" action="/console/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                span.who { (s.principal.client_id) }
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                    main { (self.body) }
                }
            }
        };
        let mut res = (self.status, doc.into_string()).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

/// A page saying what went wrong.
pub fn message_page(session: Option<&Session>, status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! { h1 { (title) } p.error role="alert" { (message) } };
    Page::new(title, body).status(status).render(session)
}

/// The page for a use case's error, in the words the APIs use.
pub fn error_page(session: Option<&Session>, e: &AppError) -> Response {
    let (status, title) = match e {
        AppError::Unauthenticated(_) | AppError::TokenRevoked(_) => (StatusCode::UNAUTHORIZED, "Signed out"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
        AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "Not found"),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "Unavailable"),
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(error = %e, "console failure");
            return message_page(
                session,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                "Something went wrong; it is logged.",
            );
        }
        _ => (StatusCode::BAD_REQUEST, "Refused"),
    };
    message_page(session, status, title, &explain(e))
}

/// An error in words for the page: a refusal names the roles that would be accepted.
pub(super) fn explain(e: &AppError) -> String {
    match e {
        AppError::Forbidden(f) => format!(
            "This needs one of the roles {}.",
            f.sufficient_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// A time as the console shows it (UTC, to the second).
pub fn when(t: time::OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.to_offset(time::UtcOffset::UTC).format(FORMAT).unwrap_or_default()
}

/// Amounts in minor units as decimals of their currency (two places).
pub fn money(minor: i64, currency: &str) -> String {
    format!("{}{}.{:02} {currency}", if minor < 0 { "-" } else { "" }, minor.abs() / 100, minor.abs() % 100)
}

/// `GET /console/assets/console.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("../../assets/console/console.css"),
    )
        .into_response()
}
