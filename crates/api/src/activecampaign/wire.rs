//! ActiveCampaign wire shapes: parsing request members (numbers or numeric strings) into the
//! domain, and rendering records back as the described types of schema.rs.

use super::schema;
use cartwire_app::App;
use cartwire_app::orders::shop::ShopError;
use cartwire_app::orders::shop::ShopOrderFilter;
use cartwire_domain::commerce::{Cents, Connection, CurrencyCode, EcomCustomer, ShopDiscount, ShopOrder, ShopProduct};
use cartwire_domain::order::{NewOrder, Order, OrderStatus, Platform, Totals};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

type Members = Map<String, Value>;

fn missing(field: &str) -> ShopError {
    ShopError::missing(field)
}

fn invalid(field: &str, why: &str) -> ShopError {
    ShopError::invalid(field, format!("{field} {why}"))
}

/// A whole number given as a JSON number or a numeric string.
fn int(m: &Members, field: &str) -> Result<Option<i64>, ShopError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| invalid(field, "must be a whole number")),
        Some(Value::String(s)) => {
            s.trim().parse::<i64>().map(Some).map_err(|_| invalid(field, "must be a whole number"))
        }
        Some(_) => Err(invalid(field, "must be a whole number")),
    }
}

fn cents(m: &Members, field: &str) -> Result<Option<Cents>, ShopError> {
    int(m, field)?.map(|v| Cents::new(v).map_err(|_| invalid(field, "must be whole cents, 0 or more"))).transpose()
}

/// Longest text field: ids, e-mail addresses and names that are indexed or looked up.
const MAX_KEY_CHARS: usize = 255;
/// Longest free text field (URLs, product descriptions, names of things).
const MAX_TEXT_CHARS: usize = 4096;
/// The fields stored in an index (PostgreSQL caps an index row's size): at most
/// [`MAX_KEY_CHARS`]; every other text field at most [`MAX_TEXT_CHARS`].
const KEY_FIELDS: &[&str] =
    &["externalid", "externalcheckoutid", "email", "service", "name", "connectionid", "customerid"];

fn text(m: &Members, field: &str) -> Result<Option<String>, ShopError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let max = if KEY_FIELDS.contains(&field) { MAX_KEY_CHARS } else { MAX_TEXT_CHARS };
            if s.chars().count() > max {
                return Err(invalid(field, &format!("must be at most {max} characters")));
            }
            Ok(Some(s.clone()))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

fn date(m: &Members, field: &str) -> Result<Option<OffsetDateTime>, ShopError> {
    text(m, field)?
        .map(|s| {
            OffsetDateTime::parse(&s, &Rfc3339)
                .map_err(|_| invalid(field, "must be an ISO 8601 date-time with an offset"))
        })
        .transpose()
}

fn flag01(m: &Members, field: &str) -> Result<Option<i64>, ShopError> {
    match int(m, field)? {
        None => Ok(None),
        Some(v @ (0 | 1)) => Ok(Some(v)),
        Some(_) => Err(invalid(field, "must be 0 or 1")),
    }
}

