//! The Elastic Path dialect: `/oauth/access_token` and `/v2/integrations…` with the
//! `{"data": …}` envelope, JSON:API-style `errors[]` bodies and `page[limit]`/`page[offset]`.

pub mod error;
pub mod integrations;
pub mod oauth;
pub mod schema;
pub(crate) mod wire;

use crate::openapi::{Dialect, Documented, Op, Param};
use axum::http::Method as M;
use serde_json::json;

/// The Elastic Path document.
pub static DIALECT: Dialect = Dialect {
    name: "elasticpath",
    title: "Elastic Path integrations",
    description: "Elastic Path Composable Commerce's integrations API as cartwire serves it: \
        webhook, AWS SQS and STOMP integrations observing events, their jobs and delivery logs. \
        Get a token at `POST /oauth/access_token` (client_credentials of an API client whose \
        default context user holds WebhookAdmin or WebhookReader) and send it as a bearer token.",
    security_schemes: |base| {
        json!({"bearer": {"type": "http", "scheme": "bearer",
            "description": format!("A token from {base}/oauth/access_token.")}})
    },
    requirement: |_| json!([{"bearer": []}]),
    error: |s| s.of::<schema::Errors>(),
    error_content_type: "application/json",
};

const READ: &[&str] = &["WebhookAdmin", "WebhookReader"];
const WRITE: &[&str] = &["WebhookAdmin"];

fn paging() -> [Param; 2] {
    [
        Param::query(
            "page[limit]",
            json!({"type": "integer", "minimum": 1, "maximum": 100}),
            "Page size (default 25).",
        ),
        Param::query("page[offset]", json!({"type": "integer", "minimum": 0, "maximum": 10000}), "Items to skip."),
    ]
}

/// The dialect's routes.
pub fn routes() -> Documented {
    use integrations as i;
    use schema as s;
    Documented::new(&DIALECT)
        .route(
            M::POST,
            "/oauth/access_token",
            oauth::access_token,
            Op::new("Issues an access token (client_credentials)")
                .form::<s::TokenForm>()
                .answer::<s::AccessToken>(200, "The token.")
                .errors(&[401, 429]),
        )
        .route(
            M::GET,
            "/v2/integrations",
            i::list,
            Op::new("Lists integrations").roles(READ).params(paging()).answer::<s::IntegrationPage>(200, "A page."),
        )
        .route(
            M::POST,
            "/v2/integrations",
            i::create,
            Op::new("Creates an integration")
                .roles(WRITE)
                .body::<s::IntegrationBody>()
                .answer::<s::IntegrationEnvelope>(201, "The integration.")
                .errors(&[409, 422]),
        )
        .route(
            M::GET,
            "/v2/integrations/logs",
            i::all_logs,
            Op::new("Every integration's delivery logs")
                .roles(READ)
                .params(paging())
                .answer::<s::LogPage>(200, "A page."),
        )
        .route(
            M::GET,
            "/v2/integrations/{id}",
            i::get,
            Op::new("An integration").roles(READ).answer::<s::IntegrationEnvelope>(200, "The integration."),
        )
        .route(
            M::PUT,
            "/v2/integrations/{id}",
            i::update,
            Op::new("Updates an integration (fields sent replace theirs)")
                .roles(WRITE)
                .body::<s::IntegrationBody>()
                .answer::<s::IntegrationEnvelope>(200, "The integration.")
                .errors(&[422]),
        )
        .route(
            M::DELETE,
            "/v2/integrations/{id}",
            i::delete,
            Op::new("Deletes an integration").roles(WRITE).answer::<s::Deleted>(200, "What was deleted."),
        )
        .route(
            M::GET,
            "/v2/integrations/{id}/logs",
            i::logs,
            Op::new("An integration's delivery logs").roles(READ).params(paging()).answer::<s::LogPage>(200, "A page."),
        )
        .route(
            M::GET,
            "/v2/integrations/{id}/jobs",
            i::jobs,
            Op::new("An integration's jobs").roles(READ).params(paging()).answer::<s::JobPage>(200, "A page."),
        )
        .route(
            M::GET,
            "/v2/integrations/{id}/jobs/{job}/logs",
            i::job_logs,
            Op::new("A job's delivery logs").roles(READ).params(paging()).answer::<s::LogPage>(200, "A page."),
        )
}
