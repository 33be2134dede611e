//! Checkout (OrderCloud's orders, line items, cart and the OrderCheckout / AddToCart integration
//! events) on the one order model.
//!
//! Callouts never run inside a store transaction: a use case reads what it needs, calls the
//! middleware, then re-reads the order under a lock and applies the answer only if nothing that
//! moves the total changed meanwhile (the checkout revision). Every committed change writes its
//! events to the outbox in the same transaction.

use crate::callout::{CalloutFailure, CalloutWire, recorded};
use crate::orders::core::new_short_id;
use crate::orders::events::order_events;
use crate::{App, AppError, Principal, RuleCode};
use cartwire_domain::checkout::{Address, ApprovalRule, CheckoutError, CheckoutLine, CheckoutOrder, LineProduct};
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::order::{Order, OrderStatus};
use cartwire_domain::user::UserRef;
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_store::Tx;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

/// A line item as a client asks for it.
#[derive(Debug, Clone)]
pub struct LineDraft {
    /// Requested id (generated when absent).
    pub id: Option<String>,
    /// The product.
    pub product_id: String,
    /// How many.
    pub quantity: i64,
    /// A unit price set by hand (a decimal in the order's currency; needs `OverrideUnitPrice`).
    pub unit_price: Option<Value>,
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
}

/// Roles that see orders at all.
const ORDER_ANY: &[ApiRole] = &[ApiRole::Shopper, ApiRole::OrderAdmin, ApiRole::OrderReader];
/// Roles that see every order.
const ORDER_ALL: &[ApiRole] = &[ApiRole::OrderAdmin, ApiRole::OrderReader];
/// Roles that act on orders as the seller.
const ORDER_ADMIN: &[ApiRole] = &[ApiRole::OrderAdmin];
const APPROVAL_READ: &[ApiRole] = &[ApiRole::ApprovalRuleAdmin, ApiRole::ApprovalRuleReader];
const APPROVAL_WRITE: &[ApiRole] = &[ApiRole::ApprovalRuleAdmin];

fn order_status_error(o: &Order, action: &str) -> AppError {
    AppError::rule(
        RuleCode::OrderInvalidStatus,
        format!("Cannot {action} order {} while its status is {}", o.id, ordercloud_status(o.status)),
    )
}

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

/// The checkout side of an OrderCloud order.
pub fn checkout_of(o: &Order) -> &CheckoutOrder {
    o.checkout.as_ref().expect("checkout orders carry their checkout side")
}

/// Recomputes the order's lines and totals on the one model from its checkout side.
fn sync(o: &mut Order) {
    let currency = o.currency();
    let co = checkout_of(o);
    let (lines, totals) = (co.order_lines(), co.totals(currency));
    o.lines = lines;
    o.totals = Some(totals);
}

fn checkout_error(e: CheckoutError) -> AppError {
    match e {
        CheckoutError::MustCalculateShipping => AppError::rule(RuleCode::MustCalculateShipping, e.to_string()),
        CheckoutError::MustHaveShipEstimates => AppError::rule(RuleCode::MustHaveShipEstimates, e.to_string()),
        CheckoutError::Invalid { field, error } => AppError::invalid(field, error),
    }
}

impl App {
    /// Orders the caller may see: their own, or every one with OrderAdmin / OrderReader.
    pub async fn list_checkout_orders(&self, p: &Principal) -> Result<Vec<Order>, AppError> {
        p.require_any(ORDER_ANY)?;
        let mine = (!p.roles.satisfies_any(ORDER_ALL)).then(|| p.user_ref());
        let mut tx = self.store().read().await?;
        let orders = tx.checkout_orders(mine.as_ref()).await?;
        tx.commit().await?;
        Ok(orders)
    }

    /// One order the caller may see (someone else's is "not found" to a shopper).
    pub async fn get_checkout_order(&self, p: &Principal, id: &str) -> Result<Order, AppError> {
        p.require_any(ORDER_ANY)?;
        let mut tx = self.store().read().await?;
        let found = tx.order(id).await?;
        tx.commit().await?;
        visible(p, found, id)
    }

