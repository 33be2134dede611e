//! `/v1/orders/{direction}…`, `/v1/cart…` and `/v1/buyers/{buyerID}/approvalrules`: checkout in
//! OrderCloud's wire format over the one order model. Handlers parse, call one use case and
//! render; the checkout rules and callouts live in `cartwire_app::checkout`.

use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, OptionalJson, from_value, merge_patch};
use super::identity::{iso, render_user};
use super::integration_events::oc_to_app;
use super::list::{ListSpec, page};
use super::{created, field};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::callout::CalloutWire;
use cartwire_app::checkout::{LineDraft, OrderDraft, checkout_of, ordercloud_status};
use cartwire_app::identity::SaveMode;
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::ObjectId;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::checkout::{Address, ApprovalRule, CheckoutLine, RuleExpression};
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::order::Order;
use cartwire_domain::user::User;
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of orders.
pub const ORDER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Comments"],
    sortable: &["ID", "DateCreated", "DateSubmitted", "LastUpdated", "Total", "Status"],
    filterable: &[
        "ID",
        "Status",
        "FromUserID",
        "FromCompanyID",
        "DateCreated",
        "DateSubmitted",
        "LastUpdated",
        "Total",
        "Subtotal",
        "IsSubmitted",
        "LineItemCount",
        "Currency",
        "Comments",
    ],
};

/// Query capabilities of line items.
pub const LINE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "ProductID"],
    sortable: &["ID", "ProductID", "DateAdded", "Quantity", "LineTotal"],
    filterable: &["ID", "ProductID", "Quantity", "UnitPrice", "LineTotal", "DateAdded"],
};

/// Query capabilities of approval rules.
pub const RULE_SPEC: ListSpec =
    ListSpec { searchable: &["ID", "Name"], sortable: &["ID", "Name"], filterable: &["ID", "Name", "RuleExpression"] };

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
        super::returns::render_return(r, currency)
    }
    fn openid_connect(&self, c: &cartwire_app::sso::OpenIdConnectRecord) -> Value {
        super::sso::render(c)
    }
}

fn money(amount: Cents, currency: &CurrencyCode) -> f64 {
    to_decimal(amount, currency)
}

/// Renders an address.
pub fn render_address(a: &Address) -> Value {
    json!({
        "ID": a.id, "DateCreated": null, "CompanyName": a.company_name, "FirstName": a.first_name,
        "LastName": a.last_name, "Street1": a.street1, "Street2": a.street2, "City": a.city, "State": a.state,
        "Zip": a.zip, "Country": a.country, "Phone": a.phone, "AddressName": a.address_name, "xp": a.xp,
    })
}

/// An address on the wire.
#[derive(Debug, Deserialize)]
pub struct AddressIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "CompanyName")]
    company_name: Option<String>,
    #[serde(rename = "FirstName")]
    first_name: Option<String>,
    #[serde(rename = "LastName")]
    last_name: Option<String>,
    #[serde(rename = "Street1")]
    street1: Option<String>,
    #[serde(rename = "Street2")]
    street2: Option<String>,
    #[serde(rename = "City")]
    city: Option<String>,
    #[serde(rename = "State")]
    state: Option<String>,
    #[serde(rename = "Zip")]
    zip: Option<String>,
    #[serde(rename = "Country")]
    country: Option<String>,
    #[serde(rename = "Phone")]
    phone: Option<String>,
    #[serde(rename = "AddressName")]
    address_name: Option<String>,
    xp: Option<Value>,
}

