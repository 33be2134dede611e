//! The order as events carry it, in Elastic Path's order shape: the resource of every `order.*`
//! and `cart.*` event, stored with the event in the outbox and sent as the webhook's `payload`
//! (and as the CloudEvents `data`). It lives beside the webhook body because it is the same
//! wire format: the one place an order becomes Elastic Path JSON.

use cartwire_domain::commerce::Cents;
use cartwire_domain::order::checkout::Address;
use cartwire_domain::order::lines::Quantity;
use cartwire_domain::order::{LineItem, Order, OrderStatus, Platform, Totals};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

/// The order as events carry it: Elastic Path's order shape as far as the order has the data
/// (`type`, `id`, `status`, `payment`, `shipping`, `customer`, `meta.display_price`,
/// `meta.timestamps`, `relationships.items`, and `included.items`, which the webhook body moves
/// next to `data`), so a receiver written for Elastic Path reads it unchanged; cartwire's own
/// fields (`cartwire_status`, `short_id`, `lines`, …) ride along.
/// The order as events carry it: Elastic Path's order shape as far as the order has the data
/// (`type`, `id`, `status`, `payment`, `shipping`, `customer`, `meta.display_price`,
/// `meta.timestamps`, `relationships.items`, and `included.items`, which the webhook body moves
/// next to `data`), so a receiver written for Elastic Path reads it unchanged; cartwire's own
/// fields (`cartwire_status`, `short_id`, `lines`, …) ride along.
///
/// Typed, not a JSON tree: it is written once per order change on the ingest path, straight
/// from the order's own fields to text.
pub fn order_resource(o: &Order) -> OrderResource<'_> {
    let currency = o.totals.as_ref().map(|t| t.currency.as_str());
    let money = |amount: i64| Money { amount, currency, formatted: format!("{}.{:02}", amount / 100, amount % 100) };
    let priced = |price: Cents, quantity: Quantity| {
        (money(price.get()), money(price.get().saturating_mul(i64::from(quantity.get()))))
    };
    // Items: priced shop products when the order has them, otherwise the configured lines.
    let items: Vec<Item<'_>> = match &o.shop {
        Some(shop) => shop
            .products
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let (unit_price, value) = priced(p.price, p.quantity);
                Item::Shop(ShopItem {
                    kind: "order_item",
                    id: format!("{}-{}", o.id.as_str(), n + 1),
                    name: &p.name,
                    sku: &p.sku,
                    product_id: &p.external_id,
                    quantity: p.quantity,
                    unit_price,
                    value,
                })
            })
            .collect(),
        None => o
            .lines
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let (unit_price, value) = l.unit_price.map(|p| priced(p, l.count)).unzip();
                let checkout_line =
                    o.checkout.as_ref().and_then(|c| c.lines.iter().find(|c| Some(&c.id) == l.id.as_ref()));
                Item::Line(LineItemOut {
                    kind: "order_item",
                    id: l.id.clone().unwrap_or_else(|| format!("{}-{}", o.id.as_str(), n + 1)),
                    product_id: &l.configuration_id,
                    quantity: l.count,
                    metadata: &l.metadata,
                    unit_price,
                    value,
                    name: checkout_line.map(|c| c.product.name.as_str()),
                })
            })
            .collect(),
    };
    let checkout = o.checkout.as_ref();
    let display_price = o.totals.as_ref().map(|t| {
        let total = t.total.get();
        let tax = t.tax.map(|c| c.get()).unwrap_or(0);
        DisplayPrice { with_tax: money(total), without_tax: money(total - tax), tax: money(tax) }
    });
    let complete = o.status == OrderStatus::Completed;
    let relationships = items.iter().map(|i| ItemRef { kind: "item", id: i.id().to_owned() }).collect();
    OrderResource {
        kind: "order",
        id: o.id.as_str(),
        status: if complete { "complete" } else { "incomplete" },
        payment: "unpaid",
        shipping: if complete { "fulfilled" } else { "unfulfilled" },
        customer: Customer {
            id: &o.customer_id,
            email: o
                .shop
                .as_ref()
                .map(|s| s.email.as_str())
                .or_else(|| checkout.and_then(|c| c.from_user.email.as_deref())),
        },
        shipping_address: checkout.and_then(|c| c.shipping_address.as_ref()).map(EpAddress::from),
        billing_address: checkout.and_then(|c| c.billing_address.as_ref()).map(EpAddress::from),
        meta: Meta {
            display_price,
            timestamps: Timestamps {
                created_at: iso(o.created_at),
                updated_at: iso(o.updated_at.unwrap_or(o.created_at)),
            },
        },
        relationships: Relationships { items: ItemRefs { data: relationships } },
        included: Included { items },
        cartwire_status: o.status.as_str(),
        short_id: o.short_id.as_str(),
        name: &o.name,
        origin_org_id: &o.origin_org_id,
        platform: &o.platform,
        lines: &o.lines,
        totals: &o.totals,
        metadata: &o.metadata,
        placed_at: o.placed_at.map(iso),
        deleted_at: o.deleted_at.map(iso),
        abandoned_at: o.abandoned_at.map(iso),
    }
}

fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// See [`order_resource`].
#[derive(Serialize)]
pub struct OrderResource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    status: &'static str,
    payment: &'static str,
    shipping: &'static str,
    customer: Customer<'a>,
    shipping_address: Option<EpAddress<'a>>,
    billing_address: Option<EpAddress<'a>>,
    meta: Meta<'a>,
    relationships: Relationships,
    included: Included<'a>,
    cartwire_status: &'static str,
    short_id: &'a str,
    name: &'a Option<String>,
    origin_org_id: &'a Option<String>,
    platform: &'a Platform,
    lines: &'a [LineItem],
    totals: &'a Option<Totals>,
    metadata: &'a Value,
    placed_at: Option<String>,
    deleted_at: Option<String>,
    abandoned_at: Option<String>,
}

#[derive(Serialize)]
struct Customer<'a> {
    id: &'a Option<String>,
    email: Option<&'a str>,
}

/// An amount as Elastic Path shows it.
#[derive(Serialize)]
struct Money<'a> {
    amount: i64,
    currency: Option<&'a str>,
    formatted: String,
}

#[derive(Serialize)]
struct DisplayPrice<'a> {
    with_tax: Money<'a>,
    without_tax: Money<'a>,
    tax: Money<'a>,
}

#[derive(Serialize)]
struct Meta<'a> {
    display_price: Option<DisplayPrice<'a>>,
    timestamps: Timestamps,
}

#[derive(Serialize)]
struct Timestamps {
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct Relationships {
    items: ItemRefs,
}

#[derive(Serialize)]
struct ItemRefs {
    data: Vec<ItemRef>,
}

#[derive(Serialize)]
struct ItemRef {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
}

#[derive(Serialize)]
struct Included<'a> {
    items: Vec<Item<'a>>,
}

/// An `order_item`: a priced shop product, or a configured line.
#[derive(Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Shop(ShopItem<'a>),
    Line(LineItemOut<'a>),
}

impl Item<'_> {
    fn id(&self) -> &str {
        match self {
            Self::Shop(i) => &i.id,
            Self::Line(i) => &i.id,
        }
    }
}

#[derive(Serialize)]
struct ShopItem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    name: &'a str,
    sku: &'a Option<String>,
    product_id: &'a Option<String>,
    quantity: Quantity,
    unit_price: Money<'a>,
    value: Money<'a>,
}

#[derive(Serialize)]
struct LineItemOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    product_id: &'a str,
    quantity: Quantity,
    metadata: &'a Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_price: Option<Money<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Money<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

/// Elastic Path's address shape (OrderCloud checkout orders have addresses).
#[derive(Serialize)]
struct EpAddress<'a> {
    first_name: &'a Option<String>,
    last_name: &'a Option<String>,
    company_name: &'a Option<String>,
    line_1: &'a str,
    line_2: &'a Option<String>,
    city: &'a str,
    region: &'a Option<String>,
    postcode: &'a Option<String>,
    country: &'a str,
    phone_number: &'a Option<String>,
}

impl<'a> From<&'a Address> for EpAddress<'a> {
    fn from(a: &'a Address) -> Self {
        Self {
            first_name: &a.first_name,
            last_name: &a.last_name,
            company_name: &a.company_name,
            line_1: &a.street1,
            line_2: &a.street2,
            city: &a.city,
            region: &a.state,
            postcode: &a.zip,
            country: &a.country,
            phone_number: &a.phone,
        }
    }
}
