//! The checkout side of an order (OrderCloud's view): who it is from, where it ships, priced
//! lines with their own ids, shipping / tax / fees, the middleware's answers (the worksheet) and
//! whether the calculation is still fresh.
//!
//! The rules live here so every path that changes an order obeys them the same way: any change
//! that can move the total clears the ship estimates and the calculation
//! ([`CheckoutOrder::invalidate`]); totals are always recomputed from the lines
//! ([`CheckoutOrder::totals`]).

use super::lines::CheckoutLine;
use crate::commerce::{Cents, CurrencyCode};
use crate::id::bounded_text;
use crate::{DomainError, Field, Problem};
use serde_json::Value;
use time::OffsetDateTime;

/// A postal address (ship-to or bill-to).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// The saved address it came from, when any.
    pub id: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Street, first line (required).
    pub street1: String,
    /// Street, second line.
    pub street2: Option<String>,
    /// City (required).
    pub city: String,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Two-letter country code (required).
    pub country: String,
    /// Phone.
    pub phone: Option<String>,
    /// A name for the address.
    pub address_name: Option<String>,
    /// Extended properties.
    pub xp: Value,
}

impl Address {
    /// Checks the required fields and the lengths (100, country 2).
    pub fn validate(&self) -> Result<(), DomainError> {
        for (field, value) in
            [(Field::Street1, &self.street1), (Field::City, &self.city), (Field::Country, &self.country)]
        {
            if value.trim().is_empty() {
                return Err(DomainError::field(field, Problem::Required));
            }
        }
        if self.country.chars().count() != 2 || !self.country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(DomainError::field(Field::Country, Problem::rule("must be a two-letter country code")));
        }
        let optional = [
            (Field::Id, &self.id),
            (Field::CompanyName, &self.company_name),
            (Field::FirstName, &self.first_name),
            (Field::LastName, &self.last_name),
            (Field::Street2, &self.street2),
            (Field::State, &self.state),
            (Field::Zip, &self.zip),
            (Field::Phone, &self.phone),
            (Field::AddressName, &self.address_name),
        ];
        for (field, value) in [(Field::Street1, &self.street1), (Field::City, &self.city)]
            .into_iter()
            .map(|(f, v)| (f, Some(v.clone())))
            .chain(optional.into_iter().map(|(f, v)| (f, v.clone())))
        {
            if let Some(v) = value {
                bounded_text(&v, field, 100)?;
            }
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}

/// Why a checkout step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    /// Ship methods were chosen before shipping was estimated (or the estimate failed).
    #[error("Shipping must be estimated before ship methods are selected")]
    MustCalculateShipping,
    /// The estimate had no ship estimates to choose from.
    #[error("The shipping estimate has no ship estimates to select from")]
    MustHaveShipEstimates,
    /// Selection `index` names an estimate the middleware did not give.
    #[error("selection {index}: no ship estimate '{estimate_id}'")]
    UnknownShipEstimate {
        /// The selection's position.
        index: usize,
        /// The estimate it names.
        estimate_id: String,
    },
    /// Selection `index` names a method its estimate does not offer.
    #[error("selection {index}: ship estimate '{estimate_id}' has no ship method '{method_id}'")]
    UnknownShipMethod {
        /// The selection's position.
        index: usize,
        /// The estimate.
        estimate_id: String,
        /// The method it names.
        method_id: String,
    },
    /// Line override `index` of a calculation names a line the order does not have.
    #[error("line override {index}: no line item '{line_id}'")]
    UnknownLine {
        /// The override's position.
        index: usize,
        /// The line it names.
        line_id: String,
    },
    /// Line override `index` leaves its line's product invalid.
    #[error("line override {index}: {error}")]
    InvalidProduct {
        /// The override's position.
        index: usize,
        /// Why.
        error: DomainError,
    },
}

/// A snapshot of the user an order is from, taken when it is created (later changes to the
/// user do not rewrite their orders).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FromUser {
    /// The user's id.
    pub id: String,
    /// Username.
    pub username: String,
    /// First name, when the user is stored.
    pub first_name: Option<String>,
    /// Last name, when the user is stored.
    pub last_name: Option<String>,
    /// Email, when the user is stored.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Extended properties.
    pub xp: Value,
}

/// The checkout side of an order.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CheckoutOrder {
    /// The user who placed it, as they were when the order was created.
    pub from_user: FromUser,
    /// The buyer company it comes from (the seller's own id for admin users).
    pub from_company_id: String,
    /// The company it goes to (the marketplace).
    pub to_company_id: String,
    /// Bill-to.
    pub billing_address: Option<Address>,
    /// Ship-to.
    pub shipping_address: Option<Address>,
    /// Free comments (do not affect the total).
    pub comments: Option<String>,
    /// The lines.
    pub lines: Vec<CheckoutLine>,
    /// Shipping cost (selected ship methods, or the calculation's `ShippingTotal`).
    pub shipping_cost: Cents,
    /// Tax (the calculation's `TaxTotal`).
    pub tax_cost: Cents,
    /// Fees (the calculation's `FeeTotal`).
    pub fees: Cents,
    /// The middleware's answers.
    pub worksheet: super::worksheet::Worksheet,
    /// Bumped by every change that can move the total; a calculation is fresh while it was
    /// made at the current revision.
    pub revision: u64,
    /// The revision the last successful calculation was made at.
    pub calculated_at_revision: Option<u64>,
    /// Extended properties of the order.
    pub xp: Value,
    /// When it was approved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_approved: Option<OffsetDateTime>,
    /// When approval was declined.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_declined: Option<OffsetDateTime>,
    /// When it was canceled.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_canceled: Option<OffsetDateTime>,
    /// When it was completed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_completed: Option<OffsetDateTime>,
}

