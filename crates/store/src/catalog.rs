//! Products and price schedules.

use crate::codec::{corrupt, flag, get_bool, get_i64, get_json, get_opt_str, get_str, id, json, opt_id, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::catalog::{PriceSchedule, Product};
use cartwire_domain::commerce::CurrencyCode;
use time::OffsetDateTime;

fn product_from(row: &Row) -> Result<Product, StoreError> {
    Ok(Product {
        id: id(row, "id")?,
        name: get_str(row, "name")?,
        description: get_opt_str(row, "description")?,
        active: get_bool(row, "active")?,
        default_price_schedule_id: opt_id(row, "default_price_schedule_id")?,
        xp: get_json(row, "xp")?,
    })
}

fn schedule_from(row: &Row) -> Result<PriceSchedule, StoreError> {
    Ok(PriceSchedule {
        id: id(row, "id")?,
        name: get_str(row, "name")?,
        currency: CurrencyCode::parse(&get_str(row, "currency")?).map_err(|e| corrupt("currency", e))?,
        min_quantity: get_i64(row, "min_quantity")?,
        max_quantity: row.get::<Option<i64>>("max_quantity")?,
        price_breaks: get_json(row, "price_breaks")?,
        xp: get_json(row, "xp")?,
    })
}

impl Tx {
    /// Inserts a product when `created`, else overwrites it.
    pub async fn save_product(&mut self, p: &Product, created: bool) -> Result<(), StoreError> {
        let q = if created {
            crate::sql::query(
                "INSERT INTO products (name, description, active, default_price_schedule_id, xp, id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
        } else {
            crate::sql::query(
                "UPDATE products SET name = $1, description = $2, active = $3, default_price_schedule_id = $4, xp = $5 \
                 WHERE id = $6",
            )
        };
        let q = q
            .bind(&p.name)
            .bind(p.description.as_deref())
            .bind(flag(p.active))
            .bind(p.default_price_schedule_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(json(&p.xp))
            .bind(p.id.as_str());
        let q = if created { q.bind(ts(OffsetDateTime::now_utc())) } else { q };
        q.execute(self.conn()).await?;
        Ok(())
    }

    /// One product.
    pub async fn product(&mut self, id: &str) -> Result<Option<Product>, StoreError> {
        let row =
            crate::sql::query("SELECT * FROM products WHERE id = $1").bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(product_from).transpose()
    }

    /// Every product, oldest first.
    pub async fn products(&mut self) -> Result<Vec<Product>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM products ORDER BY created_at, id").fetch_all(self.conn()).await?;
        rows.iter().map(product_from).collect()
    }

    /// Deletes a product; false when missing.
    pub async fn delete_product(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(crate::sql::query("DELETE FROM products WHERE id = $1").bind(id).execute(self.conn()).await?.rows_affected()
            == 1)
    }

    /// Inserts a price schedule when `created`, else overwrites it.
    pub async fn save_price_schedule(&mut self, p: &PriceSchedule, created: bool) -> Result<(), StoreError> {
        let q = if created {
            crate::sql::query(
                "INSERT INTO price_schedules (name, currency, min_quantity, max_quantity, price_breaks, xp, id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
        } else {
            crate::sql::query(
                "UPDATE price_schedules SET name = $1, currency = $2, min_quantity = $3, max_quantity = $4, \
                 price_breaks = $5, xp = $6 WHERE id = $7",
            )
        };
        let q = q
            .bind(&p.name)
            .bind(p.currency.as_str())
            .bind(p.min_quantity)
            .bind(p.max_quantity)
            .bind(json(&p.price_breaks))
            .bind(json(&p.xp))
            .bind(p.id.as_str());
        let q = if created { q.bind(ts(OffsetDateTime::now_utc())) } else { q };
        q.execute(self.conn()).await?;
        Ok(())
    }

    /// One price schedule.
    pub async fn price_schedule(&mut self, id: &str) -> Result<Option<PriceSchedule>, StoreError> {
        let row = crate::sql::query("SELECT * FROM price_schedules WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(schedule_from).transpose()
    }

    /// Every price schedule, oldest first.
    pub async fn price_schedules(&mut self) -> Result<Vec<PriceSchedule>, StoreError> {
        let rows =
            crate::sql::query("SELECT * FROM price_schedules ORDER BY created_at, id").fetch_all(self.conn()).await?;
        rows.iter().map(schedule_from).collect()
    }

    /// Deletes a price schedule (products that used it lose it); false when missing.
    pub async fn delete_price_schedule(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(crate::sql::query("DELETE FROM price_schedules WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected()
            == 1)
    }
}
