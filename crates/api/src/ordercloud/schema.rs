//! The shapes of OrderCloud's answers as `/openapi/ordercloud.json` describes them (request
//! bodies are described by the request structs themselves). The handlers render with `json!`
//! beside each resource; these types are the description, and every HTTP test checks each
//! response against it (an undocumented field fails), so the two cannot drift.
#![allow(dead_code)] // described, never constructed

use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};

/// OrderCloud's error body.
#[derive(ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    #[serde(rename = "Errors")]
    errors: Vec<ApiErrorItem>,
    /// Only on `/oauth/token`: the OAuth 2.0 error code.
    #[schema(required = false)]
    error: String,
    /// Only on `/oauth/token`.
    #[schema(required = false)]
    error_description: String,
}

/// One error.
#[derive(ToSchema)]
pub struct ApiErrorItem {
    /// `ValidationFailure`, `NotFound`, `InsufficientRoles`, `IdExists`, `Auth.TokenRevoked`, …
    #[serde(rename = "ErrorCode")]
    error_code: String,
    #[serde(rename = "Message")]
    message: String,
    /// What the code is about (`PropertyName`, `ObjectType` / `ObjectID`, `SufficientRoles`, …).
    #[serde(rename = "Data")]
    data: Value,
}

/// `POST /oauth/token`, form-encoded (client secret also by HTTP Basic).
#[derive(ToSchema)]
pub struct TokenForm {
    #[schema(pattern = "^(client_credentials|password|refresh_token)$")]
    grant_type: String,
    client_id: String,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    /// Space-separated roles to ask for (default: every role the user holds).
    scope: Option<String>,
    refresh_token: Option<String>,
}

/// An access token.
#[derive(ToSchema)]
pub struct AccessToken {
    access_token: String,
    #[schema(pattern = "^bearer$")]
    token_type: String,
    /// Seconds.
    expires_in: i64,
    refresh_token: Option<String>,
}

/// The signing keys.
#[derive(ToSchema)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

/// A public RSA key.
#[derive(ToSchema)]
pub struct Jwk {
    kty: String,
    kid: String,
    #[serde(rename = "use")]
    usage: String,
    alg: String,
    n: String,
    e: String,
}

/// A page of a list (`Meta` and `Items`), described as `{T}List`.
pub struct ListPage<T>(std::marker::PhantomData<T>);

impl<T: ToSchema> utoipa::PartialSchema for ListPage<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("Meta", Ref::from_schema_name("Meta"))
            .required("Meta")
            .property("Items", ArrayBuilder::new().items(Ref::from_schema_name(T::name())))
            .required("Items")
            .into()
    }
}

impl<T: ToSchema> ToSchema for ListPage<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}List", T::name()).into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("Meta".into(), <Meta as utoipa::PartialSchema>::schema()));
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// Where a page is.
#[derive(ToSchema)]
pub struct Meta {
    #[serde(rename = "Page")]
    page: i64,
    #[serde(rename = "PageSize")]
    page_size: i64,
    #[serde(rename = "TotalCount")]
    total_count: i64,
    #[serde(rename = "TotalPages")]
    total_pages: i64,
    /// The first and last item's position (1-based).
    #[serde(rename = "ItemRange")]
    item_range: Vec<i64>,
    #[serde(rename = "NextPageKey")]
    next_page_key: Option<String>,
}

/// An API client (`ClientSecret` never echoed).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ApiClient {
    #[serde(rename = "ID")]
    id: String,
    client_secret: Option<String>,
    access_token_duration: i64,
    active: bool,
    app_name: String,
    refresh_token_duration: i64,
    anonymous_token_duration: Option<i64>,
    default_context_user_name: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
    allow_any_buyer: bool,
    allow_any_supplier: bool,
    allow_seller: bool,
    is_anon_buyer: bool,
    assigned_buyer_count: i64,
    assigned_supplier_count: i64,
    #[serde(rename = "OrderCheckoutIntegrationEventID")]
    order_checkout_integration_event_id: Option<String>,
    order_checkout_integration_event_name: Option<String>,
    #[serde(rename = "OrderReturnIntegrationEventID")]
    order_return_integration_event_id: Option<String>,
    order_return_integration_event_name: Option<String>,
    #[serde(rename = "AddToCartIntegrationEventID")]
    add_to_cart_integration_event_id: Option<String>,
    add_to_cart_integration_event_name: Option<String>,
    minimum_required_roles: Vec<String>,
    minimum_required_custom_roles: Vec<String>,
    maximum_granted_roles: Vec<String>,
    maximum_granted_custom_roles: Vec<String>,
}

/// An integration event (`HashKey` masked for readers).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct IntegrationEvent {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    /// `OrderCheckout`, `OrderReturn`, `AddToCart`, `OpenIDConnect`.
    event_type: String,
    custom_implementation_url: String,
    hash_key: String,
    elevated_roles: Vec<String>,
    config_data: Value,
    custom_auth_header_name: Option<String>,
}