impl CheckoutOrder {
    /// Whether a calculation was made and nothing that moves the total changed since.
    pub fn is_calculated(&self) -> bool {
        self.calculated_at_revision == Some(self.revision)
    }

    /// Records a change that can move the total: ship estimates, selections and the
    /// calculation (with the shipping, tax and fees it set) are no longer valid.
    pub fn invalidate(&mut self) {
        self.clear_calculation();
        self.worksheet.shipping_rates = None;
        self.worksheet.ship_estimates.clear();
        self.shipping_cost = Cents::default();
    }

    /// A new revision without the calculation and the tax and fees it set.
    pub(super) fn clear_calculation(&mut self) {
        self.revision += 1;
        self.calculated_at_revision = None;
        self.worksheet.calculation = None;
        self.tax_cost = Cents::default();
        self.fees = Cents::default();
    }

    /// The line with this id.
    pub fn line(&self, id: &str) -> Option<&CheckoutLine> {
        self.lines.iter().find(|l| l.id == id)
    }

    /// Sum of the lines.
    pub fn subtotal(&self) -> i64 {
        self.lines.iter().map(CheckoutLine::subtotal).fold(0i64, i64::saturating_add)
    }

    /// Subtotal + shipping + tax + fees.
    pub fn total(&self) -> i64 {
        self.subtotal()
            .saturating_add(self.shipping_cost.get())
            .saturating_add(self.tax_cost.get())
            .saturating_add(self.fees.get())
    }

    /// The order's totals in `currency`.
    pub fn totals(&self, currency: CurrencyCode) -> crate::order::Totals {
        crate::order::Totals {
            currency,
            total: Cents::new(self.total()).unwrap_or_default(),
            shipping: Some(self.shipping_cost),
            tax: Some(self.tax_cost),
            discount: Some(Cents::default()),
        }
    }

    /// The order's lines as the one order model carries them.
    pub fn order_lines(&self) -> Vec<crate::order::LineItem> {
        self.lines
            .iter()
            .map(|l| crate::order::LineItem {
                id: Some(l.id.clone()),
                configuration_id: l.product.id.clone(),
                count: l.quantity,
                unit_price: Some(l.unit_price),
                metadata: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::approval_rules::RuleExpression;

    use serde_json::json;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    fn line(id: &str, qty: i64, cents: i64) -> CheckoutLine {
        crate::order::lines::test_line(id, qty, cents)
    }

    fn order() -> CheckoutOrder {
        CheckoutOrder { lines: vec![line("a", 2, 999), line("b", 1, 500)], xp: json!({}), ..Default::default() }
    }

    #[test]
    fn totals_add_lines_shipping_tax_and_fees() {
        let mut o = order();
        assert_eq!(o.subtotal(), 2498);
        o.shipping_cost = Cents::new(1000).unwrap();
        o.tax_cost = Cents::new(300).unwrap();
        o.fees = Cents::new(2).unwrap();
        assert_eq!(o.total(), 3800);
        assert_eq!(o.totals(usd()).total.get(), 3800);
    }

    #[test]
    fn rule_expressions_compare_exactly_and_refuse_what_they_cannot_evaluate() {
        let o = order(); // total 24.98, two lines
        let cases = [
            ("order.Total > 24.97", true),
            ("order.Total > 24.98", false),
            ("order.Total >= 24.98", true),
            ("order.Total > 24.979", true),
            ("order.Total < 100", true),
            ("order.Subtotal = 24.98", true),
            ("order.LineItemCount >= 2", true),
            ("order.LineItemCount > 2", false),
            ("order.TaxCost != 0", false),
        ];
        for (text, expected) in cases {
            assert_eq!(RuleExpression::parse(text).unwrap().matches(&o, &usd()), expected, "{text}");
        }
        for bad in [
            "order.xp.Foo = 'x'",
            "Total > 1",
            "order.Total > abc",
            "order.Total",
            "order.Total > 1 and order.Total < 5",
        ] {
            assert!(RuleExpression::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_need_street_city_and_a_two_letter_country() {
        let ok = Address {
            street1: "1 Main".into(),
            city: "X".into(),
            country: "US".into(),
            xp: json!({}),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        assert_eq!(
            Address { country: "USA".into(), ..ok.clone() }.validate().unwrap_err().subject(),
            Some(Field::Country)
        );
        assert_eq!(Address { city: " ".into(), ..ok.clone() }.validate().unwrap_err().subject(), Some(Field::City));
        assert_eq!(Address { zip: Some("9".repeat(101)), ..ok }.validate().unwrap_err().subject(), Some(Field::Zip));
    }
}
