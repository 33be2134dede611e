//! Pricing a line item: the catalog price, the AddToCart callout's answer, and who may set a
//! price by hand.

use super::*;
use crate::callout::{CalloutFailure, CalloutWire};
use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::checkout::{CheckoutLine, LineProduct};
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::integration_event::EventType;
use serde_json::{Map, Value, json};

impl App {
    /// Prices a line: through the AddToCart integration event when the caller's client has one
    /// (the middleware's product and price, no catalog fallback), else from the catalog.
    pub(crate) async fn price_line(
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
}

pub(crate) fn requested_price(d: &LineDraft, currency: &CurrencyCode) -> Result<Option<Cents>, AppError> {
    match &d.unit_price {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            cartwire_domain::checkout::amount(v, currency).map(Some).map_err(|e| AppError::invalid("UnitPrice", e))
        }
    }
}

/// A hand-set unit price needs `OverrideUnitPrice`; without one the computed price stands.
pub(crate) fn manual_price(
    p: &Principal,
    requested: Option<Cents>,
    computed: Cents,
) -> Result<(Cents, bool), AppError> {
    match requested {
        Some(price) if price != computed => {
            p.require_any(&[ApiRole::OverrideUnitPrice])?;
            Ok((price, true))
        }
        _ => Ok((computed, false)),
    }
}
