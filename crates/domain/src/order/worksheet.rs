//! The worksheet: what the merchant's middleware answered at each checkout step, kept with the
//! order, and the rules that apply those answers — ship estimates and the methods chosen among
//! them, and a calculation's shipping, tax, fees and line overrides.
//!
//! The dialect that speaks the callout protocol reads each answer into the typed values here
//! ([`ShipEstimate`], [`Calculation`]); the domain never reads a middleware's document. The
//! document itself is kept, opaque, in a [`CalloutRecord`] so the dialect can show it back as
//! the middleware sent it.

use super::checkout::{CheckoutError, CheckoutOrder};
use crate::commerce::Cents;
use serde_json::{Map, Value};

/// One callout's outcome, as the order keeps it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CalloutRecord {
    /// The middleware's HTTP status; 0 when it never answered.
    pub status: u16,
    /// Why the answer was not usable (its body cut to 4 KiB, or why there was none); `None`
    /// when it was.
    pub error_body: Option<String>,
    /// The answer as the middleware sent it (a JSON object), `Null` when there was none. Kept
    /// to be shown back; nothing here reads it.
    pub answer: Value,
}

impl CalloutRecord {
    /// A usable answer.
    pub fn answered(status: u16, answer: Value) -> Self {
        Self { status, error_body: None, answer }
    }

    /// A failed call.
    pub fn failed(status: u16, error_body: String) -> Self {
        Self { status, error_body: Some(error_body), answer: Value::Null }
    }

    /// Whether the answer was usable.
    pub fn succeeded(&self) -> bool {
        self.error_body.is_none()
    }
}

/// One group of lines shipped together and the ways it can ship.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ShipEstimate {
    /// The estimate's id (the middleware's).
    pub id: String,
    /// The methods it offers.
    pub methods: Vec<ShipMethod>,
    /// The method chosen, if any.
    pub selected_method: Option<String>,
}

/// A way to ship an estimate's lines.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ShipMethod {
    /// The method's id (the middleware's).
    pub id: String,
    /// What it costs in the order's currency (0 when the middleware named no cost).
    pub cost: Cents,
}

/// What a calculation answered: the amounts it sets and the lines it changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Calculation {
    /// Shipping, when the calculation sets it (else the selected methods' costs stand).
    pub shipping: Option<Cents>,
    /// Tax (0 when absent).
    pub tax: Option<Cents>,
    /// Fees (0 when absent).
    pub fees: Option<Cents>,
    /// Changes to lines, in the order given.
    pub overrides: Vec<LineOverride>,
}

/// A calculation's change to one line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineOverride {
    /// The line.
    pub line_id: String,
    /// Remove the line.
    pub remove: bool,
    /// Its new unit price.
    pub unit_price: Option<Cents>,
    /// Changes to its product (ad-hoc products priced by the middleware).
    pub product: Option<ProductPatch>,
}

/// A partial product: what is present replaces, what is absent stays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// Extended properties merged into the product's.
    pub xp: Option<Map<String, Value>>,
}

/// The middleware's answers kept with the order, one record per step.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Worksheet {
    /// Shipping rates (`estimateshipping`).
    pub shipping_rates: Option<CalloutRecord>,
    /// The estimates the shipping rates gave, with the methods chosen.
    pub ship_estimates: Vec<ShipEstimate>,
    /// The calculation.
    pub calculation: Option<CalloutRecord>,
    /// The notice of a submit.
    pub submitted: Option<CalloutRecord>,
    /// The notice of a submit that waits for approval.
    pub submitted_for_approval: Option<CalloutRecord>,
    /// The notice of an approval.
    pub approved: Option<CalloutRecord>,
}

impl CheckoutOrder {
    /// Stores a shipping-rates outcome and the estimates read from it; the previous
    /// selections and calculation go.
    pub fn record_ship_estimates(&mut self, record: CalloutRecord, estimates: Vec<ShipEstimate>) {
        self.invalidate();
        self.worksheet.shipping_rates = Some(record);
        self.worksheet.ship_estimates = estimates;
    }

