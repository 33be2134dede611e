//! Checkout orders and their line items: create, read, edit, delete; every change commits
//! with its events.

use super::pricing::*;
use super::*;
use crate::callout::CalloutWire;
use crate::error::FieldExt;
use crate::orders::core::new_short_id;
use crate::orders::events::order_events;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::event::Dialect;
use cartwire_domain::id::OrderId;
use cartwire_domain::order::checkout::{CheckoutOrder, FromUser};
use cartwire_domain::order::lines::CheckoutLine;
use cartwire_domain::order::{Order, OrderStatus};
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_domain::{Field, Problem};
use cartwire_store::Tx;
use serde_json::json;
use time::OffsetDateTime;

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
            Some(id) => OrderId::parse(id).field(Field::Id)?,
            None => generated_order_id(),
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
    pub async fn current_cart_id(&self, p: &Principal) -> Result<OrderId, AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        let deployment = self.deployment().await?;
        let mut tx = self.store().begin().await?;
        let existing = match &p.anonymous_order_id {
            // An anonymous token names its one order: once that is deleted there is no cart
            // to create under the same id, and the shopper needs a new token.
            Some(id) => match tx.order(id).await? {
                Some(o) if o.deleted_at.is_some() || o.checkout.is_none() => {
                    return Err(AppError::not_found(Resource::Order, id.clone()));
                }
                found => found,
            },
            None => tx.current_cart(&p.user_ref()).await?,
        };
        if let Some(o) = existing {
            tx.commit().await?;
            return Ok(o.id);
        }
        let id = match &p.anonymous_order_id {
            Some(id) => {
                OrderId::parse(id).map_err(|e| AppError::Unauthenticated(format!("the token's order id: {e}")))?
            }
            None => generated_order_id(),
        };
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

    pub(crate) async fn commit_change(
        &self,
        mut tx: Tx,
        p: &Principal,
        current: &Order,
        mut next: Order,
    ) -> Result<Order, AppError> {
        sync(&mut next);
        next.updated_at = Some(OffsetDateTime::now_utc());
        next.check_limits().map_err(|e| AppError::invalid(e.what, e.problem))?;
        tx.update_order(&next).await?;
        tx.append_events(&order_events(Some(current), &next, p.describe(), Dialect::OrderCloud)).await?;
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
            Some(id) => ObjectId::parse(id).field(Field::Id)?.to_string(),
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
                    return Err(AppError::IdExists { resource: Resource::LineItem, id });
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
        let current = checkout_of(&order)
            .line(line_id)
            .cloned()
            .ok_or_else(|| AppError::not_found(Resource::LineItem, line_id))?;
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
                .ok_or_else(|| AppError::not_found(Resource::LineItem, line_id.clone()))?;
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
                return Err(AppError::not_found(Resource::LineItem, line_id));
            }
            Ok(())
        })
        .await
    }
}

/// The id of a checkout order the caller did not name: 20 letters and digits, as OrderCloud
/// generates them.
fn generated_order_id() -> OrderId {
    OrderId::parse(&format!("{}{}", new_short_id(), new_short_id())).expect("letters and digits")
}

/// A new unsubmitted order from the caller, with its `cart.updated` event.
pub(crate) async fn new_checkout_order(
    tx: &mut Tx,
    p: &Principal,
    deployment: &cartwire_store::deployment::Deployment,
    id: OrderId,
    draft: OrderDraft,
) -> Result<Order, AppError> {
    let company = p.buyer_id.clone().unwrap_or_default();
    let user = tx.user(&company, &p.user_id).await?;
    let from_user = match &user {
        Some(u) => FromUser {
            id: u.id.to_string(),
            username: u.profile.username.clone(),
            first_name: Some(u.profile.first_name.clone()),
            last_name: Some(u.profile.last_name.clone()),
            email: Some(u.profile.email.clone()),
            phone: u.profile.phone.clone(),
            xp: u.profile.xp.clone(),
        },
        None => FromUser { id: p.user_id.clone(), username: p.username.clone(), xp: json!({}), ..FromUser::default() },
    };
    if !draft.xp.is_object() {
        return Err(AppError::invalid(Field::Extended, Problem::NotObject));
    }
    if let Some(c) = &draft.comments {
        cartwire_domain::id::bounded_text(c, Field::Comments, 2000)?;
    }
    let now = OffsetDateTime::now_utc();
    let currency = draft.currency.unwrap_or_else(CurrencyCode::default_for_deployment);
    let checkout = CheckoutOrder {
        from_user,
        from_company_id: p.buyer_id.clone().unwrap_or_else(|| deployment.org_id.clone()),
        to_company_id: deployment.org_id.clone(),
        comments: draft.comments,
        xp: draft.xp,
        shipping_address: draft.shipping_address,
        billing_address: draft.billing_address,
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
    order.check_limits().map_err(|e| AppError::invalid(e.what, e.problem))?;
    tx.insert_order(&order).await.map_err(AppError::on_insert(Resource::Order, id.to_string()))?;
    tx.append_events(&order_events(None, &order, p.describe(), Dialect::OrderCloud)).await?;
    Ok(order)
}

pub(crate) fn validate_line_draft(d: &LineDraft) -> Result<(), AppError> {
    ObjectId::parse(&d.product_id).field(Field::ProductId)?;
    if let Some(a) = &d.shipping_address {
        a.validate().map_err(|e| AppError::invalid_within(Field::ShippingAddress, e))?;
    }
    if !d.xp.is_object() {
        return Err(AppError::invalid(Field::Extended, Problem::NotObject));
    }
    Ok(())
}
