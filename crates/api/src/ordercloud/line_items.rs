//! `/v1/orders/{direction}/{id}/lineitems…` and `/v1/cart/lineitems…`: an order's line items in
//! OrderCloud's wire format.

use super::callouts::OcWire;
use super::created;
use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::orders::saved_address;
use super::schema;
use super::target::*;
use super::wire::orders::*;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::addresses::AddressUse;
use cartwire_app::checkout::checkout_of;
use cartwire_app::{App, Principal};
use serde_json::Value;

/// Query capabilities of line items.
pub const LINE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "ProductID"],
    sortable: &["ID", "ProductID", "DateAdded", "Quantity", "LineTotal"],
    filterable: &["ID", "ProductID", "Quantity", "UnitPrice", "LineTotal", "DateAdded"],
};

// ---- line items ---------------------------------------------------------------------------

pub(super) async fn lines_list(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::LineItem>>, OcError> {
    let id = target.order_id(&app, &p).await?;
    let order = app.get_checkout_order(&p, &id).await?;
    let items = checkout_of(&order).lines.iter().map(|l| render_line(&order, l)).collect();
    Ok(Json(page(items, q.as_deref(), &LINE_SPEC)?))
}

pub(super) async fn line_create(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    OcJson(body): OcJson<LineIn>,
) -> Result<Response, OcError> {
    let id = target.order_id(&app, &p).await?;
    let saved = saved_address(&app, &p, body.shipping_address_id.as_deref(), None, AddressUse::Shipping).await?;
    let (order, line_id) = app
        .add_line_item(&p, &OcWire, &id, || {
            let mut draft = body.into_draft()?;
            if saved.is_some() {
                draft.shipping_address = saved;
            }
            Ok(draft)
        })
        .await?;
    let line = line_of(&order, &line_id)?;
    Ok(created(&app, &format!("/v1/orders/Outgoing/{id}/lineitems/{line_id}"), line))
}

pub(super) async fn line_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<schema::LineItem>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(line_of(&app.get_checkout_order(&p, &id).await?, target.line_id())?))
}

pub(super) async fn line_save(
    app: &App,
    p: &Principal,
    target: Target,
    body: Value,
    patch: bool,
) -> Result<Json<schema::LineItem>, OcError> {
    let id = target.order_id(app, p).await?;
    let line_id = target.line_id();
    // Read through the use case first (its role check) for PUT as for PATCH: a caller without
    // the role gets 403, not a validation message.
    let current = app.get_checkout_order(p, &id).await?;
    let body = if patch { merge_patch(line_of(&current, line_id)?, body) } else { body };
    let wire: LineIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != line_id) {
        return Err(OcError::validation("ID", "a line item's ID cannot change"));
    }
    // The address the line ships to now: its own, else the order's.
    let shown = checkout_of(&current)
        .line(line_id)
        .and_then(|l| l.shipping_address.as_ref())
        .or(checkout_of(&current).shipping_address.as_ref());
    let saved = saved_address(app, p, wire.shipping_address_id.as_deref(), shown, AddressUse::Shipping).await?;
    let mut draft = wire.into_draft()?;
    if saved.is_some() {
        draft.shipping_address = saved;
    }
    let order = app.save_line_item(p, &OcWire, &id, line_id, draft).await?;
    Ok(Json(line_of(&order, line_id)?))
}

pub(super) async fn line_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::LineItem>, OcError> {
    line_save(&app, &p, target, body, false).await
}

pub(super) async fn line_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::LineItem>, OcError> {
    line_save(&app, &p, target, body, true).await
}

pub(super) async fn line_delete(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<StatusCode, OcError> {
    let id = target.order_id(&app, &p).await?;
    app.delete_line_item(&p, &id, target.line_id()).await?;
    Ok(StatusCode::NO_CONTENT)
}
