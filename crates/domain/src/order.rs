//! Orders: one aggregate for every dialect. A Threekit order, an ActiveCampaign e-commerce
//! order and an OrderCloud order are views of this one model; each dialect maps its status
//! words onto [`OrderStatus`] (see docs/order-lifecycle.md).

use crate::DomainError;
use time::OffsetDateTime;

/// Where an order stands. Carts are orders not yet placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// A saved list (Threekit `List`): a cart that is not meant for checkout yet.
    Wishlist,
    /// A cart (Threekit `In Cart`, OrderCloud `Unsubmitted`, ActiveCampaign abandoned state 2).
    Cart,
    /// Placed (Threekit `New`, OrderCloud `Open`, ActiveCampaign state 1).
    Placed,
    /// Being worked on (Threekit `In Progress`).
    InProgress,
    /// Waiting for approval (OrderCloud `AwaitingApproval`).
    AwaitingApproval,
    /// Approval declined (OrderCloud `Declined`).
    Declined,
    /// Fulfilled (Threekit `Complete`, OrderCloud `Completed`).
    Completed,
    /// Canceled (OrderCloud `Canceled`).
    Canceled,
}

impl OrderStatus {
    /// True for orders not yet placed.
    pub fn is_cart(self) -> bool {
        matches!(self, Self::Wishlist | Self::Cart)
    }

    /// Threekit's word for the status.
    pub fn threekit(self) -> &'static str {
        match self {
            Self::Wishlist => "List",
            Self::Cart => "In Cart",
            Self::Placed | Self::AwaitingApproval | Self::Declined => "New",
            Self::InProgress => "In Progress",
            Self::Completed | Self::Canceled => "Complete",
        }
    }

    /// Parses Threekit's status words.
    pub fn from_threekit(s: &str) -> Result<Self, DomainError> {
        match s {
            "List" => Ok(Self::Wishlist),
            "In Cart" => Ok(Self::Cart),
            "New" => Ok(Self::Placed),
            "In Progress" => Ok(Self::InProgress),
            "Complete" => Ok(Self::Completed),
            other => Err(DomainError::invalid(format!(
                "status must be one of List, In Cart, New, In Progress, Complete; got '{other}'"
            ))),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wishlist => "wishlist",
            Self::Cart => "cart",
            Self::Placed => "placed",
            Self::InProgress => "in_progress",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Declined => "declined",
            Self::Completed => "completed",
            Self::Canceled => "canceled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        [
            Self::Wishlist,
            Self::Cart,
            Self::Placed,
            Self::InProgress,
            Self::AwaitingApproval,
            Self::Declined,
            Self::Completed,
            Self::Canceled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| DomainError::invalid(format!("unknown order status '{s}'")))
    }
}

/// Where an order came from on an e-commerce platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Platform {
    /// The platform's order id.
    pub id: Option<String>,
    /// The platform name (`shopify`, …).
    pub platform: Option<String>,
    /// The store's name on the platform.
    pub store_name: Option<String>,
}

/// One line of an order: a configured product and how many.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineItem {
    /// The line's own id, when its dialect gives lines ids (OrderCloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The saved configuration (Threekit) or product (OrderCloud) it orders.
    pub configuration_id: String,
    /// How many (at least 1).
    pub count: u32,
    /// Price of one unit in the order's currency, when the dialect prices lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<crate::commerce::Cents>,
    /// Free metadata.
    pub metadata: Option<serde_json::Value>,
}

impl LineItem {
    /// Checks the id and the count.
    pub fn new(configuration_id: String, count: i64, metadata: Option<serde_json::Value>) -> Result<Self, DomainError> {
        if configuration_id.trim().is_empty() || configuration_id.len() > 255 {
            return Err(DomainError::invalid("configurationId must be 1 to 255 characters"));
        }
        if !(1..=1_000_000).contains(&count) {
            return Err(DomainError::invalid("count must be a whole number from 1 to 1000000"));
        }
        Ok(Self { id: None, configuration_id, count: count as u32, unit_price: None, metadata })
    }
}

