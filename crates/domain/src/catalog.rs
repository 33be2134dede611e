//! The minimal catalog checkout needs: products and price schedules (prices by quantity), so an
//! order has prices without an AddToCart integration event.

use crate::commerce::{Cents, CurrencyCode};
use crate::id::required_text;
use crate::{DomainError, Field, Problem};

/// How many decimals a currency's minor unit has (ISO 4217 exponents).
pub fn exponent(currency: &CurrencyCode) -> u32 {
    match currency.as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "VND" | "VUV"
        | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Converts a decimal amount written as text (`"9.99"`) into minor units, refusing more
/// decimals than the currency has and negative amounts — never rounding silently.
pub fn to_minor_units(decimal: &str, currency: &CurrencyCode) -> Result<Cents, DomainError> {
    let exp = exponent(currency) as usize;
    let text = decimal.trim();
    let bad = || {
        DomainError::value(format!(
            "must be an amount in {} with at most {exp} decimals, not '{decimal}'",
            currency.as_str()
        ))
    };
    if text.starts_with('-') {
        return Err(DomainError::Value(Problem::AtLeast(0)));
    }
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    // Trailing zeros beyond the exponent carry no precision ("9.990" is 9.99).
    let frac = frac.trim_end_matches('0');
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    if frac.len() > exp || text.contains(['e', 'E']) {
        return Err(bad());
    }
    let minor = format!("{whole}{frac:0<exp$}");
    let value: i64 = minor
        .trim_start_matches('0')
        .parse()
        .or_else(|_| if minor.chars().all(|c| c == '0') { Ok(0) } else { Err(bad()) })?;
    Cents::new(value)
}

/// Renders minor units as a decimal in the currency's precision.
pub fn to_decimal(amount: Cents, currency: &CurrencyCode) -> f64 {
    amount.get() as f64 / 10f64.powi(exponent(currency) as i32)
}

/// A product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Identifier.
    pub id: crate::ObjectId,
    /// Name (required, at most 100 characters).
    pub name: String,
    /// Description (at most 2000 characters).
    pub description: Option<String>,
    /// Inactive products cannot be ordered.
    pub active: bool,
    /// The price schedule that prices it.
    pub default_price_schedule_id: Option<crate::ObjectId>,
    /// Extended properties.
    pub xp: serde_json::Value,
}

impl Product {
    /// Checks names and lengths.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.name, Field::Name, 100)?;
        if self.description.as_ref().is_some_and(|d| d.chars().count() > 2000) {
            return Err(DomainError::field(Field::Description, Problem::TooLong(2000)));
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}

/// A price from a quantity up.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PriceBreak {
    /// From this quantity (≥ 1).
    pub quantity: i64,
    /// Unit price.
    pub price: Cents,
}

/// Prices by quantity in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSchedule {
    /// Identifier.
    pub id: crate::ObjectId,
    /// Name (required).
    pub name: String,
    /// Currency of every price.
    pub currency: CurrencyCode,
    /// Least quantity that may be ordered.
    pub min_quantity: i64,
    /// Most quantity that may be ordered.
    pub max_quantity: Option<i64>,
    /// Breaks, sorted by quantity, the first at quantity 1.
    pub price_breaks: Vec<PriceBreak>,
    /// Extended properties.
    pub xp: serde_json::Value,
}

impl PriceSchedule {
    /// Checks the breaks and limits.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        required_text(&self.name, Field::Name, 100)?;
        if self.min_quantity < 1 || self.max_quantity.is_some_and(|m| m < self.min_quantity) {
            return Err(DomainError::field(
                Field::MinQuantity,
                Problem::rule("must be 1 or more and not above the largest quantity"),
            ));
        }
        self.price_breaks.sort_by_key(|b| b.quantity);
        if self.price_breaks.windows(2).any(|w| w[0].quantity == w[1].quantity) {
            return Err(DomainError::field(Field::PriceBreaks, Problem::rule("must have distinct quantities")));
        }
        if self.price_breaks.iter().any(|b| b.quantity < 1) {
            return Err(DomainError::field(Field::PriceBreaks, Problem::rule("must have quantities of 1 or more")));
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }

    /// The unit price for `quantity`: the break with the largest quantity not above it.
    pub fn unit_price(&self, quantity: i64) -> Option<Cents> {
        self.price_breaks.iter().rev().find(|b| b.quantity <= quantity).map(|b| b.price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    #[test]
    fn decimals_convert_exactly_or_not_at_all() {
        assert_eq!(to_minor_units("9.99", &usd()).unwrap().get(), 999);
        assert_eq!(to_minor_units("10", &usd()).unwrap().get(), 1000);
        assert_eq!(to_minor_units("0.5", &usd()).unwrap().get(), 50);
        assert_eq!(to_minor_units("9.990", &usd()).unwrap().get(), 999);
        assert_eq!(to_minor_units("0", &usd()).unwrap().get(), 0);
        assert!(to_minor_units("9.999", &usd()).is_err(), "more precision than cents");
        assert!(to_minor_units("-1", &usd()).is_err());
        assert!(to_minor_units("1e3", &usd()).is_err());
        let jpy = CurrencyCode::parse("JPY").unwrap();
        assert_eq!(to_minor_units("500", &jpy).unwrap().get(), 500);
        assert!(to_minor_units("500.5", &jpy).is_err());
        let kwd = CurrencyCode::parse("KWD").unwrap();
        assert_eq!(to_minor_units("1.234", &kwd).unwrap().get(), 1234);
    }

    #[test]
    fn price_breaks_pick_the_largest_quantity_not_above() {
        let mut ps = PriceSchedule {
            id: crate::ObjectId::parse("ps").unwrap(),
            name: "p".into(),
            currency: usd(),
            min_quantity: 1,
            max_quantity: None,
            price_breaks: vec![
                PriceBreak { quantity: 10, price: Cents::new(800).unwrap() },
                PriceBreak { quantity: 1, price: Cents::new(1000).unwrap() },
            ],
            xp: serde_json::json!({}),
        };
        ps.validate().unwrap();
        assert_eq!(ps.unit_price(1).unwrap().get(), 1000);
        assert_eq!(ps.unit_price(9).unwrap().get(), 1000);
        assert_eq!(ps.unit_price(10).unwrap().get(), 800);
    }
}
