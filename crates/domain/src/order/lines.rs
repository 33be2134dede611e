//! Order lines: how many of something an order holds ([`Quantity`], one limit for every
//! dialect), and the priced line of a checkout order with the product it orders.
//!
//! A quantity is parsed once, where it enters: a line that exists holds a valid one, so no
//! later step checks it again (each dialect used to check with its own limit).

use super::checkout::Address;
use crate::commerce::Cents;
use crate::id::bounded_text;
use crate::{DomainError, Field, OnField, Problem};
use serde_json::Value;
use time::OffsetDateTime;

/// Most units one line may order.
pub const MAX_QUANTITY: u32 = 1_000_000;

/// How many units a line orders or returns: a whole number from 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(u32);

impl Quantity {
    /// One unit.
    pub const ONE: Quantity = Quantity(1);

    /// A quantity, if `n` is from 1 to [`MAX_QUANTITY`].
    pub fn new(n: i64) -> Result<Self, DomainError> {
        if (1..=i64::from(MAX_QUANTITY)).contains(&n) {
            Ok(Self(n as u32))
        } else {
            Err(DomainError::value(format!("must be a whole number from 1 to {MAX_QUANTITY}")))
        }
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = DomainError;
    fn try_from(n: i64) -> Result<Self, DomainError> {
        Self::new(n)
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        i64::from(q.0)
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a line orders: a catalog product or an ad-hoc product priced by the middleware.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LineProduct {
    /// Product id.
    pub id: String,
    /// Name (required, at most 100 characters).
    pub name: String,
    /// Description (at most 2000 characters).
    pub description: Option<String>,
    /// Whether it may be returned.
    pub returnable: bool,
    /// Units per quantity.
    pub quantity_multiplier: i64,
    /// Shipping weight.
    pub ship_weight: Option<f64>,
    /// Shipping height.
    pub ship_height: Option<f64>,
    /// Shipping width.
    pub ship_width: Option<f64>,
    /// Shipping length.
    pub ship_length: Option<f64>,
    /// Default supplier.
    pub default_supplier_id: Option<String>,
    /// Extended properties.
    pub xp: Value,
}

impl LineProduct {
    /// Checks what a catalog product create checks: id, name ≤ 100, description ≤ 2000.
    pub fn validate(&self) -> Result<(), DomainError> {
        crate::ObjectId::parse(&self.id).on(Field::LineProductId)?;
        crate::id::required_text(&self.name, Field::LineProductName, 100)?;
        if let Some(d) = &self.description {
            bounded_text(d, Field::LineProductDescription, 2000)?;
        }
        if self.quantity_multiplier < 1 {
            return Err(DomainError::field(Field::LineProductQuantityMultiplier, Problem::AtLeast(1)));
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::LineProductExtended, Problem::NotObject));
        }
        Ok(())
    }
}

/// One priced line of a checkout order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckoutLine {
    /// The line's id (unique within the order).
    pub id: String,
    /// The product ordered.
    pub product: LineProduct,
    /// How many.
    pub quantity: Quantity,
    /// Price of one unit, in the order's currency.
    pub unit_price: Cents,
    /// The price schedule that priced it (catalog products).
    pub price_schedule_id: Option<String>,
    /// Whether the price was set by hand or by the middleware instead of the schedule.
    pub price_overridden: bool,
    /// Where this line ships, when it differs from the order's.
    pub shipping_address: Option<Address>,
    /// When the line was added.
    #[serde(with = "time::serde::rfc3339")]
    pub date_added: OffsetDateTime,
    /// Extended properties.
    pub xp: Value,
}

impl CheckoutLine {
    /// Unit price × quantity.
    pub fn subtotal(&self) -> i64 {
        self.unit_price.get().saturating_mul(self.quantity.into())
    }
}

/// A line of `qty` units of product `p` at `cents` each, for the domain's unit tests.
#[cfg(test)]
pub(crate) fn test_line(id: &str, qty: i64, cents: i64) -> CheckoutLine {
    CheckoutLine {
        id: id.into(),
        product: LineProduct {
            id: "p".into(),
            name: "P".into(),
            quantity_multiplier: 1,
            xp: serde_json::json!({}),
            ..Default::default()
        },
        quantity: Quantity::new(qty).unwrap(),
        unit_price: Cents::new(cents).unwrap(),
        price_schedule_id: None,
        price_overridden: false,
        shipping_address: None,
        date_added: OffsetDateTime::UNIX_EPOCH,
        xp: serde_json::json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn quantities_hold_exactly_one_to_the_maximum(n in any::<i64>()) {
            let q = Quantity::new(n);
            prop_assert_eq!(q.is_ok(), (1..=i64::from(MAX_QUANTITY)).contains(&n));
            if let Ok(q) = q {
                prop_assert_eq!(i64::from(q), n);
                let json = serde_json::to_string(&q).unwrap();
                prop_assert_eq!(serde_json::from_str::<Quantity>(&json).unwrap(), q);
            }
        }
    }

    #[test]
    fn quantity_edges() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(-1).is_err());
        assert_eq!(Quantity::new(1).unwrap(), Quantity::ONE);
        assert!(Quantity::new(1_000_000).is_ok());
        assert!(Quantity::new(1_000_001).is_err());
        assert!(serde_json::from_str::<Quantity>("0").is_err(), "stored data is checked too");
        assert!(serde_json::from_str::<Quantity>("1.5").is_err());
    }
}
