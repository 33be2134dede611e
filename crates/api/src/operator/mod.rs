//! cartwire's own operator API (`/cartwire/v1/…`): snake_case JSON, RFC 9457 problem bodies,
//! bearer tokens holding `FullAccess`.

use crate::ordercloud::extract::bearer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cartwire_app::{App, AppError};
use cartwire_domain::order::OrderStatus;
use serde_json::{Value, json};

pub(crate) mod orders;
pub mod wire;

use crate::openapi::{Dialect, Documented, Op, Param};

/// The operator document: snake_case bodies, RFC 9457 problems, a bearer token of an API
/// client holding `FullAccess` (minted at `/oauth/token`).
pub static DIALECT: Dialect = Dialect {
    name: "cartwire",
    title: "cartwire operator API",
    description: "cartwire's own API for operators: the outbox, deliveries and their attempts, \
        retries and replays, orders across every dialect, Threekit tokens and ActiveCampaign API \
        keys, health and metrics. Authenticate with a bearer token of an API client whose \
        default context user holds `FullAccess` (OrderCloud's `POST /oauth/token`, \
        `grant_type=client_credentials`). Errors are RFC 9457 problems.",
    security_schemes: |base| {
        json!({"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": format!("An OrderCloud access token from {base}/oauth/token holding FullAccess.")}})
    },
    requirement: |_| json!([{"bearer": []}]),
    error: |s| s.of::<wire::ProblemBody>(),
    error_content_type: "application/problem+json",
};

const LIMIT: &str = "Page size, 1 to 1000 (default 100).";
const RFC3339: &str = "An RFC 3339 timestamp.";

