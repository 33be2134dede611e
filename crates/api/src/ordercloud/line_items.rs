//! `/v1/orders/{direction}/{id}/lineitems…` and `/v1/cart/lineitems…`: an order's line items in
//! OrderCloud's wire format.

use super::addresses::*;
use super::callouts::OcWire;
use super::created;
use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::orders::*;
use super::wire::iso;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::checkout::{LineDraft, checkout_of};
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::checkout::CheckoutLine;
use cartwire_domain::commerce::Cents;
use cartwire_domain::order::Order;
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of line items.
pub const LINE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "ProductID"],
    sortable: &["ID", "ProductID", "DateAdded", "Quantity", "LineTotal"],
    filterable: &["ID", "ProductID", "Quantity", "UnitPrice", "LineTotal", "DateAdded"],
};

/// Renders a line item of `o`.
pub fn render_line(o: &Order, l: &CheckoutLine) -> Value {
    let c = o.currency();
    let co = checkout_of(o);
    let shipping = l.shipping_address.as_ref().or(co.shipping_address.as_ref());
    let p = &l.product;
    json!({
        "ID": l.id, "ProductID": p.id, "Quantity": l.quantity, "BundleItemID": null, "IsBundle": false,
        "DateAdded": iso(l.date_added), "QuantityShipped": 0,
        "UnitPrice": money(l.unit_price, &c), "PromotionDiscount": 0.0,
        "LineTotal": to_decimal(Cents::new(l.subtotal()).unwrap_or_default(), &c),
        "LineSubtotal": to_decimal(Cents::new(l.subtotal()).unwrap_or_default(), &c),
        "CostCenter": null, "DateNeeded": null, "ShippingAccount": null,
        "ShippingAddressID": shipping.and_then(|a| a.id.clone()), "ShipFromAddressID": null,
        "Product": {"ID": p.id, "Name": p.name, "Description": p.description, "Returnable": p.returnable,
                    "QuantityMultiplier": p.quantity_multiplier, "ShipWeight": p.ship_weight, "ShipHeight": p.ship_height,
                    "ShipWidth": p.ship_width, "ShipLength": p.ship_length, "DefaultSupplierID": p.default_supplier_id,
                    "ParentID": null, "xp": p.xp},
        "Variant": null,
        "ShippingAddress": shipping.map(render_address), "ShipFromAddress": null, "SupplierID": null,
        "InventoryRecordID": null, "PriceScheduleID": l.price_schedule_id, "IsOnSale": false,
        "PriceOverridden": l.price_overridden, "Specs": [],
        "IncomingOrderID": o.id, "OutgoingOrderID": o.id, "InvitationID": null, "xp": l.xp,
    })
}

/// A line item on the wire.
#[derive(Debug, Deserialize)]
pub struct LineIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "ProductID")]
    product_id: Option<String>,
    #[serde(rename = "Quantity")]
    quantity: Option<i64>,
    #[serde(rename = "UnitPrice")]
    unit_price: Option<Value>,
    #[serde(rename = "ShippingAddress")]
    shipping_address: Option<AddressIn>,
    xp: Option<Value>,
}

impl LineIn {
    pub(super) fn into_draft(self) -> Result<LineDraft, AppError> {
        Ok(LineDraft {
            id: self.id,
            product_id: self.product_id.ok_or_else(|| AppError::invalid("ProductID", "ProductID is required"))?,
            quantity: self.quantity.ok_or_else(|| AppError::invalid("Quantity", "Quantity is required"))?,
            unit_price: self.unit_price,
            shipping_address: self.shipping_address.map(|a| a.into_domain("ShippingAddress.")).transpose()?,
            xp: xp_or_empty(self.xp),
        })
    }
}

pub(super) fn line_of(o: &Order, line_id: &str) -> Result<Value, OcError> {
    checkout_of(o).line(line_id).map(|l| render_line(o, l)).ok_or_else(|| OcError::not_found("LineItem", line_id))
}

// ---- line items ---------------------------------------------------------------------------

pub(super) async fn lines_list(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
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
    let (order, line_id) = app.add_line_item(&p, &OcWire, &id, || body.into_draft()).await?;
    let line = line_of(&order, &line_id)?;
    Ok(created(&app, &format!("/v1/orders/Outgoing/{id}/lineitems/{line_id}"), line))
}

pub(super) async fn line_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(line_of(&app.get_checkout_order(&p, &id).await?, target.line_id())?))
}

pub(super) async fn line_save(
    app: &App,
    p: &Principal,
    target: Target,
    body: Value,
    patch: bool,
) -> Result<Json<Value>, OcError> {
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
    let draft = wire.into_draft()?;
    let order = app.save_line_item(p, &OcWire, &id, line_id, draft).await?;
    Ok(Json(line_of(&order, line_id)?))
}

pub(super) async fn line_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    line_save(&app, &p, target, body, false).await
}

pub(super) async fn line_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
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
