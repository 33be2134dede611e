//! `/v2/integrations`, its logs and jobs, in Elastic Path's wire format.

use super::error::EpError;
use super::wire::*;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::integrations::DeliveryFilter;
use cartwire_app::{App, AppError, Principal};
use serde_json::{Value, json};

/// The authenticated caller. Tolerates the documented `Bearer: XXXX` spelling.
pub struct EpCaller(pub Principal);

impl FromRequestParts<App> for EpCaller {
    type Rejection = EpError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let unauth = || EpError::from(AppError::Unauthenticated("no bearer token".into()));
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(unauth)?;
        let (scheme, token) = value.split_once(' ').ok_or_else(unauth)?;
        if !scheme.trim_end_matches(':').eq_ignore_ascii_case("bearer") {
            return Err(unauth());
        }
        Ok(EpCaller(app.authenticate(token.trim()).await?))
    }
}

pub(super) async fn create(State(app): State<App>, EpCaller(p): EpCaller, body: Bytes) -> Result<Response, EpError> {
    let envelope = parse_envelope(&body)?;
    let saved = app.create_integration(&p, || new_integration(envelope).map_err(EpError::into_app)).await?;
    Ok((StatusCode::CREATED, Json(json!({"data": render(&app, &saved)}))).into_response())
}

pub(super) async fn update(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, EpError> {
    let envelope = parse_envelope(&body)?;
    let saved = app
        .update_integration(&p, &id, |current| updated_integration(envelope, current).map_err(EpError::into_app))
        .await?;
    Ok(Json(json!({"data": render(&app, &saved)})))
}

pub(super) async fn get(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, EpError> {
    Ok(Json(json!({"data": render(&app, &app.get_integration(&p, &id).await?)})))
}

pub(super) async fn list(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, EpError> {
    let (limit, offset) = paging(q.as_deref())?;
    let all = app.list_integrations(&p).await?;
    let total = all.len() as i64;
    let data: Vec<Value> = all.iter().skip(offset as usize).take(limit as usize).map(|i| render(&app, i)).collect();
    let base = format!("{}/v2/integrations", app.config().public_base_url);
    Ok(Json(json!({
        "data": data,
        "links": page_links(&base, limit, offset, total),
        "meta": {
            "page": {"limit": limit, "offset": offset, "current": offset / limit + 1, "total": (total + limit - 1) / limit},
            "results": {"total": total},
        },
    })))
}

pub(super) async fn delete(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, EpError> {
    app.delete_integration(&p, &id).await?;
    Ok(Json(json!({"data": {"type": "integration", "id": id}})))
}

async fn logs_page(
    app: &App,
    p: &Principal,
    integration: Option<&str>,
    job: Option<&str>,
    q: Option<&str>,
) -> Result<Json<Value>, EpError> {
    let (limit, offset) = paging(q)?;
    let (logs, total) = app.integration_logs(p, integration, job, offset, limit).await?;
    Ok(Json(json!({
        "data": logs.iter().map(render_log).collect::<Vec<_>>(),
        "meta": {"limit": limit, "offset": offset, "current": offset / limit + 1, "total": (total + limit - 1) / limit},
        "results": {"total": total},
    })))
}

pub(super) async fn all_logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, EpError> {
    logs_page(&app, &p, None, None, q.as_deref()).await
}

pub(super) async fn logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, EpError> {
    logs_page(&app, &p, Some(&id), None, q.as_deref()).await
}

pub(super) async fn job_logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path((id, job)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, EpError> {
    logs_page(&app, &p, Some(&id), Some(&job), q.as_deref()).await
}

pub(super) async fn jobs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, EpError> {
    let (limit, offset) = paging(q.as_deref())?;
    let filter = DeliveryFilter { integration_id: Some(id.clone()), ..Default::default() };
    let (jobs, total) = app.deliveries(&p, &filter, offset, limit).await?;
    let base = format!("{}/v2/integrations/{id}/jobs", app.config().public_base_url);
    Ok(Json(json!({
        "data": jobs.iter().map(render_job).collect::<Vec<_>>(),
        "links": page_links(&base, limit, offset, total),
        "meta": {
            "page": {"limit": limit, "offset": offset, "current": offset / limit + 1, "total": (total + limit - 1) / limit},
            "results": {"total": total},
        },
    })))
}