fn int(min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

fn text() -> Value {
    json!({"type": "string"})
}

/// The operator routes, with `/healthz`, `/readyz`, `/metrics`, the documents and `/docs`.
pub fn routes() -> Documented {
    use axum::http::Method as M;
    const FULL: &[&str] = &["FullAccess"];
    const ANY: &[&str] = &[];
    // The use cases' own roles (deliveries and orders are readable without FullAccess).
    const DELIVERY_READ: &[&str] = &["WebhookAdmin", "WebhookReader"];
    const DELIVERY_WRITE: &[&str] = &["WebhookAdmin"];
    const ORDER_READ: &[&str] = &["OrderAdmin", "OrderReader"];
    let time = || text();
    Documented::new(&DIALECT)
        .route(M::GET, "/healthz", || async { "ok" }, Op::new("Liveness").answer_with(200, "The process is up.", "text/plain", |_| text()))
        .route(
            M::GET,
            "/readyz",
            crate::readyz,
            Op::new("Readiness: the database answers")
                .answer_with(200, "Ready.", "text/plain", |_| text())
                .describe("503 (text/plain) while the database is unreachable."),
        )
        .route(
            M::GET,
            "/metrics",
            metrics,
            Op::new("Prometheus metrics").roles(FULL).answer_with(200, "Prometheus text format.", "text/plain", |_| text()),
        )
        .route(
            M::GET,
            "/openapi/{file}",
            crate::openapi::docs::document,
            Op::new("An OpenAPI document")
                .param(Param::path(
                    "file",
                    json!({"type": "string", "enum": ["ordercloud.json", "elasticpath.json", "threekit.json",
                                                     "activecampaign.json", "cartwire.json"]}),
                    "The document.",
                ))
                .answer_with(200, "The OpenAPI 3.1 document.", "application/json", |_| json!({"type": "object"})),
        )
        .route(M::GET, "/docs", crate::openapi::docs::index, Op::new("Swagger UI").answer_with(200, "The page.", "text/html", |_| text()))
        .route(
            M::GET,
            "/docs/{file}",
            crate::openapi::docs::asset,
            Op::new("Swagger UI's assets").files(200, "The asset.", &["text/javascript", "text/css", "image/png", "text/html", "application/octet-stream"]),
        )
        .route(M::GET, "/cartwire/v1/deployment", deployment, Op::new("This deployment").roles(FULL).answer::<wire::DeploymentOut>(200, "The deployment."))
        .route(
            M::GET,
            "/cartwire/v1/events",
            events,
            Op::new("The outbox, oldest first after a cursor, or its tail")
                .roles(FULL)
                .params([
                    Param::query("after", int(0, i64::MAX), "Events after this `seq` (the previous page's `next_cursor`)."),
                    Param::query("tail", int(1, 1000), "The last N events instead (not with `after`)."),
                    Param::query("limit", int(1, 1000), LIMIT),
                    Param::query("key", text(), "An event key, or a resource's keys as `order.*`."),
                    Param::query("resource_type", text(), "Only events about this kind of resource."),
                    Param::query("resource_id", text(), "Only events about this resource."),
                    Param::query("from", time(), RFC3339),
                    Param::query("to", time(), RFC3339),
                ])
                .answer::<wire::EventPage>(200, "A page of events."),
        )
        .route(M::GET, "/cartwire/v1/event-types", event_types, Op::new("The event catalog").roles(ANY).answer::<wire::EventTypes>(200, "What cartwire emits."))
        .route(
            M::GET,
            "/cartwire/v1/deliveries",
            deliveries,
            Op::new("Deliveries, newest first")
                .roles(DELIVERY_READ)
                .params([
                    Param::query("integration_id", text(), "Only this integration's."),
                    Param::query("resource_id", text(), "Only deliveries of events about this resource (an order id, …)."),
                    Param::query("status", json!({"type": "string", "enum": ["pending", "succeeded", "dead"]}), "Only these."),
                    Param::query("from", time(), RFC3339),
                    Param::query("to", time(), RFC3339),
                    Param::query("limit", int(1, 1000), LIMIT),
                    Param::query("offset", int(0, i64::MAX), "Deliveries to skip."),
                ])
                .answer::<wire::DeliveryPage>(200, "A page of deliveries."),
        )
        .route(M::GET, "/cartwire/v1/deliveries/{id}", delivery, Op::new("A delivery with every attempt").roles(DELIVERY_READ).answer::<wire::DeliveryOut>(200, "The delivery."))
        .route(
            M::POST,
            "/cartwire/v1/deliveries/{id}/retry",
            retry,
            Op::new("Retries a delivery now (a dead one too)").roles(DELIVERY_WRITE).answer::<wire::DeliveryOut>(200, "The delivery, pending."),
        )
        .route(
            M::GET,
            "/cartwire/v1/orders",
            orders::list,
            Op::new("Orders of every dialect, newest first")
                .roles(ORDER_READ)
                .params([
                    Param::query("status", json!({"type": "string", "enum": OrderStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()}), "Only this status."),
                    Param::query("customer_id", text(), "Only this customer's."),
                    Param::query("source", json!({"type": "string", "enum": ["threekit", "activecampaign", "ordercloud"]}), "Only orders that came in through this API."),
                    Param::query("from", time(), "Created at or after this moment (RFC 3339)."),
                    Param::query("to", time(), "Created before this moment (RFC 3339)."),
                    Param::query("email", text(), "The buyer's email (an ActiveCampaign customer's, an OrderCloud user's), without case."),
                    Param::query("external_id", text(), "An id in another system: an ActiveCampaign `externalid` or `externalcheckoutid`, a Threekit `platform.id`."),
                    Param::query("limit", int(1, 1000), LIMIT),
                    Param::query("offset", int(0, i64::MAX), "Orders to skip."),
                ])
                .answer::<orders::OrderPage>(200, "A page of orders."),
        )
        .route(M::GET, "/cartwire/v1/orders/{id}", orders::show, Op::new("An order with its lines and events").roles(ORDER_READ).answer::<orders::OrderSummary>(200, "The order."))
        .route(
            M::POST,
            "/cartwire/v1/integrations/{id}/replay",
            replay,
            Op::new("Requeues the integration's deliveries of a time range").roles(FULL).body::<wire::ReplayBody>().answer::<wire::Replayed>(200, "How many were requeued."),
        )
        .route(M::GET, "/cartwire/v1/tokens", list_tokens, Op::new("Threekit storefront tokens").roles(FULL).answer::<wire::TokenList>(200, "Every live token."))
        .route(
            M::POST,
            "/cartwire/v1/tokens",
            issue_token,
            Op::new("Issues a Threekit storefront token").roles(FULL).body::<wire::TokenBody>().answer::<wire::TokenOut>(201, "The token, with its secret (shown once)."),
        )
        .route(M::DELETE, "/cartwire/v1/tokens/{id}", revoke_token, Op::new("Revokes a storefront token").roles(FULL).empty(204, "Revoked."))
        .route(M::GET, "/cartwire/v1/api-keys", list_api_keys, Op::new("ActiveCampaign API keys").roles(FULL).answer::<wire::ApiKeyList>(200, "Every live key."))
        .route(
            M::POST,
            "/cartwire/v1/api-keys",
            issue_api_key,
            Op::new("Issues an ActiveCampaign API key").roles(FULL).body::<wire::ApiKeyBody>().answer::<wire::ApiKeyOut>(201, "The key, with its secret (shown once)."),
        )
        .route(M::DELETE, "/cartwire/v1/api-keys/{id}", revoke_api_key, Op::new("Revokes an API key").roles(FULL).empty(204, "Revoked."))
}

/// An RFC 9457 problem.
pub struct Problem {
    status: StatusCode,
    title: &'static str,
    detail: String,
}

impl Problem {
    /// A 404.
    pub fn not_found(detail: &str) -> Self {
        Problem { status: StatusCode::NOT_FOUND, title: "Not Found", detail: detail.to_owned() }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = wire::ProblemBody {
            kind: "about:blank",
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let body = serde_json::to_string(&body).expect("a problem serializes");
        (self.status, [("content-type", "application/problem+json")], body).into_response()
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let (status, title) = match &e {
            AppError::Unauthenticated(_) | AppError::TokenRevoked(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden"),
            AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "Not Found"),
            AppError::IdExists { .. } => (StatusCode::CONFLICT, "Conflict"),
            AppError::Validation { .. }
            | AppError::Rejected { .. }
            | AppError::Rule { .. }
            | AppError::OrderStatus { .. }
            | AppError::CalloutFailed { .. }
            | AppError::Checkout(_) => (StatusCode::BAD_REQUEST, "Bad Request"),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %e, "operator API failure");
                return Problem {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    title: "Internal Server Error",
                    detail: "internal error".into(),
                };
            }
        };
        Problem { status, title, detail: e.to_string() }
    }
}

