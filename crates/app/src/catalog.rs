//! The minimal catalog: products and price schedules.

use crate::SaveMode;
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::Field;
use cartwire_domain::catalog::{PriceSchedule, Product};
use cartwire_domain::{ApiRole, ObjectId};

const PRODUCT_READ: &[ApiRole] = &[ApiRole::ProductAdmin, ApiRole::ProductReader];
const PRODUCT_WRITE: &[ApiRole] = &[ApiRole::ProductAdmin];
const SCHEDULE_READ: &[ApiRole] = &[ApiRole::PriceScheduleAdmin, ApiRole::PriceScheduleReader];
const SCHEDULE_WRITE: &[ApiRole] = &[ApiRole::PriceScheduleAdmin];

fn new_id(id: Option<&str>) -> Result<ObjectId, AppError> {
    match id {
        Some(id) => ObjectId::parse(id).field(Field::Id),
        None => Ok(ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id")),
    }
}

impl App {
    /// Lists products.
    pub async fn list_products(&self, p: &Principal) -> Result<Vec<Product>, AppError> {
        p.require_any(PRODUCT_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.products().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a product.
    pub async fn get_product(&self, p: &Principal, id: &str) -> Result<Product, AppError> {
        p.require_any(PRODUCT_READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.product(id).await?;
        tx.commit().await?;
        found.ok_or_else(|| AppError::not_found(Resource::Product, id))
    }

    /// Creates, overwrites or patches a product; its price schedule must exist.
    pub async fn save_product(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&Product>) -> Result<Product, AppError>,
    ) -> Result<Product, AppError> {
        p.require_any(PRODUCT_WRITE)?;
        let id = new_id(id)?;
        let mut tx = self.store().begin().await?;
        let current = tx.product(id.as_str()).await?;
        mode.check(current.is_some(), Resource::Product, &id)?;
        let mut product = build(id.clone(), current.as_ref())?;
        product.id = id.clone();
        product.validate()?;
        if let Some(ps) = &product.default_price_schedule_id
            && tx.price_schedule(ps.as_str()).await?.is_none()
        {
            return Err(AppError::not_found(Resource::PriceSchedule, ps.as_str()));
        }
        tx.save_product(&product, current.is_none())
            .await
            .map_err(AppError::on_insert(Resource::Product, id.to_string()))?;
        tx.commit().await?;
        Ok(product)
    }

    /// Deletes a product.
    pub async fn delete_product(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(PRODUCT_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_product(id).await? {
            return Err(AppError::not_found(Resource::Product, id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lists price schedules.
    pub async fn list_price_schedules(&self, p: &Principal) -> Result<Vec<PriceSchedule>, AppError> {
        p.require_any(SCHEDULE_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.price_schedules().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a price schedule.
    pub async fn get_price_schedule(&self, p: &Principal, id: &str) -> Result<PriceSchedule, AppError> {
        p.require_any(SCHEDULE_READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.price_schedule(id).await?;
        tx.commit().await?;
        found.ok_or_else(|| AppError::not_found(Resource::PriceSchedule, id))
    }

    /// Creates, overwrites or patches a price schedule.
    pub async fn save_price_schedule(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&PriceSchedule>) -> Result<PriceSchedule, AppError>,
    ) -> Result<PriceSchedule, AppError> {
        p.require_any(SCHEDULE_WRITE)?;
        let id = new_id(id)?;
        let mut tx = self.store().begin().await?;
        let current = tx.price_schedule(id.as_str()).await?;
        mode.check(current.is_some(), Resource::PriceSchedule, &id)?;
        let mut schedule = build(id.clone(), current.as_ref())?;
        schedule.id = id.clone();
        schedule.validate()?;
        tx.save_price_schedule(&schedule, current.is_none())
            .await
            .map_err(AppError::on_insert(Resource::PriceSchedule, id.to_string()))?;
        tx.commit().await?;
        Ok(schedule)
    }

    /// Deletes a price schedule (products using it lose it).
    pub async fn delete_price_schedule(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(SCHEDULE_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_price_schedule(id).await? {
            return Err(AppError::not_found(Resource::PriceSchedule, id));
        }
        tx.commit().await?;
        Ok(())
    }
}
