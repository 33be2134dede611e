//! OrderCloud's integration-event protocol, which the merchant's middleware speaks: each call's
//! path and request document (`OrderWorksheet`, `OrderReturn`, `BuyerUser`, …) inside the
//! envelope (`ConfigData`, `Environment`, `OrderCloudAccessToken`), and how each answer reads
//! (`ShipEstimates`, `LineItemOverrides`, `ItemsToReturnCalcs`, `Username` / `ErrorMessage`).
//! app makes the calls through [`OcWire`] and sees only cartwire's own types.

use super::users::render_user;
use super::wire::orders::render_worksheet;
use super::wire::{amount, optional_amount};
use cartwire_app::callout::{
    AddToCartAnswer, AddToCartQuery, Callout, CalloutWire, CheckoutStep, Envelope, RefundAnswer, SsoAnswer,
};
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::order::lines::LineProduct;
use cartwire_domain::order::worksheet::{Calculation, LineOverride, ProductPatch, ShipEstimate, ShipMethod};
use serde_json::{Map, Value, json};

/// OrderCloud's integration-event protocol.
pub struct OcWire;

/// Reads an optional amount of the answer in `currency`; the error names `field`.
fn cents_at(value: Option<&Value>, currency: &CurrencyCode, field: &str) -> Result<Option<Cents>, String> {
    optional_amount(value)
        .and_then(|a| a.map(|a| a.in_currency(currency)).transpose())
        .map_err(|e| format!("{field}: {e}"))
}

/// The elements of an optional array field (absent and `null` are empty).
fn array_at<'a>(answer: &'a Value, field: &str) -> Result<&'a [Value], String> {
    match answer.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("{field} must be an array")),
    }
}

fn text_at(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_owned)
}

