//! `/v1/me…`: the signed-in user's own resources in OrderCloud's wire format — their user
//! (`Password` never shown), their orders, the products they can order with their price
//! schedules, their saved addresses (`BuyerAddress` bodies), and revoking their tokens; plus
//! the admin forms of revocation (`/v1/buyers/{b}/users/{u}/tokens`, `/v1/adminusers/{u}/tokens`).

use super::crud::{Build, Crud};
use super::error::{OcError, oc_to_app};
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::orders::ORDER_SPEC;
use super::schema;
use super::users::{UserIn, render_user};
use super::wire::iso;
use super::wire::orders::{AddressIn, render_address, render_order};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use cartwire_app::identity::Company;
use cartwire_app::{App, AppError, Principal, SaveMode};
use cartwire_domain::ObjectId;
use cartwire_domain::addresses::SavedAddress;
use serde::Deserialize;
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

pub(super) async fn get_me(State(app): State<App>, Caller(p): Caller) -> Result<Json<schema::User>, OcError> {
    Ok(Json(render_user(&app.me(&p).await?)))
}

pub(super) async fn put_me(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<UserIn>,
) -> Result<Json<schema::User>, OcError> {
    Ok(Json(render_user(&app.save_me(&p, |_| body.into_input()).await?)))
}

pub(super) async fn patch_me(
    State(app): State<App>,
    Caller(p): Caller,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::User>, OcError> {
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
) -> Result<Json<schema::ListPage<schema::Order>>, OcError> {
    let items = app.my_orders(&p).await?.iter().map(render_order).collect();
    Ok(Json(page(items, q.as_deref(), &ORDER_SPEC)?))
}

pub(super) async fn my_products(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::BuyerProduct>>, OcError> {
    let items = app
        .my_products(&p)
        .await?
        .iter()
        .map(|(product, schedule)| {
            let p = super::catalog::render_product(product);
            schema::BuyerProduct {
                id: p.id,
                name: p.name,
                description: p.description,
                active: p.active,
                default_price_schedule_id: p.default_price_schedule_id,
                xp: p.xp,
                price_schedule: super::catalog::render_schedule(schedule),
            }
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SavedAddressIn {
    #[serde(flatten)]
    address: AddressIn,
    #[serde(rename = "Shipping")]
    shipping: Option<bool>,
    #[serde(rename = "Billing")]
    billing: Option<bool>,
}

impl SavedAddressIn {
    fn into_domain(self, id: ObjectId) -> Result<SavedAddress, AppError> {
        Ok(SavedAddress {
            id,
            address: self.address.into_domain(None)?,
            shipping: self.shipping.unwrap_or(true),
            billing: self.billing.unwrap_or(true),
            date_created: OffsetDateTime::now_utc(),
        })
    }
}

/// Renders a saved address as OrderCloud's `BuyerAddress`.
pub fn render_saved_address(a: &SavedAddress) -> schema::BuyerAddress {
    let o = render_address(&a.for_order());
    schema::BuyerAddress {
        id: o.id,
        date_created: Some(iso(a.date_created)),
        company_name: o.company_name,
        first_name: o.first_name,
        last_name: o.last_name,
        street1: o.street1,
        street2: o.street2,
        city: o.city,
        state: o.state,
        zip: o.zip,
        country: o.country,
        phone: o.phone,
        address_name: o.address_name,
        xp: o.xp,
        shipping: a.shipping,
        billing: a.billing,
        editable: true,
    }
}

/// The caller's saved addresses through the generic handlers.
pub(super) struct Addresses;

impl Crud for Addresses {
    type Out = super::schema::BuyerAddress;
    const NOUN: &'static str = "saved address";
    const READ: &'static [&'static str] = &["Shopper", "MeAddressAdmin"];
    const WRITE: &'static [&'static str] = &["MeAddressAdmin"];
    type Item = SavedAddress;
    type In = SavedAddressIn;
    const COLLECTION: &'static str = "/v1/me/addresses";
    const SPEC: ListSpec = ADDRESS_SPEC;

    fn id(item: &SavedAddress) -> &str {
        item.id.as_str()
    }
    fn render(item: &SavedAddress) -> Self::Out {
        render_saved_address(item)
    }
    fn requested_id(body: &SavedAddressIn) -> Option<String> {
        body.address.id.clone()
    }
    fn into_domain(body: SavedAddressIn, id: ObjectId) -> Result<SavedAddress, AppError> {
        body.into_domain(id)
    }
    async fn list(app: &App, p: &Principal) -> Result<Vec<SavedAddress>, AppError> {
        app.my_addresses(p).await
    }
    async fn get(app: &App, p: &Principal, id: &str) -> Result<SavedAddress, AppError> {
        app.my_address(p, id).await
    }
    async fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, SavedAddress>,
    ) -> Result<SavedAddress, AppError> {
        app.save_my_address(p, id, mode, build).await
    }
    async fn delete(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
        app.delete_my_address(p, id).await
    }
}
