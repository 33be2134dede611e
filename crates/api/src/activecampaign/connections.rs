//! `/api/3/connections`: the external shops a deployment takes orders from, in ActiveCampaign's wire format.

use super::AcError;
use super::schema::{ConnectionEnvelope, ConnectionPage, Empty};
use super::wire::*;
use super::{Caller, envelope, page_meta, query};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::orders::shop::ConnectionFilter;

pub(super) async fn create_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    body: Bytes,
) -> Result<Response, AcError> {
    let m = envelope(&body, "connection")?;
    let conn = connection_from_wire(&m, None)?;
    let saved = app.create_connection(conn).await?;
    Ok((StatusCode::CREATED, Json(ConnectionEnvelope { connection: render_connection(&app, &saved) })).into_response())
}

pub(super) async fn list_connections(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<ConnectionPage>, AcError> {
    let (limit, offset, filters) =
        query(q.as_deref(), &[("service", ConnectionFilter::Service), ("externalid", ConnectionFilter::ExternalId)])?;
    let (items, total) = app.connections(&filters, offset, limit).await?;
    Ok(Json(ConnectionPage {
        connections: items.iter().map(|c| render_connection(&app, c)).collect(),
        meta: page_meta(total),
    }))
}

pub(super) async fn get_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<ConnectionEnvelope>, AcError> {
    Ok(Json(ConnectionEnvelope { connection: render_connection(&app, &app.connection(&id).await?) }))
}

pub(super) async fn update_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ConnectionEnvelope>, AcError> {
    let m = envelope(&body, "connection")?;
    let c = app
        .update_connection(&id, |c| {
            *c = connection_from_wire(&m, Some(c))?;
            Ok(())
        })
        .await?;
    Ok(Json(ConnectionEnvelope { connection: render_connection(&app, &c) }))
}

pub(super) async fn delete_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Empty>, AcError> {
    app.delete_connection(&id).await?;
    Ok(Json(Empty {}))
}