/// The caller, whatever roles it holds (the use case checks them).
async fn caller(app: &App, headers: &HeaderMap) -> Result<cartwire_app::Principal, Problem> {
    let token =
        bearer(headers).ok_or_else(|| Problem::from(AppError::Unauthenticated("bearer token required".into())))?;
    Ok(app.authenticate(token).await?)
}

/// The caller, who must hold `FullAccess` (checked by app, before the body is read).
async fn operator(app: &App, headers: &HeaderMap) -> Result<cartwire_app::Principal, Problem> {
    let token =
        bearer(headers).ok_or_else(|| Problem::from(AppError::Unauthenticated("bearer token required".into())))?;
    Ok(app.authenticate_operator(token).await?)
}

fn bad_request(detail: impl Into<String>) -> Problem {
    Problem { status: StatusCode::BAD_REQUEST, title: "Bad Request", detail: detail.into() }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn parse_time(field: &str, v: &str) -> Result<time::OffsetDateTime, Problem> {
    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad_request(format!("{field} must be an RFC 3339 timestamp")))
}

async fn event_types(State(app): State<App>, headers: HeaderMap) -> Result<Json<wire::EventTypes>, Problem> {
    caller(&app, &headers).await?;
    Ok(Json(wire::EventTypes {
        emitted: cartwire_domain::event::CATALOG.to_vec(),
        observable: "every emitted key, and every key Elastic Path documents (spec A6)",
        max_observes: cartwire_domain::integration::MAX_OBSERVES,
    }))
}

