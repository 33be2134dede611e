//! `/v1/orders/{direction}[/{id}]` and `/v1/cart`: checkout orders in OrderCloud's wire format
//! over the one order model, and the route target both families share. Handlers parse, call one
//! use case and render; the checkout rules and callouts live in `cartwire_app::checkout`. Line
//! items, addresses, actions and approval rules have their own modules.

use super::addresses::*;
use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::line_items::*;
use super::list::{ListSpec, page};
use super::wire::iso;
use super::{created, field};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::checkout::{OrderDraft, checkout_of};
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::ObjectId;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::order::Order;
use cartwire_domain::order::OrderStatus;
use serde::Deserialize;
use serde_json::{Value, json};

/// OrderCloud's word for a status.
pub fn ordercloud_status(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Wishlist | OrderStatus::Cart => "Unsubmitted",
        OrderStatus::Placed | OrderStatus::InProgress => "Open",
        OrderStatus::AwaitingApproval => "AwaitingApproval",
        OrderStatus::Declined => "Declined",
        OrderStatus::Completed => "Completed",
        OrderStatus::Canceled => "Canceled",
    }
}

/// Query capabilities of orders.
pub const ORDER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Comments"],
    sortable: &["ID", "DateCreated", "DateSubmitted", "LastUpdated", "Total", "Status"],
    filterable: &[
        "ID",
        "Status",
        "FromUserID",
        "FromCompanyID",
        "DateCreated",
        "DateSubmitted",
        "LastUpdated",
        "Total",
        "Subtotal",
        "IsSubmitted",
        "LineItemCount",
        "Currency",
        "Comments",
    ],
};

pub(super) fn money(amount: Cents, currency: &CurrencyCode) -> f64 {
    to_decimal(amount, currency)
}

/// Renders an order.
pub fn render_order(o: &Order) -> Value {
    let co = checkout_of(o);
    let c = o.currency();
    let submitted = !o.status.is_cart();
    json!({
        "ID": o.id,
        "FromUser": co.from_user,
        "FromCompanyID": co.from_company_id,
        "ToCompanyID": co.to_company_id,
        "FromUserID": o.customer_id,
        "BillingAddressID": co.billing_address.as_ref().and_then(|a| a.id.clone()),
        "BillingAddress": co.billing_address.as_ref().map(render_address),
        "ShippingAddressID": co.shipping_address.as_ref().and_then(|a| a.id.clone()),
        "Comments": co.comments,
        "LineItemCount": co.lines.len(),
        "Status": ordercloud_status(o.status),
        "DateCreated": iso(o.created_at),
        "DateSubmitted": if submitted { o.placed_at.map(iso) } else { None },
        "DateApproved": co.date_approved.map(iso),
        "DateDeclined": co.date_declined.map(iso),
        "DateCanceled": co.date_canceled.map(iso),
        "DateCompleted": co.date_completed.map(iso),
        "LastUpdated": iso(o.updated_at.unwrap_or(o.created_at)),
        "Subtotal": to_decimal(Cents::new(co.subtotal()).unwrap_or_default(), &c),
        "ShippingCost": money(co.shipping_cost, &c),
        "TaxCost": money(co.tax_cost, &c),
        "Gratuity": 0.0,
        "Fees": money(co.fees, &c),
        "PromotionDiscount": 0.0,
        "Currency": c.as_str(),
        "Total": to_decimal(Cents::new(co.total()).unwrap_or_default(), &c),
        "IsSubmitted": submitted,
        "SubscriptionID": null,
        "xp": co.xp,
    })
}

/// Renders the order's worksheet.
pub fn render_worksheet(o: &Order) -> Value {
    let co = checkout_of(o);
    let w = &co.worksheet;
    json!({
        "Order": render_order(o),
        "LineItems": co.lines.iter().map(|l| render_line(o, l)).collect::<Vec<_>>(),
        "OrderPromotions": [],
        "Subscription": null,
        "ShipEstimateResponse": w.ship_estimate_response,
        "OrderCalculateResponse": w.order_calculate_response,
        "OrderSubmitResponse": w.order_submit_response,
        "OrderSubmitForApprovalResponse": w.order_submit_for_approval_response,
        "OrderApprovedResponse": w.order_approved_response,
        "SubscriptionIntegrationResponse": null,
    })
}

/// `{direction}` is `Incoming`, `Outgoing` or `All` (any case). cartwire is one marketplace:
/// every direction names the same orders, narrowed by who may see them.
pub(super) fn check_direction(direction: &str) -> Result<(), OcError> {
    if ["incoming", "outgoing", "all"].contains(&direction.to_ascii_lowercase().as_str()) {
        Ok(())
    } else {
        Err(OcError::validation("direction", format!("direction must be Incoming, Outgoing or All, not '{direction}'")))
    }
}

