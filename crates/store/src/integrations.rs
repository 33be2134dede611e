//! Integrations: where events go (webhook, SQS, STOMP), the keys each observes and its
//! configuration (sealed, since it holds the receivers' secrets).

use crate::codec::{corrupt, flag, get_bool, get_str, get_ts, ts};
use crate::sql::Row;
use crate::{Backend, StoreError, Tx};
use cartwire_domain::integration::{Integration, IntegrationConfig, Observes};

/// SQL testing that an integration observes the `|key|` in parameter `pattern`. `observes`
/// holds `|key|key|`; a substring test, not LIKE: SQLite re-prepares a statement whose LIKE
/// pattern is a bound parameter every time the value changes.
pub(crate) fn observes_sql(backend: Backend, pattern: &str) -> String {
    match backend {
        Backend::Postgres => format!("strpos(observes, {pattern}) > 0"),
        Backend::Sqlite => format!("instr(observes, {pattern}) > 0"),
    }
}

pub(crate) fn integration_from(tx: &Tx, row: &Row) -> Result<Integration, StoreError> {
    let config: IntegrationConfig = serde_json::from_str(&tx.sealer.open(&get_str(row, "configuration")?)?)
        .map_err(|e| corrupt("configuration", e))?;
    let observes: Vec<String> =
        get_str(row, "observes")?.split('|').filter(|k| !k.is_empty()).map(str::to_owned).collect();
    Ok(Integration {
        id: get_str(row, "id")?,
        name: get_str(row, "name")?,
        description: get_str(row, "description")?,
        enabled: get_bool(row, "enabled")?,
        observes: Observes::parse(&observes).map_err(|e| corrupt("observes", e))?,
        config,
        ordered_delivery: get_bool(row, "ordered_delivery")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn observes_column(o: &Observes) -> String {
    format!("|{}|", o.keys().join("|"))
}

impl Tx {
    /// Inserts an integration.
    pub async fn insert_integration(&mut self, i: &Integration) -> Result<(), StoreError> {
        let sealed = self.sealer.seal(&serde_json::to_string(&i.config).expect("config serializes"));
        crate::sql::query(
            "INSERT INTO integrations (id, name, description, enabled, integration_type, configuration, observes, \
             ordered_delivery, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&i.id)
        .bind(&i.name)
        .bind(&i.description)
        .bind(flag(i.enabled))
        .bind(i.config.integration_type().as_str())
        .bind(sealed)
        .bind(observes_column(&i.observes))
        .bind(flag(i.ordered_delivery))
        .bind(ts(i.created_at))
        .bind(ts(i.updated_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites an integration; false when missing.
    pub async fn update_integration(&mut self, i: &Integration) -> Result<bool, StoreError> {
        let sealed = self.sealer.seal(&serde_json::to_string(&i.config).expect("config serializes"));
        let n = crate::sql::query(
            "UPDATE integrations SET name = $1, description = $2, enabled = $3, integration_type = $4, \
             configuration = $5, observes = $6, ordered_delivery = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&i.name)
        .bind(&i.description)
        .bind(flag(i.enabled))
        .bind(i.config.integration_type().as_str())
        .bind(sealed)
        .bind(observes_column(&i.observes))
        .bind(flag(i.ordered_delivery))
        .bind(ts(i.updated_at))
        .bind(&i.id)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// One integration.
    pub async fn integration(&mut self, id: &str) -> Result<Option<Integration>, StoreError> {
        let row =
            crate::sql::query("SELECT * FROM integrations WHERE id = $1").bind(id).fetch_optional(self.conn()).await?;
        row.map(|r| integration_from(self, &r)).transpose()
    }

    /// Every integration, oldest first.
    pub async fn integrations(&mut self) -> Result<Vec<Integration>, StoreError> {
        let rows =
            crate::sql::query("SELECT * FROM integrations ORDER BY created_at, id").fetch_all(self.conn()).await?;
        rows.iter().map(|r| integration_from(self, r)).collect()
    }

    /// Deletes an integration and its pending deliveries (their attempt logs stay); false when
    /// missing.
    pub async fn delete_integration(&mut self, id: &str) -> Result<bool, StoreError> {
        crate::sql::query("DELETE FROM deliveries WHERE integration_id = $1 AND status = 'pending'")
            .bind(id)
            .execute(self.conn())
            .await?;
        let n = crate::sql::query("DELETE FROM integrations WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