impl AddressIn {
    fn into_domain(self, prefix: &str) -> Result<Address, AppError> {
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
        address.validate().map_err(|(f, e)| AppError::invalid(format!("{prefix}{f}"), e))?;
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
        "FromUser": co.from_user,
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

/// Renders the order's worksheet.
pub fn render_worksheet(o: &Order) -> Value {
    let co = checkout_of(o);
    let w = &co.worksheet;
    json!({
        "Order": render_order(o),
        "LineItems": co.lines.iter().map(|l| render_line(o, l)).collect::<Vec<_>>(),
        "OrderPromotions": [],
        "Subscription": null,
        "ShipEstimateResponse": w.ship_estimate_response,
        "OrderCalculateResponse": w.order_calculate_response,
        "OrderSubmitResponse": w.order_submit_response,
        "OrderSubmitForApprovalResponse": w.order_submit_for_approval_response,
        "OrderApprovedResponse": w.order_approved_response,
        "SubscriptionIntegrationResponse": null,
    })
}

/// `{direction}` is `Incoming`, `Outgoing` or `All` (any case). cartwire is one marketplace:
/// every direction names the same orders, narrowed by who may see them.
fn check_direction(direction: &str) -> Result<(), OcError> {
    if ["incoming", "outgoing", "all"].contains(&direction.to_ascii_lowercase().as_str()) {
        Ok(())
    } else {
        Err(OcError::validation("direction", format!("direction must be Incoming, Outgoing or All, not '{direction}'")))
    }
}

/// An order on the wire (read-only fields are accepted and ignored, so a GET body can be PUT
/// back).
#[derive(Debug, Deserialize)]
pub struct OrderIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Comments")]
    comments: Option<String>,
    #[serde(rename = "Currency")]
    currency: Option<String>,
    xp: Option<Value>,
}

fn xp_or_empty(xp: Option<Value>) -> Value {
    xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({}))
}

/// A line item on the wire.
#[derive(Debug, Deserialize)]
pub struct LineIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "ProductID")]
    product_id: Option<String>,
    #[serde(rename = "Quantity")]
    quantity: Option<i64>,
    #[serde(rename = "UnitPrice")]
    unit_price: Option<Value>,
    #[serde(rename = "ShippingAddress")]
    shipping_address: Option<AddressIn>,
    xp: Option<Value>,
}

impl LineIn {
    fn into_draft(self) -> Result<LineDraft, AppError> {
        Ok(LineDraft {
            id: self.id,
            product_id: self.product_id.ok_or_else(|| AppError::invalid("ProductID", "ProductID is required"))?,
            quantity: self.quantity.ok_or_else(|| AppError::invalid("Quantity", "Quantity is required"))?,
            unit_price: self.unit_price,
            shipping_address: self.shipping_address.map(|a| a.into_domain("ShippingAddress.")).transpose()?,
            xp: xp_or_empty(self.xp),
        })
    }
}

/// The order a route names — `/v1/orders/{direction}/{id}/…`, or the caller's current cart for
/// `/v1/cart/…` — and the line item or action when the route has one. One handler serves both
/// route families.
pub(super) struct Target {
    order: Option<String>,
    line: Option<String>,
    action: Option<String>,
}

impl axum::extract::FromRequestParts<App> for Target {
    type Rejection = OcError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|e| OcError::validation("path", e.to_string()))?;
        let mut target = Target { order: None, line: None, action: None };
        for (name, value) in params.iter() {
            match name {
                "direction" => check_direction(value)?,
                "id" => target.order = Some(value.to_owned()),
                "line" => target.line = Some(value.to_owned()),
                "action" => target.action = Some(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        Ok(target)
    }
}

impl Target {
    async fn order_id(&self, app: &App, p: &Principal) -> Result<String, OcError> {
        match &self.order {
            Some(id) => Ok(id.clone()),
            None => Ok(app.current_cart_id(p).await?),
        }
    }

    fn line_id(&self) -> &str {
        self.line.as_deref().expect("line routes name {line}")
    }
}

fn line_of(o: &Order, line_id: &str) -> Result<Value, OcError> {
    checkout_of(o).line(line_id).map(|l| render_line(o, l)).ok_or_else(|| OcError::not_found("LineItem", line_id))
}

// ---- orders -------------------------------------------------------------------------------

pub(super) async fn orders_list(
    State(app): State<App>,
    Caller(p): Caller,
    _target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_checkout_orders(&p).await?.iter().map(render_order).collect();
    Ok(Json(page(items, q.as_deref(), &ORDER_SPEC)?))
}

pub(super) async fn order_create(
    State(app): State<App>,
    Caller(p): Caller,
    Path(direction): Path<String>,
    OcJson(body): OcJson<OrderIn>,
) -> Result<Response, OcError> {
    check_direction(&direction)?;
    if let Some(id) = &body.id {
        field(ObjectId::parse(id), "ID")?;
    }
    let currency = body.currency.as_deref().map(CurrencyCode::parse).transpose();
    let draft = OrderDraft {
        id: body.id,
        comments: body.comments,
        xp: xp_or_empty(body.xp),
        currency: field(currency, "Currency")?,
    };
    let order = app.create_checkout_order(&p, draft).await?;
    Ok(created(&app, &format!("/v1/orders/{direction}/{}", order.id), render_order(&order)))
}

pub(super) async fn order_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(render_order(&app.get_checkout_order(&p, &id).await?)))
}