/// ISO 8601 with an explicit offset, as ActiveCampaign renders dates.
pub fn iso(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn base(app: &App) -> String {
    format!("{}/api/3", app.config().public_base_url)
}

/// Builds a connection from the request, over `current` for an update.
pub fn connection_from_wire(m: &Members, current: Option<&Connection>) -> Result<Connection, ShopError> {
    let now = OffsetDateTime::now_utc();
    let req = |field: &str, cur: Option<&String>| -> Result<String, ShopError> {
        match (text(m, field)?, cur) {
            (Some(v), _) if !v.trim().is_empty() => Ok(v),
            (Some(_), _) => Err(missing(field)),
            (None, Some(c)) => Ok(c.clone()),
            (None, None) => Err(missing(field)),
        }
    };
    let c = Connection {
        id: current.map(|c| c.id).unwrap_or(0),
        service: req("service", current.map(|c| &c.service))?,
        external_id: req("externalid", current.map(|c| &c.external_id))?,
        name: req("name", current.map(|c| &c.name))?,
        logo_url: req("logoUrl", current.map(|c| &c.logo_url))?,
        link_url: req("linkUrl", current.map(|c| &c.link_url))?,
        list_id: text(m, "listId")?.or_else(|| current.and_then(|c| c.list_id.clone())),
        status: flag01(m, "status")?.or(current.map(|c| c.status)).unwrap_or(1),
        sync_status: flag01(m, "syncStatus")?.or(current.map(|c| c.sync_status)).unwrap_or(0),
        created_at: current.map(|c| c.created_at).unwrap_or(now),
        updated_at: now,
    };
    for (field, value) in [("service", &c.service), ("externalid", &c.external_id), ("name", &c.name)] {
        if value.chars().count() > 255 {
            return Err(invalid(field, "must be at most 255 characters"));
        }
    }
    Ok(c)
}

/// Renders a connection.
pub fn render_connection(app: &App, c: &Connection) -> schema::Connection {
    let id = c.id.to_string();
    schema::Connection {
        service: c.service.clone(),
        externalid: c.external_id.clone(),
        name: c.name.clone(),
        is_internal: "0".into(),
        connection_type: "ecommerce".into(),
        status: c.status.to_string(),
        sync_status: c.sync_status.to_string(),
        list_id: c.list_id.clone(),
        logo_url: c.logo_url.clone(),
        link_url: c.link_url.clone(),
        cdate: iso(c.created_at),
        udate: iso(c.updated_at),
        links: schema::ConnectionLinks { customers: format!("{}/connections/{id}/customers", base(app)) },
        id,
    }
}

fn valid_email(e: &str) -> bool {
    let (local, domain) = e.split_once('@').unwrap_or(("", ""));
    !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace) && e.len() <= 255
}

/// Builds a customer from the request, over `current` for an update.
pub fn customer_from_wire(m: &Members, current: Option<&EcomCustomer>) -> Result<EcomCustomer, ShopError> {
    let now = OffsetDateTime::now_utc();
    let connection_id = match (int(m, "connectionid")?, current) {
        (Some(v), _) => v,
        (None, Some(c)) => c.connection_id,
        (None, None) => return Err(missing("connectionid")),
    };
    let external_id = match (text(m, "externalid")?, current) {
        (Some(v), _) if !v.is_empty() => v,
        (None, Some(c)) => c.external_id.clone(),
        _ => return Err(missing("externalid")),
    };
    let email = match (text(m, "email")?, current) {
        (Some(v), _) => v,
        (None, Some(c)) => c.email.clone(),
        (None, None) => return Err(missing("email")),
    };
    if !valid_email(&email) {
        return Err(invalid("email", "must be an e-mail address"));
    }
    Ok(EcomCustomer {
        id: current.map(|c| c.id).unwrap_or(0),
        connection_id,
        external_id,
        email,
        accepts_marketing: flag01(m, "acceptsMarketing")?.or(current.map(|c| c.accepts_marketing)).unwrap_or(0),
        created_at: current.map(|c| c.created_at).unwrap_or(now),
        updated_at: now,
    })
}

/// Renders a customer with the aggregates the server keeps from the customer's placed orders.
pub async fn render_customer(app: &App, c: &EcomCustomer) -> Result<schema::Customer, ShopError> {
    let id = c.id.to_string();
    let (orders, _) = app.shop_orders(&[ShopOrderFilter::CustomerId(id.clone())], 0, 10_000).await?;
    let placed: Vec<&Order> = orders.iter().filter(|o| !o.status.is_cart()).collect();
    let revenue: i64 = placed.iter().filter_map(|o| o.totals.as_ref()).map(|t| t.total.get()).sum();
    let products: i64 = placed
        .iter()
        .filter_map(|o| o.shop.as_ref())
        .map(|s| s.products.iter().map(|p| i64::from(p.quantity)).sum::<i64>())
        .sum();
    let count = placed.len() as i64;
    Ok(schema::Customer {
        connectionid: c.connection_id.to_string(),
        externalid: c.external_id.clone(),
        email: c.email.clone(),
        accepts_marketing: c.accepts_marketing.to_string(),
        total_revenue: revenue,
        total_orders: count,
        total_products: products,
        avg_revenue_per_order: if count > 0 { revenue / count } else { 0 },
        tstamp: iso(c.updated_at),
        links: schema::CustomerLinks {
            connection: format!("{}/ecomCustomers/{id}/connection", base(app)),
            orders: format!("{}/ecomCustomers/{id}/orders", base(app)),
        },
        id,
        connection: c.connection_id.to_string(),
    })
}

