//! Orders: every dialect's orders and carts in one table, with the columns lists filter on.

use crate::codec::{corrupt, get_json, get_opt_str, get_opt_ts, get_parsed, get_str, get_ts, json, ts};
use crate::pages::ShopOrderFilter;
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::id::{OrderId, ShortId};
use cartwire_domain::order::{LineItem, Order, OrderStatus, Platform, Source};
use cartwire_domain::user::UserRef;
use time::OffsetDateTime;

/// The unique key of short ids, as [`StoreError::Unique`] names it.
pub const SHORT_ID_KEY: &str = "orders(short_id)";
/// The unique key of a shop order's external id on its connection.
pub const EXTERNAL_ID_KEY: &str = "orders(shop_connection_id, shop_external_id)";
/// The unique key of a shop cart's external checkout id on its connection.
pub const EXTERNAL_CHECKOUT_ID_KEY: &str = "orders(shop_connection_id, shop_external_checkout_id)";

/// Filters of an order listing.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Exact short id.
    pub short_id: Option<String>,
    /// Exact origin org.
    pub origin_org_id: Option<String>,
    /// Exact customer.
    pub customer_id: Option<String>,
    /// Exact statuses (any of).
    pub statuses: Vec<OrderStatus>,
    /// Platform fields that must match.
    pub platform: Option<Platform>,
    /// Only orders that came in through this kind of entry point.
    pub source: Option<Source>,
    /// Created at or after this moment.
    pub from: Option<OffsetDateTime>,
    /// Created before this moment.
    pub to: Option<OffsetDateTime>,
    /// The buyer's email, compared without case: a shop order's customer email or a checkout
    /// order's user email. Not indexed: an operator's search, scanned newest first.
    pub email: Option<String>,
    /// An id the order has in another system: a shop order's or abandoned cart's external id,
    /// or a storefront platform's order id. Not indexed, like `email`.
    pub external_id: Option<String>,
}

pub(crate) fn order_from(row: &Row) -> Result<Order, StoreError> {
    Ok(Order {
        id: get_parsed(row, "id", OrderId::parse)?,
        short_id: get_parsed(row, "short_id", ShortId::parse)?,
        org_id: get_str(row, "org_id")?,
        origin_org_id: get_opt_str(row, "origin_org_id")?,
        name: get_opt_str(row, "name")?,
        customer_id: get_opt_str(row, "customer_id")?,
        owner: match (get_opt_str(row, "owner_company")?, get_opt_str(row, "owner_user")?) {
            (Some(company), Some(id)) => Some(UserRef { company, id }),
            _ => None,
        },
        platform: get_json(row, "platform")?,
        lines: get_json::<Vec<LineItem>>(row, "lines")?,
        legacy_items: get_json(row, "legacy_items")?,
        metadata: get_json(row, "metadata")?,
        derivative: get_json(row, "derivative")?,
        status: OrderStatus::parse(&get_str(row, "status")?).map_err(|e| corrupt("status", e))?,
        created_by: get_opt_str(row, "created_by")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_opt_ts(row, "updated_at")?,
        placed_at: get_opt_ts(row, "placed_at")?,
        deleted_at: get_opt_ts(row, "deleted_at")?,
        abandoned_at: get_opt_ts(row, "abandoned_at")?,
        totals: get_opt_str(row, "totals")?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| corrupt("totals", e))?,
        shop: get_opt_str(row, "shop")?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| corrupt("shop", e))?,
        checkout: get_opt_str(row, "checkout")?
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| corrupt("checkout", e))?,
    })
}