#[derive(serde::Deserialize)]
struct DeliveriesQuery {
    integration_id: Option<String>,
    resource_id: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn deliveries(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<wire::DeliveryPage>, Problem> {
    let p = caller(&app, &headers).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad_request("limit must be 1 to 1000"));
    }
    let offset = q.offset.unwrap_or(0).max(0);
    if let Some(s) = &q.status
        && !["pending", "succeeded", "dead"].contains(&s.as_str())
    {
        return Err(bad_request("status must be pending, succeeded or dead"));
    }
    let filter = cartwire_app::integrations::DeliveryFilter {
        integration_id: q.integration_id,
        resource_id: q.resource_id,
        status: q.status,
        from: q.from.as_deref().map(|v| parse_time("from", v)).transpose()?,
        to: q.to.as_deref().map(|v| parse_time("to", v)).transpose()?,
    };
    let (items, total) = app.deliveries(&p, &filter, offset, limit).await?;
    Ok(Json(wire::DeliveryPage { data: items.iter().map(wire::DeliveryOut::of).collect(), total }))
}

async fn delivery(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::DeliveryOut>, Problem> {
    let p = caller(&app, &headers).await?;
    let (d, attempts) = app.delivery_with_attempts(&p, &id).await?;
    Ok(Json(wire::DeliveryOut::with_attempts(&d, &attempts)))
}

async fn retry(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::DeliveryOut>, Problem> {
    let p = caller(&app, &headers).await?;
    Ok(Json(wire::DeliveryOut::of(&app.retry_delivery(&p, &id).await?)))
}

async fn replay(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<wire::Replayed>, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: wire::ReplayBody =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body must be {{\"from\", \"to\"}}: {e}")))?;
    let (from, to) = (parse_time("from", &b.from)?, parse_time("to", &b.to)?);
    if from >= to {
        return Err(bad_request("from must be before to"));
    }
    let n = app.replay_deliveries(&p, &id, from, to).await?;
    Ok(Json(wire::Replayed { requeued: n }))
}

async fn deployment(State(app): State<App>, headers: HeaderMap) -> Result<Json<wire::DeploymentOut>, Problem> {
    operator(&app, &headers).await?;
    let d = app.deployment().await?;
    Ok(Json(wire::DeploymentOut {
        store_id: d.store_id,
        org_id: d.org_id,
        created_at: rfc3339(d.created_at),
        public_base_url: app.config().public_base_url.clone(),
        backend: app.backend_name().to_owned(),
    }))
}

#[derive(serde::Deserialize)]
struct EventsQuery {
    after: Option<i64>,
    tail: Option<i64>,
    limit: Option<i64>,
    key: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn events(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Json<wire::EventPage>, Problem> {
    let p = caller(&app, &headers).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Bad Request",
            detail: "limit must be 1 to 1000".into(),
        });
    }
    // `order.*` is every key of a resource; any other key must be one cartwire emits.
    let (key, key_prefix) = match q.key {
        Some(k) if k.ends_with(".*") => {
            let prefix = k.trim_end_matches('*').to_owned();
            if !cartwire_domain::event::CATALOG.iter().any(|c| c.starts_with(&prefix)) {
                return Err(bad_request(format!("no key cartwire emits matches '{k}' (see /cartwire/v1/event-types)")));
            }
            (None, Some(prefix))
        }
        Some(k) if cartwire_domain::event::EventKey::parse(&k).is_err() => {
            return Err(bad_request(format!("'{k}' is not a key cartwire emits (see /cartwire/v1/event-types)")));
        }
        other => (other, None),
    };
    if q.tail.is_some() && q.after.is_some() {
        return Err(bad_request("tail and after cannot be combined"));
    }
    let filter = cartwire_app::events::EventFilter {
        key,
        key_prefix,
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        from: q.from.as_deref().map(|v| parse_time("from", v)).transpose()?,
        to: q.to.as_deref().map(|v| parse_time("to", v)).transpose()?,
    };
    let events = match q.tail {
        Some(n) if !(1..=1000).contains(&n) => return Err(bad_request("tail must be 1 to 1000")),
        Some(n) => app.event_tail(&p, &filter, n).await?,
        None => app.event_page(&p, &filter, q.after.unwrap_or(0), limit).await?,
    };
    let next = events.last().map(|e| e.seq);
    let data = events
        .into_iter()
        .map(|e| wire::EventOut {
            seq: e.seq,
            id: e.id,
            key: e.key,
            occurred_at: rfc3339(e.occurred_at),
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            payload: e.payload,
            actor: e.actor,
            dialect: e.dialect,
        })
        .collect();
    Ok(Json(wire::EventPage { data, next_cursor: next }))
}