fn products(v: &Value) -> Result<Vec<ShopProduct>, ShopError> {
    let items = v.as_array().ok_or_else(|| invalid("orderProducts", "must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let m = item.as_object().ok_or_else(|| invalid(&format!("orderProducts/{i}"), "must be an object"))?;
            let f = |name: &str| format!("orderProducts/{i}/{name}");
            let name = text(m, "name")
                .map_err(|_| invalid(&f("name"), "must be a string"))?
                .filter(|n| !n.is_empty())
                .ok_or_else(|| missing(&f("name")))?;
            let price = cents(m, "price")
                .map_err(|_| invalid(&f("price"), "must be whole cents, 0 or more"))?
                .ok_or_else(|| missing(&f("price")))?;
            let quantity = int(m, "quantity")
                .map_err(|_| invalid(&f("quantity"), "must be a whole number"))?
                .ok_or_else(|| missing(&f("quantity")))?;
            let quantity = cartwire_domain::order::lines::Quantity::new(quantity)
                .map_err(|e| invalid(&f("quantity"), &e.to_string()))?;
            Ok(ShopProduct {
                name,
                price,
                quantity,
                external_id: text(m, "externalid")?,
                category: text(m, "category")?,
                sku: text(m, "sku")?,
                description: text(m, "description")?,
                image_url: text(m, "imageUrl")?,
                product_url: text(m, "productUrl")?,
            })
        })
        .collect()
}

fn discounts(v: &Value) -> Result<Vec<ShopDiscount>, ShopError> {
    let items = v.as_array().ok_or_else(|| invalid("orderDiscounts", "must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let m = item.as_object().ok_or_else(|| invalid(&format!("orderDiscounts/{i}"), "must be an object"))?;
            let f = |name: &str| format!("orderDiscounts/{i}/{name}");
            let name = text(m, "name")
                .map_err(|_| invalid(&f("name"), "must be a string"))?
                .filter(|n| !n.is_empty())
                .ok_or_else(|| missing(&f("name")))?;
            let kind =
                text(m, "type").map_err(|_| invalid(&f("type"), "must be a string"))?.unwrap_or_else(|| "order".into());
            if kind != "order" && kind != "shipping" {
                return Err(invalid(&f("type"), "must be order or shipping"));
            }
            let amount = cents(m, "discountAmount")
                .map_err(|_| invalid(&f("discountAmount"), "must be whole cents, 0 or more"))?
                .ok_or_else(|| missing(&f("discountAmount")))?;
            Ok(ShopDiscount { name, kind, amount })
        })
        .collect()
}

/// A new order from the request, and the `abandonedDate` of a cart.
pub fn new_order_from_wire(m: &Members) -> Result<(NewOrder, Option<OffsetDateTime>), ShopError> {
    let (customer_id, totals, shop, abandoned) = read_order(m, None)?;
    let order = NewOrder {
        origin_org_id: None,
        name: shop.order_number.clone(),
        customer_id: Some(customer_id.to_string()),
        platform: Platform { id: shop.external_id.clone(), platform: Some("activecampaign".into()), store_name: None },
        lines: vec![],
        legacy_items: json!([]),
        metadata: json!({}),
        derivative: json!({}),
        status: OrderStatus::Cart,
        totals: Some(totals),
        shop: Some(shop),
    };
    Ok((order, abandoned))
}

/// Applies the request to `current` (what it leaves out stays).
pub fn update_order_from_wire(m: &Members, current: &Order) -> Result<Order, ShopError> {
    let (customer_id, totals, shop, _) = read_order(m, Some(current))?;
    Ok(Order { customer_id: Some(customer_id.to_string()), totals: Some(totals), shop: Some(shop), ..current.clone() })
}

