//! `/v1/buyers`: buyer companies in OrderCloud's wire format.

use super::crud::{Build, Crud};
use super::list::ListSpec;
use super::schema;
use super::wire::{iso, xp_of};
use crate::ordercloud::fields::required;
use cartwire_app::SaveMode;
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::ObjectId;
use cartwire_domain::user::Buyer;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

/// Query capabilities of buyers.
pub const BUYER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name", "DateCreated"],
    filterable: &["ID", "Name", "DefaultCatalogID", "Active", "DateCreated"],
};

/// The wire body of a buyer write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BuyerIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    #[schema(required = true, nullable = false)]
    name: Option<String>,
    #[serde(rename = "DefaultCatalogID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    default_catalog_id: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    xp: Option<Value>,
}

impl BuyerIn {
    pub(super) fn into_domain(self, id: ObjectId) -> Result<Buyer, AppError> {
        Ok(Buyer {
            id,
            name: self.name.ok_or_else(|| required("Name"))?,
            default_catalog_id: self.default_catalog_id,
            active: self.active.unwrap_or(false),
            date_created: OffsetDateTime::now_utc(),
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a buyer.
pub fn render_buyer(b: &Buyer) -> schema::Buyer {
    schema::Buyer {
        id: b.id.as_str().to_owned(),
        name: b.name.clone(),
        default_catalog_id: b.default_catalog_id.clone(),
        active: b.active,
        date_created: iso(b.date_created),
        xp: b.xp.clone(),
    }
}

/// Buyers through the generic handlers.
pub(super) struct Buyers;

impl Crud for Buyers {
    type Out = super::schema::Buyer;
    const NOUN: &'static str = "buyer";
    const READ: &'static [&'static str] = &["BuyerAdmin", "BuyerReader"];
    const WRITE: &'static [&'static str] = &["BuyerAdmin"];
    type Item = Buyer;
    type In = BuyerIn;
    const COLLECTION: &'static str = "/v1/buyers";
    const SPEC: ListSpec = BUYER_SPEC;

    fn id(item: &Buyer) -> &str {
        item.id.as_str()
    }
    fn render(item: &Buyer) -> Self::Out {
        render_buyer(item)
    }
    fn requested_id(body: &BuyerIn) -> Option<String> {
        body.id.clone()
    }
    fn into_domain(body: BuyerIn, id: ObjectId) -> Result<Buyer, AppError> {
        body.into_domain(id)
    }
    async fn list(app: &App, p: &Principal) -> Result<Vec<Buyer>, AppError> {
        app.list_buyers(p).await
    }
    async fn get(app: &App, p: &Principal, id: &str) -> Result<Buyer, AppError> {
        app.get_buyer(p, id).await
    }
    async fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, Buyer>,
    ) -> Result<Buyer, AppError> {
        Ok(app.save_buyer(p, id, mode, build).await?.0)
    }
    async fn delete(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
        app.delete_buyer(p, id).await
    }
}
