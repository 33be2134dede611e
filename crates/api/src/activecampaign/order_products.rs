//! `/api/3/ecomOrderProducts` and `/api/3/ecomOrders/{id}/orderProducts`: the products of
//! shop orders, read-only.

use super::AcError;
use super::schema::{OrderProductEnvelope, OrderProductPage, OrderProducts};
use super::wire::*;
use super::{Caller, page_meta, query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use cartwire_app::App;
use cartwire_app::Resource;
use cartwire_app::orders::shop::ShopError;
use cartwire_app::orders::shop::ShopOrderFilter;

pub(super) async fn order_products(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderProducts>, AcError> {
    let o = app.shop_order(&id).await?;
    Ok(Json(OrderProducts { ecom_order_products: render_products(&app, &o) }))
}

pub(super) async fn list_order_products(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<OrderProductPage>, AcError> {
    let (limit, offset, _) = query::<ShopOrderFilter>(q.as_deref(), &[])?;
    // Products live inside their orders: walk the orders (newest pages first is not promised).
    let mut all = Vec::new();
    let mut page = 0;
    loop {
        let (orders, total) = app.shop_orders(&[], page * 100, 100).await?;
        for o in &orders {
            all.extend(render_products(&app, o));
        }
        page += 1;
        if page * 100 >= total {
            break;
        }
    }
    let total = all.len() as i64;
    let items = all.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Json(OrderProductPage { ecom_order_products: items, meta: page_meta(total) }))
}

pub(super) async fn get_order_product(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<OrderProductEnvelope>, AcError> {
    let not_found = || AcError::from(ShopError::NotFound { resource: Resource::OrderProduct, id: id.clone() });
    let (order_id, _) = id.rsplit_once('-').ok_or_else(not_found)?;
    let o = app.shop_order(order_id).await.map_err(|_| not_found())?;
    let product = render_products(&app, &o).into_iter().find(|p| p.id == id).ok_or_else(not_found)?;
    Ok(Json(OrderProductEnvelope { ecom_order_product: product }))
}
