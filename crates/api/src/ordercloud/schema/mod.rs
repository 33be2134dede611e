//! The shapes of OrderCloud's answers as `/openapi/ordercloud.json` describes them (request
//! bodies are described by the request structs themselves, except the few forms below). Each
//! answer type is both what the handlers serialize (the renderings beside each resource and in
//! `wire/` build them) and what the document describes, so a rendering cannot drift from its
//! description; every HTTP test checks each response against the document as well (an
//! undocumented field fails).

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};

mod orders;
pub use orders::*;

/// OrderCloud's error body.
#[derive(Serialize, ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    #[serde(rename = "Errors")]
    pub(super) errors: Vec<ApiErrorItem>,
    /// Only on `/oauth/token`: the OAuth 2.0 error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub(super) error: Option<String>,
    /// Only on `/oauth/token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub(super) error_description: Option<String>,
}

/// One error.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorItem {
    /// `ValidationFailure`, `NotFound`, `InsufficientRoles`, `IdExists`, `Auth.TokenRevoked`, …
    #[serde(rename = "ErrorCode")]
    pub(super) error_code: String,
    #[serde(rename = "Message")]
    pub(super) message: String,
    /// What the code is about (`PropertyName`, `ObjectType` / `ObjectID`, `SufficientRoles`, …).
    #[serde(rename = "Data")]
    pub(super) data: Value,
}

/// `POST /oauth/token`, form-encoded (client secret also by HTTP Basic).
#[derive(ToSchema)]
#[allow(dead_code)] // described; the handler reads its own struct
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
#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    pub(super) access_token: String,
    #[schema(pattern = "^bearer$")]
    pub(super) token_type: String,
    /// Seconds.
    pub(super) expires_in: i64,
    pub(super) refresh_token: Option<String>,
}

/// The signing keys.
#[derive(Serialize, ToSchema)]
pub struct Jwks {
    pub(super) keys: Vec<Jwk>,
}

/// A public RSA key.
#[derive(Serialize, ToSchema)]
pub struct Jwk {
    pub(super) kty: String,
    pub(super) kid: String,
    #[serde(rename = "use")]
    pub(super) usage: String,
    pub(super) alg: String,
    pub(super) n: String,
    pub(super) e: String,
}

/// A page of a list (`Meta` and `Items`), described as `{T}List`.
#[derive(Debug, Serialize)]
pub struct ListPage<T> {
    #[serde(rename = "Meta")]
    pub(super) meta: Meta,
    #[serde(rename = "Items")]
    pub(super) items: Vec<T>,
}

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
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    #[serde(rename = "Page")]
    pub(super) page: i64,
    #[serde(rename = "PageSize")]
    pub(super) page_size: i64,
    #[serde(rename = "TotalCount")]
    pub(super) total_count: i64,
    #[serde(rename = "TotalPages")]
    pub(super) total_pages: i64,
    /// The first and last item's position (1-based).
    #[serde(rename = "ItemRange")]
    pub(super) item_range: Vec<i64>,
    #[serde(rename = "NextPageKey")]
    pub(super) next_page_key: Option<String>,
}

/// An API client (`ClientSecret` never echoed).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ApiClient {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) client_secret: Option<String>,
    pub(super) access_token_duration: i64,
    pub(super) active: bool,
    pub(super) app_name: String,
    pub(super) refresh_token_duration: i64,
    pub(super) anonymous_token_duration: Option<i64>,
    pub(super) default_context_user_name: Option<String>,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
    pub(super) allow_any_buyer: bool,
    pub(super) allow_any_supplier: bool,
    pub(super) allow_seller: bool,
    pub(super) is_anon_buyer: bool,
    pub(super) assigned_buyer_count: i64,
    pub(super) assigned_supplier_count: i64,
    #[serde(rename = "OrderCheckoutIntegrationEventID")]
    pub(super) order_checkout_integration_event_id: Option<String>,
    pub(super) order_checkout_integration_event_name: Option<String>,
    #[serde(rename = "OrderReturnIntegrationEventID")]
    pub(super) order_return_integration_event_id: Option<String>,
    pub(super) order_return_integration_event_name: Option<String>,
    #[serde(rename = "AddToCartIntegrationEventID")]
    pub(super) add_to_cart_integration_event_id: Option<String>,
    pub(super) add_to_cart_integration_event_name: Option<String>,
    pub(super) minimum_required_roles: Vec<String>,
    pub(super) minimum_required_custom_roles: Vec<String>,
    pub(super) maximum_granted_roles: Vec<String>,
    pub(super) maximum_granted_custom_roles: Vec<String>,
}

