//! The checkout side of an order (OrderCloud's view): who it is from, where it ships, priced
//! lines with their own ids, shipping / tax / fees, the middleware's answers (the worksheet) and
//! whether the calculation is still fresh.
//!
//! The rules live here so every path that changes an order obeys them the same way: any change
//! that can move the total clears the ship estimates and the calculation
//! ([`CheckoutOrder::invalidate`]); totals are always recomputed from the lines
//! ([`CheckoutOrder::totals`]).

use crate::DomainError;
use crate::catalog::to_minor_units;
use crate::commerce::{Cents, CurrencyCode};
use crate::id::bounded_text;
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
    /// Checks the required fields and OrderCloud's lengths (100, country 2). Returns the name of
    /// the offending field with the error.
    pub fn validate(&self) -> Result<(), (&'static str, DomainError)> {
        for (field, value) in [("Street1", &self.street1), ("City", &self.city), ("Country", &self.country)] {
            if value.trim().is_empty() {
                return Err((field, DomainError::Required(field)));
            }
        }
        if self.country.chars().count() != 2 || !self.country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(("Country", DomainError::invalid("Country must be a two-letter country code")));
        }
        let optional = [
            ("ID", &self.id),
            ("CompanyName", &self.company_name),
            ("FirstName", &self.first_name),
            ("LastName", &self.last_name),
            ("Street2", &self.street2),
            ("State", &self.state),
            ("Zip", &self.zip),
            ("Phone", &self.phone),
            ("AddressName", &self.address_name),
        ];
        for (field, value) in [("Street1", &self.street1), ("City", &self.city)]
            .into_iter()
            .map(|(f, v)| (f, Some(v.clone())))
            .chain(optional.into_iter().map(|(f, v)| (f, v.clone())))
        {
            if let Some(v) = value {
                bounded_text(&v, field, 100).map_err(|e| (field, e))?;
            }
        }
        if !self.xp.is_object() {
            return Err(("xp", DomainError::invalid("xp must be an object")));
        }
        Ok(())
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
        crate::ObjectId::parse(&self.id)?;
        crate::id::required_text(&self.name, "Product.Name", 100)?;
        if let Some(d) = &self.description {
            bounded_text(d, "Product.Description", 2000)?;
        }
        if self.quantity_multiplier < 1 {
            return Err(DomainError::invalid("Product.QuantityMultiplier must be 1 or more"));
        }
        if !self.xp.is_object() {
            return Err(DomainError::invalid("Product.xp must be an object"));
        }
        Ok(())
    }
}

/// Most units one line may order.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// One priced line of a checkout order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckoutLine {
    /// The line's id (unique within the order).
    pub id: String,
    /// The product ordered.
    pub product: LineProduct,
    /// How many (1 to [`MAX_QUANTITY`]).
    pub quantity: i64,
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
    /// Checks the quantity.
    pub fn check_quantity(quantity: i64) -> Result<(), DomainError> {
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(DomainError::invalid(format!("Quantity must be from 1 to {MAX_QUANTITY}")));
        }
        Ok(())
    }

    /// Unit price × quantity.
    pub fn subtotal(&self) -> i64 {
        self.unit_price.get().saturating_mul(self.quantity)
    }
}

/// The middleware's answers kept with the order (OrderCloud's worksheet), each as it was
/// answered plus the `HttpStatusCode` / `UnhandledErrorBody` cartwire observed.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Worksheet {
    /// `/shippingrates`.
    pub ship_estimate_response: Option<Value>,
    /// `/ordercalculate`.
    pub order_calculate_response: Option<Value>,
    /// `/ordersubmit`.
    pub order_submit_response: Option<Value>,
    /// `/ordersubmitforapproval`.
    pub order_submit_for_approval_response: Option<Value>,
    /// `/orderapproved`.
    pub order_approved_response: Option<Value>,
}

/// Why a checkout step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    /// Ship methods were chosen before shipping was estimated.
    #[error("Shipping must be estimated (estimateshipping) before ship methods are selected")]
    MustCalculateShipping,
    /// The estimate had no ship estimates to choose from.
    #[error("The shipping estimate has no ship estimates to select from")]
    MustHaveShipEstimates,
    /// A field of the request or the middleware's answer was rejected.
    #[error("{field}: {error}")]
    Invalid {
        /// The offending field.
        field: String,
        /// Why.
        error: DomainError,
    },
}

impl CheckoutError {
    fn invalid(field: impl Into<String>, error: DomainError) -> Self {
        Self::Invalid { field: field.into(), error }
    }
}

/// Converts a JSON number (a decimal amount) into minor units of `currency`, exactly.
pub fn amount(value: &Value, currency: &CurrencyCode) -> Result<Cents, DomainError> {
    match value {
        Value::Number(n) => to_minor_units(&n.to_string(), currency),
        other => Err(DomainError::invalid(format!("an amount must be a number, not {other}"))),
    }
}

