//! The shapes of Threekit's bodies as `/openapi/threekit.json` describes them. The dialect
//! reads bodies field by field and renders with `json!` (wire.rs); these types are the
//! description, and every HTTP test checks each response against it, so the two cannot drift.
#![allow(dead_code)] // described, never constructed

use serde_json::Value;
use utoipa::ToSchema;

/// Threekit's error body.
#[derive(ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `validation_error`,
    /// `service_unavailable`.
    code: String,
    message: String,
}

/// Threekit's order statuses.
#[derive(ToSchema)]
pub enum Status {
    List,
    #[serde(rename = "In Cart")]
    InCart,
    New,
    #[serde(rename = "In Progress")]
    InProgress,
    Complete,
}

/// A cart line.
#[derive(ToSchema)]
pub struct CartLine {
    #[schema(max_length = 255)]
    #[serde(rename = "configurationId")]
    configuration_id: String,
    /// Default 1.
    #[schema(minimum = 1, maximum = 1_000_000)]
    count: Option<i64>,
    /// String or number values.
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
}

/// Where an order came from.
#[derive(ToSchema)]
pub struct Platform {
    id: Option<String>,
    platform: Option<String>,
    #[serde(rename = "storeName")]
    store_name: Option<String>,
}

/// An order to create or update (every field optional; an update changes what it sends).
/// At most 500 lines and 256 KiB in all.
#[derive(ToSchema)]
pub struct OrderIn {
    #[schema(max_length = 255)]
    name: Option<String>,
    #[serde(rename = "customerId")]
    #[schema(max_length = 255)]
    customer_id: Option<String>,
    /// This organization's id, if sent.
    #[serde(rename = "orgId")]
    org_id: Option<String>,
    #[serde(rename = "originOrgId")]
    #[schema(max_length = 255)]
    origin_org_id: Option<String>,
    platform: Option<Platform>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
    #[schema(max_items = 500)]
    cart: Option<Vec<CartLine>>,
    /// Deprecated: `[{configurationId|id, count?, metadata?}]` or configuration ids; converted
    /// into cart lines.
    items: Option<Value>,
    /// String values.
    #[schema(value_type = Option<Object>)]
    derivative: Option<Value>,
    /// A public token may only send `List` or `In Cart`.
    status: Option<Status>,
}

/// Legacy items to add, as `{"items": [...]}` (or the bare array).
#[derive(ToSchema)]
pub struct ItemsIn {
    /// `[{configurationId|id, count?, metadata?}]` or configuration ids.
    items: Vec<Value>,
}

/// A rendered cart line.
#[derive(ToSchema)]
pub struct CartLineOut {
    #[serde(rename = "configurationId")]
    configuration_id: String,
    count: i64,
    #[schema(value_type = Option<Object>, required = false)]
    metadata: Value,
}

/// The platform as rendered (only the fields that are set).
#[derive(ToSchema)]
pub struct PlatformOut {
    #[schema(required = false)]
    id: String,
    #[schema(required = false)]
    platform: String,
    #[serde(rename = "storeName")]
    #[schema(required = false)]
    store_name: String,
}

/// An order.
#[derive(ToSchema)]
pub struct Order {
    id: String,
    #[serde(rename = "shortId")]
    short_id: String,
    #[serde(rename = "orgId")]
    org_id: String,
    name: Option<String>,
    #[serde(rename = "customerId")]
    customer_id: Option<String>,
    #[serde(rename = "originOrgId")]
    origin_org_id: Option<String>,
    platform: PlatformOut,
    #[schema(value_type = Object)]
    metadata: Value,
    cart: Vec<CartLineOut>,
    /// The legacy items as sent (any JSON).
    items: Value,
    #[schema(value_type = Object)]
    derivative: Value,
    status: Status,
    #[serde(rename = "createdBy")]
    created_by: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: Option<String>,
    #[serde(rename = "deletedAt")]
    deleted_at: Option<String>,
}

/// A page of orders.
#[derive(ToSchema)]
pub struct OrderPage {
    orders: Vec<Order>,
    count: i64,
    page: i64,
    #[serde(rename = "perPage")]
    per_page: i64,
    sort: String,
}

/// The health check's answer.
#[derive(ToSchema)]
#[schema(as = Healthy)]
pub struct Healthy(bool);