    /// Applies ship-method selections (`(estimate id, method id)`); the shipping cost becomes
    /// the sum of the selected methods' costs. Nothing changes when one selection is refused.
    pub fn select_ship_methods(&mut self, selections: &[(String, String)]) -> Result<(), CheckoutError> {
        if !self.worksheet.shipping_rates.as_ref().is_some_and(CalloutRecord::succeeded) {
            return Err(CheckoutError::MustCalculateShipping);
        }
        let mut estimates = self.worksheet.ship_estimates.clone();
        if estimates.is_empty() {
            return Err(CheckoutError::MustHaveShipEstimates);
        }
        for (index, (estimate_id, method_id)) in selections.iter().enumerate() {
            let estimate = estimates
                .iter_mut()
                .find(|e| &e.id == estimate_id)
                .ok_or_else(|| CheckoutError::UnknownShipEstimate { index, estimate_id: estimate_id.clone() })?;
            if !estimate.methods.iter().any(|m| &m.id == method_id) {
                return Err(CheckoutError::UnknownShipMethod {
                    index,
                    estimate_id: estimate_id.clone(),
                    method_id: method_id.clone(),
                });
            }
            estimate.selected_method = Some(method_id.clone());
        }
        let shipping = estimates
            .iter()
            .filter_map(|e| {
                let selected = e.selected_method.as_ref()?;
                e.methods.iter().find(|m| &m.id == selected).map(|m| m.cost.get())
            })
            .fold(0i64, i64::saturating_add);
        // A new selection changes the shipping, so an earlier calculation is stale; the
        // estimates themselves stay.
        self.clear_calculation();
        self.shipping_cost = Cents::new(shipping).unwrap_or_default();
        self.worksheet.ship_estimates = estimates;
        Ok(())
    }

    /// Applies a calculation: shipping (when set), tax, fees and the line overrides (unit
    /// price, a partial product, removal). Nothing is applied when one override is refused.
    pub fn apply_calculation(&mut self, record: CalloutRecord, calc: Calculation) -> Result<(), CheckoutError> {
        let mut next = self.clone();
        if let Some(shipping) = calc.shipping {
            next.shipping_cost = shipping;
        }
        next.tax_cost = calc.tax.unwrap_or_default();
        next.fees = calc.fees.unwrap_or_default();
        for (index, o) in calc.overrides.into_iter().enumerate() {
            let at = next
                .lines
                .iter()
                .position(|l| l.id == o.line_id)
                .ok_or_else(|| CheckoutError::UnknownLine { index, line_id: o.line_id.clone() })?;
            if o.remove {
                next.lines.remove(at);
                continue;
            }
            let line = &mut next.lines[at];
            if let Some(price) = o.unit_price {
                line.unit_price = price;
                line.price_overridden = true;
            }
            if let Some(patch) = o.product {
                let product = &mut line.product;
                if let Some(name) = patch.name {
                    product.name = name;
                }
                if let Some(d) = patch.description {
                    product.description = d;
                }
                if let (Some(xp), Value::Object(current)) = (patch.xp, &mut product.xp) {
                    current.extend(xp);
                }
                product.validate().map_err(|error| CheckoutError::InvalidProduct { index, error })?;
            }
        }
        next.worksheet.calculation = Some(record);
        next.calculated_at_revision = Some(next.revision);
        *self = next;
        Ok(())
    }

