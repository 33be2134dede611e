//! `/api/3/ecomOrders`: shop orders and abandoned carts in ActiveCampaign's wire format.

use super::AcError;
use super::wire::*;
use super::{Caller, envelope, numeric, page_meta, query};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::orders::shop::ShopOrderFilter;
use serde_json::{Value, json};

pub(super) async fn create_order(State(app): State<App>, Caller(c): Caller, body: Bytes) -> Result<Response, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let (order, abandoned) = new_order_from_wire(&m)?;
    let saved = app.create_shop_order(&c, order, abandoned).await?;
    let shop = saved.shop.as_ref().expect("shop order");
    let connection = app.connection(&shop.connection_id.to_string()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "connections": [render_connection(&app, &connection)],
            "ecomOrderProducts": render_products(&app, &saved),
            "ecomOrderDiscounts": render_discounts(&saved),
            "ecomOrder": render_order(&app, &saved),
        })),
    )
        .into_response())
}

pub(super) async fn list_orders(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, AcError> {
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
    Ok(Json(
        json!({"ecomOrders": items.iter().map(|o| render_order(&app, o)).collect::<Vec<_>>(), "meta": page_meta(total)}),
    ))
}

pub(super) async fn get_order(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    Ok(Json(json!({"ecomOrder": render_order(&app, &app.shop_order(&id).await?)})))
}

pub(super) async fn update_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let o = app
        .update_shop_order(&c, &id, |o| {
            *o = update_order_from_wire(&m, o)?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({
        "ecomOrderProducts": render_products(&app, &o),
        "ecomOrderDiscounts": render_discounts(&o),
        "ecomOrder": render_order(&app, &o),
    })))
}

pub(super) async fn delete_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    app.delete_shop_order(&c, &id).await?;
    Ok(Json(json!({})))
}