/// A user (`Password` never echoed).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "CompanyID")]
    company_id: Option<String>,
    username: String,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    terms_accepted: Option<String>,
    active: bool,
    #[serde(rename = "xp")]
    xp: Value,
    date_created: String,
    password_last_set_date: Option<String>,
}

/// A buyer company.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Buyer {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    #[serde(rename = "DefaultCatalogID")]
    default_catalog_id: Option<String>,
    active: bool,
    date_created: String,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A security profile.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityProfile {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    roles: Vec<String>,
    custom_roles: Vec<String>,
}

/// A security profile's assignment.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityProfileAssignment {
    #[serde(rename = "SecurityProfileID")]
    security_profile_id: String,
    #[serde(rename = "BuyerID")]
    buyer_id: Option<String>,
    #[serde(rename = "SupplierID")]
    supplier_id: Option<String>,
    #[serde(rename = "UserID")]
    user_id: Option<String>,
    #[serde(rename = "UserGroupID")]
    user_group_id: Option<String>,
    /// `Company` or `User`.
    level: String,
    commerce_role: String,
}

/// A product.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Product {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    description: Option<String>,
    active: bool,
    #[serde(rename = "DefaultPriceScheduleID")]
    default_price_schedule_id: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A product as the shopper's catalog shows it, priced.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerProduct {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    description: Option<String>,
    active: bool,
    #[serde(rename = "DefaultPriceScheduleID")]
    default_price_schedule_id: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
    price_schedule: PriceSchedule,
}

/// A price schedule.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PriceSchedule {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    currency: String,
    min_quantity: Option<i64>,
    max_quantity: Option<i64>,
    price_breaks: Vec<PriceBreak>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A price from a quantity on.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PriceBreak {
    quantity: i64,
    price: f64,
}

/// An approval rule.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ApprovalRule {
    #[serde(rename = "ID")]
    id: String,
    name: Option<String>,
    description: Option<String>,
    #[serde(rename = "ApprovingGroupID")]
    approving_group_id: Option<String>,
    rule_expression: String,
    #[serde(rename = "xp")]
    xp: Value,
}

/// An OpenID Connect configuration (`ConnectClientSecret` never echoed).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdConnect {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "OrderCloudApiClientID")]
    order_cloud_api_client_id: String,
    #[serde(rename = "ConnectClientID")]
    connect_client_id: String,
    connect_client_secret: Option<String>,
    app_start_url: String,
    authorization_endpoint: String,
    token_endpoint: String,
    url_encoded: bool,
    #[serde(rename = "IntegrationEventID")]
    integration_event_id: Option<String>,
    integration_event_name: Option<String>,
    call_sync_user_integration_event: bool,
    additional_idp_scopes: Vec<String>,
    custom_error_url: Option<String>,
    issuer: Option<String>,
}

/// An address.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(rename = "ID")]
    id: Option<String>,
    date_created: Option<String>,
    company_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    street1: String,
    street2: Option<String>,
    city: String,
    state: Option<String>,
    zip: Option<String>,
    country: String,
    phone: Option<String>,
    address_name: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A saved address of the caller's (`/v1/me/addresses`).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerAddress {
    #[serde(rename = "ID")]
    id: Option<String>,
    date_created: Option<String>,
    company_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    street1: String,
    street2: Option<String>,
    city: String,
    state: Option<String>,
    zip: Option<String>,
    country: String,
    phone: Option<String>,
    address_name: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
    shipping: bool,
    billing: bool,
    editable: bool,
}