/// An order on the wire (read-only fields are accepted and ignored, so a GET body can be PUT
/// back).
#[derive(Debug, Deserialize)]
pub struct OrderIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Comments")]
    comments: Option<String>,
    #[serde(rename = "Currency")]
    currency: Option<String>,
    xp: Option<Value>,
}

pub(super) fn xp_or_empty(xp: Option<Value>) -> Value {
    xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({}))
}

/// The order a route names — `/v1/orders/{direction}/{id}/…`, or the caller's current cart for
/// `/v1/cart/…` — and the line item or action when the route has one. One handler serves both
/// route families.
pub(super) struct Target {
    pub(super) order: Option<String>,
    pub(super) line: Option<String>,
    pub(super) action: Option<String>,
}

impl axum::extract::FromRequestParts<App> for Target {
    type Rejection = OcError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|e| OcError::validation("path", e.to_string()))?;
        let mut target = Target { order: None, line: None, action: None };
        for (name, value) in params.iter() {
            match name {
                "direction" => check_direction(value)?,
                "id" => target.order = Some(value.to_owned()),
                "line" => target.line = Some(value.to_owned()),
                "action" => target.action = Some(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        Ok(target)
    }
}

impl Target {
    pub(super) async fn order_id(&self, app: &App, p: &Principal) -> Result<String, OcError> {
        match &self.order {
            Some(id) => Ok(id.clone()),
            None => Ok(app.current_cart_id(p).await?),
        }
    }

    pub(super) fn line_id(&self) -> &str {
        self.line.as_deref().expect("line routes name {line}")
    }
}
// ---- orders -------------------------------------------------------------------------------

pub(super) async fn orders_list(
    State(app): State<App>,
    Caller(p): Caller,
    _target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_checkout_orders(&p).await?.iter().map(render_order).collect();
    Ok(Json(page(items, q.as_deref(), &ORDER_SPEC)?))
}

pub(super) async fn order_create(
    State(app): State<App>,
    Caller(p): Caller,
    Path(direction): Path<String>,
    OcJson(body): OcJson<OrderIn>,
) -> Result<Response, OcError> {
    check_direction(&direction)?;
    if let Some(id) = &body.id {
        field(ObjectId::parse(id), "ID")?;
    }
    let currency = body.currency.as_deref().map(CurrencyCode::parse).transpose();
    let draft = OrderDraft {
        id: body.id,
        comments: body.comments,
        xp: xp_or_empty(body.xp),
        currency: field(currency, "Currency")?,
    };
    let order = app.create_checkout_order(&p, draft).await?;
    Ok(created(&app, &format!("/v1/orders/{direction}/{}", order.id), render_order(&order)))
}

pub(super) async fn order_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(render_order(&app.get_checkout_order(&p, &id).await?)))
}

pub(super) async fn order_save(
    app: &App,
    p: &Principal,
    target: Target,
    body: Value,
    patch: bool,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(app, p).await?;
    let body = if patch { merge_patch(render_order(&app.get_checkout_order(p, &id).await?), body) } else { body };
    let wire: OrderIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != id) {
        return Err(OcError::validation("ID", "an order's ID cannot change"));
    }
    let saved = app
        .update_checkout_order(p, &id, |co, _| {
            co.comments = wire.comments;
            co.xp = xp_or_empty(wire.xp);
            if !co.xp.is_object() {
                return Err(AppError::invalid("xp", "xp must be an object"));
            }
            Ok(())
        })
        .await?;
    Ok(Json(render_order(&saved)))
}

pub(super) async fn order_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    order_save(&app, &p, target, body, false).await
}

pub(super) async fn order_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    order_save(&app, &p, target, body, true).await
}

pub(super) async fn order_delete(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<StatusCode, OcError> {
    let id = target.order_id(&app, &p).await?;
    app.delete_checkout_order(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwire_domain::order::OrderStatus;

    #[test]
    fn directions_are_case_insensitive_and_closed() {
        for d in ["Incoming", "outgoing", "ALL"] {
            assert!(check_direction(d).is_ok(), "{d}");
        }
        assert_eq!(check_direction("Sideways").unwrap_err().code(), "ValidationFailure");
    }

    #[test]
    fn order_statuses_speak_ordercloud() {
        assert_eq!(ordercloud_status(OrderStatus::Cart), "Unsubmitted");
        assert_eq!(ordercloud_status(OrderStatus::Placed), "Open");
        assert_eq!(ordercloud_status(OrderStatus::AwaitingApproval), "AwaitingApproval");
        assert_eq!(ordercloud_status(OrderStatus::Canceled), "Canceled");
    }
}
