//! Threekit's wire format: order bodies walked field by field (the dialect accepts any
//! JSON object and checks what it reads), renderings, status words and the deprecated `items`.

use super::error::{TkError, invalid};
use axum::body::Bytes;
use cartwire_domain::order::{LineItem, Order, OrderStatus, Platform};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(super) fn iso(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Renders an order as Threekit does: always `name`, `customerId`, `cart` and `items`.
pub fn render(o: &Order) -> Value {
    let cart: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({"configurationId": l.configuration_id, "count": l.count});
            if let Some(m) = &l.metadata {
                v["metadata"] = m.clone();
            }
            v
        })
        .collect();
    let mut platform = Map::new();
    if let Some(v) = &o.platform.id {
        platform.insert("id".into(), json!(v));
    }
    if let Some(v) = &o.platform.platform {
        platform.insert("platform".into(), json!(v));
    }
    if let Some(v) = &o.platform.store_name {
        platform.insert("storeName".into(), json!(v));
    }
    json!({
        "id": o.id,
        "shortId": o.short_id,
        "orgId": o.org_id,
        "name": o.name,
        "customerId": o.customer_id,
        "originOrgId": o.origin_org_id,
        "platform": platform,
        "metadata": o.metadata,
        "cart": cart,
        "items": o.legacy_items,
        "derivative": o.derivative,
        "status": status_word(o.status),
        "createdBy": o.created_by,
        "createdAt": iso(o.created_at),
        "updatedAt": o.updated_at.map(iso),
        "deletedAt": o.deleted_at.map(iso),
    })
}

pub(super) fn parse_json(body: &Bytes) -> Result<Map<String, Value>, TkError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(TkError::BadRequest("The body must be a JSON object".into())),
        Err(e) => Err(TkError::BadRequest(format!("The body is not valid JSON: {e}"))),
    }
}

pub(super) fn opt_string(m: &Map<String, Value>, field: &str) -> Result<Option<String>, TkError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

pub(super) fn opt_object(m: &Map<String, Value>, field: &str) -> Result<Option<Value>, TkError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(invalid(format!("{field} must be an object"))),
    }
}

pub(super) fn derivative(m: &Map<String, Value>) -> Result<Option<Value>, TkError> {
    let d = opt_object(m, "derivative")?;
    if let Some(Value::Object(o)) = &d
        && o.values().any(|v| !v.is_string())
    {
        return Err(invalid("derivative values must be strings"));
    }
    Ok(d)
}

pub(super) fn cart_lines(v: &Value) -> Result<Vec<LineItem>, TkError> {
    let items = v.as_array().ok_or_else(|| invalid("cart must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let o = item.as_object().ok_or_else(|| invalid(format!("cart[{i}] must be an object")))?;
            let id = o
                .get("configurationId")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("cart[{i}].configurationId is required")))?;
            let count = match o.get("count") {
                None | Some(Value::Null) => 1,
                Some(c) => c.as_i64().ok_or_else(|| invalid(format!("cart[{i}].count must be a whole number")))?,
            };
            let metadata = match o.get("metadata") {
                None | Some(Value::Null) => None,
                Some(m @ Value::Object(map)) if map.values().all(|v| v.is_string() || v.is_number()) => Some(m.clone()),
                Some(_) => return Err(invalid(format!("cart[{i}].metadata values must be strings or numbers"))),
            };
            LineItem::new(id.to_owned(), count, metadata).map_err(|e| invalid(format!("cart[{i}]: {e}")))
        })
        .collect()
}

pub(super) fn platform(m: &Map<String, Value>) -> Result<Option<Platform>, TkError> {
    let Some(v) = opt_object(m, "platform")? else { return Ok(None) };
    let o = v.as_object().expect("object");
    let s = |k: &str| opt_string(o, k).map_err(|_| invalid(format!("platform.{k} must be a string")));
    Ok(Some(Platform { id: s("id")?, platform: s("platform")?, store_name: s("storeName")? }))
}

pub(super) fn status(m: &Map<String, Value>) -> Result<Option<OrderStatus>, TkError> {
    opt_string(m, "status")?.map(|s| parse_status(&s).map_err(invalid)).transpose()
}

/// Threekit's word for a status.
pub fn status_word(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Wishlist => "List",
        OrderStatus::Cart => "In Cart",
        OrderStatus::Placed | OrderStatus::AwaitingApproval | OrderStatus::Declined => "New",
        OrderStatus::InProgress => "In Progress",
        OrderStatus::Completed | OrderStatus::Canceled => "Complete",
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
        other => Err(format!("status must be one of List, In Cart, New, In Progress, Complete; got '{other}'")),
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

    #[test]
    fn statuses_round_trip() {
        for word in ["List", "In Cart", "New", "In Progress", "Complete"] {
            assert_eq!(status_word(parse_status(word).unwrap()), word);
        }
        assert!(parse_status("new").is_err());
        assert!(parse_status("List").unwrap().is_cart());
        assert!(!parse_status("New").unwrap().is_cart());
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