async fn order_save(
    app: &App,
    p: &Principal,
    target: Target,
    body: Value,
    patch: bool,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(app, p).await?;
    let body = if patch { merge_patch(render_order(&app.get_checkout_order(p, &id).await?), body) } else { body };
    let wire: OrderIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != id) {
        return Err(OcError::validation("ID", "an order's ID cannot change"));
    }
    let saved = app
        .update_checkout_order(p, &id, |co, _| {
            co.comments = wire.comments;
            co.xp = xp_or_empty(wire.xp);
            if !co.xp.is_object() {
                return Err(AppError::invalid("xp", "xp must be an object"));
            }
            Ok(())
        })
        .await?;
    Ok(Json(render_order(&saved)))
}

pub(super) async fn order_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    order_save(&app, &p, target, body, false).await
}

pub(super) async fn order_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    order_save(&app, &p, target, body, true).await
}

pub(super) async fn order_delete(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<StatusCode, OcError> {
    let id = target.order_id(&app, &p).await?;
    app.delete_checkout_order(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- line items ---------------------------------------------------------------------------

pub(super) async fn lines_list(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    let order = app.get_checkout_order(&p, &id).await?;
    let items = checkout_of(&order).lines.iter().map(|l| render_line(&order, l)).collect();
    Ok(Json(page(items, q.as_deref(), &LINE_SPEC)?))
}

pub(super) async fn line_create(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    OcJson(body): OcJson<LineIn>,
) -> Result<Response, OcError> {
    let id = target.order_id(&app, &p).await?;
    let (order, line_id) = app.add_line_item(&p, &OcWire, &id, || body.into_draft()).await?;
    let line = line_of(&order, &line_id)?;
    Ok(created(&app, &format!("/v1/orders/Outgoing/{id}/lineitems/{line_id}"), line))
}

pub(super) async fn line_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(line_of(&app.get_checkout_order(&p, &id).await?, target.line_id())?))
}

async fn line_save(app: &App, p: &Principal, target: Target, body: Value, patch: bool) -> Result<Json<Value>, OcError> {
    let id = target.order_id(app, p).await?;
    let line_id = target.line_id();
    // Read through the use case first (its role check) for PUT as for PATCH: a caller without
    // the role gets 403, not a validation message.
    let current = app.get_checkout_order(p, &id).await?;
    let body = if patch { merge_patch(line_of(&current, line_id)?, body) } else { body };
    let wire: LineIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != line_id) {
        return Err(OcError::validation("ID", "a line item's ID cannot change"));
    }
    let draft = wire.into_draft()?;
    let order = app.save_line_item(p, &OcWire, &id, line_id, draft).await?;
    Ok(Json(line_of(&order, line_id)?))
}

pub(super) async fn line_put(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    line_save(&app, &p, target, body, false).await
}

pub(super) async fn line_patch(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    line_save(&app, &p, target, body, true).await
}

