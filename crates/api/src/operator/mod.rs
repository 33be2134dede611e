//! cartwire's own operator API (`/cartwire/v1/…`): snake_case JSON, RFC 9457 problem bodies,
//! bearer tokens holding `FullAccess`.

use crate::ordercloud::extract::bearer;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cartwire_app::{App, AppError};

mod orders;

/// The operator routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/cartwire/v1/deployment", get(deployment))
        .route("/cartwire/v1/events", get(events))
        .route("/cartwire/v1/event-types", get(event_types))
        .route("/cartwire/v1/deliveries", get(deliveries))
        .route("/cartwire/v1/deliveries/{id}", get(delivery))
        .route("/cartwire/v1/deliveries/{id}/retry", axum::routing::post(retry))
        .route("/cartwire/v1/orders", get(orders::list))
        .route("/cartwire/v1/orders/{id}", get(orders::show))
        .route("/cartwire/v1/integrations/{id}/replay", axum::routing::post(replay))
        .route("/cartwire/v1/tokens", get(list_tokens).post(issue_token))
        .route("/cartwire/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/cartwire/v1/api-keys", get(list_api_keys).post(issue_api_key))
        .route("/cartwire/v1/api-keys/{id}", axum::routing::delete(revoke_api_key))
}

/// An RFC 9457 problem.
pub struct Problem {
    status: StatusCode,
    title: &'static str,
    detail: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        (self.status, [("content-type", "application/problem+json")], body.to_string()).into_response()
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

async fn event_types(State(app): State<App>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Problem> {
    caller(&app, &headers).await?;
    Ok(Json(serde_json::json!({
        "emitted": cartwire_domain::event::CATALOG,
        "observable": "every emitted key, and every key Elastic Path documents (spec A6)",
        "max_observes": cartwire_domain::integration::MAX_OBSERVES,
    })))
}

#[derive(serde::Deserialize)]
struct DeliveriesQuery {
    integration_id: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn render_delivery(d: &cartwire_app::integrations::Delivery) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "event_id": d.event_id,
        "event_key": d.event_key,
        "resource_id": d.resource_id,
        "integration_id": d.integration_id,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": if d.status == "pending" { serde_json::json!(d.next_attempt_at) } else { serde_json::Value::Null },
        "last_error": d.last_error,
        "created_at": rfc3339(d.created_at),
        "updated_at": rfc3339(d.updated_at),
    })
}

async fn deliveries(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<serde_json::Value>, Problem> {
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
        status: q.status,
        from: q.from.as_deref().map(|v| parse_time("from", v)).transpose()?,
        to: q.to.as_deref().map(|v| parse_time("to", v)).transpose()?,
    };
    let (items, total) = app.deliveries(&p, &filter, offset, limit).await?;
    Ok(Json(serde_json::json!({"data": items.iter().map(render_delivery).collect::<Vec<_>>(), "total": total})))
}

async fn delivery(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let p = caller(&app, &headers).await?;
    let (d, attempts) = app.delivery_with_attempts(&p, &id).await?;
    let mut body = render_delivery(&d);
    body["attempt_log"] = attempts
        .iter()
        .map(|a| {
            serde_json::json!({
                "attempt": a.attempt,
                "started_at": rfc3339(a.started_at),
                "duration_ms": a.duration_ms,
                "succeeded": a.succeeded,
                "status_code": a.status_code,
                "error": a.error_detail,
                "response_body": a.body,
                "node": a.node,
            })
        })
        .collect();
    Ok(Json(body))
}

async fn retry(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let p = caller(&app, &headers).await?;
    Ok(Json(render_delivery(&app.retry_delivery(&p, &id).await?)))
}

#[derive(serde::Deserialize)]
struct ReplayBody {
    from: String,
    to: String,
}

async fn replay(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: ReplayBody =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body must be {{\"from\", \"to\"}}: {e}")))?;
    let (from, to) = (parse_time("from", &b.from)?, parse_time("to", &b.to)?);
    if from >= to {
        return Err(bad_request("from must be before to"));
    }
    let n = app.replay_deliveries(&p, &id, from, to).await?;
    Ok(Json(serde_json::json!({"requeued": n})))
}

async fn deployment(State(app): State<App>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Problem> {
    operator(&app, &headers).await?;
    let d = app.deployment().await?;
    Ok(Json(serde_json::json!({
        "store_id": d.store_id,
        "org_id": d.org_id,
        "created_at": d.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "public_base_url": app.config().public_base_url,
        "backend": format!("{:?}", app.store().backend()).to_lowercase(),
    })))
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
) -> Result<Json<serde_json::Value>, Problem> {
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
    let data: Vec<_> = events
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "seq": e.seq,
                "id": e.id,
                "key": e.key,
                "occurred_at": e.occurred_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "resource_type": e.resource_type,
                "resource_id": e.resource_id,
                "payload": e.payload,
                "actor": e.actor,
                "dialect": e.dialect,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"data": data, "next_cursor": next})))
}

fn render_token(t: &cartwire_domain::access_key::AccessKey) -> serde_json::Value {
    serde_json::json!({
        "id": t.id,
        "kind": t.kind.as_str(),
        "name": t.name,
        "allowed_domains": t.allowed_domains,
        "created_at": rfc3339(t.created_at),
    })
}

#[derive(serde::Deserialize)]
struct TokenBody {
    kind: String,
    name: String,
    #[serde(default)]
    allowed_domains: Vec<String>,
}

async fn issue_token(State(app): State<App>, headers: HeaderMap, body: axum::body::Bytes) -> Result<Response, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: TokenBody = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("body must be {{\"kind\", \"name\", \"allowed_domains\"}}: {e}")))?;
    let kind = match cartwire_domain::access_key::Kind::parse(&b.kind) {
        Ok(k) if k.is_storefront() => k,
        _ => return Err(bad_request(format!("kind must be public or private, not {}", b.kind))),
    };
    let (token, secret) = app.issue_storefront_token(&p, kind, b.name, b.allowed_domains).await?;
    let mut v = render_token(&token);
    v["token"] = serde_json::json!(secret);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn list_tokens(State(app): State<App>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Problem> {
    let p = caller(&app, &headers).await?;
    let tokens = app.storefront_tokens(&p).await?;
    Ok(Json(serde_json::json!({"data": tokens.iter().map(render_token).collect::<Vec<_>>()})))
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

#[derive(serde::Deserialize)]
struct ApiKeyBody {
    name: String,
}

fn render_api_key(t: &cartwire_domain::access_key::AccessKey) -> serde_json::Value {
    serde_json::json!({"id": t.id, "name": t.name, "created_at": rfc3339(t.created_at)})
}

async fn issue_api_key(
    State(app): State<App>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    // The operator API is FullAccess only: refuse before reading the body.
    let p = operator(&app, &headers).await?;
    let b: ApiKeyBody =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("body must be {{\"name\"}}: {e}")))?;
    let (key, secret) = app.issue_api_key(&p, b.name).await?;
    let mut v = render_api_key(&key);
    v["key"] = serde_json::json!(secret);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn list_api_keys(State(app): State<App>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Problem> {
    let p = caller(&app, &headers).await?;
    let keys = app.api_keys(&p).await?;
    Ok(Json(serde_json::json!({"data": keys.iter().map(render_api_key).collect::<Vec<_>>()})))
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
