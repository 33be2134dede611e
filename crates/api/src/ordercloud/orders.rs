//! `/v1/orders/{direction}[/{id}]` and `/v1/cart`: checkout orders in OrderCloud's wire format
//! over the one order model. Handlers parse, call one use case and render (`wire::orders`); the
//! route target is `target`, the checkout rules and callouts live in `cartwire_app::checkout`.
//! Line items, addresses, actions and approval rules have their own modules.

use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use super::target::*;
use super::wire::orders::*;
use super::wire::*;
use super::{created, field};
use crate::ordercloud::fields::rejected;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::addresses::AddressUse;
use cartwire_app::checkout::{OrderDraft, checkout_of};
use cartwire_app::{App, Principal};
use cartwire_domain::ObjectId;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::order::checkout::Address;
use serde_json::Value;

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

// ---- orders -------------------------------------------------------------------------------

pub(super) async fn orders_list(
    State(app): State<App>,
    Caller(p): Caller,
    _target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::Order>>, OcError> {
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
    let shipping_address =
        saved_address(&app, &p, body.shipping_address_id.as_deref(), None, AddressUse::Shipping).await?;
    let billing_address =
        saved_address(&app, &p, body.billing_address_id.as_deref(), None, AddressUse::Billing).await?;
    let draft = OrderDraft {
        id: body.id,
        comments: body.comments,
        xp: xp_or_empty(body.xp),
        currency: field(currency, "Currency")?,
        shipping_address,
        billing_address,
    };
    let order = app.create_checkout_order(&p, draft).await?;
    Ok(created(&app, &format!("/v1/orders/{direction}/{}", order.id), render_order(&order)))
}

pub(super) async fn order_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<schema::Order>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(render_order(&app.get_checkout_order(&p, &id).await?)))
}

pub(super) async fn order_save(
    app: &App,
    p: &Principal,
    target: Target,
    body: Value,
    patch: bool,
) -> Result<Json<schema::Order>, OcError> {
    let id = target.order_id(app, p).await?;
    let current = app.get_checkout_order(p, &id).await?;
    let body = if patch { merge_patch(render_order(&current), body) } else { body };
    let wire: OrderIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != id) {
        return Err(OcError::validation("ID", "an order's ID cannot change"));
    }
    let co = checkout_of(&current);
    let shipping =
        saved_address(app, p, wire.shipping_address_id.as_deref(), co.shipping_address.as_ref(), AddressUse::Shipping)
            .await?;
    let billing =
        saved_address(app, p, wire.billing_address_id.as_deref(), co.billing_address.as_ref(), AddressUse::Billing)
            .await?;
    let saved = app
        .update_checkout_order(p, &id, |co, _| {
            if let Some(a) = shipping {
                co.shipping_address = Some(a);
            }
            if let Some(a) = billing {
                co.billing_address = Some(a);
            }
            co.comments = wire.comments;
            co.xp = xp_or_empty(wire.xp);
            if !co.xp.is_object() {
                return Err(rejected("xp", "xp must be an object"));
            }
            Ok(())
        })
        .await?;
    Ok(Json(render_order(&saved)))
}

/// The caller's saved address `id` names, unless the order or line already carries it
/// (`current`); `None` leaves the address as it is.
pub(super) async fn saved_address(
    app: &App,
    p: &Principal,
    id: Option<&str>,
    current: Option<&Address>,
    usage: AddressUse,
) -> Result<Option<Address>, OcError> {
    match id {
        Some(id) if current.and_then(|a| a.id.as_deref()) != Some(id) => {
            Ok(Some(app.address_for_order(p, id, usage).await?.for_order()))
        }
        _ => Ok(None),
    }
}

pub(super) async fn order_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::Order>, OcError> {
    order_save(&app, &p, target, body, false).await
}

pub(super) async fn order_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::Order>, OcError> {
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
