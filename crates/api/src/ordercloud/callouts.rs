//! The OrderCloud renderings callout bodies carry: app asks the dialect for them, so the
//! middleware receives exactly what OrderCloud would send.

use super::users::render_user;
use super::wire::orders::render_worksheet;
use cartwire_app::callout::{AddToCartAnswer, AddToCartQuery, CalloutWire};
use cartwire_domain::checkout::LineProduct;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::order::Order;
use cartwire_domain::user::User;
use serde_json::{Map, Value, json};

/// The OrderCloud renderings callout bodies carry.
pub struct OcWire;

impl CalloutWire for OcWire {
    fn worksheet(&self, order: &Order) -> Value {
        render_worksheet(order)
    }
    fn user(&self, user: &User) -> Value {
        render_user(user)
    }
    fn order_return(&self, r: &cartwire_domain::returns::OrderReturn, currency: &CurrencyCode) -> Value {
        super::wire::returns::render_return(r, currency)
    }
    fn openid_connect(&self, c: &cartwire_app::sso::OpenIdConnectRecord) -> Value {
        super::wire::sso::render(c)
    }

    fn add_to_cart_request(&self, q: &AddToCartQuery<'_>) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("ProductID".into(), json!(q.product_id));
        fields.insert("Quantity".into(), json!(q.quantity));
        fields.insert("BuyerID".into(), json!(q.buyer_id));
        fields.insert("BuyerUser".into(), q.buyer_user.map(render_user).unwrap_or(Value::Null));
        fields.insert("SellerID".into(), json!(q.seller_id));
        fields
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
        let text = |k: &str| product.get(k).and_then(Value::as_str).map(str::to_owned);
        let number = |k: &str| product.get(k).and_then(Value::as_f64);
        let line_product = LineProduct {
            // A product without an ID is the one asked for (the middleware may omit it).
            id: text("ID").unwrap_or_else(|| q.product_id.to_owned()),
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
        line_product.validate().map_err(|e| format!("the answer's Product is invalid ({e})"))?;
        let price = answer
            .get("UnitPrice")
            .filter(|v| !v.is_null())
            .ok_or_else(|| "the answer has a Product but no UnitPrice".to_owned());
        Ok(AddToCartAnswer::Priced { product: Box::new(line_product), unit_price: cents(price?, currency)? })
    }
}

fn cents(price: &Value, currency: &CurrencyCode) -> Result<cartwire_domain::commerce::Cents, String> {
    cartwire_domain::checkout::amount(price, currency).map_err(|e| format!("the answer's UnitPrice is invalid ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> AddToCartQuery<'static> {
        AddToCartQuery { product_id: "chair", quantity: 2, buyer_id: Some("b1"), buyer_user: None, seller_id: "org" }
    }

    #[test]
    fn add_to_cart_requests_speak_ordercloud() {
        let fields = OcWire.add_to_cart_request(&query());
        assert_eq!(
            Value::Object(fields),
            json!({"ProductID": "chair", "Quantity": 2, "BuyerID": "b1", "BuyerUser": null, "SellerID": "org"})
        );
    }

    #[test]
    fn add_to_cart_answers_are_read_with_their_edges() {
        let usd = CurrencyCode::parse("USD").unwrap();
        let read = |v: Value| OcWire.add_to_cart_answer(&query(), &v, &usd);
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
        assert!(
            read(json!({"Product": {"ID": "p"}, "UnitPrice": 1}))
                .unwrap_err()
                .starts_with("the answer's Product is invalid")
        );
        assert!(
            read(json!({"Product": {"ID": "p", "Name": "P"}, "UnitPrice": 1.234}))
                .unwrap_err()
                .starts_with("the answer's UnitPrice is invalid")
        );
    }
}
