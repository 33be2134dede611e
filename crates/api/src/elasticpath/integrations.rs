//! `/v2/integrations`, its logs and jobs, in Elastic Path's wire format.

use super::error::EpError;
use super::schema;
use super::wire::*;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::integrations::DeliveryFilter;
use cartwire_app::{App, AppError, Principal};

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
    Ok((StatusCode::CREATED, Json(schema::IntegrationEnvelope { data: render(&app, &saved) })).into_response())
}

pub(super) async fn update(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<schema::IntegrationEnvelope>, EpError> {
    let envelope = parse_envelope(&body)?;
    let saved = app
        .update_integration(&p, &id, |current| updated_integration(envelope, current).map_err(EpError::into_app))
        .await?;
    Ok(Json(schema::IntegrationEnvelope { data: render(&app, &saved) }))
}

pub(super) async fn get(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
) -> Result<Json<schema::IntegrationEnvelope>, EpError> {
    Ok(Json(schema::IntegrationEnvelope { data: render(&app, &app.get_integration(&p, &id).await?) }))
}

pub(super) async fn list(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::IntegrationPage>, EpError> {
    let (limit, offset) = paging(q.as_deref())?;
    let all = app.list_integrations(&p).await?;
    let total = all.len() as i64;
    let data = all.iter().skip(offset as usize).take(limit as usize).map(|i| render(&app, i)).collect();
    let base = format!("{}/v2/integrations", app.config().public_base_url);
    Ok(Json(schema::IntegrationPage {
        data,
        links: page_links(&base, limit, offset, total),
        meta: page_meta(limit, offset, total),
    }))
}

pub(super) async fn delete(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
) -> Result<Json<schema::Deleted>, EpError> {
    app.delete_integration(&p, &id).await?;
    Ok(Json(schema::Deleted { data: schema::Reference { kind: "integration".into(), id } }))
}

async fn logs_page(
    app: &App,
    p: &Principal,
    integration: Option<&str>,
    job: Option<&str>,
    q: Option<&str>,
) -> Result<Json<schema::LogPage>, EpError> {
    let (limit, offset) = paging(q)?;
    let (logs, total) = app.integration_logs(p, integration, job, offset, limit).await?;
    Ok(Json(schema::LogPage {
        data: logs.iter().map(render_log).collect(),
        meta: page_position(limit, offset, total),
        results: schema::Results { total },
    }))
}

pub(super) async fn all_logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::LogPage>, EpError> {
    logs_page(&app, &p, None, None, q.as_deref()).await
}

pub(super) async fn logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::LogPage>, EpError> {
    logs_page(&app, &p, Some(&id), None, q.as_deref()).await
}

pub(super) async fn job_logs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path((id, job)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::LogPage>, EpError> {
    logs_page(&app, &p, Some(&id), Some(&job), q.as_deref()).await
}

pub(super) async fn jobs(
    State(app): State<App>,
    EpCaller(p): EpCaller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::JobPage>, EpError> {
    let (limit, offset) = paging(q.as_deref())?;
    let filter = DeliveryFilter { integration_id: Some(id.clone()), ..Default::default() };
    let (jobs, total) = app.deliveries(&p, &filter, offset, limit).await?;
    let base = format!("{}/v2/integrations/{id}/jobs", app.config().public_base_url);
    Ok(Json(schema::JobPage {
        data: jobs.iter().map(render_job).collect(),
        links: page_links(&base, limit, offset, total),
        meta: page_meta(limit, offset, total),
    }))
}