/// An integration event (`HashKey` masked for readers).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct IntegrationEvent {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    /// `OrderCheckout`, `OrderReturn`, `AddToCart`, `OpenIDConnect`.
    pub(super) event_type: String,
    pub(super) custom_implementation_url: String,
    pub(super) hash_key: String,
    pub(super) elevated_roles: Vec<String>,
    pub(super) config_data: Value,
    pub(super) custom_auth_header_name: Option<String>,
}

/// A user (`Password` never echoed).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    #[serde(rename = "ID")]
    pub(super) id: String,
    #[serde(rename = "CompanyID")]
    pub(super) company_id: Option<String>,
    pub(super) username: String,
    pub(super) password: Option<String>,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) terms_accepted: Option<String>,
    pub(super) active: bool,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
    pub(super) date_created: String,
    pub(super) password_last_set_date: Option<String>,
}

/// A buyer company.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Buyer {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    #[serde(rename = "DefaultCatalogID")]
    pub(super) default_catalog_id: Option<String>,
    pub(super) active: bool,
    pub(super) date_created: String,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
}

/// A security profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityProfile {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) roles: Vec<String>,
    pub(super) custom_roles: Vec<String>,
}

/// A security profile's assignment.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityProfileAssignment {
    #[serde(rename = "SecurityProfileID")]
    pub(super) security_profile_id: String,
    #[serde(rename = "BuyerID")]
    pub(super) buyer_id: Option<String>,
    #[serde(rename = "SupplierID")]
    pub(super) supplier_id: Option<String>,
    #[serde(rename = "UserID")]
    pub(super) user_id: Option<String>,
    #[serde(rename = "UserGroupID")]
    pub(super) user_group_id: Option<String>,
    /// `Company` or `User`.
    pub(super) level: String,
    pub(super) commerce_role: String,
}

/// A product.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Product {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) active: bool,
    #[serde(rename = "DefaultPriceScheduleID")]
    pub(super) default_price_schedule_id: Option<String>,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
}

/// A product as the shopper's catalog shows it, priced.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerProduct {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) active: bool,
    #[serde(rename = "DefaultPriceScheduleID")]
    pub(super) default_price_schedule_id: Option<String>,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
    pub(super) price_schedule: PriceSchedule,
}

/// A price schedule.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PriceSchedule {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: String,
    pub(super) currency: String,
    pub(super) min_quantity: Option<i64>,
    pub(super) max_quantity: Option<i64>,
    pub(super) price_breaks: Vec<PriceBreak>,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
}

/// A price from a quantity on.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PriceBreak {
    pub(super) quantity: i64,
    pub(super) price: f64,
}

/// An approval rule.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ApprovalRule {
    #[serde(rename = "ID")]
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    #[serde(rename = "ApprovingGroupID")]
    pub(super) approving_group_id: Option<String>,
    pub(super) rule_expression: String,
    #[serde(rename = "xp")]
    pub(super) xp: Value,
}

/// An OpenID Connect configuration (`ConnectClientSecret` never echoed).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdConnect {
    #[serde(rename = "ID")]
    pub(super) id: String,
    #[serde(rename = "OrderCloudApiClientID")]
    pub(super) order_cloud_api_client_id: String,
    #[serde(rename = "ConnectClientID")]
    pub(super) connect_client_id: String,
    pub(super) connect_client_secret: Option<String>,
    pub(super) app_start_url: String,
    pub(super) authorization_endpoint: String,
    pub(super) token_endpoint: String,
    pub(super) url_encoded: bool,
    #[serde(rename = "IntegrationEventID")]
    pub(super) integration_event_id: Option<String>,
    pub(super) integration_event_name: Option<String>,
    pub(super) call_sync_user_integration_event: bool,
    pub(super) additional_idp_scopes: Vec<String>,
    pub(super) custom_error_url: Option<String>,
    pub(super) issuer: Option<String>,
}

/// A checkout step's body (optional): `ShipMethodSelections` for `shipmethods`, `Comments`
/// for `approve` and `decline`.
#[derive(ToSchema)]
#[allow(dead_code)] // described; the handler reads its own struct
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
#[allow(dead_code)] // described; the handler reads its own struct
pub struct ShipMethodSelection {
    #[serde(rename = "ShipEstimateID")]
    ship_estimate_id: String,
    #[serde(rename = "ShipMethodID")]
    ship_method_id: String,
}

/// What the identity provider posts back (`response_mode=form_post`).
#[derive(ToSchema)]
#[allow(dead_code)] // described; the handler reads its own struct
pub struct SsoCallbackForm {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}
