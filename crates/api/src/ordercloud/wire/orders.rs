//! Orders, line items and addresses as OrderCloud's bodies carry them: renderings and the
//! request structs (read-only fields accepted and ignored, so a GET body can be PUT back).

use super::{iso, money, ordercloud_status, xp_or_empty};
use crate::ordercloud::fields::{refused, refused_within, required};
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
pub fn render_address(a: &Address) -> Value {
    json!({
        "ID": a.id, "DateCreated": null, "CompanyName": a.company_name, "FirstName": a.first_name,
        "LastName": a.last_name, "Street1": a.street1, "Street2": a.street2, "City": a.city, "State": a.state,
        "Zip": a.zip, "Country": a.country, "Phone": a.phone, "AddressName": a.address_name, "xp": a.xp,
    })
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
pub fn render_order(o: &Order) -> Value {
    let co = checkout_of(o);
    let c = o.currency();
    let submitted = !o.status.is_cart();
    json!({
        "ID": o.id,
        "FromUser": render_from_user(&co.from_user),
        "FromCompanyID": co.from_company_id,
        "ToCompanyID": co.to_company_id,
        "FromUserID": o.customer_id,
        "BillingAddressID": co.billing_address.as_ref().and_then(|a| a.id.clone()),
        "BillingAddress": co.billing_address.as_ref().map(render_address),
        "ShippingAddressID": co.shipping_address.as_ref().and_then(|a| a.id.clone()),
        "Comments": co.comments,
        "LineItemCount": co.lines.len(),
        "Status": ordercloud_status(o.status),
        "DateCreated": iso(o.created_at),
        "DateSubmitted": if submitted { o.placed_at.map(iso) } else { None },
        "DateApproved": co.date_approved.map(iso),
        "DateDeclined": co.date_declined.map(iso),
        "DateCanceled": co.date_canceled.map(iso),
        "DateCompleted": co.date_completed.map(iso),
        "LastUpdated": iso(o.updated_at.unwrap_or(o.created_at)),
        "Subtotal": to_decimal(Cents::new(co.subtotal()).unwrap_or_default(), &c),
        "ShippingCost": money(co.shipping_cost, &c),
        "TaxCost": money(co.tax_cost, &c),
        "Gratuity": 0.0,
        "Fees": money(co.fees, &c),
        "PromotionDiscount": 0.0,
        "Currency": c.as_str(),
        "Total": to_decimal(Cents::new(co.total()).unwrap_or_default(), &c),
        "IsSubmitted": submitted,
        "SubscriptionID": null,
        "xp": co.xp,
    })
}

/// Renders a line item of `o`.
pub fn render_line(o: &Order, l: &CheckoutLine) -> Value {
    let c = o.currency();
    let co = checkout_of(o);
    let shipping = l.shipping_address.as_ref().or(co.shipping_address.as_ref());
    let p = &l.product;
    json!({
        "ID": l.id, "ProductID": p.id, "Quantity": l.quantity, "BundleItemID": null, "IsBundle": false,
        "DateAdded": iso(l.date_added), "QuantityShipped": 0,
        "UnitPrice": money(l.unit_price, &c), "PromotionDiscount": 0.0,
        "LineTotal": to_decimal(Cents::new(l.subtotal()).unwrap_or_default(), &c),
        "LineSubtotal": to_decimal(Cents::new(l.subtotal()).unwrap_or_default(), &c),
        "CostCenter": null, "DateNeeded": null, "ShippingAccount": null,
        "ShippingAddressID": shipping.and_then(|a| a.id.clone()), "ShipFromAddressID": null,
        "Product": {"ID": p.id, "Name": p.name, "Description": p.description, "Returnable": p.returnable,
                    "QuantityMultiplier": p.quantity_multiplier, "ShipWeight": p.ship_weight, "ShipHeight": p.ship_height,
                    "ShipWidth": p.ship_width, "ShipLength": p.ship_length, "DefaultSupplierID": p.default_supplier_id,
                    "ParentID": null, "xp": p.xp},
        "Variant": null,
        "ShippingAddress": shipping.map(render_address), "ShipFromAddress": null, "SupplierID": null,
        "InventoryRecordID": null, "PriceScheduleID": l.price_schedule_id, "IsOnSale": false,
        "PriceOverridden": l.price_overridden, "Specs": [],
        "IncomingOrderID": o.id, "OutgoingOrderID": o.id, "InvitationID": null, "xp": l.xp,
    })
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
fn render_from_user(u: &FromUser) -> Value {
    let mut m = Map::new();
    m.insert("ID".into(), json!(u.id));
    m.insert("Username".into(), json!(u.username));
    for (k, v) in [("FirstName", &u.first_name), ("LastName", &u.last_name), ("Email", &u.email)] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if u.first_name.is_some() {
        m.insert("Phone".into(), json!(u.phone));
    }
    m.insert("xp".into(), u.xp.clone());
    Value::Object(m)
}

/// Renders the order's worksheet.
pub fn render_worksheet(o: &Order) -> Value {
    let co = checkout_of(o);
    let w = &co.worksheet;
    json!({
        "Order": render_order(o),
        "LineItems": co.lines.iter().map(|l| render_line(o, l)).collect::<Vec<_>>(),
        "OrderPromotions": [],
        "Subscription": null,
        "ShipEstimateResponse": w.shipping_rates.as_ref().map(|r| render_ship_estimates(r, &w.ship_estimates)),
        "OrderCalculateResponse": w.calculation.as_ref().map(render_callout),
        "OrderSubmitResponse": w.submitted.as_ref().map(render_callout),
        "OrderSubmitForApprovalResponse": w.submitted_for_approval.as_ref().map(render_callout),
        "OrderApprovedResponse": w.approved.as_ref().map(render_callout),
        "SubscriptionIntegrationResponse": null,
    })
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
