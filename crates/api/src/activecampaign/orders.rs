//! `/api/3/ecomOrders`: shop orders and abandoned carts in ActiveCampaign's wire format.

use super::AcError;
use super::schema::{Empty, OrderCreated, OrderEnvelope, OrderPage, OrderUpdated};
use super::wire::*;
use super::{Caller, envelope, numeric, page_meta, query};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::Resource;
use cartwire_app::orders::shop::ShopError;
use cartwire_app::orders::shop::ShopOrderFilter;

pub(super) async fn create_order(State(app): State<App>, Caller(c): Caller, body: Bytes) -> Result<Response, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let (order, abandoned) = new_order_from_wire(&m)?;
    let saved = app.create_shop_order(&c, order, abandoned).await?;
    let shop = saved.shop.as_ref().expect("shop order");
    let connection = app.connection(&shop.connection_id.to_string()).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrderCreated {
            connections: vec![render_connection(&app, &connection)],
            ecom_order_products: render_products(&app, &saved),
            ecom_order_discounts: render_discounts(&saved),
            ecom_order: shop_order(&app, &saved)?,
        }),
    )
        .into_response())
}

/// The shop's rendering of an order it wrote or read (one from another dialect is not the
/// shop's, and its reads never return one).
fn shop_order(app: &App, o: &cartwire_domain::order::Order) -> Result<super::schema::Order, AcError> {
    render_order(app, o).ok_or_else(|| ShopError::NotFound { resource: Resource::Order, id: o.id.to_string() }.into())
}

pub(super) async fn list_orders(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<OrderPage>, AcError> {
    let (limit, offset, filters) = query(
        q.as_deref(),
        &[
            ("connectionid", |v| ShopOrderFilter::ConnectionId(numeric(&v))),
            ("externalid", ShopOrderFilter::ExternalId),
            ("externalcheckoutid", ShopOrderFilter::ExternalCheckoutId),
            ("email", ShopOrderFilter::Email),
            ("customerid", ShopOrderFilter::CustomerId),
        ],
    )?;
    let (items, total) = app.shop_orders(&filters, offset, limit).await?;
    Ok(Json(OrderPage {
        ecom_orders: items.iter().filter_map(|o| render_order(&app, o)).collect(),
        meta: page_meta(total),
    }))
}

pub(super) async fn get_order(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderEnvelope>, AcError> {
    Ok(Json(OrderEnvelope { ecom_order: shop_order(&app, &app.shop_order(&id).await?)? }))
}

pub(super) async fn update_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<OrderUpdated>, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let o = app
        .update_shop_order(&c, &id, |o| {
            *o = update_order_from_wire(&m, o)?;
            Ok(())
        })
        .await?;
    Ok(Json(OrderUpdated {
        ecom_order_products: render_products(&app, &o),
        ecom_order_discounts: render_discounts(&o),
        ecom_order: shop_order(&app, &o)?,
    }))
}

pub(super) async fn delete_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Empty>, AcError> {
    app.delete_shop_order(&c, &id).await?;
    Ok(Json(Empty {}))
}
