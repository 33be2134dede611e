//! cartwire's own operator API (`/cartwire/v1/…`): snake_case JSON, RFC 9457 problem bodies,
//! bearer tokens holding `FullAccess`.

use crate::ordercloud::extract::bearer;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cartwire_app::{App, AppError};
use cartwire_domain::ApiRole;

/// The operator routes.
pub fn routes() -> Router<App> {
    Router::new().route("/cartwire/v1/deployment", get(deployment)).route("/cartwire/v1/events", get(events))
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
            AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden"),
            AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "Not Found"),
            AppError::IdExists { .. } => (StatusCode::CONFLICT, "Conflict"),
            AppError::Validation { .. } | AppError::Rule { .. } => (StatusCode::BAD_REQUEST, "Bad Request"),
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

async fn operator(app: &App, headers: &HeaderMap) -> Result<cartwire_app::Principal, Problem> {
    let token =
        bearer(headers).ok_or_else(|| Problem::from(AppError::Unauthenticated("bearer token required".into())))?;
    let p = app.authenticate(token).await?;
    p.require_any(&[ApiRole::FullAccess]).map_err(AppError::from)?;
    Ok(p)
}

async fn deployment(State(app): State<App>, headers: HeaderMap) -> Result<Json<serde_json::Value>, Problem> {
    operator(&app, &headers).await?;
    let mut tx = app.store().begin().await.map_err(AppError::from)?;
    let (d, _) = tx
        .ensure_deployment(cartwire_store::deployment::Deployment {
            store_id: String::new(),
            org_id: String::new(),
            created_at: time::OffsetDateTime::now_utc(),
        })
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
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
    limit: Option<i64>,
}

async fn events(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Json<serde_json::Value>, Problem> {
    operator(&app, &headers).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Bad Request",
            detail: "limit must be 1 to 1000".into(),
        });
    }
    let mut tx = app.store().begin().await.map_err(AppError::from)?;
    let events = tx.events_after(q.after.unwrap_or(0), limit).await.map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
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