pub(super) async fn line_delete(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<StatusCode, OcError> {
    let id = target.order_id(&app, &p).await?;
    app.delete_line_item(&p, &id, target.line_id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- addresses ----------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum AddressKind {
    Shipping,
    Billing,
}

async fn address_save(
    app: &App,
    p: &Principal,
    target: Target,
    kind: AddressKind,
    body: Value,
    patch: bool,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(app, p).await?;
    // Read through the use case first (its role check) for PUT as for PATCH.
    let order = app.get_checkout_order(p, &id).await?;
    let body = if patch {
        let current = match kind {
            AddressKind::Shipping => checkout_of(&order).shipping_address.as_ref().map(render_address),
            AddressKind::Billing => checkout_of(&order).billing_address.as_ref().map(render_address),
        };
        merge_patch(current.unwrap_or_else(|| json!({})), body)
    } else {
        body
    };
    let address = from_value::<AddressIn>(body)?.into_domain("")?;
    let saved = app
        .update_checkout_order(p, &id, |co, _| {
            match kind {
                AddressKind::Shipping => co.shipping_address = Some(address),
                AddressKind::Billing => co.billing_address = Some(address),
            }
            Ok(())
        })
        .await?;
    Ok(Json(render_order(&saved)))
}

macro_rules! address_handlers {
    ($name:ident, $kind:expr, $patch:expr) => {
        pub(super) async fn $name(
            State(app): State<App>,
            Caller(p): Caller,
            target: Target,
            JsonValue(body): JsonValue,
        ) -> Result<Json<Value>, OcError> {
            address_save(&app, &p, target, $kind, body, $patch).await
        }
    };
}
address_handlers!(shipto_put, AddressKind::Shipping, false);
address_handlers!(shipto_patch, AddressKind::Shipping, true);
address_handlers!(billto_put, AddressKind::Billing, false);
address_handlers!(billto_patch, AddressKind::Billing, true);

// ---- checkout actions ---------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ShipMethodSelectionIn {
    #[serde(rename = "ShipMethodSelections")]
    selections: Vec<SelectionIn>,
}

#[derive(Debug, Deserialize)]
struct SelectionIn {
    #[serde(rename = "ShipEstimateID")]
    ship_estimate_id: String,
    #[serde(rename = "ShipMethodID")]
    ship_method_id: String,
}

#[derive(Debug, Default, Deserialize)]
struct ApprovalInfoIn {
    #[serde(rename = "Comments")]
    comments: Option<String>,
}

/// Actions on the cart; the seller's (approve, decline, cancel, complete) need an order id.
const CART_ACTIONS: &[&str] = &["estimateshipping", "shipmethods", "calculate", "validate", "submit"];

pub(super) async fn order_action(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    OptionalJson(body): OptionalJson,
) -> Result<Response, OcError> {
    let action = target.action.clone().unwrap_or_default();
    let no_such = || {
        OcError::new(StatusCode::NOT_FOUND, "NotFound", format!("No order action '{action}'"))
            .with_data(json!({"ObjectType": "Route", "ObjectID": action}))
    };
    if target.order.is_none() && !CART_ACTIONS.contains(&action.as_str()) {
        return Err(no_such());
    }
    let id = target.order_id(&app, &p).await?;
    let worksheet = |o: Order| Json(render_worksheet(&o)).into_response();
    let order = |o: Order| Json(render_order(&o)).into_response();
    let comments = || -> Result<Option<String>, OcError> {
        if body.is_null() { Ok(None) } else { Ok(from_value::<ApprovalInfoIn>(body.clone())?.comments) }
    };
    Ok(match action.as_str() {
        "estimateshipping" => worksheet(app.estimate_shipping(&p, &OcWire, &id).await?),
        "shipmethods" => {
            if body.is_null() {
                return Err(OcError::validation("ShipMethodSelections", "ShipMethodSelections is required"));
            }
            let wire: ShipMethodSelectionIn = from_value(body)?;
            let selections =
                wire.selections.into_iter().map(|s| (s.ship_estimate_id, s.ship_method_id)).collect::<Vec<_>>();
            worksheet(app.select_ship_methods(&p, &id, selections).await?)
        }
        "calculate" => worksheet(app.calculate_order(&p, &OcWire, &id).await?),
        "validate" => {
            app.validate_order(&p, &id).await?;
            StatusCode::NO_CONTENT.into_response()
        }
        "submit" => order(app.submit_order(&p, &OcWire, &id).await?),
        "approve" => order(app.approve_order(&p, &OcWire, &id, comments()?).await?),
        "decline" => order(app.decline_order(&p, &id, comments()?).await?),
        "cancel" => order(app.cancel_order(&p, &id).await?),
        "complete" => order(app.complete_order(&p, &id).await?),
        _ => return Err(no_such()),
    })
}

pub(super) async fn worksheet_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(render_worksheet(&app.get_checkout_order(&p, &id).await?)))
}