async fn issue_token(State(app): State<App>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Response, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: wire::TokenBody = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("body must be {{\"kind\", \"name\", \"allowed_domains\"}}: {e}")))?;
    let kind = match cartwire_domain::access_key::Kind::parse(&b.kind) {
        Ok(k) if k.is_storefront() => k,
        _ => return Err(bad_request(format!("kind must be public or private, not {}", b.kind))),
    };
    let (token, secret) = app.issue_storefront_token(&p, kind, b.name, b.allowed_domains).await?;
    Ok((StatusCode::CREATED, Json(wire::TokenOut::of(&token, Some(secret)))).into_response())
}

async fn list_tokens(State(app): State<App>, headers: HeaderMap) -> Result<Json<wire::TokenList>, Problem> {
    let p = caller(&app, &headers).await?;
    let tokens = app.storefront_tokens(&p).await?;
    Ok(Json(wire::TokenList { data: tokens.iter().map(|t| wire::TokenOut::of(t, None)).collect() }))
}

async fn revoke_token(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let p = caller(&app, &headers).await?;
    app.revoke_storefront_token(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn issue_api_key(
    State(app): State<App>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: wire::ApiKeyBody =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body must be {{\"name\"}}: {e}")))?;
    let (key, secret) = app.issue_api_key(&p, b.name).await?;
    Ok((StatusCode::CREATED, Json(wire::ApiKeyOut::of(&key, Some(secret)))).into_response())
}

async fn list_api_keys(State(app): State<App>, headers: HeaderMap) -> Result<Json<wire::ApiKeyList>, Problem> {
    let p = caller(&app, &headers).await?;
    let keys = app.api_keys(&p).await?;
    Ok(Json(wire::ApiKeyList { data: keys.iter().map(|k| wire::ApiKeyOut::of(k, None)).collect() }))
}

async fn revoke_api_key(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let p = caller(&app, &headers).await?;
    app.revoke_api_key(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Prometheus metrics, for a caller holding `FullAccess` (Prometheus sends the bearer token
/// from `authorization.credentials_file`).
pub async fn metrics(
    State(app): State<App>,
    headers: HeaderMap,
    axum::Extension(handle): axum::Extension<Option<metrics_exporter_prometheus::PrometheusHandle>>,
) -> Result<Response, Problem> {
    operator(&app, &headers).await?;
    match handle {
        Some(h) => Ok(([("content-type", "text/plain; version=0.0.4")], h.render()).into_response()),
        None => Err(Problem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: "Service Unavailable",
            detail: "metrics are not enabled in this process".into(),
        }),
    }
}
