//! Threekit's wire format: the order body and its cart lines as typed structs (unknown fields
//! ignored, as Threekit does; an error names the field), renderings, status words and the
//! deprecated `items`.

use super::error::{TkError, invalid, refused};
use super::schema;
use axum::body::Bytes;
use cartwire_domain::order::{LineItem, Order, OrderStatus, Platform};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(super) fn iso(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Renders an order as Threekit does: always `name`, `customerId`, `cart` and `items`.
pub fn render(o: &Order) -> schema::Order {
    let cart = o
        .lines
        .iter()
        .map(|l| schema::CartLineOut {
            configuration_id: l.configuration_id.clone(),
            count: l.count.get().into(),
            metadata: l.metadata.clone(),
        })
        .collect();
    schema::Order {
        id: o.id.to_string(),
        short_id: o.short_id.to_string(),
        org_id: o.org_id.clone(),
        name: o.name.clone(),
        customer_id: o.customer_id.clone(),
        origin_org_id: o.origin_org_id.clone(),
        platform: schema::PlatformOut {
            id: o.platform.id.clone(),
            platform: o.platform.platform.clone(),
            store_name: o.platform.store_name.clone(),
        },
        metadata: o.metadata.clone(),
        cart,
        items: o.legacy_items.clone(),
        derivative: o.derivative.clone(),
        status: status(o.status),
        created_by: o.created_by.clone(),
        created_at: iso(o.created_at),
        updated_at: o.updated_at.map(iso),
        deleted_at: o.deleted_at.map(iso),
    }
}

/// An order body as Threekit's clients send it to create or update an order: every field
/// optional, `null` as absent, unknown fields ignored (Threekit keeps what it does not know).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrderBody {
    pub org_id: Option<String>,
    pub origin_org_id: Option<String>,
    pub name: Option<String>,
    pub customer_id: Option<String>,
    pub platform: Option<PlatformBody>,
    pub metadata: Option<Map<String, Value>>,
    /// The configurator's derivative: names to strings.
    pub derivative: Option<Map<String, Value>>,
    pub cart: Option<Vec<CartLine>>,
    /// The deprecated `items`, kept as sent.
    pub items: Option<Value>,
    pub status: Option<StatusWord>,
}

/// Where an order came from.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PlatformBody {
    id: Option<String>,
    platform: Option<String>,
    store_name: Option<String>,
}

impl From<PlatformBody> for Platform {
    fn from(p: PlatformBody) -> Self {
        Platform { id: p.id, platform: p.platform, store_name: p.store_name }
    }
}

/// One line of `cart`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CartLine {
    configuration_id: String,
    count: Option<i64>,
    metadata: Option<Map<String, Value>>,
}

/// A status in Threekit's words.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub(super) struct StatusWord(pub OrderStatus);

impl TryFrom<String> for StatusWord {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        parse_status(&s).map(StatusWord)
    }
}

/// The body as a JSON object (400 otherwise), then as `T`, naming the offending field (422).
pub(super) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, TkError> {
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return Err(TkError::BadRequest("The body must be a JSON object".into())),
        Err(e) => return Err(TkError::BadRequest(format!("The body is not valid JSON: {e}"))),
    };
    from_value(object)
}

/// `T` from a JSON value, naming the offending field.
pub(super) fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, TkError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        invalid(format!("{path}: {}", e.into_inner()))
    })
}

impl OrderBody {
    /// The derivative, whose values must be strings.
    pub fn derivative(&mut self) -> Result<Option<Value>, TkError> {
        match self.derivative.take() {
            Some(d) if d.values().any(|v| !v.is_string()) => Err(invalid("derivative values must be strings")),
            d => Ok(d.map(Value::Object)),
        }
    }

    /// The cart's lines, checked.
    pub fn cart(&mut self) -> Result<Option<Vec<LineItem>>, TkError> {
        self.cart.take().map(cart_lines).transpose()
    }
}

/// Cart lines from their wire form: a count defaults to 1, metadata holds strings or numbers.
pub(super) fn cart_lines(lines: Vec<CartLine>) -> Result<Vec<LineItem>, TkError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if let Some(m) = &l.metadata
                && m.values().any(|v| !v.is_string() && !v.is_number())
            {
                return Err(invalid(format!("cart[{i}].metadata values must be strings or numbers")));
            }
            LineItem::new(l.configuration_id, l.count.unwrap_or(1), l.metadata.map(Value::Object))
                .map_err(|e| refused(&format!("cart[{i}]."), e))
        })
        .collect()
}

/// Threekit's word for a status.
pub fn status_word(s: OrderStatus) -> &'static str {
    match status(s) {
        schema::Status::List => "List",
        schema::Status::InCart => "In Cart",
        schema::Status::New => "New",
        schema::Status::InProgress => "In Progress",
        schema::Status::Complete => "Complete",
    }
}

/// Threekit's status for an order's: it has five, the one order model has more.
fn status(s: OrderStatus) -> schema::Status {
    match s {
        OrderStatus::Wishlist => schema::Status::List,
        OrderStatus::Cart => schema::Status::InCart,
        OrderStatus::Placed | OrderStatus::AwaitingApproval | OrderStatus::Declined => schema::Status::New,
        OrderStatus::InProgress => schema::Status::InProgress,
        OrderStatus::Completed | OrderStatus::Canceled => schema::Status::Complete,
    }
}