    /// Creates an unsubmitted order from the caller.
    pub async fn create_checkout_order(&self, p: &Principal, draft: OrderDraft) -> Result<Order, AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        let id = match draft.id.as_deref() {
            Some(id) => ObjectId::parse(id).map_err(|e| AppError::invalid("ID", e))?.to_string(),
            None => new_short_id() + &new_short_id(),
        };
        // Read before the write transaction: on SQLite a first read of the deployment would
        // wait for the writer lock this transaction holds.
        let deployment = self.deployment().await?;
        let mut tx = self.store().begin().await?;
        let order = new_checkout_order(&mut tx, p, &deployment, id, draft).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// The caller's current unsubmitted order, created on first use (an anonymous shopper's
    /// is the order named in their token).
    pub async fn current_cart_id(&self, p: &Principal) -> Result<String, AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        let deployment = self.deployment().await?;
        let mut tx = self.store().begin().await?;
        let existing = match &p.anonymous_order_id {
            Some(id) => tx.order(id).await?.filter(|o| o.deleted_at.is_none() && o.checkout.is_some()),
            None => tx.current_cart(&p.user_ref()).await?,
        };
        if let Some(o) = existing {
            tx.commit().await?;
            return Ok(o.id);
        }
        let id = p.anonymous_order_id.clone().unwrap_or_else(|| new_short_id() + &new_short_id());
        let draft = OrderDraft { xp: json!({}), ..Default::default() };
        let order = new_checkout_order(&mut tx, p, &deployment, id, draft).await?;
        tx.commit().await?;
        Ok(order.id)
    }

    /// Changes an unsubmitted order the caller may change. `edit` works on the checkout side;
    /// when it touches anything that can move the total (lines, addresses, xp), the ship
    /// estimates and the calculation are cleared.
    pub async fn update_checkout_order(
        &self,
        p: &Principal,
        id: &str,
        edit: impl FnOnce(&mut CheckoutOrder, &CurrencyCode) -> Result<(), AppError>,
    ) -> Result<Order, AppError> {
        p.require_any(ORDER_ANY)?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        if current.status != OrderStatus::Cart {
            return Err(order_status_error(&current, "change"));
        }
        let mut next = current.clone();
        let currency = Order::currency(&current);
        {
            let co = next.checkout.as_mut().expect("checkout order");
            let before = co.clone();
            edit(co, &currency)?;
            let moved = co.lines != before.lines
                || co.xp != before.xp
                || co.shipping_address != before.shipping_address
                || co.billing_address != before.billing_address;
            if moved && co.revision == before.revision {
                co.invalidate();
            }
        }
        self.commit_change(tx, p, &current, next).await
    }

    async fn commit_change(
        &self,
        mut tx: Tx,
        p: &Principal,
        current: &Order,
        mut next: Order,
    ) -> Result<Order, AppError> {
        sync(&mut next);
        next.updated_at = Some(OffsetDateTime::now_utc());
        next.check_limits().map_err(|e| AppError::invalid(e.what, e.message))?;
        tx.update_order(&next).await?;
        tx.append_events(&order_events(Some(current), &next, p.describe(), "ordercloud")).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Deletes an unsubmitted order (soft: the id stays taken, events keep the history).
    pub async fn delete_checkout_order(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(ORDER_ANY)?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        if current.status != OrderStatus::Cart {
            return Err(order_status_error(&current, "delete"));
        }
        let mut next = current.clone();
        next.deleted_at = Some(OffsetDateTime::now_utc());
        self.commit_change(tx, p, &current, next).await.map(|_| ())
    }

    /// Prices a line: through the AddToCart integration event when the caller's client has one
    /// (the middleware's product and price, no catalog fallback), else from the catalog.
    async fn price_line(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        currency: &CurrencyCode,
        product_id: &str,
        quantity: i64,
    ) -> Result<(LineProduct, Cents, Option<String>), AppError> {
        CheckoutLine::check_quantity(quantity).map_err(|e| AppError::invalid("Quantity", e))?;
        if let Some(event) = self.attached_event(p, EventType::AddToCart).await? {
            let user = {
                let mut tx = self.store().read().await?;
                let u = tx.user(p.buyer_id.as_deref().unwrap_or(""), &p.user_id).await?;
                tx.commit().await?;
                u
            };
            let mut fields = Map::new();
            fields.insert("ProductID".into(), json!(product_id));
            fields.insert("Quantity".into(), json!(quantity));
            fields.insert("BuyerID".into(), json!(p.buyer_id));
            fields.insert("BuyerUser".into(), user.as_ref().map(|u| wire.user(u)).unwrap_or(Value::Null));
            fields.insert("SellerID".into(), json!(self.deployment().await?.org_id));
            let (answer, status) = self.call_middleware(p, &event, None, fields).await.map_err(|f| f.error())?;
            let bad = |why: String| {
                CalloutFailure {
                    status,
                    body: format!("{why}: {}", cartwire_outbound::excerpt(answer.to_string().as_bytes())),
                }
                .error()
            };
            let product = match answer.get("Product") {
                None | Some(Value::Null) => return Err(AppError::not_found("Product", product_id)),
                Some(p) => p,
            };
            let text = |k: &str| product.get(k).and_then(Value::as_str).map(str::to_owned);
            let number = |k: &str| product.get(k).and_then(Value::as_f64);
            let line_product = LineProduct {
                id: text("ID").unwrap_or_else(|| product_id.to_owned()),
                name: text("Name").unwrap_or_default(),
                description: text("Description"),
                returnable: product.get("Returnable").and_then(Value::as_bool).unwrap_or(false),
                quantity_multiplier: product.get("QuantityMultiplier").and_then(Value::as_i64).unwrap_or(1),
                ship_weight: number("ShipWeight"),
                ship_height: number("ShipHeight"),
                ship_width: number("ShipWidth"),
                ship_length: number("ShipLength"),
                default_supplier_id: text("DefaultSupplierID"),
                xp: product.get("xp").filter(|x| x.is_object()).cloned().unwrap_or_else(|| json!({})),
            };
            line_product.validate().map_err(|e| bad(format!("the answer's Product is invalid ({e})")))?;
            let price = answer
                .get("UnitPrice")
                .filter(|v| !v.is_null())
                .ok_or_else(|| bad("the answer has a Product but no UnitPrice".into()))?;
            let unit_price = cartwire_domain::checkout::amount(price, currency)
                .map_err(|e| bad(format!("the answer's UnitPrice is invalid ({e})")))?;
            return Ok((line_product, unit_price, None));
        }
        let mut tx = self.store().read().await?;
        let product = tx.product(product_id).await?.filter(|p| p.active);
        let schedule = match product.as_ref().and_then(|p| p.default_price_schedule_id.clone()) {
            Some(id) => tx.price_schedule(id.as_str()).await?,
            None => None,
        };
        tx.commit().await?;
        let product = product.ok_or_else(|| AppError::not_found("Product", product_id))?;
        let schedule = schedule.ok_or_else(|| {
            AppError::invalid("ProductID", format!("Product {product_id} has no price schedule and cannot be ordered"))
        })?;
        if &schedule.currency != currency {
            return Err(AppError::invalid(
                "ProductID",
                format!(
                    "Product {product_id} is priced in {}, the order in {}",
                    schedule.currency.as_str(),
                    currency.as_str()
                ),
            ));
        }
        if quantity < schedule.min_quantity || schedule.max_quantity.is_some_and(|m| quantity > m) {
            return Err(AppError::invalid(
                "Quantity",
                format!(
                    "Quantity must be from {} to {} for product {product_id}",
                    schedule.min_quantity,
                    schedule.max_quantity.map(|m| m.to_string()).unwrap_or_else(|| "any".into())
                ),
            ));
        }
        let unit_price = schedule.unit_price(quantity).ok_or_else(|| {
            AppError::invalid("Quantity", format!("no price break of {} covers quantity {quantity}", schedule.id))
        })?;
        let line_product = LineProduct {
            id: product.id.to_string(),
            name: product.name,
            description: product.description,
            returnable: false,
            quantity_multiplier: 1,
            xp: product.xp,
            ..LineProduct::default()
        };
        Ok((line_product, unit_price, Some(schedule.id.to_string())))
    }

    /// Adds a line item (pricing it first, outside any transaction); returns the order and
    /// the new line's id. Nothing is written when pricing fails.
    pub async fn add_line_item(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        order_id: &str,
        draft: impl FnOnce() -> Result<LineDraft, AppError>,
    ) -> Result<(Order, String), AppError> {
        let order = self.get_checkout_order(p, order_id).await?;
        check_writer(p, &order)?;
        // Parsed only once the caller may change the order.
        let draft = draft()?;
        if order.status != OrderStatus::Cart {
            return Err(order_status_error(&order, "add a line item to"));
        }
        let line_id = match draft.id.as_deref() {
            Some(id) => ObjectId::parse(id).map_err(|e| AppError::invalid("ID", e))?.to_string(),
            None => uuid::Uuid::new_v4().simple().to_string()[..22].to_owned(),
        };
        validate_line_draft(&draft)?;
        let currency = Order::currency(&order);
        let requested = requested_price(&draft, &currency)?;
        let (product, price, schedule) = self.price_line(p, wire, &currency, &draft.product_id, draft.quantity).await?;
        let (unit_price, overridden) = manual_price(p, requested, price)?;
        let id = line_id.clone();
        let saved = self
            .update_checkout_order(p, order_id, move |co, _| {
                if co.line(&id).is_some() {
                    return Err(AppError::IdExists { object_type: "LineItem", object_id: id });
                }
                co.lines.push(CheckoutLine {
                    id,
                    product,
                    quantity: draft.quantity,
                    unit_price,
                    price_schedule_id: schedule,
                    price_overridden: overridden,
                    shipping_address: draft.shipping_address,
                    date_added: OffsetDateTime::now_utc(),
                    xp: draft.xp,
                });
                Ok(())
            })
            .await?;
        Ok((saved, line_id))
    }

    /// Replaces a line item's writable fields; a new product or quantity is priced again.
    pub async fn save_line_item(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        order_id: &str,
        line_id: &str,
        draft: LineDraft,
    ) -> Result<Order, AppError> {
        let order = self.get_checkout_order(p, order_id).await?;
        check_writer(p, &order)?;
        let current =
            checkout_of(&order).line(line_id).cloned().ok_or_else(|| AppError::not_found("LineItem", line_id))?;
        if order.status != OrderStatus::Cart {
            return Err(order_status_error(&order, "change a line item of"));
        }
        validate_line_draft(&draft)?;
        let requested = requested_price(&draft, &Order::currency(&order))?;
        let repriced = if draft.product_id != current.product.id || draft.quantity != current.quantity {
            let currency = Order::currency(&order);
            Some(self.price_line(p, wire, &currency, &draft.product_id, draft.quantity).await?)
        } else {
            None
        };
        let base_price = repriced.as_ref().map(|r| r.1).unwrap_or(current.unit_price);
        let (unit_price, overridden) = match requested {
            // Sending back the price the line already has (GET then PUT, or a PATCH merged over
            // the current line) asks for no new price: an override stays, a computed price is
            // computed again.
            Some(price) if price == current.unit_price => {
                if current.price_overridden {
                    (price, true)
                } else {
                    (base_price, false)
                }
            }
            other => manual_price(p, other, base_price)?,
        };
        let line_id = line_id.to_owned();
        self.update_checkout_order(p, order_id, move |co, _| {
            let line = co
                .lines
                .iter_mut()
                .find(|l| l.id == line_id)
                .ok_or_else(|| AppError::not_found("LineItem", line_id.clone()))?;
            if let Some((product, _, schedule)) = repriced {
                line.product = product;
                line.price_schedule_id = schedule;
            }
            line.quantity = draft.quantity;
            line.unit_price = unit_price;
            line.price_overridden = overridden;
            line.shipping_address = draft.shipping_address;
            line.xp = draft.xp;
            Ok(())
        })
        .await
    }

    /// Removes a line item.
    pub async fn delete_line_item(&self, p: &Principal, order_id: &str, line_id: &str) -> Result<Order, AppError> {
        let line_id = line_id.to_owned();
        self.update_checkout_order(p, order_id, move |co, _| {
            let before = co.lines.len();
            co.lines.retain(|l| l.id != line_id);
            if co.lines.len() == before {
                return Err(AppError::not_found("LineItem", line_id));
            }
            Ok(())
        })
        .await
    }

    /// Reads an unsubmitted order for a checkout callout and finds the caller's OrderCheckout
    /// event (`ApiClientNotConfiguredForOrderCalculate` without one).
    async fn checkout_context(&self, p: &Principal, id: &str) -> Result<(Order, IntegrationEvent), AppError> {
        let order = self.get_checkout_order(p, id).await?;
        check_writer(p, &order)?;
        if order.status != OrderStatus::Cart {
            return Err(order_status_error(&order, "check out"));
        }
        let event = self.attached_event(p, EventType::OrderCheckout).await?.ok_or_else(|| {
            AppError::rule(
                RuleCode::ApiClientNotConfiguredForOrderCalculate,
                format!("API client {} has no OrderCheckout integration event", p.client_id),
            )
        })?;
        Ok((order, event))
    }

    /// Applies a callout's result to the order it was made for, unless the order changed in
    /// the meantime.
    async fn apply_after_callout(
        &self,
        p: &Principal,
        seen: &Order,
        apply: impl FnOnce(&mut CheckoutOrder, &CurrencyCode) -> Result<(), AppError>,
    ) -> Result<Order, AppError> {
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(&seen.id).await?, &seen.id)?;
        if current.status != OrderStatus::Cart || checkout_of(&current).revision != checkout_of(seen).revision {
            return Err(AppError::rule(
                RuleCode::OrderChangedDuringCallout,
                format!("Order {} changed while the middleware was called; call it again", seen.id),
            ));
        }
        let mut next = current.clone();
        let currency = Order::currency(&current);
        apply(next.checkout.as_mut().expect("checkout order"), &currency)?;
        self.commit_change(tx, p, &current, next).await
    }

    /// `estimateshipping`: asks the middleware for ship estimates (`/shippingrates`) and
    /// stores its answer — or the failure — on the worksheet.
    pub async fn estimate_shipping(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let result = self.call_middleware(p, &event, Some("/shippingrates"), fields).await;
        let record = match &result {
            Ok((answer, status)) => recorded(answer.clone(), *status),
            Err(f) => f.record(),
        };
        let saved = self
            .apply_after_callout(p, &order, |co, _| {
                co.record_ship_estimates(record);
                Ok(())
            })
            .await?;
        match result {
            Ok(_) => Ok(saved),
            Err(f) => Err(f.error()),
        }
    }

    /// `shipmethods`: selects ship methods among the estimates (no callout).
    pub async fn select_ship_methods(
        &self,
        p: &Principal,
        id: &str,
        selections: Vec<(String, String)>,
    ) -> Result<Order, AppError> {
        self.update_checkout_order(p, id, |co, currency| {
            co.select_ship_methods(&selections, currency).map_err(checkout_error)
        })
        .await
    }

    /// `calculate`: asks the middleware for shipping, tax, fees and line overrides
    /// (`/ordercalculate`) and applies them; the order is then calculated until the next
    /// change that can move its total.
    pub async fn calculate_order(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let result = self.call_middleware(p, &event, Some("/ordercalculate"), fields).await;
        match result {
            Ok((answer, status)) => {
                let answer = recorded(answer, status);
                let applied = self
                    .apply_after_callout(p, &order, |co, currency| {
                        co.apply_calculation(answer.clone(), currency).map_err(checkout_error)
                    })
                    .await;
                match applied {
                    Err(AppError::Validation { field, message }) => {
                        // The middleware answered with something cartwire cannot apply (inexact
                        // money, an unknown line): that is the middleware's error, recorded as such.
                        let failure = CalloutFailure { status, body: format!("{field}: {message}") };
                        self.record_calculation_failure(p, &order, &failure).await?;
                        Err(failure.error())
                    }
                    other => other,
                }
            }
            Err(failure) => {
                self.record_calculation_failure(p, &order, &failure).await?;
                Err(failure.error())
            }
        }
    }

    async fn record_calculation_failure(
        &self,
        p: &Principal,
        order: &Order,
        failure: &CalloutFailure,
    ) -> Result<(), AppError> {
        let record = failure.record();
        self.apply_after_callout(p, order, |co, _| {
            co.calculated_at_revision = None;
            co.worksheet.order_calculate_response = Some(record);
            Ok(())
        })
        .await
        .map(|_| ())
    }

    /// Checks that the order could be submitted now (`validate`).
    pub async fn validate_order(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let order = self.get_checkout_order(p, id).await?;
        check_writer(p, &order)?;
        let needs_calculation = self.attached_event(p, EventType::OrderCheckout).await?.is_some();
        submittable(&order, needs_calculation)
    }

    /// Submits the order: it becomes Open, or AwaitingApproval when one of its buyer's
    /// approval rules matches. The state change commits first; then the middleware is told
    /// (`/ordersubmit` or `/ordersubmitforapproval`) and its answer — or failure — is recorded
    /// without undoing the submit.
    pub async fn submit_order(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        let event = self.attached_event(p, EventType::OrderCheckout).await?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        submittable(&current, event.is_some())?;
        let co = checkout_of(&current);
        let rules = tx.approval_rules(&co.from_company_id).await?;
        let currency = Order::currency(&current);
        let needs_approval = rules.iter().any(|r: &ApprovalRule| r.rule_expression.matches(co, &currency));
        let mut next = current.clone();
        let now = OffsetDateTime::now_utc();
        next.status = if needs_approval { OrderStatus::AwaitingApproval } else { OrderStatus::Placed };
        next.placed_at = Some(now);
        let submitted = self.commit_change(tx, p, &current, next).await?;
        let Some(event) = event else { return Ok(submitted) };
        let path = if needs_approval { "/ordersubmitforapproval" } else { "/ordersubmit" };
        self.tell_middleware(p, wire, &event, path, submitted).await
    }

    /// Posts a post-state-change callout and records its answer on the worksheet with an
    /// `order.updated` event; a failure is recorded the same way and does not undo anything.
    async fn tell_middleware(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        event: &IntegrationEvent,
        path: &'static str,
        order: Order,
    ) -> Result<Order, AppError> {
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let record = match self.call_middleware(p, event, Some(path), fields).await {
            Ok((answer, status)) => recorded(answer, status),
            Err(f) => f.record(),
        };
        let mut tx = self.store().begin().await?;
        let Some(current) = tx.order_for_update(&order.id).await? else {
            tx.commit().await?;
            return Ok(order);
        };
        let mut next = current.clone();
        let worksheet = &mut next.checkout.as_mut().expect("checkout order").worksheet;
        match path {
            "/ordersubmit" => worksheet.order_submit_response = Some(record),
            "/ordersubmitforapproval" => worksheet.order_submit_for_approval_response = Some(record),
            _ => worksheet.order_approved_response = Some(record),
        }
        self.commit_change(tx, p, &current, next).await
    }

    /// Approves an order awaiting approval (OrderAdmin); it becomes Open and the approver's
    /// OrderCheckout event hears `/orderapproved`.
    pub async fn approve_order(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        id: &str,
        comments: Option<String>,
    ) -> Result<Order, AppError> {
        let approved = self
            .transition(p, id, ORDER_ADMIN, &[OrderStatus::AwaitingApproval], "approve", |o| {
                o.status = OrderStatus::Placed;
                let co = o.checkout.as_mut().expect("checkout order");
                co.date_approved = Some(OffsetDateTime::now_utc());
                if let Some(c) = comments {
                    co.comments = Some(c);
                }
            })
            .await?;
        match self.attached_event(p, EventType::OrderCheckout).await? {
            Some(event) => self.tell_middleware(p, wire, &event, "/orderapproved", approved).await,
            None => Ok(approved),
        }
    }

    /// Declines an order awaiting approval (OrderAdmin).
    pub async fn decline_order(&self, p: &Principal, id: &str, comments: Option<String>) -> Result<Order, AppError> {
        self.transition(p, id, ORDER_ADMIN, &[OrderStatus::AwaitingApproval], "decline", |o| {
            o.status = OrderStatus::Declined;
            let co = o.checkout.as_mut().expect("checkout order");
            co.date_declined = Some(OffsetDateTime::now_utc());
            if let Some(c) = comments {
                co.comments = Some(c);
            }
        })
        .await
    }

    /// Cancels a submitted order (its shopper or an OrderAdmin).
    pub async fn cancel_order(&self, p: &Principal, id: &str) -> Result<Order, AppError> {
        self.transition(
            p,
            id,
            &[ApiRole::Shopper, ApiRole::OrderAdmin],
            &[OrderStatus::Placed, OrderStatus::AwaitingApproval, OrderStatus::Declined],
            "cancel",
            |o| {
                o.status = OrderStatus::Canceled;
                o.checkout.as_mut().expect("checkout order").date_canceled = Some(OffsetDateTime::now_utc());
            },
        )
        .await
    }

    /// Completes an open order (OrderAdmin).
    pub async fn complete_order(&self, p: &Principal, id: &str) -> Result<Order, AppError> {
        self.transition(p, id, ORDER_ADMIN, &[OrderStatus::Placed, OrderStatus::InProgress], "complete", |o| {
            o.status = OrderStatus::Completed;
            o.checkout.as_mut().expect("checkout order").date_completed = Some(OffsetDateTime::now_utc());
        })
        .await
    }

    async fn transition(
        &self,
        p: &Principal,
        id: &str,
        roles: &[ApiRole],
        from: &[OrderStatus],
        action: &str,
        change: impl FnOnce(&mut Order),
    ) -> Result<Order, AppError> {
        p.require_any(ORDER_ANY)?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        p.require_any(roles)?;
        if !from.contains(&current.status) {
            return Err(order_status_error(&current, action));
        }
        let mut next = current.clone();
        change(&mut next);
        self.commit_change(tx, p, &current, next).await
    }

    /// A buyer's approval rules.
    pub async fn list_approval_rules(&self, p: &Principal, buyer_id: &str) -> Result<Vec<ApprovalRule>, AppError> {
        p.require_any(APPROVAL_READ)?;
        let mut tx = self.store().read().await?;
        if tx.buyer(buyer_id).await?.is_none() {
            return Err(AppError::not_found("Buyer", buyer_id));
        }
        let rules = tx.approval_rules(buyer_id).await?;
        tx.commit().await?;
        Ok(rules)
    }

    /// One approval rule.
    pub async fn get_approval_rule(&self, p: &Principal, buyer_id: &str, id: &str) -> Result<ApprovalRule, AppError> {
        p.require_any(APPROVAL_READ)?;
        let mut tx = self.store().read().await?;
        let rule = tx.approval_rule(buyer_id, id).await?;
        tx.commit().await?;
        rule.ok_or_else(|| AppError::not_found("ApprovalRule", id))
    }

    /// Creates, overwrites or patches an approval rule.
    pub async fn save_approval_rule(
        &self,
        p: &Principal,
        buyer_id: &str,
        id: Option<&str>,
        mode: crate::identity::SaveMode,
        build: impl FnOnce(ObjectId, Option<&ApprovalRule>) -> Result<ApprovalRule, AppError>,
    ) -> Result<ApprovalRule, AppError> {
        p.require_any(APPROVAL_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).map_err(|e| AppError::invalid("ID", e))?,
            None => ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id"),
        };
        let mut tx = self.store().begin().await?;
        if tx.buyer(buyer_id).await?.is_none() {
            return Err(AppError::not_found("Buyer", buyer_id));
        }
        let current = tx.approval_rule(buyer_id, id.as_str()).await?;
        mode.check(current.is_some(), "ApprovalRule", &id)?;
        let mut rule = build(id.clone(), current.as_ref())?;
        rule.id = id.clone();
        rule.buyer_id = buyer_id.to_owned();
        rule.validate().map_err(|(field, e)| AppError::invalid(field, e))?;
        tx.save_approval_rule(&rule, current.is_none())
            .await
            .map_err(AppError::on_insert("ApprovalRule", id.to_string()))?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Deletes an approval rule.
    pub async fn delete_approval_rule(&self, p: &Principal, buyer_id: &str, id: &str) -> Result<(), AppError> {
        p.require_any(APPROVAL_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_approval_rule(buyer_id, id).await? {
            return Err(AppError::not_found("ApprovalRule", id));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A new unsubmitted order from the caller, with its `cart.updated` event.
async fn new_checkout_order(
    tx: &mut Tx,
    p: &Principal,
    deployment: &cartwire_store::deployment::Deployment,
    id: String,
    draft: OrderDraft,
) -> Result<Order, AppError> {
    let company = p.buyer_id.clone().unwrap_or_default();
    let user = tx.user(&company, &p.user_id).await?;
    let from_user = match &user {
        Some(u) => json!({"ID": u.id.as_str(), "Username": u.profile.username, "FirstName": u.profile.first_name,
                          "LastName": u.profile.last_name, "Email": u.profile.email, "Phone": u.profile.phone,
                          "xp": u.profile.xp}),
        None => json!({"ID": p.user_id, "Username": p.username, "xp": {}}),
    };
    if !draft.xp.is_object() {
        return Err(AppError::invalid("xp", "xp must be an object"));
    }
    if let Some(c) = &draft.comments {
        cartwire_domain::id::bounded_text(c, "Comments", 2000).map_err(|e| AppError::invalid("Comments", e))?;
    }
    let now = OffsetDateTime::now_utc();
    let currency = draft.currency.unwrap_or_else(CurrencyCode::default_for_deployment);
    let checkout = CheckoutOrder {
        from_user,
        from_company_id: p.buyer_id.clone().unwrap_or_else(|| deployment.org_id.clone()),
        to_company_id: deployment.org_id.clone(),
        comments: draft.comments,
        xp: draft.xp,
        ..CheckoutOrder::default()
    };
    let mut order = Order {
        id: id.clone(),
        short_id: new_short_id(),
        org_id: deployment.org_id.clone(),
        origin_org_id: None,
        name: None,
        customer_id: Some(p.user_id.clone()),
        owner: Some(p.user_ref()),
        platform: Default::default(),
        lines: Vec::new(),
        legacy_items: json!([]),
        metadata: json!({}),
        derivative: json!({}),
        status: OrderStatus::Cart,
        created_by: Some(p.describe()),
        created_at: now,
        updated_at: Some(now),
        placed_at: None,
        deleted_at: None,
        abandoned_at: None,
        totals: Some(checkout.totals(currency)),
        shop: None,
        checkout: Some(checkout),
    };
    sync(&mut order);
    order.check_limits().map_err(|e| AppError::invalid(e.what, e.message))?;
    tx.insert_order(&order).await.map_err(AppError::on_insert("Order", id.clone()))?;
    tx.append_events(&order_events(None, &order, p.describe(), "ordercloud")).await?;
    Ok(order)
}

/// The order if the caller may see it: a checkout order, live, and theirs unless they read
/// every order.
pub(crate) fn visible(p: &Principal, found: Option<Order>, id: &str) -> Result<Order, AppError> {
    found
        .filter(|o| o.checkout.is_some() && o.deleted_at.is_none())
        .filter(|o| p.roles.satisfies_any(ORDER_ALL) || o.owner.as_ref().is_some_and(|u| p.is(u)))
        .ok_or_else(|| AppError::not_found("Order", id))
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

fn writable(p: &Principal, found: Option<Order>, id: &str) -> Result<Order, AppError> {
    let o = visible(p, found, id)?;
    check_writer(p, &o)?;
    Ok(o)
}

fn submittable(o: &Order, needs_calculation: bool) -> Result<(), AppError> {
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

fn validate_line_draft(d: &LineDraft) -> Result<(), AppError> {
    ObjectId::parse(&d.product_id).map_err(|e| AppError::invalid("ProductID", e))?;
    CheckoutLine::check_quantity(d.quantity).map_err(|e| AppError::invalid("Quantity", e))?;
    if let Some(a) = &d.shipping_address {
        a.validate().map_err(|(f, e)| AppError::invalid(format!("ShippingAddress.{f}"), e))?;
    }
    if !d.xp.is_object() {
        return Err(AppError::invalid("xp", "xp must be an object"));
    }
    Ok(())
}

fn requested_price(d: &LineDraft, currency: &CurrencyCode) -> Result<Option<Cents>, AppError> {
    match &d.unit_price {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            cartwire_domain::checkout::amount(v, currency).map(Some).map_err(|e| AppError::invalid("UnitPrice", e))
        }
    }
}

/// A hand-set unit price needs `OverrideUnitPrice`; without one the computed price stands.
fn manual_price(p: &Principal, requested: Option<Cents>, computed: Cents) -> Result<(Cents, bool), AppError> {
    match requested {
        Some(price) if price != computed => {
            p.require_any(&[ApiRole::OverrideUnitPrice])?;
            Ok((price, true))
        }
        _ => Ok((computed, false)),
    }
}
