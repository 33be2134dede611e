//! `/v1/apiclients`: wire structs and handlers.

use super::created;
use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use crate::ordercloud::fields::{refused, rejected, required};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::api_clients::ApiClientRecord;
use cartwire_app::api_clients::SecretChange;
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::api_client::{
    AccessTokenMinutes, AnonymousTokenMinutes, ApiClient, AttachedIntegrationEvents, RefreshTokenMinutes, RoleLimits,
};
use cartwire_domain::role::{parse_custom_roles, parse_roles};
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of the resource.
pub const SPEC: ListSpec = ListSpec {
    searchable: &["ID", "AppName", "DefaultContextUserName"],
    sortable: &["ID", "AppName", "DefaultContextUserName"],
    filterable: &[
        "ID",
        "AppName",
        "AccessTokenDuration",
        "RefreshTokenDuration",
        "AnonymousTokenDuration",
        "Active",
        "DefaultContextUserName",
        "AllowAnyBuyer",
        "AllowAnySupplier",
        "AllowSeller",
        "IsAnonBuyer",
        "OrderCheckoutIntegrationEventID",
        "OrderReturnIntegrationEventID",
        "AddToCartIntegrationEventID",
        "OrderCheckoutIntegrationEventName",
        "OrderReturnIntegrationEventName",
        "AddToCartIntegrationEventName",
        "MinimumRequiredRoles",
        "MaximumGrantedRoles",
        "MinimumRequiredCustomRoles",
        "MaximumGrantedCustomRoles",
        "AssignedBuyerCount",
        "AssignedSupplierCount",
    ],
};

/// The wire body of a write. Read-only fields (`ID`, counts, names) are accepted and ignored
/// so that a GET-then-PUT round trip works.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApiClientIn {
    #[serde(rename = "ClientSecret")]
    client_secret: Option<String>,
    #[serde(rename = "AccessTokenDuration")]
    #[schema(required = true, nullable = false)]
    access_token_duration: Option<i64>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    #[serde(rename = "AppName")]
    #[schema(required = true, nullable = false)]
    app_name: Option<String>,
    #[serde(rename = "RefreshTokenDuration")]
    refresh_token_duration: Option<i64>,
    #[serde(rename = "AnonymousTokenDuration")]
    anonymous_token_duration: Option<i64>,
    #[serde(rename = "DefaultContextUserName")]
    default_context_user_name: Option<String>,
    xp: Option<Value>,
    #[serde(rename = "AllowAnyBuyer")]
    allow_any_buyer: Option<bool>,
    #[serde(rename = "AllowAnySupplier")]
    allow_any_supplier: Option<bool>,
    #[serde(rename = "AllowSeller")]
    allow_seller: Option<bool>,
    #[serde(rename = "IsAnonBuyer")]
    is_anon_buyer: Option<bool>,
    #[serde(rename = "OrderCheckoutIntegrationEventID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    order_checkout_integration_event_id: Option<String>,
    #[serde(rename = "OrderReturnIntegrationEventID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    order_return_integration_event_id: Option<String>,
    #[serde(rename = "AddToCartIntegrationEventID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    add_to_cart_integration_event_id: Option<String>,
    #[serde(rename = "MinimumRequiredRoles")]
    minimum_required_roles: Option<Vec<String>>,
    #[serde(rename = "MinimumRequiredCustomRoles")]
    minimum_required_custom_roles: Option<Vec<String>>,
    #[serde(rename = "MaximumGrantedRoles")]
    maximum_granted_roles: Option<Vec<String>>,
    #[serde(rename = "MaximumGrantedCustomRoles")]
    maximum_granted_custom_roles: Option<Vec<String>>,
}

fn opt_id(v: Option<String>, name: &str) -> Result<Option<ObjectId>, AppError> {
    v.filter(|s| !s.is_empty()).map(|s| ObjectId::parse(&s).map_err(|e| refused(name, e))).transpose()
}

fn roles(v: Option<Vec<String>>, name: &str) -> Result<Vec<cartwire_domain::ApiRole>, AppError> {
    parse_roles(v.iter().flatten().map(String::as_str)).map_err(|e| refused(name, e))
}

fn custom(v: Option<Vec<String>>, name: &str) -> Result<Vec<String>, AppError> {
    parse_custom_roles(&v.unwrap_or_default()).map_err(|e| refused(name, e))
}

impl ApiClientIn {
    /// What the write does to the secret: absent or null keeps it, "" removes it.
    fn secret(&self) -> SecretChange {
        match self.client_secret.as_deref() {
            None => SecretChange::Keep,
            Some("") => SecretChange::Remove,
            Some(s) => SecretChange::Set(s.to_owned()),
        }
    }