/// The `INSERT` of an order, parameters `$1` to `$28` (also the first part of the one-statement
/// create on PostgreSQL, see `Store::insert_order_with_events`).
pub(crate) fn order_insert(o: &Order) -> crate::sql::Query {
    crate::sql::query(
        "INSERT INTO orders (id, short_id, org_id, origin_org_id, name, customer_id, platform, platform_name, lines, \
         legacy_items, metadata, derivative, status, created_by, created_at, updated_at, placed_at, deleted_at, \
         abandoned_at, shop, shop_connection_id, shop_external_id, shop_external_checkout_id, shop_email, totals, checkout, \
         owner_company, owner_user) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
         $25, $26, $27, $28)",
    )
    .bind(o.id.as_str())
    .bind(o.short_id.as_str())
    .bind(&o.org_id)
    .bind(o.origin_org_id.as_deref())
    .bind(o.name.as_deref())
    .bind(o.customer_id.as_deref())
    .bind(json(&o.platform))
    .bind(o.platform.platform.as_deref())
    .bind(json(&o.lines))
    .bind(json(&o.legacy_items))
    .bind(json(&o.metadata))
    .bind(json(&o.derivative))
    .bind(o.status.as_str())
    .bind(o.created_by.as_deref())
    .bind(ts(o.created_at))
    .bind(o.updated_at.map(ts))
    .bind(o.placed_at.map(ts))
    .bind(o.deleted_at.map(ts))
    .bind(o.abandoned_at.map(ts))
    .bind_shop(o)
    .bind(o.owner.as_ref().map(|u| u.company.clone()))
    .bind(o.owner.as_ref().map(|u| u.id.clone()))
}

impl Tx {
    /// Inserts an order; [`StoreError::Unique`] when the id or short id is taken.
    pub async fn insert_order(&mut self, o: &Order) -> Result<(), StoreError> {
        order_insert(o).execute(self.conn()).await?;
        Ok(())
    }

