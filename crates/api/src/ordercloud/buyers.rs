//! `/v1/buyers`: buyer companies in OrderCloud's wire format.

use super::created;
use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::wire::{iso, xp_of};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::identity::SaveMode;
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::user::Buyer;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Query capabilities of buyers.
pub const BUYER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name", "DateCreated"],
    filterable: &["ID", "Name", "DefaultCatalogID", "Active", "DateCreated"],
};

/// The wire body of a buyer write.
#[derive(Debug, Deserialize)]
pub struct BuyerIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "DefaultCatalogID")]
    default_catalog_id: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    xp: Option<Value>,
}

impl BuyerIn {
    pub(super) fn into_domain(self, id: ObjectId) -> Result<Buyer, AppError> {
        Ok(Buyer {
            id,
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            default_catalog_id: self.default_catalog_id,
            active: self.active.unwrap_or(false),
            date_created: OffsetDateTime::now_utc(),
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a buyer.
pub fn render_buyer(b: &Buyer) -> Value {
    json!({
        "ID": b.id.as_str(),
        "Name": b.name,
        "DefaultCatalogID": b.default_catalog_id,
        "Active": b.active,
        "DateCreated": iso(b.date_created),
        "xp": b.xp,
    })
}

pub(super) async fn buyers_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_buyers(&p).await?.iter().map(render_buyer).collect();
    Ok(Json(page(items, q.as_deref(), &BUYER_SPEC)?))
}
pub(super) async fn buyer_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_buyer(&app.get_buyer(&p, &id).await?)))
}
pub(super) async fn buyer_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<BuyerIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let (b, _) = app.save_buyer(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/buyers/{}", b.id), render_buyer(&b)))
}
pub(super) async fn buyer_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<BuyerIn>,
) -> Result<Json<Value>, OcError> {
    let (b, _) = app.save_buyer(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_buyer(&b)))
}
pub(super) async fn buyer_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let (b, _) = app
        .save_buyer(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: BuyerIn = from_value(merge_patch(render_buyer(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_buyer(&b)))
}
pub(super) async fn buyer_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_buyer(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