/// Who an order is from, as its snapshot holds.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FromUser {
    #[serde(rename = "ID")]
    id: String,
    username: String,
    #[schema(required = false)]
    first_name: Option<String>,
    #[schema(required = false)]
    last_name: Option<String>,
    #[schema(required = false)]
    email: Option<String>,
    #[schema(required = false)]
    phone: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// An order.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Order {
    #[serde(rename = "ID")]
    id: String,
    from_user: FromUser,
    #[serde(rename = "FromCompanyID")]
    from_company_id: Option<String>,
    #[serde(rename = "ToCompanyID")]
    to_company_id: Option<String>,
    #[serde(rename = "FromUserID")]
    from_user_id: Option<String>,
    #[serde(rename = "BillingAddressID")]
    billing_address_id: Option<String>,
    billing_address: Option<Address>,
    #[serde(rename = "ShippingAddressID")]
    shipping_address_id: Option<String>,
    comments: Option<String>,
    line_item_count: i64,
    /// `Unsubmitted`, `AwaitingApproval`, `Declined`, `Open`, `Completed`, `Canceled`.
    status: String,
    date_created: String,
    date_submitted: Option<String>,
    date_approved: Option<String>,
    date_declined: Option<String>,
    date_canceled: Option<String>,
    date_completed: Option<String>,
    last_updated: String,
    subtotal: f64,
    shipping_cost: f64,
    tax_cost: f64,
    gratuity: f64,
    fees: f64,
    promotion_discount: f64,
    currency: String,
    total: f64,
    is_submitted: bool,
    #[serde(rename = "SubscriptionID")]
    subscription_id: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// The product a line holds, as it was when added.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct LineProduct {
    #[serde(rename = "ID")]
    id: String,
    name: Option<String>,
    description: Option<String>,
    returnable: bool,
    quantity_multiplier: i64,
    ship_weight: Option<f64>,
    ship_height: Option<f64>,
    ship_width: Option<f64>,
    ship_length: Option<f64>,
    #[serde(rename = "DefaultSupplierID")]
    default_supplier_id: Option<String>,
    #[serde(rename = "ParentID")]
    parent_id: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A line item.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct LineItem {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "ProductID")]
    product_id: String,
    quantity: i64,
    #[serde(rename = "BundleItemID")]
    bundle_item_id: Option<String>,
    is_bundle: bool,
    date_added: String,
    quantity_shipped: i64,
    unit_price: Option<f64>,
    promotion_discount: f64,
    line_total: f64,
    line_subtotal: f64,
    cost_center: Option<String>,
    date_needed: Option<String>,
    shipping_account: Option<String>,
    #[serde(rename = "ShippingAddressID")]
    shipping_address_id: Option<String>,
    #[serde(rename = "ShipFromAddressID")]
    ship_from_address_id: Option<String>,
    product: LineProduct,
    variant: Option<Value>,
    shipping_address: Option<Address>,
    ship_from_address: Option<Value>,
    #[serde(rename = "SupplierID")]
    supplier_id: Option<String>,
    #[serde(rename = "InventoryRecordID")]
    inventory_record_id: Option<String>,
    #[serde(rename = "PriceScheduleID")]
    price_schedule_id: Option<String>,
    is_on_sale: bool,
    price_overridden: bool,
    specs: Vec<Value>,
    #[serde(rename = "IncomingOrderID")]
    incoming_order_id: String,
    #[serde(rename = "OutgoingOrderID")]
    outgoing_order_id: String,
    #[serde(rename = "InvitationID")]
    invitation_id: Option<String>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// An order with its lines and what the middleware answered at each step (each response is
/// the middleware's own body with `HttpStatusCode`, `UnhandledErrorBody` and `Succeeded`).
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OrderWorksheet {
    order: Order,
    line_items: Vec<LineItem>,
    order_promotions: Vec<Value>,
    subscription: Option<Value>,
    ship_estimate_response: Option<Value>,
    order_calculate_response: Option<Value>,
    order_submit_response: Option<Value>,
    order_submit_for_approval_response: Option<Value>,
    order_approved_response: Option<Value>,
    subscription_integration_response: Option<Value>,
}

/// An order return.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OrderReturn {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "OrderID")]
    order_id: String,
    #[serde(rename = "PaymentIDs")]
    payment_ids: Vec<String>,
    /// `Unsubmitted`, `AwaitingApproval`, `Declined`, `Open`, `Completed`, `Canceled`.
    status: String,
    date_created: String,
    date_submitted: Option<String>,
    date_approved: Option<String>,
    date_declined: Option<String>,
    date_canceled: Option<String>,
    date_completed: Option<String>,
    last_updated: String,
    refund_amount: Option<f64>,
    comments: Option<String>,
    items_to_return: Vec<ItemToReturn>,
    #[serde(rename = "xp")]
    xp: Value,
}

/// A line to return.
#[derive(ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ItemToReturn {
    #[serde(rename = "LineItemID")]
    line_item_id: String,
    quantity: i64,
    refund_amount: Option<f64>,
    comments: Option<String>,
}

/// A checkout step's body (optional): `ShipMethodSelections` for `shipmethods`, `Comments`
/// for `approve` and `decline`.
#[derive(ToSchema)]
pub struct ActionBody {
    #[serde(rename = "ShipMethodSelections")]
    #[schema(required = false)]
    ship_method_selections: Vec<ShipMethodSelection>,
    #[serde(rename = "Comments")]
    #[schema(required = false)]
    comments: Option<String>,
}

/// A ship method chosen for a ship estimate.
#[derive(ToSchema)]
pub struct ShipMethodSelection {
    #[serde(rename = "ShipEstimateID")]
    ship_estimate_id: String,
    #[serde(rename = "ShipMethodID")]
    ship_method_id: String,
}

/// What the identity provider posts back (`response_mode=form_post`).
#[derive(ToSchema)]
pub struct SsoCallbackForm {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}
