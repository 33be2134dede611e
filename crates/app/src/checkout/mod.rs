//! Checkout (OrderCloud's orders, line items, cart and the OrderCheckout / AddToCart integration
//! events) on the one order model: what the three parts share — drafts, role sets, visibility
//! and the status rules. `cart` edits orders and their lines, `pricing` prices a line (the
//! AddToCart callout), `workflow` runs estimate / calculate / submit / approve and the rest.
//!
//!
//! Callouts never run inside a store transaction: a use case reads what it needs, calls the
//! middleware, then re-reads the order under a lock and applies the answer only if nothing that
//! moves the total changed meanwhile (the checkout revision). Every committed change writes its
//! events to the outbox in the same transaction.

pub mod cart;
pub mod pricing;
pub mod workflow;

use crate::resource::Resource;
use crate::{AppError, Principal, RuleCode};
use cartwire_domain::ApiRole;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::order::checkout::{Address, CheckoutError, CheckoutOrder};
use cartwire_domain::order::{Order, OrderStatus};
use cartwire_domain::user::UserRef;
use serde_json::Value;

/// A line item as a client asks for it.
#[derive(Debug, Clone)]
pub struct LineDraft {
    /// Requested id (generated when absent).
    pub id: Option<String>,
    /// The product.
    pub product_id: String,
    /// How many.
    pub quantity: cartwire_domain::order::lines::Quantity,
    /// A unit price set by hand (a decimal in the order's currency; needs `OverrideUnitPrice`).
    pub unit_price: Option<cartwire_domain::commerce::Amount>,
    /// Where the line ships.
    pub shipping_address: Option<Address>,
    /// Extended properties.
    pub xp: Value,
}

/// The writable fields of an order.
#[derive(Debug, Clone, Default)]
pub struct OrderDraft {
    /// Requested id (generated when absent).
    pub id: Option<String>,
    /// Comments.
    pub comments: Option<String>,
    /// Extended properties.
    pub xp: Value,
    /// Currency (the deployment's default, USD, when absent).
    pub currency: Option<CurrencyCode>,
    /// Ship-to (a saved address of the caller's, as the order keeps it).
    pub shipping_address: Option<Address>,
    /// Bill-to.
    pub billing_address: Option<Address>,
}

/// Roles that see orders at all.
pub(crate) const ORDER_ANY: &[ApiRole] = &[ApiRole::Shopper, ApiRole::OrderAdmin, ApiRole::OrderReader];
/// Roles that see every order.
pub(crate) const ORDER_ALL: &[ApiRole] = &[ApiRole::OrderAdmin, ApiRole::OrderReader];
/// Roles that act on orders as the seller.
pub(crate) const ORDER_ADMIN: &[ApiRole] = &[ApiRole::OrderAdmin];

pub(crate) fn order_status_error(o: &Order, action: &'static str) -> AppError {
    AppError::OrderStatus { order_id: o.id.to_string(), action, status: o.status }
}

/// The checkout side of an OrderCloud order.
pub fn checkout_of(o: &Order) -> &CheckoutOrder {
    o.checkout.as_ref().expect("checkout orders carry their checkout side")
}

/// Recomputes the order's lines and totals on the one model from its checkout side.
pub(crate) fn sync(o: &mut Order) {
    let currency = o.currency();
    let co = checkout_of(o);
    let (lines, totals) = (co.order_lines(), co.totals(currency));
    o.lines = lines;
    o.totals = Some(totals);
}

pub(crate) fn checkout_error(e: CheckoutError) -> AppError {
    match e {
        CheckoutError::MustCalculateShipping => AppError::rule(RuleCode::MustCalculateShipping, e.to_string()),
        CheckoutError::MustHaveShipEstimates => AppError::rule(RuleCode::MustHaveShipEstimates, e.to_string()),
        other => AppError::Checkout(other),
    }
}

/// The order if the caller may see it: a checkout order, live, and theirs unless they read
/// every order.
pub(crate) fn visible(p: &Principal, found: Option<Order>, id: &str) -> Result<Order, AppError> {
    found
        .filter(|o| o.checkout.is_some() && o.deleted_at.is_none())
        .filter(|o| p.roles.satisfies_any(ORDER_ALL) || o.owner.as_ref().is_some_and(|u| p.is(u)))
        .ok_or_else(|| AppError::not_found(Resource::Order, id))
}

/// Whether the caller may change the order: their own as a shopper, any as an OrderAdmin.
pub(crate) fn check_writer(p: &Principal, o: &Order) -> Result<(), AppError> {
    may_change(p, o.owner.as_ref())
}

/// Whether the caller may change something `owner` owns (an order, a return): their own as a
/// shopper, anyone's as an OrderAdmin.
pub(crate) fn may_change(p: &Principal, owner: Option<&UserRef>) -> Result<(), AppError> {
    if p.roles.satisfies_any(ORDER_ADMIN) {
        return Ok(());
    }
    if owner.is_some_and(|u| p.is(u)) {
        return Ok(p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?);
    }
    Ok(p.require_any(ORDER_ADMIN)?)
}

pub(crate) fn writable(p: &Principal, found: Option<Order>, id: &str) -> Result<Order, AppError> {
    let o = visible(p, found, id)?;
    check_writer(p, &o)?;
    Ok(o)
}

pub(crate) fn submittable(o: &Order, needs_calculation: bool) -> Result<(), AppError> {
    if !matches!(o.status, OrderStatus::Cart | OrderStatus::Declined) {
        return Err(order_status_error(o, "submit"));
    }
    let co = checkout_of(o);
    if co.lines.is_empty() {
        return Err(AppError::rule(RuleCode::OrderCannotSubmitEmpty, format!("Order {} has no line items", o.id)));
    }
    if needs_calculation && !co.is_calculated() {
        return Err(AppError::rule(
            RuleCode::OrderCannotSubmitUncalculated,
            "Cannot submit an order that has not called the OrderCalculate step of the checkout integration",
        ));
    }
    Ok(())
}