/// Parses Threekit's status words.
pub fn parse_status(s: &str) -> Result<OrderStatus, String> {
    match s {
        "List" => Ok(OrderStatus::Wishlist),
        "In Cart" => Ok(OrderStatus::Cart),
        "New" => Ok(OrderStatus::Placed),
        "In Progress" => Ok(OrderStatus::InProgress),
        "Complete" => Ok(OrderStatus::Completed),
        other => Err(format!("must be one of List, In Cart, New, In Progress, Complete; got '{other}'")),
    }
}

/// Converts Threekit's deprecated `items` into cart lines: `[{configurationId|id, count?,
/// metadata?}]` or `["<configurationId>"]`. `None` when the shape is anything else (the items
/// are then kept as sent and not converted).
pub fn lines_from_legacy_items(items: &Value) -> Option<Vec<LineItem>> {
    let array = items.as_array()?;
    array
        .iter()
        .map(|item| match item {
            Value::String(id) => LineItem::new(id.clone(), 1, None).ok(),
            Value::Object(o) => {
                let id = o.get("configurationId").or_else(|| o.get("id"))?.as_str()?.to_owned();
                let count = match o.get("count") {
                    None | Some(Value::Null) => 1,
                    Some(c) => c.as_i64()?,
                };
                let metadata = o.get("metadata").filter(|m| m.is_object()).cloned();
                LineItem::new(id, count, metadata).ok()
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_round_trip() {
        for word in ["List", "In Cart", "New", "In Progress", "Complete"] {
            assert_eq!(status_word(parse_status(word).unwrap()), word);
        }
        assert!(parse_status("new").is_err());
        assert!(parse_status("List").unwrap().is_cart());
        assert!(!parse_status("New").unwrap().is_cart());
    }

    fn body(v: Value) -> Result<OrderBody, TkError> {
        parse_body(&Bytes::from(v.to_string()))
    }

    fn message(e: TkError) -> (u16, String) {
        (e.status().as_u16(), e.to_string())
    }

    #[test]
    fn an_order_body_ignores_unknown_fields_and_reads_null_as_absent() {
        let mut b = body(json!({"name": null, "status": "In Cart", "cart": [{"configurationId": "c", "count": null}],
            "platform": {"storeName": "s"}, "somethingNew": [1]}))
        .unwrap();
        assert!(b.name.is_none());
        assert!(b.status.unwrap().0.is_cart());
        let lines = b.cart().unwrap().unwrap();
        assert_eq!((lines[0].configuration_id.as_str(), lines[0].count.get()), ("c", 1));
        assert_eq!(Platform::from(b.platform.unwrap()).store_name.as_deref(), Some("s"));
    }

    #[test]
    fn a_malformed_field_is_named_in_a_422() {
        let cases = [
            (json!({"name": 5}), "name: invalid type: integer `5`, expected a string"),
            (json!({"cart": [{"count": 2}]}), "cart[0]: missing field `configurationId`"),
            (json!({"cart": [{"configurationId": "c", "count": 1.5}]}), "cart[0].count: invalid type"),
            (json!({"status": "new"}), "status: must be one of List, In Cart, New, In Progress, Complete; got 'new'"),
            (json!({"platform": {"id": []}}), "platform.id: invalid type: sequence"),
        ];
        for (v, expected) in cases {
            let (status, text) = message(body(v.clone()).unwrap_err());
            assert_eq!(status, 422, "{v}");
            assert!(text.starts_with(expected), "{v}: {text}");
        }
        let mut b = body(json!({"cart": [{"configurationId": "c", "metadata": {"a": [1]}}]})).unwrap();
        assert_eq!(message(b.cart().unwrap_err()).1, "cart[0].metadata values must be strings or numbers");
        let mut b = body(json!({"derivative": {"a": 1}})).unwrap();
        assert_eq!(message(b.derivative().unwrap_err()).1, "derivative values must be strings");
        let mut b = body(json!({"cart": [{"configurationId": "c", "count": 0}]})).unwrap();
        assert_eq!(message(b.cart().unwrap_err()).1, "cart[0].count must be a whole number from 1 to 1000000");
        let mut b = body(json!({"cart": [{"configurationId": ""}]})).unwrap();
        assert_eq!(message(b.cart().unwrap_err()).1, "cart[0].configurationId must be 1 to 255 characters");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_400() {
        for raw in ["[1]", "\"x\"", "{", ""] {
            let (status, _) = message(parse_body::<OrderBody>(&Bytes::from(raw)).unwrap_err());
            assert_eq!(status, 400, "{raw}");
        }
    }

    #[test]
    fn legacy_items_convert_or_stay_untouched() {
        let lines = lines_from_legacy_items(
            &json!([{"configurationId": "c1", "count": 2, "metadata": {"a": 1}}, {"id": "c2"}, "c3"]),
        )
        .unwrap();
        assert_eq!(
            lines.iter().map(|l| (l.configuration_id.as_str(), l.count.get())).collect::<Vec<_>>(),
            [("c1", 2), ("c2", 1), ("c3", 1)]
        );
        assert!(lines_from_legacy_items(&json!({"not": "an array"})).is_none());
        assert!(lines_from_legacy_items(&json!([{"count": 2}])).is_none());
        assert!(lines_from_legacy_items(&json!([{"configurationId": "c", "count": 0}])).is_none());
        assert!(lines_from_legacy_items(&json!([42])).is_none());
    }
}