    /// Overwrites an order's mutable fields.
    pub async fn update_order(&mut self, o: &Order) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "UPDATE orders SET origin_org_id = $1, name = $2, customer_id = $3, platform = $4, platform_name = $5, \
             lines = $6, legacy_items = $7, metadata = $8, derivative = $9, status = $10, updated_at = $11, \
             placed_at = $12, deleted_at = $13, abandoned_at = $15, shop = $16, shop_connection_id = $17, \
             shop_external_id = $18, shop_external_checkout_id = $19, shop_email = $20, totals = $21, checkout = $22 WHERE id = $14",
        )
        .bind(o.origin_org_id.as_deref())
        .bind(o.name.as_deref())
        .bind(o.customer_id.as_deref())
        .bind(json(&o.platform))
        .bind(o.platform.platform.as_deref())
        .bind(json(&o.lines))
        .bind(json(&o.legacy_items))
        .bind(json(&o.metadata))
        .bind(json(&o.derivative))
        .bind(o.status.as_str())
        .bind(o.updated_at.map(ts))
        .bind(o.placed_at.map(ts))
        .bind(o.deleted_at.map(ts))
        .bind(o.id.as_str())
        .bind(o.abandoned_at.map(ts))
        .bind_shop(o)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The order with this id or short id (deleted ones included).
    pub async fn order(&mut self, id_or_short: &str) -> Result<Option<Order>, StoreError> {
        let row = crate::sql::query("SELECT * FROM orders WHERE id = $1 OR short_id = $1")
            .bind(id_or_short)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(order_from).transpose()
    }

    /// The live order with this id, locked for the rest of the transaction on PostgreSQL (the
    /// SQLite writer lock already serializes writers), so read-modify-write cannot lose a
    /// concurrent change.
    pub async fn order_for_update(&mut self, id: &str) -> Result<Option<Order>, StoreError> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = crate::sql::query(format!("SELECT * FROM orders WHERE id = $1 AND deleted_at IS NULL{lock}"))
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(order_from).transpose()
    }

    /// The live checkout (OrderCloud) orders, optionally only those one user owns, oldest
    /// first.
    pub async fn checkout_orders(&mut self, owner: Option<&UserRef>) -> Result<Vec<Order>, StoreError> {
        let rows =
            match owner {
                Some(u) => {
                    crate::sql::query(
                        "SELECT * FROM orders WHERE checkout IS NOT NULL AND deleted_at IS NULL \
                     AND owner_company = $1 AND owner_user = $2 ORDER BY created_at, id",
                    )
                    .bind(&u.company)
                    .bind(&u.id)
                    .fetch_all(self.conn())
                    .await?
                }
                None => crate::sql::query(
                    "SELECT * FROM orders WHERE checkout IS NOT NULL AND deleted_at IS NULL ORDER BY created_at, id",
                )
                .fetch_all(self.conn())
                .await?,
            };
        rows.iter().map(order_from).collect()
    }

    /// The user's newest unsubmitted checkout order: their current cart.
    pub async fn current_cart(&mut self, owner: &UserRef) -> Result<Option<Order>, StoreError> {
        let row = crate::sql::query(
            "SELECT * FROM orders WHERE checkout IS NOT NULL AND deleted_at IS NULL AND owner_company = $1 \
             AND owner_user = $2 AND status = 'cart' ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(&owner.company)
        .bind(&owner.id)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(order_from).transpose()
    }

    /// Orders that are not deleted and match `f`, sorted by `sort` (`createdAt`, `-createdAt`,
    /// `name`, `-name`, `updatedAt`, `-updatedAt`), one page; and the total.
    pub async fn orders(
        &mut self,
        f: &OrderFilter,
        sort: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), StoreError> {
        let mut clauses = vec!["deleted_at IS NULL".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        let mut eq = |col: &str, v: &Option<String>, clauses: &mut Vec<String>| {
            if let Some(v) = v {
                binds.push(v.clone());
                clauses.push(format!("{col} = ${}", binds.len()));
            }
        };
        eq("short_id", &f.short_id, &mut clauses);
        eq("origin_org_id", &f.origin_org_id, &mut clauses);
        eq("customer_id", &f.customer_id, &mut clauses);
        if let Some(p) = &f.platform {
            eq("platform_name", &p.platform, &mut clauses);
        }
        match f.source {
            None => {}
            Some(Source::Shop) => clauses.push("shop IS NOT NULL".into()),
            Some(Source::Checkout) => clauses.push("shop IS NULL AND checkout IS NOT NULL".into()),
            Some(Source::Storefront) => clauses.push("shop IS NULL AND checkout IS NULL".into()),
        }
        for (col, op, at) in [("created_at", ">=", f.from), ("created_at", "<", f.to)] {
            if let Some(at) = at {
                binds.push(ts(at));
                clauses.push(format!("{col} {op} ${}", binds.len()));
            }
        }
        // Both engines keep these JSON documents as text; each reads a member its own way.
        let (user_email, platform_id) = match self.backend {
            crate::Backend::Sqlite => ("json_extract(checkout, '$.from_user.email')", "json_extract(platform, '$.id')"),
            crate::Backend::Postgres => ("(checkout::json -> 'from_user' ->> 'email')", "(platform::json ->> 'id')"),
        };
        if let Some(email) = &f.email {
            binds.push(email.to_lowercase());
            let n = binds.len();
            clauses.push(format!("(lower(shop_email) = ${n} OR lower({user_email}) = ${n})"));
        }
        if let Some(id) = &f.external_id {
            binds.push(id.clone());
            let n = binds.len();
            clauses
                .push(format!("(shop_external_id = ${n} OR shop_external_checkout_id = ${n} OR {platform_id} = ${n})"));
        }
        if !f.statuses.is_empty() {
            let mut parts = Vec::new();
            for s in &f.statuses {
                binds.push(s.as_str().to_owned());
                parts.push(format!("${}", binds.len()));
            }
            clauses.push(format!("status IN ({})", parts.join(", ")));
        }
        let order_by = match sort {
            "createdAt" => "created_at ASC, id ASC",
            "name" => "name ASC, id ASC",
            "-name" => "name DESC, id DESC",
            "updatedAt" => "updated_at ASC, id ASC",
            "-updatedAt" => "updated_at DESC, id DESC",
            _ => "created_at DESC, id DESC",
        };
        let where_sql = clauses.join(" AND ");
        let in_memory = f.platform.as_ref().is_some_and(|p| p.id.is_some() || p.store_name.is_some());
        if !in_memory {
            let mut q = crate::sql::query(format!("SELECT COUNT(*) AS n FROM orders WHERE {where_sql}"));
            for b in &binds {
                q = q.bind(b.clone());
            }
            let total = crate::codec::get_i64(&q.fetch_one(self.conn()).await?, "n")?;
            let n = binds.len();
            let sql = format!(
                "SELECT * FROM orders WHERE {where_sql} ORDER BY {order_by} LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            );
            let mut q = crate::sql::query(sql);
            for b in &binds {
                q = q.bind(b.clone());
            }
            let rows = q.bind(limit).bind(offset).fetch_all(self.conn()).await?;
            return Ok((rows.iter().map(order_from).collect::<Result<_, _>>()?, total));
        }
        // The platform's id and store name live in the JSON column: those filters run here,
        // after the indexed ones have narrowed the rows.
        let mut q = crate::sql::query(format!("SELECT * FROM orders WHERE {where_sql} ORDER BY {order_by}"));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(self.conn()).await?;
        let mut all: Vec<Order> = rows.iter().map(order_from).collect::<Result<_, _>>()?;
        if let Some(p) = &f.platform {
            all.retain(|o| {
                (p.id.is_none() || o.platform.id == p.id)
                    && (p.store_name.is_none() || o.platform.store_name == p.store_name)
            });
        }
        let total = all.len() as i64;
        let page = all.into_iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).collect();
        Ok((page, total))
    }

    /// Marks up to `limit` carts whose last change is older than `cutoff` as abandoned at `now`
    /// and returns them. Each cart is marked once: the `abandoned_at IS NULL` condition of the
    /// one `UPDATE` is the claim, so several nodes sweeping at once never mark a cart twice.
    pub async fn mark_idle_carts_abandoned(
        &mut self,
        cutoff: OffsetDateTime,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<Order>, StoreError> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE orders SET abandoned_at = $1 WHERE id IN (\
               SELECT id FROM orders WHERE status IN ('wishlist', 'cart') AND abandoned_at IS NULL \
                 AND deleted_at IS NULL AND COALESCE(updated_at, created_at) < $2 \
               ORDER BY created_at LIMIT $3{lock}) \
             AND abandoned_at IS NULL RETURNING *"
        );
        let rows = crate::sql::query(sql).bind(ts(now)).bind(ts(cutoff)).bind(limit).fetch_all(self.conn()).await?;
        rows.iter().map(order_from).collect()
    }
}

