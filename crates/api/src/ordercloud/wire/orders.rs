//! Orders, line items and addresses as OrderCloud's bodies carry them: renderings and the
//! request structs (read-only fields accepted and ignored, so a GET body can be PUT back).

use super::{iso, money, ordercloud_status, xp_or_empty};
use crate::ordercloud::fields::{refused, refused_within, required};
use crate::ordercloud::schema;
use cartwire_app::AppError;
use cartwire_app::checkout::{LineDraft, checkout_of};
use cartwire_domain::Field;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::commerce::Cents;
use cartwire_domain::order::Order;
use cartwire_domain::order::checkout::{Address, FromUser};
use cartwire_domain::order::lines::{CheckoutLine, Quantity};
use cartwire_domain::order::worksheet::{CalloutRecord, ShipEstimate};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Renders an address.
pub fn render_address(a: &Address) -> schema::Address {
    schema::Address {
        id: a.id.clone(),
        date_created: None,
        company_name: a.company_name.clone(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        street1: a.street1.clone(),
        street2: a.street2.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        zip: a.zip.clone(),
        country: a.country.clone(),
        phone: a.phone.clone(),
        address_name: a.address_name.clone(),
        xp: a.xp.clone(),
    }
}

/// An address on the wire.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AddressIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) id: Option<String>,
    #[serde(rename = "CompanyName")]
    pub(crate) company_name: Option<String>,
    #[serde(rename = "FirstName")]
    pub(crate) first_name: Option<String>,
    #[serde(rename = "LastName")]
    pub(crate) last_name: Option<String>,
    #[serde(rename = "Street1")]
    pub(crate) street1: Option<String>,
    #[serde(rename = "Street2")]
    pub(crate) street2: Option<String>,
    #[serde(rename = "City")]
    pub(crate) city: Option<String>,
    #[serde(rename = "State")]
    pub(crate) state: Option<String>,
    #[serde(rename = "Zip")]
    pub(crate) zip: Option<String>,
    #[serde(rename = "Country")]
    pub(crate) country: Option<String>,
    #[serde(rename = "Phone")]
    pub(crate) phone: Option<String>,
    #[serde(rename = "AddressName")]
    pub(crate) address_name: Option<String>,
    pub(crate) xp: Option<Value>,
}

impl AddressIn {
    pub(crate) fn into_domain(self, within: Option<Field>) -> Result<Address, AppError> {
        let address = Address {
            id: self.id,
            company_name: self.company_name,
            first_name: self.first_name,
            last_name: self.last_name,
            street1: self.street1.unwrap_or_default(),
            street2: self.street2,
            city: self.city.unwrap_or_default(),
            state: self.state,
            zip: self.zip,
            country: self.country.unwrap_or_default(),
            phone: self.phone,
            address_name: self.address_name,
            xp: self.xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({})),
        };
        address.validate().map_err(|e| refused_within(within, e))?;
        Ok(address)
    }
}

/// Renders an order.
pub fn render_order(o: &Order) -> schema::Order {
    let co = checkout_of(o);
    let c = o.currency();
    let submitted = !o.status.is_cart();
    schema::Order {
        id: o.id.to_string(),
        from_user: render_from_user(&co.from_user),
        from_company_id: Some(co.from_company_id.clone()),
        to_company_id: Some(co.to_company_id.clone()),
        from_user_id: o.customer_id.clone(),
        billing_address_id: co.billing_address.as_ref().and_then(|a| a.id.clone()),
        billing_address: co.billing_address.as_ref().map(render_address),
        shipping_address_id: co.shipping_address.as_ref().and_then(|a| a.id.clone()),
        comments: co.comments.clone(),
        line_item_count: co.lines.len() as i64,
        status: ordercloud_status(o.status).to_owned(),
        date_created: iso(o.created_at),
        date_submitted: if submitted { o.placed_at.map(iso) } else { None },
        date_approved: co.date_approved.map(iso),
        date_declined: co.date_declined.map(iso),
        date_canceled: co.date_canceled.map(iso),
        date_completed: co.date_completed.map(iso),
        last_updated: iso(o.updated_at.unwrap_or(o.created_at)),
        subtotal: to_decimal(Cents::new(co.subtotal()).unwrap_or_default(), &c),
        shipping_cost: money(co.shipping_cost, &c),
        tax_cost: money(co.tax_cost, &c),
        gratuity: 0.0,
        fees: money(co.fees, &c),
        promotion_discount: 0.0,
        currency: c.as_str().to_owned(),
        total: to_decimal(Cents::new(co.total()).unwrap_or_default(), &c),
        is_submitted: submitted,
        subscription_id: None,
        xp: co.xp.clone(),
    }
}

/// Renders a line item of `o`.
pub fn render_line(o: &Order, l: &CheckoutLine) -> schema::LineItem {
    let c = o.currency();
    let co = checkout_of(o);
    let shipping = l.shipping_address.as_ref().or(co.shipping_address.as_ref());
    let p = &l.product;
    let subtotal = to_decimal(Cents::new(l.subtotal()).unwrap_or_default(), &c);
    schema::LineItem {
        id: l.id.clone(),
        product_id: p.id.clone(),
        quantity: i64::from(l.quantity),
        bundle_item_id: None,
        is_bundle: false,
        date_added: iso(l.date_added),
        quantity_shipped: 0,
        unit_price: Some(money(l.unit_price, &c)),
        promotion_discount: 0.0,
        line_total: subtotal,
        line_subtotal: subtotal,
        cost_center: None,
        date_needed: None,
        shipping_account: None,
        shipping_address_id: shipping.and_then(|a| a.id.clone()),
        ship_from_address_id: None,
        product: schema::LineProduct {
            id: p.id.clone(),
            name: Some(p.name.clone()),
            description: p.description.clone(),
            returnable: p.returnable,
            quantity_multiplier: p.quantity_multiplier,
            ship_weight: p.ship_weight,
            ship_height: p.ship_height,
            ship_width: p.ship_width,
            ship_length: p.ship_length,
            default_supplier_id: p.default_supplier_id.clone(),
            parent_id: None,
            xp: p.xp.clone(),
        },
        variant: None,
        shipping_address: shipping.map(render_address),
        ship_from_address: None,
        supplier_id: None,
        inventory_record_id: None,
        price_schedule_id: l.price_schedule_id.clone(),
        is_on_sale: false,
        price_overridden: l.price_overridden,
        specs: vec![],
        incoming_order_id: o.id.to_string(),
        outgoing_order_id: o.id.to_string(),
        invitation_id: None,
        xp: l.xp.clone(),
    }
}

