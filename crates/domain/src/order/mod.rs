//! Orders: one aggregate for every dialect. A Threekit order, an ActiveCampaign e-commerce
//! order and an OrderCloud order are views of this one model; each dialect maps its status
//! words onto [`OrderStatus`] (see docs/order-lifecycle.md).

pub mod approval_rules;
pub mod checkout;
pub mod lines;
pub mod worksheet;

use crate::{DomainError, Field, OnField, Problem};
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
    /// Every status, in lifecycle order.
    pub const ALL: [OrderStatus; 8] = [
        Self::Wishlist,
        Self::Cart,
        Self::Placed,
        Self::InProgress,
        Self::AwaitingApproval,
        Self::Declined,
        Self::Completed,
        Self::Canceled,
    ];

    /// True for orders not yet placed.
    pub fn is_cart(self) -> bool {
        matches!(self, Self::Wishlist | Self::Cart)
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
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| DomainError::value(format!("must be an order status, not '{s}'")))
    }
}

/// The kind of entry point an order came in through: each is one dialect's today, but the
/// model names the role, not the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A storefront's order or cart (configured products, no prices of cartwire's).
    Storefront,
    /// An external shop's order or abandoned cart, synced with its own ids and totals.
    Shop,
    /// A checkout order priced and submitted through cartwire's checkout.
    Checkout,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 3] = [Source::Storefront, Source::Shop, Source::Checkout];
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
    /// How many.
    pub count: lines::Quantity,
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
            return Err(DomainError::field(Field::ConfigurationId, Problem::rule("must be 1 to 255 characters")));
        }
        let count = lines::Quantity::new(count).on(Field::Count)?;
        Ok(Self { id: None, configuration_id, count, unit_price: None, metadata })
    }
}

/// An order (or a cart).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Its id.
    pub id: crate::id::OrderId,
    /// Its short, human-typeable id.
    pub short_id: crate::id::ShortId,
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
    pub checkout: Option<crate::order::checkout::CheckoutOrder>,
}

/// Most lines an order may hold, in every dialect (Threekit `cart`, ActiveCampaign
/// `orderProducts`, OrderCloud line items): far above any real basket, and a ceiling on what
/// one order can make every later change write.
pub const MAX_LINES: usize = 500;

/// Most bytes an order's free-form parts (lines with their metadata, legacy items, metadata,
/// derivative attributes, the shop and checkout sides) may take as JSON. Every change of an
/// order writes its snapshot as an event, so this also bounds every order event's payload.
pub const MAX_ORDER_BYTES: usize = 256 * 1024;

/// What an entry point knows of an order it is asked to create; [`Order::new`] gives it its
/// ids, its org and its times.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    /// The org the order came from (a reseller).
    pub origin_org_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// The customer, as the entry point names them.
    pub customer_id: Option<String>,
    /// Platform details.
    pub platform: Platform,
    /// The lines.
    pub lines: Vec<LineItem>,
    /// Legacy `items` exactly as sent, `[]` when none.
    pub legacy_items: serde_json::Value,
    /// Free metadata.
    pub metadata: serde_json::Value,
    /// Derivative attributes.
    pub derivative: serde_json::Value,
    /// Where it stands.
    pub status: OrderStatus,
    /// What it costs, when the entry point prices it.
    pub totals: Option<Totals>,
    /// The shop side, for orders from an external shop.
    pub shop: Option<crate::commerce::ShopOrder>,
}

/// Longest customer id, origin org id, platform name, store name or platform order id: these
/// are indexed, and an index row has a size limit on PostgreSQL.
pub const MAX_KEY_CHARS: usize = 255;

/// Why an order is over a limit, with the dialect-neutral name of what is too big.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {problem}", what.name())]
pub struct OverLimit {
    /// Lines, size, customer id, origin org id or platform.
    pub what: Field,
    /// The limit, as a predicate on `what`.
    pub problem: Problem,
}

impl Order {
    /// A new order with these ids, made by `created_by` at `now` (placed then, unless it is a
    /// cart).
    pub fn new(
        id: crate::id::OrderId,
        short_id: crate::id::ShortId,
        org_id: String,
        created_by: Option<String>,
        now: OffsetDateTime,
        n: NewOrder,
    ) -> Order {
        Order {
            id,
            short_id,
            org_id,
            origin_org_id: n.origin_org_id,
            name: n.name,
            customer_id: n.customer_id,
            owner: None,
            platform: n.platform,
            lines: n.lines,
            legacy_items: n.legacy_items,
            metadata: n.metadata,
            derivative: n.derivative,
            placed_at: (!n.status.is_cart()).then_some(now),
            status: n.status,
            created_by,
            created_at: now,
            updated_at: None,
            deleted_at: None,
            abandoned_at: None,
            totals: n.totals,
            shop: n.shop,
            checkout: None,
        }
    }

