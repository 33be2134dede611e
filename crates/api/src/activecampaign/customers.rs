//! `/api/3/ecomCustomers`: a connection's customers in ActiveCampaign's wire format.

use super::AcError;
use super::schema::{CustomerEnvelope, CustomerPage, Empty};
use super::wire::*;
use super::{Caller, envelope, numeric, page_meta, query};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::orders::shop::CustomerFilter;

pub(super) async fn create_customer(
    State(app): State<App>,
    Caller(c): Caller,
    body: Bytes,
) -> Result<Response, AcError> {
    let m = envelope(&body, "ecomCustomer")?;
    let customer = customer_from_wire(&m, None)?;
    let saved = app.create_customer(&c, customer).await?;
    let rendered = render_customer(&app, &saved).await?;
    Ok((StatusCode::CREATED, Json(CustomerEnvelope { ecom_customer: rendered })).into_response())
}

pub(super) async fn list_customers(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<CustomerPage>, AcError> {
    let (limit, offset, filters) = query(
        q.as_deref(),
        &[
            ("email", CustomerFilter::Email),
            ("externalid", CustomerFilter::ExternalId),
            ("connectionid", |v| CustomerFilter::ConnectionId(numeric(&v))),
        ],
    )?;
    let (items, total) = app.customers(&filters, offset, limit).await?;
    let mut rendered = Vec::with_capacity(items.len());
    for c in &items {
        rendered.push(render_customer(&app, c).await?);
    }
    Ok(Json(CustomerPage { ecom_customers: rendered, meta: page_meta(total) }))
}

pub(super) async fn get_customer(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<CustomerEnvelope>, AcError> {
    let c = app.customer(&id).await?;
    Ok(Json(CustomerEnvelope { ecom_customer: render_customer(&app, &c).await? }))
}

pub(super) async fn update_customer(
    State(app): State<App>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CustomerEnvelope>, AcError> {
    let m = envelope(&body, "ecomCustomer")?;
    let c = app
        .update_customer(&caller, &id, |c| {
            *c = customer_from_wire(&m, Some(c))?;
            Ok(())
        })
        .await?;
    Ok(Json(CustomerEnvelope { ecom_customer: render_customer(&app, &c).await? }))
}

pub(super) async fn delete_customer(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Empty>, AcError> {
    app.delete_customer(&c, &id).await?;
    Ok(Json(Empty {}))
}
