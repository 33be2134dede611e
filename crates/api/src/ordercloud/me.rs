//! `/v1/me…`: the signed-in user's own resources in OrderCloud's wire format — their user
//! (`Password` never shown), their orders, the products they can order with their price
//! schedules, their saved addresses (`BuyerAddress` bodies), and revoking their tokens; plus
//! the admin forms of revocation (`/v1/buyers/{b}/users/{u}/tokens`, `/v1/adminusers/{u}/tokens`).

use super::created;
use super::error::{OcError, oc_to_app};
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::orders::ORDER_SPEC;
use super::users::{UserIn, render_user};
use super::wire::iso;
use super::wire::orders::{AddressIn, render_address, render_order};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::identity::Company;
use cartwire_app::{App, SaveMode};
use cartwire_domain::addresses::SavedAddress;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Query capabilities of the caller's addresses.
pub const ADDRESS_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "AddressName", "CompanyName", "FirstName", "LastName", "Street1", "City"],
    sortable: &["ID", "AddressName", "DateCreated"],
    filterable: &["ID", "AddressName", "City", "State", "Zip", "Country", "Shipping", "Billing"],
};

/// Query capabilities of the caller's products.
pub const ME_PRODUCT_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name", "Description"],
    sortable: &["ID", "Name"],
    filterable: &["ID", "Name", "Description", "DefaultPriceScheduleID"],
};

pub(super) async fn get_me(State(app): State<App>, Caller(p): Caller) -> Result<Json<Value>, OcError> {
    Ok(Json(render_user(&app.me(&p).await?)))
}

pub(super) async fn put_me(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<UserIn>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_user(&app.save_me(&p, |_| body.into_input()).await?)))
}

pub(super) async fn patch_me(
    State(app): State<App>,
    Caller(p): Caller,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let saved = app
        .save_me(&p, |current| {
            let merged: UserIn = from_value(merge_patch(render_user(current), body)).map_err(oc_to_app)?;
            merged.into_input()
        })
        .await?;
    Ok(Json(render_user(&saved)))
}

pub(super) async fn my_orders(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.my_orders(&p).await?.iter().map(render_order).collect();
    Ok(Json(page(items, q.as_deref(), &ORDER_SPEC)?))
}

pub(super) async fn my_products(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app
        .my_products(&p)
        .await?
        .iter()
        .map(|(product, schedule)| {
            let mut body = super::catalog::render_product(product);
            body["PriceSchedule"] = super::catalog::render_schedule(schedule);
            body
        })
        .collect();
    Ok(Json(page(items, q.as_deref(), &ME_PRODUCT_SPEC)?))
}

pub(super) async fn revoke_my_tokens(State(app): State<App>, Caller(p): Caller) -> Result<StatusCode, OcError> {
    app.revoke_my_tokens(&p).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn revoke_buyer_user_tokens(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
) -> Result<StatusCode, OcError> {
    app.revoke_user_tokens(&p, &Company::Buyer(buyer), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn revoke_admin_user_tokens(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.revoke_user_tokens(&p, &Company::Admin, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- addresses ----------------------------------------------------------------------------

/// A saved address on the wire: an address plus what it may be used for.
#[derive(Debug, Deserialize)]
pub struct SavedAddressIn {
    #[serde(flatten)]
    address: AddressIn,
    #[serde(rename = "Shipping")]
    shipping: Option<bool>,
    #[serde(rename = "Billing")]
    billing: Option<bool>,
}

impl SavedAddressIn {
    fn requested_id(&self) -> Option<String> {
        self.address.id.clone()
    }

    fn into_domain(self, id: cartwire_domain::ObjectId) -> Result<SavedAddress, cartwire_app::AppError> {
        Ok(SavedAddress {
            id,
            address: self.address.into_domain("")?,
            shipping: self.shipping.unwrap_or(true),
            billing: self.billing.unwrap_or(true),
            date_created: OffsetDateTime::now_utc(),
        })
    }
}

/// Renders a saved address as OrderCloud's `BuyerAddress`.
pub fn render_saved_address(a: &SavedAddress) -> Value {
    let mut body = render_address(&a.for_order());
    body["DateCreated"] = json!(iso(a.date_created));
    body["Shipping"] = json!(a.shipping);
    body["Billing"] = json!(a.billing);
    body["Editable"] = json!(true);
    body
}

pub(super) async fn addresses_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.my_addresses(&p).await?.iter().map(render_saved_address).collect();
    Ok(Json(page(items, q.as_deref(), &ADDRESS_SPEC)?))
}

pub(super) async fn address_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_saved_address(&app.my_address(&p, &id).await?)))
}

pub(super) async fn address_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<SavedAddressIn>,
) -> Result<Response, OcError> {
    let id = body.requested_id();
    let saved = app.save_my_address(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/me/addresses/{}", saved.id), render_saved_address(&saved)))
}

pub(super) async fn address_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<SavedAddressIn>,
) -> Result<Json<Value>, OcError> {
    let saved = app.save_my_address(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_saved_address(&saved)))
}

pub(super) async fn address_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let saved = app
        .save_my_address(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: SavedAddressIn =
                from_value(merge_patch(render_saved_address(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_saved_address(&saved)))
}

pub(super) async fn address_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_my_address(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