/// A middleware's answer as the worksheet shows it: what it sent, with the read-only fields
/// the platform fills (`HttpStatusCode`, `UnhandledErrorBody`, `Succeeded`).
fn render_callout(r: &CalloutRecord) -> Value {
    let mut body = match (&r.answer, &r.error_body) {
        (Value::Object(m), None) => m.clone(),
        _ => Map::new(),
    };
    body.insert("HttpStatusCode".into(), json!(r.status));
    body.insert("UnhandledErrorBody".into(), json!(r.error_body));
    if r.succeeded() {
        body.entry("Succeeded").or_insert(json!(true));
    } else {
        body.insert("Succeeded".into(), json!(false));
        body.insert("xp".into(), json!({}));
    }
    Value::Object(body)
}

/// The shipping-rates answer with the ship methods chosen since (`SelectedShipMethodID`).
fn render_ship_estimates(r: &CalloutRecord, estimates: &[ShipEstimate]) -> Value {
    let mut body = render_callout(r);
    if let Some(Value::Array(shown)) = body.get_mut("ShipEstimates") {
        for e in shown.iter_mut() {
            let id = e.get("ID").and_then(Value::as_str).unwrap_or_default();
            if let (Some(chosen), Value::Object(m)) = (estimates.iter().find(|x| x.id == id), &mut *e) {
                m.insert("SelectedShipMethodID".into(), json!(chosen.selected_method));
            }
        }
    }
    body
}

/// The user an order is from, as `FromUser` shows it (only what the snapshot holds).
fn render_from_user(u: &FromUser) -> schema::FromUser {
    schema::FromUser {
        id: u.id.clone(),
        username: u.username.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        email: u.email.clone(),
        phone: u.first_name.as_ref().map(|_| u.phone.clone()),
        xp: u.xp.clone(),
    }
}

/// Renders the order's worksheet.
pub fn render_worksheet(o: &Order) -> schema::OrderWorksheet {
    let co = checkout_of(o);
    let w = &co.worksheet;
    schema::OrderWorksheet {
        order: render_order(o),
        line_items: co.lines.iter().map(|l| render_line(o, l)).collect(),
        order_promotions: vec![],
        subscription: None,
        ship_estimate_response: w.shipping_rates.as_ref().map(|r| render_ship_estimates(r, &w.ship_estimates)),
        order_calculate_response: w.calculation.as_ref().map(render_callout),
        order_submit_response: w.submitted.as_ref().map(render_callout),
        order_submit_for_approval_response: w.submitted_for_approval.as_ref().map(render_callout),
        order_approved_response: w.approved.as_ref().map(render_callout),
        subscription_integration_response: None,
    }
}

/// An order on the wire (read-only fields are accepted and ignored, so a GET body can be PUT
/// back).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrderIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) id: Option<String>,
    #[serde(rename = "Comments")]
    pub(crate) comments: Option<String>,
    #[serde(rename = "Currency")]
    pub(crate) currency: Option<String>,
    /// A saved address of the caller's to ship to (`/v1/me/addresses`).
    #[serde(rename = "ShippingAddressID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) shipping_address_id: Option<String>,
    /// A saved address of the caller's to bill to.
    #[serde(rename = "BillingAddressID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) billing_address_id: Option<String>,
    pub(crate) xp: Option<Value>,
}

/// A line item on the wire.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LineIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) id: Option<String>,
    #[serde(rename = "ProductID")]
    #[schema(required = true, nullable = false)]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) product_id: Option<String>,
    #[serde(rename = "Quantity")]
    #[schema(required = true, nullable = false)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub(crate) quantity: Option<i64>,
    #[serde(rename = "UnitPrice")]
    pub(crate) unit_price: Option<Value>,
    #[serde(rename = "ShippingAddress")]
    pub(crate) shipping_address: Option<AddressIn>,
    /// A saved address of the caller's to ship this line to (`/v1/me/addresses`).
    #[serde(rename = "ShippingAddressID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub(crate) shipping_address_id: Option<String>,
    pub(crate) xp: Option<Value>,
}

impl LineIn {
    pub(crate) fn into_draft(self) -> Result<LineDraft, AppError> {
        Ok(LineDraft {
            id: self.id,
            product_id: self.product_id.ok_or_else(|| required("ProductID"))?,
            quantity: Quantity::new(self.quantity.ok_or_else(|| required("Quantity"))?)
                .map_err(|e| refused("Quantity", e))?,
            unit_price: super::optional_amount(self.unit_price.as_ref()).map_err(|e| refused("UnitPrice", e))?,
            shipping_address: self.shipping_address.map(|a| a.into_domain(Some(Field::ShippingAddress))).transpose()?,
            xp: xp_or_empty(self.xp),
        })
    }
}