/// An order (or a cart).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// UUID.
    pub id: String,
    /// Short human-typeable id (10 characters of `[A-Za-z0-9]`).
    pub short_id: String,
    /// The owning org (the deployment's).
    pub org_id: String,
    /// The org the order came from (a reseller).
    pub origin_org_id: Option<String>,
    /// Name, at most 255 characters.
    pub name: Option<String>,
    /// The customer, as the dialect that created the order names them (Threekit's free
    /// `customerId`, the OrderCloud user's id). Not an identity: see `owner`.
    pub customer_id: Option<String>,
    /// The user whose order it is (OrderCloud checkout orders): who may see and change it as
    /// a shopper. None for storefront and shop orders, which no user owns.
    pub owner: Option<crate::user::UserRef>,
    /// Platform details.
    pub platform: Platform,
    /// The lines (Threekit `cart`).
    pub lines: Vec<LineItem>,
    /// Legacy `items` exactly as sent (Threekit compatibility), `[]` when none.
    pub legacy_items: serde_json::Value,
    /// Free metadata.
    pub metadata: serde_json::Value,
    /// Derivative attributes.
    pub derivative: serde_json::Value,
    /// Where it stands.
    pub status: OrderStatus,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: Option<OffsetDateTime>,
    /// When it was placed.
    pub placed_at: Option<OffsetDateTime>,
    /// When it was (soft) deleted.
    pub deleted_at: Option<OffsetDateTime>,
    /// When the cart was found idle and marked abandoned (once).
    pub abandoned_at: Option<OffsetDateTime>,
    /// What it costs, when a dialect prices it (ActiveCampaign now, OrderCloud checkout next).
    pub totals: Option<Totals>,
    /// The shop side, for orders that came from an external shop.
    pub shop: Option<crate::commerce::ShopOrder>,
    /// The checkout side, for orders that came through OrderCloud.
    pub checkout: Option<crate::checkout::CheckoutOrder>,
}

impl Order {
    /// The currency of the order's amounts (the deployment's default when it has none yet).
    pub fn currency(&self) -> crate::commerce::CurrencyCode {
        self.totals
            .as_ref()
            .map(|t| t.currency.clone())
            .unwrap_or_else(crate::commerce::CurrencyCode::default_for_deployment)
    }
}

/// What an order costs, in the currency's minor units.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    /// The currency of every amount.
    pub currency: crate::commerce::CurrencyCode,
    /// Total including tax and shipping, less discounts.
    pub total: crate::commerce::Cents,
    /// Shipping.
    pub shipping: Option<crate::commerce::Cents>,
    /// Tax.
    pub tax: Option<crate::commerce::Cents>,
    /// Discounts.
    pub discount: Option<crate::commerce::Cents>,
}

/// Checks an order name: at most 255 characters.
pub fn check_name(name: &str) -> Result<(), DomainError> {
    if name.chars().count() > 255 {
        return Err(DomainError::invalid("name must be at most 255 characters"));
    }
    Ok(())
}

/// Converts Threekit's deprecated `items` into cart lines: `[{configurationId|id, count?,
/// metadata?}]` or `["<configurationId>"]`. `None` when the shape is anything else (the items
/// are then kept as sent and not converted).
pub fn lines_from_legacy_items(items: &serde_json::Value) -> Option<Vec<LineItem>> {
    let array = items.as_array()?;
    array
        .iter()
        .map(|item| match item {
            serde_json::Value::String(id) => LineItem::new(id.clone(), 1, None).ok(),
            serde_json::Value::Object(o) => {
                let id = o.get("configurationId").or_else(|| o.get("id"))?.as_str()?.to_owned();
                let count = match o.get("count") {
                    None | Some(serde_json::Value::Null) => 1,
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
    fn threekit_statuses_round_trip() {
        for word in ["List", "In Cart", "New", "In Progress", "Complete"] {
            assert_eq!(OrderStatus::from_threekit(word).unwrap().threekit(), word);
        }
        assert!(OrderStatus::from_threekit("new").is_err());
        assert!(OrderStatus::from_threekit("List").unwrap().is_cart());
        assert!(!OrderStatus::from_threekit("New").unwrap().is_cart());
    }

    #[test]
    fn legacy_items_convert_or_stay_untouched() {
        let lines = lines_from_legacy_items(
            &json!([{"configurationId": "c1", "count": 2, "metadata": {"a": 1}}, {"id": "c2"}, "c3"]),
        )
        .unwrap();
        assert_eq!(
            lines.iter().map(|l| (l.configuration_id.as_str(), l.count)).collect::<Vec<_>>(),
            [("c1", 2), ("c2", 1), ("c3", 1)]
        );
        assert!(lines_from_legacy_items(&json!({"not": "an array"})).is_none());
        assert!(lines_from_legacy_items(&json!([{"count": 2}])).is_none());
        assert!(lines_from_legacy_items(&json!([{"configurationId": "c", "count": 0}])).is_none());
        assert!(lines_from_legacy_items(&json!([42])).is_none());
    }
}