/// The customer, totals and shop side the request gives (over `current` for an update), and
/// the `abandonedDate` of a cart.
fn read_order(
    m: &Members,
    current: Option<&Order>,
) -> Result<(i64, Totals, ShopOrder, Option<OffsetDateTime>), ShopError> {
    let cur = current.and_then(|o| o.shop.as_ref());
    let external_id =
        text(m, "externalid")?.filter(|s| !s.is_empty()).or_else(|| cur.and_then(|s| s.external_id.clone()));
    let external_checkout_id = text(m, "externalcheckoutid")?
        .filter(|s| !s.is_empty())
        .or_else(|| cur.and_then(|s| s.external_checkout_id.clone()));
    if external_id.is_none() && external_checkout_id.is_none() {
        return Err(ShopError::Missing { field: "externalid".into() });
    }
    let abandoned = match date(m, "abandonedDate")? {
        Some(d) => Some(d),
        None => date(m, "abandoned_date")?,
    };
    let is_new_cart = current.is_none() && external_id.is_none();
    if is_new_cart && abandoned.is_none() {
        return Err(missing("abandonedDate"));
    }
    let email = text(m, "email")?.or_else(|| cur.map(|s| s.email.clone())).ok_or_else(|| missing("email"))?;
    if !valid_email(&email) {
        return Err(invalid("email", "must be an e-mail address"));
    }
    let cur_totals = current.and_then(|o| o.totals.as_ref());
    let currency_text = text(m, "currency")?
        .or_else(|| cur_totals.map(|t| t.currency.as_str().to_owned()))
        .ok_or_else(|| missing("currency"))?;
    let currency = CurrencyCode::parse(&currency_text).map_err(|e| ShopError::invalid("currency", e.to_string()))?;
    let source = flag01(m, "source")?.or(cur.map(|s| s.source)).unwrap_or(1);
    let total_price = cents(m, "totalPrice")?.or(cur_totals.map(|t| t.total)).ok_or_else(|| missing("totalPrice"))?;
    let connection_id =
        int(m, "connectionid")?.or(cur.map(|s| s.connection_id)).ok_or_else(|| missing("connectionid"))?;
    let customer_id = int(m, "customerid")?.or(cur.map(|s| s.customer_id)).ok_or_else(|| missing("customerid"))?;
    let external_created_at = date(m, "externalCreatedDate")?
        .or(date(m, "orderDate")?)
        .or(cur.map(|s| s.external_created_at))
        .ok_or_else(|| missing("externalCreatedDate"))?;
    let products = match m.get("orderProducts") {
        None | Some(Value::Null) => cur.map(|s| s.products.clone()).unwrap_or_default(),
        // On update the products replace the order's lines.
        Some(v) => products(v)?,
    };
    let discounts = match m.get("orderDiscounts") {
        None | Some(Value::Null) => cur.map(|s| s.discounts.clone()).unwrap_or_default(),
        Some(v) => discounts(v)?,
    };
    let keep = |field: &str, old: Option<Option<String>>| -> Result<Option<String>, ShopError> {
        Ok(text(m, field)?.or(old.flatten()))
    };
    let shop = ShopOrder {
        connection_id,
        customer_id,
        email: email.clone(),
        external_id,
        external_checkout_id,
        source,
        order_url: keep("orderUrl", cur.map(|s| s.order_url.clone()))?,
        order_number: keep("orderNumber", cur.map(|s| s.order_number.clone()))?,
        shipping_method: keep("shippingMethod", cur.map(|s| s.shipping_method.clone()))?,
        external_created_at,
        external_updated_at: date(m, "externalUpdatedDate")?.or(cur.and_then(|s| s.external_updated_at)),
        products,
        discounts,
    };
    let totals = Totals {
        currency,
        total: total_price,
        shipping: cents(m, "shippingAmount")?.or(cur_totals.and_then(|t| t.shipping)),
        tax: cents(m, "taxAmount")?.or(cur_totals.and_then(|t| t.tax)),
        discount: cents(m, "discountAmount")?.or(cur_totals.and_then(|t| t.discount)),
    };
    Ok((customer_id, totals, shop, abandoned))
}

