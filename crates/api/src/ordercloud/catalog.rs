//! `/v1/products` and `/v1/priceschedules`: the minimal catalog.

use super::crud::{Build, Crud};
use super::list::ListSpec;
use super::schema;
use crate::ordercloud::fields::{refused, rejected, required};
use cartwire_app::SaveMode;
use cartwire_app::{App, AppError, Principal};
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
        Some(_) => Err(rejected("xp", "xp must be an object")),
    }
}

/// The wire body of a product write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    #[schema(required = true, nullable = false)]
    name: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    #[serde(rename = "DefaultPriceScheduleID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    default_price_schedule_id: Option<String>,
    xp: Option<Value>,
}

impl ProductIn {
    fn into_domain(self, id: ObjectId) -> Result<Product, AppError> {
        Ok(Product {
            id,
            name: self.name.ok_or_else(|| required("Name"))?,
            description: self.description,
            active: self.active.unwrap_or(false),
            default_price_schedule_id: self
                .default_price_schedule_id
                .filter(|s| !s.is_empty())
                .map(|s| ObjectId::parse(&s).map_err(|e| refused("DefaultPriceScheduleID", e)))
                .transpose()?,
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a product.
pub fn render_product(p: &Product) -> schema::Product {
    schema::Product {
        id: p.id.as_str().to_owned(),
        name: p.name.clone(),
        description: p.description.clone(),
        active: p.active,
        default_price_schedule_id: p.default_price_schedule_id.as_ref().map(|s| s.as_str().to_owned()),
        xp: p.xp.clone(),
    }
}

/// The wire body of a price schedule write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScheduleIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    #[schema(required = true, nullable = false)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BreakIn {
    #[serde(rename = "Quantity")]
    quantity: i64,
    #[serde(rename = "Price")]
    #[schema(value_type = f64, minimum = 0)]
    price: serde_json::Number,
}

impl ScheduleIn {
    fn into_domain(self, id: ObjectId) -> Result<PriceSchedule, AppError> {
        // The deployment's default currency is USD (DECISIONS.md).
        let currency =
            CurrencyCode::parse(self.currency.as_deref().unwrap_or("USD")).map_err(|e| refused("Currency", e))?;
        let price_breaks = self
            .price_breaks
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                let price = to_minor_units(&b.price.to_string(), &currency)
                    .map_err(|e| refused(&format!("PriceBreaks[{i}].Price"), e))?;
                Ok(PriceBreak { quantity: b.quantity, price })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(PriceSchedule {
            id,
            name: self.name.ok_or_else(|| required("Name"))?,
            currency,
            min_quantity: self.min_quantity.unwrap_or(1),
            max_quantity: self.max_quantity,
            price_breaks,
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a price schedule (prices as decimals in the currency's precision).
pub fn render_schedule(s: &PriceSchedule) -> schema::PriceSchedule {
    schema::PriceSchedule {
        id: s.id.as_str().to_owned(),
        name: s.name.clone(),
        currency: s.currency.as_str().to_owned(),
        min_quantity: Some(s.min_quantity),
        max_quantity: s.max_quantity,
        price_breaks: s
            .price_breaks
            .iter()
            .map(|b| schema::PriceBreak { quantity: b.quantity, price: to_decimal(b.price, &s.currency) })
            .collect(),
        xp: s.xp.clone(),
    }
}

/// Products through the generic handlers.
pub(super) struct Products;

impl Crud for Products {
    type Out = super::schema::Product;
    const NOUN: &'static str = "product";
    const READ: &'static [&'static str] = &["ProductAdmin", "ProductReader"];
    const WRITE: &'static [&'static str] = &["ProductAdmin"];
    type Item = Product;
    type In = ProductIn;
    const COLLECTION: &'static str = "/v1/products";
    const SPEC: ListSpec = PRODUCT_SPEC;

    fn id(item: &Product) -> &str {
        item.id.as_str()
    }
    fn render(item: &Product) -> Self::Out {
        render_product(item)
    }
    fn requested_id(body: &ProductIn) -> Option<String> {
        body.id.clone()
    }
    fn into_domain(body: ProductIn, id: ObjectId) -> Result<Product, AppError> {
        body.into_domain(id)
    }
    async fn list(app: &App, p: &Principal) -> Result<Vec<Product>, AppError> {
        app.list_products(p).await
    }
    async fn get(app: &App, p: &Principal, id: &str) -> Result<Product, AppError> {
        app.get_product(p, id).await
    }
    async fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, Product>,
    ) -> Result<Product, AppError> {
        app.save_product(p, id, mode, build).await
    }
    async fn delete(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
        app.delete_product(p, id).await
    }
}

/// Price schedules through the generic handlers.
pub(super) struct PriceSchedules;

impl Crud for PriceSchedules {
    type Out = super::schema::PriceSchedule;
    const NOUN: &'static str = "price schedule";
    const READ: &'static [&'static str] = &["PriceScheduleAdmin", "PriceScheduleReader"];
    const WRITE: &'static [&'static str] = &["PriceScheduleAdmin"];
    type Item = PriceSchedule;
    type In = ScheduleIn;
    const COLLECTION: &'static str = "/v1/priceschedules";
    const SPEC: ListSpec = SCHEDULE_SPEC;

    fn id(item: &PriceSchedule) -> &str {
        item.id.as_str()
    }
    fn render(item: &PriceSchedule) -> Self::Out {
        render_schedule(item)
    }
    fn requested_id(body: &ScheduleIn) -> Option<String> {
        body.id.clone()
    }
    fn into_domain(body: ScheduleIn, id: ObjectId) -> Result<PriceSchedule, AppError> {
        body.into_domain(id)
    }
    async fn list(app: &App, p: &Principal) -> Result<Vec<PriceSchedule>, AppError> {
        app.list_price_schedules(p).await
    }
    async fn get(app: &App, p: &Principal, id: &str) -> Result<PriceSchedule, AppError> {
        app.get_price_schedule(p, id).await
    }
    async fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, PriceSchedule>,
    ) -> Result<PriceSchedule, AppError> {
        app.save_price_schedule(p, id, mode, build).await
    }
    async fn delete(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
        app.delete_price_schedule(p, id).await
    }
}