impl CalloutWire for OcWire {
    fn path(&self, call: &Callout<'_>) -> Option<&'static str> {
        Some(match call {
            Callout::AddToCart(_) => return None,
            Callout::Checkout { step, .. } => match step {
                CheckoutStep::ShippingRates => "/shippingrates",
                CheckoutStep::Calculate => "/ordercalculate",
                CheckoutStep::Submitted => "/ordersubmit",
                CheckoutStep::SubmittedForApproval => "/ordersubmitforapproval",
                CheckoutStep::Approved => "/orderapproved",
            },
            Callout::ReturnCalculation { .. } => "/calculateorderreturn",
            Callout::CreateUser { .. } => "/createuser",
            Callout::SyncUser { .. } => "/syncuser",
        })
    }

    fn request(&self, call: &Callout<'_>, envelope: &Envelope<'_>) -> Vec<u8> {
        let mut fields = Map::new();
        match call {
            Callout::AddToCart(q) => {
                fields.insert("ProductID".into(), json!(q.product_id));
                fields.insert("Quantity".into(), json!(q.quantity.get()));
                fields.insert("BuyerID".into(), json!(q.buyer_id));
                fields.insert("BuyerUser".into(), q.buyer_user.map(|u| json!(render_user(u))).unwrap_or(Value::Null));
                fields.insert("SellerID".into(), json!(q.seller_id));
            }
            Callout::Checkout { order, .. } => {
                fields.insert("OrderWorksheet".into(), json!(render_worksheet(order)));
            }
            Callout::ReturnCalculation { order_return, order, currency } => {
                fields.insert("OrderReturn".into(), json!(super::wire::returns::render_return(order_return, currency)));
                fields.insert("OrderWorksheet".into(), json!(render_worksheet(order)));
            }
            Callout::CreateUser { config, token_response } => {
                fields.insert("OpenIdConnect".into(), json!(super::wire::sso::render(config)));
                fields.insert("TokenResponse".into(), (*token_response).clone());
                fields.insert("ExistingUser".into(), Value::Null);
            }
            Callout::SyncUser { config, token_response, user } => {
                fields.insert("OpenIdConnect".into(), json!(super::wire::sso::render(config)));
                fields.insert("TokenResponse".into(), (*token_response).clone());
                fields.insert("ExistingUser".into(), json!(render_user(user)));
            }
        }
        fields.insert("ConfigData".into(), envelope.config_data.cloned().unwrap_or(Value::Null));
        fields.insert("Environment".into(), json!(envelope.environment));
        fields.insert("OrderCloudAccessToken".into(), json!(envelope.access_token));
        serde_json::to_vec(&Value::Object(fields)).expect("JSON values serialize")
    }

    fn add_to_cart_answer(
        &self,
        q: &AddToCartQuery<'_>,
        answer: &Value,
        currency: &CurrencyCode,
    ) -> Result<AddToCartAnswer, String> {
        let product = match answer.get("Product") {
            None | Some(Value::Null) => return Ok(AddToCartAnswer::NoProduct),
            Some(p) => p,
        };
        let number = |k: &str| product.get(k).and_then(Value::as_f64);
        let line_product = LineProduct {
            // A product without an ID is the one asked for (the middleware may omit it).
            id: text_at(product, "ID").unwrap_or_else(|| q.product_id.to_owned()),
            name: text_at(product, "Name").unwrap_or_default(),
            description: text_at(product, "Description"),
            returnable: product.get("Returnable").and_then(Value::as_bool).unwrap_or(false),
            quantity_multiplier: product.get("QuantityMultiplier").and_then(Value::as_i64).unwrap_or(1),
            ship_weight: number("ShipWeight"),
            ship_height: number("ShipHeight"),
            ship_width: number("ShipWidth"),
            ship_length: number("ShipLength"),
            default_supplier_id: text_at(product, "DefaultSupplierID"),
            xp: product.get("xp").filter(|x| x.is_object()).cloned().unwrap_or_else(|| json!({})),
        };
        line_product.validate().map_err(|e| format!("the answer's Product is invalid ({e})"))?;
        let price = answer
            .get("UnitPrice")
            .filter(|v| !v.is_null())
            .ok_or_else(|| "the answer has a Product but no UnitPrice".to_owned())?;
        let unit_price = amount(price)
            .and_then(|a| a.in_currency(currency))
            .map_err(|e| format!("the answer's UnitPrice is invalid ({e})"))?;
        Ok(AddToCartAnswer::Priced { product: Box::new(line_product), unit_price })
    }

    fn ship_estimates(&self, answer: &Value, currency: &CurrencyCode) -> Result<Vec<ShipEstimate>, String> {
        let mut estimates = Vec::new();
        for (n, e) in array_at(answer, "ShipEstimates")?.iter().enumerate() {
            let at = format!("ShipEstimates[{n}]");
            let id = text_at(e, "ID").ok_or_else(|| format!("{at}.ID is required"))?;
            let mut methods = Vec::new();
            for (m, method) in array_at(e, "ShipMethods").map_err(|why| format!("{at}.{why}"))?.iter().enumerate() {
                let at = format!("{at}.ShipMethods[{m}]");
                let id = text_at(method, "ID").ok_or_else(|| format!("{at}.ID is required"))?;
                let cost = cents_at(method.get("Cost"), currency, &format!("{at}.Cost"))?.unwrap_or_default();
                methods.push(ShipMethod { id, cost });
            }
            estimates.push(ShipEstimate { id, methods, selected_method: text_at(e, "SelectedShipMethodID") });
        }
        Ok(estimates)
    }

    fn calculation(&self, answer: &Value, currency: &CurrencyCode) -> Result<Calculation, String> {
        let mut overrides = Vec::new();
        for (n, o) in array_at(answer, "LineItemOverrides")?.iter().enumerate() {
            let at = |f: &str| format!("LineItemOverrides[{n}].{f}");
            let line_id = text_at(o, "LineItemID").ok_or_else(|| format!("{} is required", at("LineItemID")))?;
            let product = match o.get("Product") {
                Some(Value::Object(p)) => Some(ProductPatch {
                    name: p.get("Name").and_then(Value::as_str).map(str::to_owned),
                    description: p.get("Description").map(|d| d.as_str().map(str::to_owned)),
                    xp: p.get("xp").and_then(Value::as_object).cloned(),
                }),
                _ => None,
            };
            overrides.push(LineOverride {
                line_id,
                remove: o.get("Remove").and_then(Value::as_bool) == Some(true),
                unit_price: cents_at(o.get("UnitPrice"), currency, &at("UnitPrice"))?,
                product,
            });
        }
        Ok(Calculation {
            shipping: cents_at(answer.get("ShippingTotal"), currency, "ShippingTotal")?,
            tax: cents_at(answer.get("TaxTotal"), currency, "TaxTotal")?,
            fees: cents_at(answer.get("FeeTotal"), currency, "FeeTotal")?,
            overrides,
        })
    }

    fn refund(&self, answer: &Value, currency: &CurrencyCode) -> Result<RefundAnswer, String> {
        let mut items = Vec::new();
        for (n, c) in array_at(answer, "ItemsToReturnCalcs")?.iter().enumerate() {
            let at = format!("ItemsToReturnCalcs[{n}]");
            let line = text_at(c, "LineItemID").ok_or_else(|| format!("{at}.LineItemID is required"))?;
            items.push((line, cents_at(c.get("RefundAmount"), currency, &format!("{at}.RefundAmount"))?));
        }
        Ok(RefundAnswer { total: cents_at(answer.get("RefundAmount"), currency, "RefundAmount")?, items })
    }

    fn sso_answer(&self, answer: &Value) -> SsoAnswer {
        match text_at(answer, "ErrorMessage") {
            Some(message) => SsoAnswer::Refused(message),
            None => SsoAnswer::Accepted { username: text_at(answer, "Username") },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwire_domain::order::lines::Quantity;

    fn usd() -> CurrencyCode {
        CurrencyCode::parse("USD").unwrap()
    }

    fn query() -> AddToCartQuery<'static> {
        AddToCartQuery {
            product_id: "chair",
            quantity: Quantity::new(2).unwrap(),
            buyer_id: Some("b1"),
            buyer_user: None,
            seller_id: "org",
        }
    }

    #[test]
    fn add_to_cart_requests_speak_ordercloud_inside_the_envelope() {
        let q = query();
        let call = Callout::AddToCart(&q);
        let envelope = Envelope { config_data: None, environment: "Sandbox", access_token: "t" };
        let body: Value = serde_json::from_slice(&OcWire.request(&call, &envelope)).unwrap();
        assert_eq!(
            body,
            json!({"ProductID": "chair", "Quantity": 2, "BuyerID": "b1", "BuyerUser": null, "SellerID": "org",
                   "ConfigData": null, "Environment": "Sandbox", "OrderCloudAccessToken": "t"})
        );
        assert_eq!(OcWire.path(&call), None, "AddToCart posts to the event's URL itself");
    }

    #[test]
    fn add_to_cart_answers_are_read_with_their_edges() {
        let read = |v: Value| OcWire.add_to_cart_answer(&query(), &v, &usd());
        assert_eq!(read(json!({})), Ok(AddToCartAnswer::NoProduct));
        assert_eq!(read(json!({"Product": null, "UnitPrice": 3})), Ok(AddToCartAnswer::NoProduct));
        match read(json!({"Product": {"Name": "Chair"}, "UnitPrice": 12.5})).unwrap() {
            AddToCartAnswer::Priced { product, unit_price } => {
                assert_eq!((product.id.as_str(), product.name.as_str()), ("chair", "Chair"), "the ID defaults");
                assert_eq!(unit_price.get(), 1250);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read(json!({"Product": {"ID": "p", "Name": "P"}})).unwrap_err(),
            "the answer has a Product but no UnitPrice"
        );
        assert!(read(json!({"Product": {"ID": "p"}, "UnitPrice": 1})).unwrap_err().starts_with("the answer's Product"));
        assert!(
            read(json!({"Product": {"ID": "p", "Name": "P"}, "UnitPrice": 1.234}))
                .unwrap_err()
                .starts_with("the answer's UnitPrice is invalid")
        );
    }

    #[test]
    fn ship_estimates_read_exact_costs_and_name_what_is_wrong() {
        let read = |v: Value| OcWire.ship_estimates(&v, &usd());
        assert_eq!(read(json!({})), Ok(vec![]));
        let estimates = read(json!({"ShipEstimates": [
            {"ID": "e1", "ShipMethods": [{"ID": "ground", "Cost": 10}, {"ID": "air", "Cost": 25.5}]},
            {"ID": "e2", "ShipMethods": [{"ID": "free"}]}]}))
        .unwrap();
        assert_eq!(estimates[0].methods[1].cost.get(), 2550);
        assert_eq!(estimates[1].methods[0].cost.get(), 0, "no cost is free");
        assert_eq!(
            read(json!({"ShipEstimates": [{"ID": "e", "ShipMethods": [{"ID": "m", "Cost": 1.001}]}]}))
                .unwrap_err()
                .split(':')
                .next(),
            Some("ShipEstimates[0].ShipMethods[0].Cost")
        );
        assert_eq!(read(json!({"ShipEstimates": {}})).unwrap_err(), "ShipEstimates must be an array");
        assert_eq!(read(json!({"ShipEstimates": [{}]})).unwrap_err(), "ShipEstimates[0].ID is required");
    }

    #[test]
    fn calculations_read_totals_and_overrides() {
        let read = |v: Value| OcWire.calculation(&v, &usd());
        let calc = read(json!({"ShippingTotal": 10, "TaxTotal": 3.5, "FeeTotal": null,
            "LineItemOverrides": [{"LineItemID": "a", "UnitPrice": 6, "Product": {"Name": "R", "Description": null}},
                                  {"LineItemID": "b", "Remove": true}]}))
        .unwrap();
        assert_eq!((calc.shipping.map(Cents::get), calc.tax.map(Cents::get), calc.fees), (Some(1000), Some(350), None));
        assert_eq!(calc.overrides[0].unit_price.map(Cents::get), Some(600));
        let patch = calc.overrides[0].product.as_ref().unwrap();
        assert_eq!((patch.name.as_deref(), &patch.description), (Some("R"), &Some(None)), "null clears");
        assert!(calc.overrides[1].remove);
        assert!(read(json!({"TaxTotal": 1.005})).unwrap_err().starts_with("TaxTotal: "));
        assert!(read(json!({"TaxTotal": "1"})).unwrap_err().starts_with("TaxTotal: "));
        assert_eq!(
            read(json!({"LineItemOverrides": [{"UnitPrice": 1}]})).unwrap_err(),
            "LineItemOverrides[0].LineItemID is required"
        );
        assert_eq!(read(json!({"LineItemOverrides": 3})).unwrap_err(), "LineItemOverrides must be an array");
    }

    #[test]
    fn refunds_and_sign_on_answers() {
        let refund = OcWire
            .refund(
                &json!({"RefundAmount": 24.97, "ItemsToReturnCalcs": [{"LineItemID": "a", "RefundAmount": null}]}),
                &usd(),
            )
            .unwrap();
        assert_eq!((refund.total.map(Cents::get), refund.items), (Some(2497), vec![("a".to_owned(), None)]));
        assert!(OcWire.refund(&json!({"ItemsToReturnCalcs": [{}]}), &usd()).is_err());
        assert_eq!(OcWire.sso_answer(&json!({"ErrorMessage": "no"})), SsoAnswer::Refused("no".into()));
        assert_eq!(
            OcWire.sso_answer(&json!({"Username": "jane", "ErrorMessage": null})),
            SsoAnswer::Accepted { username: Some("jane".into()) }
        );
    }
}