    fn into_domain(self, id: ObjectId) -> Result<ApiClient, AppError> {
        let atd = self.access_token_duration.ok_or_else(|| required("AccessTokenDuration"))?;
        let app_name = self.app_name.ok_or_else(|| required("AppName"))?;
        Ok(ApiClient {
            id,
            app_name,
            secret_hash: None,
            access_token_duration: AccessTokenMinutes::parse(atd).map_err(|e| refused("AccessTokenDuration", e))?,
            refresh_token_duration: RefreshTokenMinutes::parse(self.refresh_token_duration.unwrap_or(0))
                .map_err(|e| refused("RefreshTokenDuration", e))?,
            anonymous_token_duration: self
                .anonymous_token_duration
                .map(AnonymousTokenMinutes::parse)
                .transpose()
                .map_err(|e| refused("AnonymousTokenDuration", e))?,
            active: self.active.unwrap_or(false),
            default_context_username: self.default_context_user_name.filter(|s| !s.is_empty()),
            allow_any_buyer: self.allow_any_buyer.unwrap_or(false),
            allow_any_supplier: self.allow_any_supplier.unwrap_or(false),
            allow_seller: self.allow_seller.unwrap_or(false),
            is_anon_buyer: self.is_anon_buyer.unwrap_or(false),
            integration_events: AttachedIntegrationEvents {
                order_checkout: opt_id(self.order_checkout_integration_event_id, "OrderCheckoutIntegrationEventID")?,
                order_return: opt_id(self.order_return_integration_event_id, "OrderReturnIntegrationEventID")?,
                add_to_cart: opt_id(self.add_to_cart_integration_event_id, "AddToCartIntegrationEventID")?,
            },
            role_limits: RoleLimits {
                minimum_required_roles: roles(self.minimum_required_roles, "MinimumRequiredRoles")?,
                minimum_required_custom_roles: custom(
                    self.minimum_required_custom_roles,
                    "MinimumRequiredCustomRoles",
                )?,
                maximum_granted_roles: roles(self.maximum_granted_roles, "MaximumGrantedRoles")?,
                maximum_granted_custom_roles: custom(self.maximum_granted_custom_roles, "MaximumGrantedCustomRoles")?,
            },
            xp: match self.xp {
                None | Some(Value::Null) => json!({}),
                Some(v) if v.is_object() => v,
                Some(_) => return Err(rejected("xp", "xp must be an object")),
            },
        })
    }
}

/// Renders an API client. `ClientSecret` is stored hashed and so is always null.
pub fn render(r: &ApiClientRecord) -> schema::ApiClient {
    let c = &r.client;
    let id = |v: &Option<ObjectId>| v.as_ref().map(|i| i.as_str().to_owned());
    let names = |v: &[cartwire_domain::ApiRole]| v.iter().map(|r| r.as_str().to_owned()).collect();
    schema::ApiClient {
        id: c.id.as_str().to_owned(),
        client_secret: None,
        access_token_duration: c.access_token_duration.minutes().into(),
        active: c.active,
        app_name: c.app_name.clone(),
        refresh_token_duration: c.refresh_token_duration.minutes().into(),
        anonymous_token_duration: c.anonymous_token_duration.map(|d| d.minutes().into()),
        default_context_user_name: c.default_context_username.clone(),
        xp: c.xp.clone(),
        allow_any_buyer: c.allow_any_buyer,
        allow_any_supplier: c.allow_any_supplier,
        allow_seller: c.allow_seller,
        is_anon_buyer: c.is_anon_buyer,
        // Buyer/supplier assignments to clients are not modelled yet: there are none.
        assigned_buyer_count: 0,
        assigned_supplier_count: 0,
        order_checkout_integration_event_id: id(&c.integration_events.order_checkout),
        order_checkout_integration_event_name: r.order_checkout_event_name.clone(),
        order_return_integration_event_id: id(&c.integration_events.order_return),
        order_return_integration_event_name: r.order_return_event_name.clone(),
        add_to_cart_integration_event_id: id(&c.integration_events.add_to_cart),
        add_to_cart_integration_event_name: r.add_to_cart_event_name.clone(),
        minimum_required_roles: names(&c.role_limits.minimum_required_roles),
        minimum_required_custom_roles: c.role_limits.minimum_required_custom_roles.clone(),
        maximum_granted_roles: names(&c.role_limits.maximum_granted_roles),
        maximum_granted_custom_roles: c.role_limits.maximum_granted_custom_roles.clone(),
    }
}

pub(super) async fn list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::ApiClient>>, OcError> {
    let items = app.list_api_clients(&p).await?.iter().map(render).collect();
    Ok(Json(page(items, q.as_deref(), &SPEC)?))
}

pub(super) async fn get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::ApiClient>, OcError> {
    Ok(Json(render(&app.get_api_client(&p, &id).await?)))
}

pub(super) async fn create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<ApiClientIn>,
) -> Result<Response, OcError> {
    let secret = body.secret();
    let saved = app.create_api_client(&p, secret, |id| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/apiclients/{}", saved.client.id), render(&saved)))
}

pub(super) async fn put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<ApiClientIn>,
) -> Result<Json<schema::ApiClient>, OcError> {
    let secret = body.secret();
    let (saved, _) = app.put_api_client(&p, &id, secret, |id| body.into_domain(id)).await?;
    Ok(Json(render(&saved)))
}

pub(super) async fn patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::ApiClient>, OcError> {
    let secret = match body.get("ClientSecret") {
        None | Some(Value::Null) => SecretChange::Keep,
        Some(Value::String(s)) if s.is_empty() => SecretChange::Remove,
        Some(Value::String(s)) => SecretChange::Set(s.clone()),
        Some(_) => return Err(OcError::validation("ClientSecret", "ClientSecret must be a string")),
    };
    let saved = app
        .patch_api_client(&p, &id, secret, |current| {
            let merged: ApiClientIn = from_value(merge_patch(render(current), body)).map_err(oc_to_app)?;
            merged.into_domain(current.client.id.clone())
        })
        .await?;
    Ok(Json(render(&saved)))
}

pub(super) async fn delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_api_client(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
