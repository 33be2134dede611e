//! `/v1/products` and `/v1/priceschedules`: the minimal catalog.

use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::{created, field};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::identity::SaveMode;
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::catalog::{PriceBreak, PriceSchedule, Product, to_decimal, to_minor_units};
use cartwire_domain::commerce::CurrencyCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of products.
pub const PRODUCT_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name", "Description"],
    sortable: &["ID", "Name"],
    filterable: &["ID", "Name", "Description", "Active", "DefaultPriceScheduleID"],
};

/// Query capabilities of price schedules.
pub const SCHEDULE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name"],
    filterable: &["ID", "Name", "Currency", "MinQuantity", "MaxQuantity"],
};

fn xp_of(v: Option<Value>) -> Result<Value, AppError> {
    match v {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(AppError::invalid("xp", "xp must be an object")),
    }
}

/// The wire body of a product write.
#[derive(Debug, Deserialize)]
pub struct ProductIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    #[serde(rename = "DefaultPriceScheduleID")]
    default_price_schedule_id: Option<String>,
    xp: Option<Value>,
}

impl ProductIn {
    fn into_domain(self, id: ObjectId) -> Result<Product, AppError> {
        Ok(Product {
            id,
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            description: self.description,
            active: self.active.unwrap_or(false),
            default_price_schedule_id: self
                .default_price_schedule_id
                .filter(|s| !s.is_empty())
                .map(|s| ObjectId::parse(&s).map_err(|e| AppError::invalid("DefaultPriceScheduleID", e)))
                .transpose()?,
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a product.
pub fn render_product(p: &Product) -> Value {
    json!({
        "ID": p.id.as_str(),
        "Name": p.name,
        "Description": p.description,
        "Active": p.active,
        "DefaultPriceScheduleID": p.default_price_schedule_id.as_ref().map(ObjectId::as_str),
        "xp": p.xp,
    })
}

/// The wire body of a price schedule write.
#[derive(Debug, Deserialize)]
pub struct ScheduleIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Currency")]
    currency: Option<String>,
    #[serde(rename = "MinQuantity")]
    min_quantity: Option<i64>,
    #[serde(rename = "MaxQuantity")]
    max_quantity: Option<i64>,
    #[serde(rename = "PriceBreaks")]
    price_breaks: Option<Vec<BreakIn>>,
    xp: Option<Value>,
}

/// One price break on the wire.
#[derive(Debug, Deserialize)]
pub struct BreakIn {
    #[serde(rename = "Quantity")]
    quantity: i64,
    #[serde(rename = "Price")]
    price: serde_json::Number,
}

impl ScheduleIn {
    fn into_domain(self, id: ObjectId) -> Result<PriceSchedule, AppError> {
        // The deployment's default currency is USD (DECISIONS.md).
        let currency = CurrencyCode::parse(self.currency.as_deref().unwrap_or("USD"))
            .map_err(|e| AppError::invalid("Currency", e))?;
        let price_breaks = self
            .price_breaks
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                let price = to_minor_units(&b.price.to_string(), &currency)
                    .map_err(|e| AppError::invalid(format!("PriceBreaks[{i}].Price"), e))?;
                Ok(PriceBreak { quantity: b.quantity, price })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(PriceSchedule {
            id,
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            currency,
            min_quantity: self.min_quantity.unwrap_or(1),
            max_quantity: self.max_quantity,
            price_breaks,
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a price schedule (prices as decimals in the currency's precision).
pub fn render_schedule(s: &PriceSchedule) -> Value {
    json!({
        "ID": s.id.as_str(),
        "Name": s.name,
        "Currency": s.currency.as_str(),
        "MinQuantity": s.min_quantity,
        "MaxQuantity": s.max_quantity,
        "PriceBreaks": s.price_breaks.iter().map(|b| json!({"Quantity": b.quantity, "Price": to_decimal(b.price, &s.currency)})).collect::<Vec<_>>(),
        "xp": s.xp,
    })
}

pub(super) async fn products_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_products(&p).await?.iter().map(render_product).collect();
    Ok(Json(page(items, q.as_deref(), &PRODUCT_SPEC)?))
}
pub(super) async fn product_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_product(&app.get_product(&p, &id).await?)))
}
pub(super) async fn product_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<ProductIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    if let Some(i) = &id {
        field(ObjectId::parse(i), "ID")?;
    }
    let saved = app.save_product(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/products/{}", saved.id), render_product(&saved)))
}
pub(super) async fn product_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<ProductIn>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_product(&app.save_product(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?)))
}
pub(super) async fn product_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let saved = app
        .save_product(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: ProductIn = from_value(merge_patch(render_product(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_product(&saved)))
}
pub(super) async fn product_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_product(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn schedules_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_price_schedules(&p).await?.iter().map(render_schedule).collect();
    Ok(Json(page(items, q.as_deref(), &SCHEDULE_SPEC)?))
}
pub(super) async fn schedule_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_schedule(&app.get_price_schedule(&p, &id).await?)))
}
pub(super) async fn schedule_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<ScheduleIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    if let Some(i) = &id {
        field(ObjectId::parse(i), "ID")?;
    }
    let saved = app.save_price_schedule(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/priceschedules/{}", saved.id), render_schedule(&saved)))
}
pub(super) async fn schedule_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<ScheduleIn>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_schedule(
        &app.save_price_schedule(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?,
    )))
}
pub(super) async fn schedule_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let saved = app
        .save_price_schedule(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: ScheduleIn = from_value(merge_patch(render_schedule(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_schedule(&saved)))
}
pub(super) async fn schedule_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_price_schedule(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
