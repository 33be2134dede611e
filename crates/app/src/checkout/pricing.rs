//! Pricing a line item: the catalog price, the AddToCart callout's answer, and who may set a
//! price by hand.

use super::*;
use crate::callout::{AddToCartAnswer, AddToCartQuery, Callout, CalloutFailure, CalloutWire};
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::integration_event::EventType;
use cartwire_domain::order::lines::{LineProduct, Quantity};
use cartwire_domain::{Field, Problem};

impl App {
    /// Prices a line: through the AddToCart integration event when the caller's client has one
    /// (the middleware's product and price, no catalog fallback), else from the catalog.
    pub(crate) async fn price_line(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        currency: &CurrencyCode,
        product_id: &str,
        quantity: Quantity,
    ) -> Result<(LineProduct, Cents, Option<String>), AppError> {
        if let Some(event) = self.attached_event(p, EventType::AddToCart).await? {
            let user = {
                let mut tx = self.store().read().await?;
                let u = tx.user(p.buyer_id.as_deref().unwrap_or(""), &p.user_id).await?;
                tx.commit().await?;
                u
            };
            let seller_id = self.deployment().await?.org_id;
            let query = AddToCartQuery {
                product_id,
                quantity,
                buyer_id: p.buyer_id.as_deref(),
                buyer_user: user.as_ref(),
                seller_id: &seller_id,
            };
            let (answer, status) =
                self.call_middleware(p, wire, &event, &Callout::AddToCart(&query)).await.map_err(|f| f.error())?;
            return match wire.add_to_cart_answer(&query, &answer, currency) {
                Ok(AddToCartAnswer::NoProduct) => Err(AppError::not_found(Resource::Product, product_id)),
                Ok(AddToCartAnswer::Priced { product, unit_price }) => Ok((*product, unit_price, None)),
                Err(why) => Err(CalloutFailure {
                    status,
                    body: format!("{why}: {}", cartwire_outbound::excerpt(answer.to_string().as_bytes())),
                }
                .error()),
            };
        }
        let mut tx = self.store().read().await?;
        let product = tx.product(product_id).await?.filter(|p| p.active);
        let schedule = match product.as_ref().and_then(|p| p.default_price_schedule_id.clone()) {
            Some(id) => tx.price_schedule(id.as_str()).await?,
            None => None,
        };
        tx.commit().await?;
        let product = product.ok_or_else(|| AppError::not_found(Resource::Product, product_id))?;
        let schedule = schedule.ok_or_else(|| {
            AppError::invalid(
                Field::ProductId,
                Problem::rule(format!("must name a product with a price schedule; {product_id} has none")),
            )
        })?;
        if &schedule.currency != currency {
            return Err(AppError::invalid(
                Field::ProductId,
                Problem::rule(format!(
                    "must name a product priced in the order's currency {}; {product_id} is priced in {}",
                    currency.as_str(),
                    schedule.currency.as_str()
                )),
            ));
        }
        let count = i64::from(quantity);
        if count < schedule.min_quantity || schedule.max_quantity.is_some_and(|m| count > m) {
            return Err(AppError::invalid(
                Field::Quantity,
                Problem::rule(format!(
                    "must be from {} to {} for product {product_id}",
                    schedule.min_quantity,
                    schedule.max_quantity.map(|m| m.to_string()).unwrap_or_else(|| "any".into())
                )),
            ));
        }
        let unit_price = schedule.unit_price(count).ok_or_else(|| {
            AppError::invalid(
                Field::Quantity,
                Problem::rule(format!("{quantity} is covered by no price break of {}", schedule.id)),
            )
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
        None => Ok(None),
        Some(a) => a.in_currency(currency).map(Some).field(Field::UnitPrice),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::caller;

    fn cents(n: i64) -> Cents {
        Cents::new(n).expect("whole cents")
    }

    #[test]
    fn a_hand_set_price_needs_override_unit_price_unless_it_is_the_computed_one() {
        let shopper = caller(&["Shopper"]);
        assert_eq!(manual_price(&shopper, None, cents(500)).expect("computed"), (cents(500), false));
        // Sending the price the schedule gives is not an override.
        assert_eq!(manual_price(&shopper, Some(cents(500)), cents(500)).expect("same"), (cents(500), false));
        assert!(manual_price(&shopper, Some(cents(1)), cents(500)).is_err());
        let overrider = caller(&["Shopper", "OverrideUnitPrice"]);
        assert_eq!(manual_price(&overrider, Some(cents(1)), cents(500)).expect("allowed"), (cents(1), true));
        assert_eq!(manual_price(&caller(&["FullAccess"]), Some(cents(0)), cents(500)).expect("ok"), (cents(0), true));
    }
}
