//! The shapes of Threekit's bodies: each response type is both what the handlers serialize
//! and what `/openapi/threekit.json` describes, so a rendering cannot drift from its
//! description. The request types are described here; wire.rs reads bodies into its own
//! structs (with the limits these state enforced in the domain). Every HTTP test checks each
//! response against the document.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Threekit's error body.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub(super) error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `validation_error`,
    /// `service_unavailable`.
    pub(super) code: String,
    pub(super) message: String,
}

/// Threekit's order statuses.
#[derive(Serialize, ToSchema)]
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
#[allow(dead_code)] // described; wire.rs reads the body
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
#[allow(dead_code)] // described; wire.rs reads the body
pub struct Platform {
    id: Option<String>,
    platform: Option<String>,
    #[serde(rename = "storeName")]
    store_name: Option<String>,
}

/// An order to create or update (every field optional; an update changes what it sends).
/// At most 500 lines and 256 KiB in all.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the body
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
#[allow(dead_code)] // described; wire.rs reads the body
pub struct ItemsIn {
    /// `[{configurationId|id, count?, metadata?}]` or configuration ids.
    items: Vec<Value>,
}

/// A rendered cart line.
#[derive(Serialize, ToSchema)]
pub struct CartLineOut {
    #[serde(rename = "configurationId")]
    pub(super) configuration_id: String,
    pub(super) count: i64,
    #[schema(value_type = Option<Object>, required = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) metadata: Option<Value>,
}

/// The platform as rendered (only the fields that are set).
#[derive(Serialize, ToSchema)]
pub struct PlatformOut {
    #[schema(required = false, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<String>,
    #[schema(required = false, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) platform: Option<String>,
    #[serde(rename = "storeName")]
    #[schema(required = false, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) store_name: Option<String>,
}

/// An order.
#[derive(Serialize, ToSchema)]
pub struct Order {
    pub(super) id: String,
    #[serde(rename = "shortId")]
    pub(super) short_id: String,
    #[serde(rename = "orgId")]
    pub(super) org_id: String,
    pub(super) name: Option<String>,
    #[serde(rename = "customerId")]
    pub(super) customer_id: Option<String>,
    #[serde(rename = "originOrgId")]
    pub(super) origin_org_id: Option<String>,
    pub(super) platform: PlatformOut,
    #[schema(value_type = Object)]
    pub(super) metadata: Value,
    pub(super) cart: Vec<CartLineOut>,
    /// The legacy items as sent (any JSON).
    pub(super) items: Value,
    #[schema(value_type = Object)]
    pub(super) derivative: Value,
    pub(super) status: Status,
    #[serde(rename = "createdBy")]
    pub(super) created_by: Option<String>,
    #[serde(rename = "createdAt")]
    pub(super) created_at: String,
    #[serde(rename = "updatedAt")]
    pub(super) updated_at: Option<String>,
    #[serde(rename = "deletedAt")]
    pub(super) deleted_at: Option<String>,
}

/// A page of orders.
#[derive(Serialize, ToSchema)]
pub struct OrderPage {
    pub(super) orders: Vec<Order>,
    pub(super) count: i64,
    pub(super) page: i64,
    #[serde(rename = "perPage")]
    pub(super) per_page: i64,
    pub(super) sort: String,
}

/// The health check's answer.
#[derive(Serialize, ToSchema)]
#[schema(as = Healthy)]
pub struct Healthy(pub(super) bool);