// ---- approval rules -----------------------------------------------------------------------

/// An approval rule on the wire.
#[derive(Debug, Deserialize)]
pub struct RuleIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "ApprovingGroupID")]
    approving_group_id: Option<String>,
    #[serde(rename = "RuleExpression")]
    rule_expression: Option<String>,
    xp: Option<Value>,
}

impl RuleIn {
    fn into_domain(self, id: ObjectId) -> Result<ApprovalRule, AppError> {
        let expression =
            self.rule_expression.ok_or_else(|| AppError::invalid("RuleExpression", "RuleExpression is required"))?;
        Ok(ApprovalRule {
            id,
            buyer_id: String::new(),
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            description: self.description,
            approving_group_id: self.approving_group_id,
            rule_expression: RuleExpression::parse(&expression).map_err(|e| AppError::invalid("RuleExpression", e))?,
            xp: xp_or_empty(self.xp),
        })
    }
}

/// Renders an approval rule.
pub fn render_rule(r: &ApprovalRule) -> Value {
    json!({"ID": r.id.as_str(), "Name": r.name, "Description": r.description,
           "ApprovingGroupID": r.approving_group_id, "RuleExpression": r.rule_expression.as_str(), "xp": r.xp})
}

pub(super) async fn rules_list(
    State(app): State<App>,
    Caller(p): Caller,
    Path(buyer): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_approval_rules(&p, &buyer).await?.iter().map(render_rule).collect();
    Ok(Json(page(items, q.as_deref(), &RULE_SPEC)?))
}
pub(super) async fn rule_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_rule(&app.get_approval_rule(&p, &buyer, &id).await?)))
}
pub(super) async fn rule_create(
    State(app): State<App>,
    Caller(p): Caller,
    Path(buyer): Path<String>,
    OcJson(body): OcJson<RuleIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let saved =
        app.save_approval_rule(&p, &buyer, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/buyers/{buyer}/approvalrules/{}", saved.id), render_rule(&saved)))
}
pub(super) async fn rule_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
    OcJson(body): OcJson<RuleIn>,
) -> Result<Json<Value>, OcError> {
    let saved = app.save_approval_rule(&p, &buyer, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_rule(&saved)))
}
pub(super) async fn rule_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let saved = app
        .save_approval_rule(&p, &buyer, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: RuleIn = from_value(merge_patch(render_rule(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_rule(&saved)))
}
pub(super) async fn rule_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
) -> Result<StatusCode, OcError> {
    app.delete_approval_rule(&p, &buyer, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwire_domain::order::OrderStatus;

    #[test]
    fn directions_are_case_insensitive_and_closed() {
        for d in ["Incoming", "outgoing", "ALL"] {
            assert!(check_direction(d).is_ok(), "{d}");
        }
        assert_eq!(check_direction("Sideways").unwrap_err().code(), "ValidationFailure");
    }

    #[test]
    fn order_statuses_speak_ordercloud() {
        assert_eq!(ordercloud_status(OrderStatus::Cart), "Unsubmitted");
        assert_eq!(ordercloud_status(OrderStatus::Placed), "Open");
        assert_eq!(ordercloud_status(OrderStatus::AwaitingApproval), "AwaitingApproval");
        assert_eq!(ordercloud_status(OrderStatus::Canceled), "Canceled");
    }
}