    /// Records a calculation that failed: the order is not calculated.
    pub fn record_calculation_failure(&mut self, record: CalloutRecord) {
        self.calculated_at_revision = None;
        self.worksheet.calculation = Some(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::lines::CheckoutLine;
    use serde_json::json;

    fn line(id: &str, qty: i64, cents: i64) -> CheckoutLine {
        crate::order::lines::test_line(id, qty, cents)
    }

    fn order() -> CheckoutOrder {
        CheckoutOrder { lines: vec![line("a", 2, 999), line("b", 1, 500)], xp: json!({}), ..Default::default() }
    }

    fn cents(n: i64) -> Cents {
        Cents::new(n).unwrap()
    }

    fn estimate(id: &str, methods: &[(&str, i64)]) -> ShipEstimate {
        ShipEstimate {
            id: id.into(),
            methods: methods.iter().map(|(m, c)| ShipMethod { id: (*m).into(), cost: cents(*c) }).collect(),
            selected_method: None,
        }
    }

    #[test]
    fn selecting_methods_needs_estimates_and_sums_costs() {
        let mut o = order();
        assert_eq!(o.select_ship_methods(&[]), Err(CheckoutError::MustCalculateShipping));
        o.record_ship_estimates(CalloutRecord::failed(503, "down".into()), vec![estimate("e1", &[("g", 1)])]);
        assert_eq!(o.select_ship_methods(&[]), Err(CheckoutError::MustCalculateShipping), "a failed estimate");
        o.record_ship_estimates(CalloutRecord::answered(200, json!({})), vec![]);
        assert_eq!(o.select_ship_methods(&[]), Err(CheckoutError::MustHaveShipEstimates));
        o.record_ship_estimates(
            CalloutRecord::answered(200, json!({})),
            vec![estimate("e1", &[("ground", 1000), ("air", 2550)]), estimate("e2", &[("ground", 425)])],
        );
        o.select_ship_methods(&[("e1".into(), "air".into()), ("e2".into(), "ground".into())]).unwrap();
        assert_eq!(o.shipping_cost.get(), 2975);
        assert_eq!(o.worksheet.ship_estimates[0].selected_method.as_deref(), Some("air"));
        let before = o.clone();
        assert_eq!(
            o.select_ship_methods(&[("e1".into(), "ground".into()), ("e1".into(), "teleport".into())]),
            Err(CheckoutError::UnknownShipMethod { index: 1, estimate_id: "e1".into(), method_id: "teleport".into() })
        );
        assert_eq!(
            o.select_ship_methods(&[("e9".into(), "ground".into())]),
            Err(CheckoutError::UnknownShipEstimate { index: 0, estimate_id: "e9".into() })
        );
        assert_eq!(o, before, "a refused selection changes nothing");
        o.invalidate();
        assert!(o.worksheet.ship_estimates.is_empty() && o.worksheet.shipping_rates.is_none());
    }

    #[test]
    fn calculation_applies_totals_and_overrides_and_goes_stale_on_change() {
        let mut o = order();
        assert!(!o.is_calculated());
        let calc = Calculation {
            shipping: Some(cents(1000)),
            tax: Some(cents(350)),
            fees: Some(cents(25)),
            overrides: vec![
                LineOverride {
                    line_id: "a".into(),
                    unit_price: Some(cents(600)),
                    product: Some(ProductPatch { name: Some("Renamed".into()), ..Default::default() }),
                    ..Default::default()
                },
                LineOverride { line_id: "b".into(), remove: true, ..Default::default() },
            ],
        };
        o.apply_calculation(CalloutRecord::answered(200, json!({})), calc).unwrap();
        assert!(o.is_calculated());
        assert_eq!(o.lines.len(), 1);
        assert_eq!((o.lines[0].unit_price.get(), o.lines[0].product.name.as_str()), (600, "Renamed"));
        assert!(o.lines[0].price_overridden);
        assert_eq!(o.total(), 1200 + 1000 + 350 + 25);
        o.invalidate();
        assert!(!o.is_calculated());
        assert_eq!(o.total(), 1200);
    }

    #[test]
    fn a_refused_override_changes_nothing() {
        let mut o = order();
        let before = o.clone();
        let unknown = Calculation {
            tax: Some(cents(1)),
            overrides: vec![LineOverride { line_id: "zz".into(), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(
            o.apply_calculation(CalloutRecord::answered(200, json!({})), unknown),
            Err(CheckoutError::UnknownLine { index: 0, line_id: "zz".into() })
        );
        let nameless = Calculation {
            overrides: vec![LineOverride {
                line_id: "a".into(),
                product: Some(ProductPatch { name: Some(String::new()), ..Default::default() }),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(matches!(
            o.apply_calculation(CalloutRecord::answered(200, json!({})), nameless),
            Err(CheckoutError::InvalidProduct { index: 0, .. })
        ));
        assert_eq!(o, before);
        o.record_calculation_failure(CalloutRecord::failed(500, "boom".into()));
        assert!(!o.is_calculated());
        assert!(!o.worksheet.calculation.as_ref().unwrap().succeeded());
    }
}