/// ActiveCampaign's `state`: 1 completed, 2 abandoned, 3 recovered.
fn state(o: &Order) -> i64 {
    match (o.status.is_cart(), o.abandoned_at.is_some()) {
        (true, _) => 2,
        (false, true) => 3,
        (false, false) => 1,
    }
}

/// Renders the order's products.
pub fn render_products(app: &App, o: &Order) -> Vec<schema::OrderProduct> {
    let Some(shop) = &o.shop else { return vec![] };
    shop.products
        .iter()
        .enumerate()
        .map(|(n, p)| schema::OrderProduct {
            orderid: o.id.to_string(),
            connectionid: shop.connection_id.to_string(),
            externalid: p.external_id.clone(),
            sku: p.sku.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            price: p.price.get(),
            quantity: i64::from(p.quantity),
            category: p.category.clone(),
            image_url: p.image_url.clone(),
            product_url: p.product_url.clone(),
            created_date: iso(o.created_at),
            updated_date: iso(o.updated_at.unwrap_or(o.created_at)),
            links: schema::OrderProductLinks { ecom_order: format!("{}/ecomOrders/{}", base(app), o.id) },
            id: format!("{}-{}", o.id, n + 1),
            ecom_order: o.id.to_string(),
        })
        .collect()
}

/// Renders the order's discounts.
pub fn render_discounts(o: &Order) -> Vec<schema::OrderDiscount> {
    let Some(shop) = &o.shop else { return vec![] };
    shop.discounts
        .iter()
        .enumerate()
        .map(|(n, d)| schema::OrderDiscount {
            name: Some(d.name.clone()),
            kind: Some(d.kind.clone()),
            orderid: o.id.to_string(),
            discount_amount: d.amount.get(),
            id: format!("{}-d{}", o.id, n + 1),
            created_date: iso(o.created_at),
            updated_date: iso(o.updated_at.unwrap_or(o.created_at)),
        })
        .collect()
}

/// Renders a shop order; `None` for an order that came in through another dialect (it has
/// no shop side or no totals to show), which the shop's reads never return.
pub fn render_order(app: &App, o: &Order) -> Option<schema::Order> {
    let (Some(s), Some(t)) = (&o.shop, &o.totals) else { return None };
    let id = &o.id;
    Some(schema::Order {
        externalid: s.external_id.clone(),
        externalcheckoutid: s.external_checkout_id.clone(),
        source: s.source.to_string(),
        email: s.email.clone(),
        currency: t.currency.as_str().to_owned(),
        connectionid: s.connection_id.to_string(),
        customerid: s.customer_id.to_string(),
        order_url: s.order_url.clone(),
        order_number: s.order_number.clone(),
        shipping_method: s.shipping_method.clone(),
        total_price: t.total.get(),
        shipping_amount: t.shipping.map(Cents::get),
        tax_amount: t.tax.map(Cents::get),
        discount_amount: t.discount.map(Cents::get),
        total_products: s.products.len() as i64,
        external_created_date: iso(s.external_created_at),
        external_updated_date: s.external_updated_at.map(iso),
        abandoned_date: o.abandoned_at.map(iso),
        created_date: iso(o.created_at),
        updated_date: iso(o.updated_at.unwrap_or(o.created_at)),
        order_date: iso(s.external_created_at),
        state: state(o),
        connection: s.connection_id.to_string(),
        customer: s.customer_id.to_string(),
        order_products: (1..=s.products.len()).map(|n| format!("{id}-{n}")).collect(),
        order_discounts: (1..=s.discounts.len()).map(|n| format!("{id}-d{n}")).collect(),
        tstamp: iso(o.updated_at.unwrap_or(o.created_at)),
        links: schema::OrderLinks {
            connection: format!("{}/ecomOrders/{id}/connection", base(app)),
            customer: format!("{}/ecomOrders/{id}/customer", base(app)),
            order_products: format!("{}/ecomOrders/{id}/orderProducts", base(app)),
        },
        id: id.to_string(),
    })
}