    /// Checks the order against [`MAX_LINES`], [`MAX_ORDER_BYTES`] and [`MAX_KEY_CHARS`]; every
    /// use case that writes an order calls it before the write.
    pub fn check_limits(&self) -> Result<(), OverLimit> {
        let lines = self.lines.len().max(self.shop.as_ref().map_or(0, |s| s.products.len()));
        if lines > MAX_LINES {
            return Err(OverLimit {
                what: Field::Lines,
                problem: Problem::rule(format!("must hold at most {MAX_LINES} lines; this order would hold {lines}")),
            });
        }
        for (what, value) in [
            (Field::CustomerId, self.customer_id.as_deref()),
            (Field::OriginOrgId, self.origin_org_id.as_deref()),
            (Field::Platform, self.platform.platform.as_deref()),
            (Field::Platform, self.platform.store_name.as_deref()),
            (Field::Platform, self.platform.id.as_deref()),
        ] {
            if value.is_some_and(|v| v.chars().count() > MAX_KEY_CHARS) {
                return Err(OverLimit { what, problem: Problem::TooLong(MAX_KEY_CHARS) });
            }
        }
        let bytes = json_len(&self.lines)
            + json_len(&self.legacy_items)
            + json_len(&self.metadata)
            + json_len(&self.derivative)
            + self.shop.as_ref().map_or(0, json_len)
            + self.checkout.as_ref().map_or(0, json_len);
        if bytes > MAX_ORDER_BYTES {
            return Err(OverLimit {
                what: Field::OrderSize,
                problem: Problem::rule(format!(
                    "(lines, metadata and details) must take at most {MAX_ORDER_BYTES} bytes as JSON; this order would take {bytes}"
                )),
            });
        }
        Ok(())
    }

    /// The kind of entry point the order came in through.
    pub fn source(&self) -> Source {
        if self.shop.is_some() {
            Source::Shop
        } else if self.checkout.is_some() {
            Source::Checkout
        } else {
            Source::Storefront
        }
    }

    /// The buyer's email, where the order knows one: a shop order's customer, a checkout
    /// order's user (storefront orders carry none).
    pub fn email(&self) -> Option<&str> {
        match (&self.shop, &self.checkout) {
            (Some(shop), _) => Some(shop.email.as_str()),
            (None, Some(c)) => c.from_user.email.as_deref(),
            (None, None) => None,
        }
    }

    /// The currency of the order's amounts (the deployment's default when it has none yet).
    pub fn currency(&self) -> crate::commerce::CurrencyCode {
        self.totals
            .as_ref()
            .map(|t| t.currency.clone())
            .unwrap_or_else(crate::commerce::CurrencyCode::default_for_deployment)
    }
}

/// The length of a value as compact JSON, counted without building the string.
fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
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
        return Err(DomainError::field(Field::Name, Problem::TooLong(255)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(lines: usize, metadata: serde_json::Value) -> Order {
        Order {
            id: crate::id::OrderId::parse("o").unwrap(),
            short_id: crate::id::ShortId::parse("s123456789").unwrap(),
            org_id: "org".into(),
            origin_org_id: None,
            name: None,
            customer_id: None,
            owner: None,
            platform: Platform::default(),
            lines: (0..lines).map(|i| LineItem::new(format!("c{i}"), 1, None).unwrap()).collect(),
            legacy_items: json!([]),
            metadata,
            derivative: json!({}),
            status: OrderStatus::Cart,
            created_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: None,
            placed_at: None,
            deleted_at: None,
            abandoned_at: None,
            totals: None,
            shop: None,
            checkout: None,
        }
    }

    #[test]
    fn limits_on_lines_size_and_keys() {
        assert!(order(MAX_LINES, json!({})).check_limits().is_ok());
        assert_eq!(order(MAX_LINES + 1, json!({})).check_limits().unwrap_err().what, Field::Lines);
        let big = json!({"blob": "x".repeat(MAX_ORDER_BYTES)});
        assert_eq!(order(1, big).check_limits().unwrap_err().what, Field::OrderSize);
        let mut o = order(1, json!({}));
        o.customer_id = Some("c".repeat(MAX_KEY_CHARS));
        assert!(o.check_limits().is_ok());
        o.customer_id = Some("c".repeat(MAX_KEY_CHARS + 1));
        assert_eq!(o.check_limits().unwrap_err().what, Field::CustomerId);
        assert_eq!(json_len(&json!({"a": [1, 2]})), r#"{"a":[1,2]}"#.len());
    }
}