/// The checkout side of an order.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CheckoutOrder {
    /// The user who placed it, as OrderCloud's `FromUser` shows it (a snapshot at creation).
    pub from_user: Value,
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
    pub worksheet: Worksheet,
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
        self.worksheet.ship_estimate_response = None;
        self.shipping_cost = Cents::default();
    }

    /// A new revision without the calculation and the tax and fees it set.
    fn clear_calculation(&mut self) {
        self.revision += 1;
        self.calculated_at_revision = None;
        self.worksheet.order_calculate_response = None;
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
                count: l.quantity as u32,
                unit_price: Some(l.unit_price),
                metadata: None,
            })
            .collect()
    }

    /// Stores a `/shippingrates` answer; the previous selections and calculation go.
    pub fn record_ship_estimates(&mut self, response: Value) {
        self.invalidate();
        self.worksheet.ship_estimate_response = Some(response);
    }

    /// Applies ship-method selections (`(ShipEstimateID, ShipMethodID)`) to the stored
    /// estimate; the shipping cost becomes the sum of the selected methods' costs.
    pub fn select_ship_methods(
        &mut self,
        selections: &[(String, String)],
        currency: &CurrencyCode,
    ) -> Result<(), CheckoutError> {
        let mut response = self.worksheet.ship_estimate_response.clone().ok_or(CheckoutError::MustCalculateShipping)?;
        if response.get("HttpStatusCode").and_then(Value::as_u64).is_some_and(|s| s != 200) {
            return Err(CheckoutError::MustCalculateShipping);
        }
        let estimates = response
            .get_mut("ShipEstimates")
            .and_then(Value::as_array_mut)
            .filter(|e| !e.is_empty())
            .ok_or(CheckoutError::MustHaveShipEstimates)?;
        for (n, (estimate_id, method_id)) in selections.iter().enumerate() {
            let estimate = estimates
                .iter_mut()
                .find(|e| e.get("ID").and_then(Value::as_str) == Some(estimate_id.as_str()))
                .ok_or_else(|| {
                    CheckoutError::invalid(
                        format!("ShipMethodSelections[{n}].ShipEstimateID"),
                        DomainError::invalid(format!("no ship estimate '{estimate_id}'")),
                    )
                })?;
            let known = estimate
                .get("ShipMethods")
                .and_then(Value::as_array)
                .is_some_and(|m| m.iter().any(|m| m.get("ID").and_then(Value::as_str) == Some(method_id.as_str())));
            if !known {
                return Err(CheckoutError::invalid(
                    format!("ShipMethodSelections[{n}].ShipMethodID"),
                    DomainError::invalid(format!("ship estimate '{estimate_id}' has no ship method '{method_id}'")),
                ));
            }
            estimate["SelectedShipMethodID"] = Value::String(method_id.clone());
        }
        let mut shipping = 0i64;
        for (n, estimate) in estimates.iter().enumerate() {
            let Some(selected) = estimate.get("SelectedShipMethodID").and_then(Value::as_str) else { continue };
            let method = estimate
                .get("ShipMethods")
                .and_then(Value::as_array)
                .and_then(|m| m.iter().find(|m| m.get("ID").and_then(Value::as_str) == Some(selected)));
            if let Some(cost) = method.and_then(|m| m.get("Cost")) {
                let cost = amount(cost, currency)
                    .map_err(|e| CheckoutError::invalid(format!("ShipEstimates[{n}].ShipMethods.Cost"), e))?;
                shipping = shipping.saturating_add(cost.get());
            }
        }
        // A new selection changes the shipping, so an earlier calculation is stale; the
        // estimates themselves stay.
        self.clear_calculation();
        self.shipping_cost = Cents::new(shipping).unwrap_or_default();
        self.worksheet.ship_estimate_response = Some(response);
        Ok(())
    }

    /// Applies an `/ordercalculate` answer: `ShippingTotal`, `TaxTotal`, `FeeTotal` and the
    /// `LineItemOverrides` (unit price, a partial product for ad-hoc lines, `Remove`). Every
    /// amount must be exact in `currency`; nothing is applied when one is not.
    pub fn apply_calculation(&mut self, response: Value, currency: &CurrencyCode) -> Result<(), CheckoutError> {
        let mut next = self.clone();
        let field_amount = |name: &str| -> Result<Option<Cents>, CheckoutError> {
            match response.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => amount(v, currency).map(Some).map_err(|e| CheckoutError::invalid(name, e)),
            }
        };
        if let Some(shipping) = field_amount("ShippingTotal")? {
            next.shipping_cost = shipping;
        }
        next.tax_cost = field_amount("TaxTotal")?.unwrap_or_default();
        next.fees = field_amount("FeeTotal")?.unwrap_or_default();
        let overrides = match response.get("LineItemOverrides") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => {
                return Err(CheckoutError::invalid(
                    "LineItemOverrides",
                    DomainError::invalid("LineItemOverrides must be an array"),
                ));
            }
        };
        for (n, o) in overrides.iter().enumerate() {
            let at = |f: &str| format!("LineItemOverrides[{n}].{f}");
            let line_id = o
                .get("LineItemID")
                .and_then(Value::as_str)
                .ok_or_else(|| CheckoutError::invalid(at("LineItemID"), DomainError::Required("LineItemID")))?;
            let index = next.lines.iter().position(|l| l.id == line_id).ok_or_else(|| {
                CheckoutError::invalid(at("LineItemID"), DomainError::invalid(format!("no line item '{line_id}'")))
            })?;
            if o.get("Remove").and_then(Value::as_bool) == Some(true) {
                next.lines.remove(index);
                continue;
            }
            let line = &mut next.lines[index];
            if let Some(price) = o.get("UnitPrice").filter(|v| !v.is_null()) {
                line.unit_price = amount(price, currency).map_err(|e| CheckoutError::invalid(at("UnitPrice"), e))?;
                line.price_overridden = true;
            }
            if let Some(Value::Object(patch)) = o.get("Product") {
                let product = &mut line.product;
                if let Some(name) = patch.get("Name").and_then(Value::as_str) {
                    product.name = name.to_owned();
                }
                if let Some(d) = patch.get("Description") {
                    product.description = d.as_str().map(str::to_owned);
                }
                if let (Some(Value::Object(xp)), Value::Object(current)) = (patch.get("xp"), &mut product.xp) {
                    current.extend(xp.clone());
                }
                product.validate().map_err(|e| CheckoutError::invalid(at("Product"), e))?;
            }
        }
        next.worksheet.order_calculate_response = Some(response);
        next.calculated_at_revision = Some(next.revision);
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval_rules::RuleExpression;
    use serde_json::json;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    fn line(id: &str, qty: i64, cents: i64) -> CheckoutLine {
        CheckoutLine {
            id: id.into(),
            product: LineProduct {
                id: "p".into(),
                name: "P".into(),
                quantity_multiplier: 1,
                xp: json!({}),
                ..Default::default()
            },
            quantity: qty,
            unit_price: Cents::new(cents).unwrap(),
            price_schedule_id: None,
            price_overridden: false,
            shipping_address: None,
            date_added: OffsetDateTime::UNIX_EPOCH,
            xp: json!({}),
        }
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
    fn selecting_methods_needs_estimates_and_sums_costs() {
        let mut o = order();
        assert_eq!(o.select_ship_methods(&[], &usd()), Err(CheckoutError::MustCalculateShipping));
        o.record_ship_estimates(json!({"ShipEstimates": [], "HttpStatusCode": 200}));
        assert_eq!(o.select_ship_methods(&[], &usd()), Err(CheckoutError::MustHaveShipEstimates));
        o.record_ship_estimates(json!({"ShipEstimates": [
            {"ID": "e1", "ShipMethods": [{"ID": "ground", "Cost": 10}, {"ID": "air", "Cost": 25.5}]},
            {"ID": "e2", "ShipMethods": [{"ID": "ground", "Cost": 4.25}]}], "HttpStatusCode": 200}));
        o.select_ship_methods(&[("e1".into(), "air".into()), ("e2".into(), "ground".into())], &usd()).unwrap();
        assert_eq!(o.shipping_cost.get(), 2975);
        assert_eq!(
            o.worksheet.ship_estimate_response.as_ref().unwrap()["ShipEstimates"][0]["SelectedShipMethodID"],
            "air"
        );
        assert!(matches!(
            o.select_ship_methods(&[("e1".into(), "teleport".into())], &usd()),
            Err(CheckoutError::Invalid { .. })
        ));
    }

    #[test]
    fn calculation_applies_totals_and_overrides_and_goes_stale_on_change() {
        let mut o = order();
        assert!(!o.is_calculated());
        o.apply_calculation(
            json!({"ShippingTotal": 10, "TaxTotal": 3.5, "FeeTotal": 0.25,
                   "LineItemOverrides": [{"LineItemID": "a", "UnitPrice": 6, "Product": {"Name": "Renamed"}},
                                         {"LineItemID": "b", "Remove": true}]}),
            &usd(),
        )
        .unwrap();
        assert!(o.is_calculated());
        assert_eq!(o.lines.len(), 1);
        assert_eq!((o.lines[0].unit_price.get(), o.lines[0].product.name.as_str()), (600, "Renamed"));
        assert_eq!(o.total(), 1200 + 1000 + 350 + 25);
        o.invalidate();
        assert!(!o.is_calculated());
        assert_eq!(o.total(), 1200);
    }

    #[test]
    fn a_calculation_with_inexact_money_changes_nothing() {
        let mut o = order();
        let before = o.clone();
        let err = o.apply_calculation(json!({"TaxTotal": 1.005}), &usd()).unwrap_err();
        assert!(matches!(err, CheckoutError::Invalid { ref field, .. } if field == "TaxTotal"));
        let err = o.apply_calculation(json!({"LineItemOverrides": [{"LineItemID": "zz"}]}), &usd()).unwrap_err();
        assert!(matches!(err, CheckoutError::Invalid { .. }));
        assert_eq!(o, before);
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
        assert_eq!(Address { country: "USA".into(), ..ok.clone() }.validate().unwrap_err().0, "Country");
        assert_eq!(Address { city: " ".into(), ..ok.clone() }.validate().unwrap_err().0, "City");
        assert_eq!(Address { zip: Some("9".repeat(101)), ..ok }.validate().unwrap_err().0, "Zip");
    }
}