trait BindShop {
    fn bind_shop(self, o: &Order) -> Self;
}

impl BindShop for crate::sql::Query {
    /// Binds `shop`, the columns copied out of it for filtering and uniqueness, `totals` and
    /// `checkout`.
    fn bind_shop(self, o: &Order) -> Self {
        let shop = o.shop.as_ref();
        self.bind(shop.map(json))
            .bind(shop.map(|s| s.connection_id))
            .bind(shop.and_then(|s| s.external_id.clone()))
            .bind(shop.and_then(|s| s.external_checkout_id.clone()))
            .bind(shop.map(|s| s.email.clone()))
            .bind(o.totals.as_ref().map(json))
            .bind(o.checkout.as_ref().map(json))
    }
}

impl Tx {
    /// Orders from shops (not deleted) matching `filters`, one page, and the total.
    pub async fn shop_orders(
        &mut self,
        filters: &[ShopOrderFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), StoreError> {
        self.page(
            "orders",
            "shop IS NOT NULL AND deleted_at IS NULL",
            filters,
            offset,
            limit,
            crate::orders::order_from,
        )
        .await
    }
}

impl Tx {
    /// Orders created per minute from the minute `since` (`YYYY-MM-DDTHH:MM`, UTC) on, oldest
    /// first; minutes without one are absent. Timestamps are RFC 3339 text in UTC on both
    /// engines, so the minute is their first 16 characters, and every time within or after
    /// `since` compares at least equal to it as text (a full timestamp would not: fractions of
    /// a second make the text longer or shorter). `orders_created` bounds the scan.
    pub async fn orders_per_minute(&mut self, since: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = crate::sql::query(
            "SELECT substr(created_at, 1, 16) AS minute, COUNT(*) AS n FROM orders \
             WHERE created_at >= $1 GROUP BY substr(created_at, 1, 16) ORDER BY minute",
        )
        .bind(since.to_owned())
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(|r| Ok((get_str(r, "minute")?, crate::codec::get_i64(r, "n")?))).collect()
    }
}
