//! Integration events: the merchant middleware's callout settings (hash key and custom auth
//! header value sealed).

use crate::api_clients::{roles_from, roles_json};
use crate::codec::{get_opt_str, get_str, id, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::integration_event::{CalloutUrl, CustomAuthHeader, EventType, HashKey, IntegrationEvent};
use time::OffsetDateTime;

impl Tx {
    /// Inserts a new integration event; [`StoreError::Unique`] when the id exists.
    pub async fn insert_integration_event(&mut self, e: &IntegrationEvent) -> Result<(), StoreError> {
        let now = ts(OffsetDateTime::now_utc());
        let q = crate::sql::query(
            "INSERT INTO integration_events (name, event_type, custom_implementation_url, hash_key, \
             elevated_roles, config_data, custom_auth_header_name, custom_auth_header_value, updated_at, id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)",
        );
        self.bind_event(q, e, now).execute(self.conn()).await?;
        Ok(())
    }

    /// Overwrites the integration event stored as `current_id` (which may rename it: the API
    /// clients that reference it follow through `ON UPDATE CASCADE`). False when it does not exist.
    pub async fn update_integration_event(
        &mut self,
        current_id: &str,
        e: &IntegrationEvent,
    ) -> Result<bool, StoreError> {
        let now = ts(OffsetDateTime::now_utc());
        let q = crate::sql::query(
            "UPDATE integration_events SET name = $1, event_type = $2, custom_implementation_url = $3, \
             hash_key = $4, elevated_roles = $5, config_data = $6, custom_auth_header_name = $7, \
             custom_auth_header_value = $8, updated_at = $9, id = $10 WHERE id = $11",
        );
        let n = self.bind_event(q, e, now).bind(current_id).execute(self.conn()).await?.rows_affected();
        Ok(n == 1)
    }

    fn bind_event(&self, q: crate::sql::Query, e: &IntegrationEvent, now: String) -> crate::sql::Query {
        q.bind(&e.name)
            .bind(e.event_type.as_str())
            .bind(e.custom_implementation_url.as_str())
            .bind(self.sealer.seal(e.hash_key.expose()))
            .bind(roles_json(&e.elevated_roles))
            .bind(e.config_data.as_ref().map(json))
            .bind(e.custom_auth_header.as_ref().map(|h| h.name.clone()))
            .bind(e.custom_auth_header.as_ref().map(|h| self.sealer.seal(&h.value)))
            .bind(now)
            .bind(e.id.as_str())
    }

    /// One integration event.
    pub async fn integration_event(&mut self, id: &str) -> Result<Option<IntegrationEvent>, StoreError> {
        let row = crate::sql::query("SELECT * FROM integration_events WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(|r| self.event_from(r)).transpose()
    }

    /// Every integration event, oldest first.
    pub async fn integration_events(&mut self) -> Result<Vec<IntegrationEvent>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM integration_events ORDER BY created_at, id")
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(|r| self.event_from(r)).collect()
    }

    /// Ids of the API clients and OpenID Connect configurations that reference an integration
    /// event.
    pub async fn clients_using_integration_event(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows = crate::sql::query(
            "SELECT id FROM api_clients WHERE order_checkout_ie_id = $1 OR order_return_ie_id = $1 \
             OR add_to_cart_ie_id = $1 UNION SELECT id FROM openid_connects WHERE integration_event_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(|r| get_str(r, "id")).collect()
    }

    /// Deletes an integration event; false when it did not exist, [`StoreError::Reference`]
    /// when an API client still references it.
    pub async fn delete_integration_event(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM integration_events WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    fn event_from(&self, row: &Row) -> Result<IntegrationEvent, StoreError> {
        let corrupt = |what: &str, e: cartwire_domain::DomainError| crate::codec::corrupt(what, e);
        let header_value = get_opt_str(row, "custom_auth_header_value")?.map(|v| self.sealer.open(&v)).transpose()?;
        let header_name = get_opt_str(row, "custom_auth_header_name")?;
        Ok(IntegrationEvent {
            id: id(row, "id")?,
            name: get_str(row, "name")?,
            event_type: get_str(row, "event_type")?.parse::<EventType>().map_err(|e| corrupt("event_type", e))?,
            custom_implementation_url: CalloutUrl::parse(&get_str(row, "custom_implementation_url")?)
                .map_err(|e| corrupt("custom_implementation_url", e))?,
            hash_key: HashKey::parse(&self.sealer.open(&get_str(row, "hash_key")?)?)
                .map_err(|e| corrupt("hash_key", e))?,
            elevated_roles: roles_from(row, "elevated_roles")?,
            config_data: get_opt_str(row, "config_data")?
                .map(|s| serde_json::from_str(&s))
                .transpose()
                .map_err(|e| crate::codec::corrupt("config_data", e))?,
            custom_auth_header: match (header_name, header_value) {
                (Some(name), Some(value)) => Some(CustomAuthHeader { name, value }),
                _ => None,
            },
        })
    }
}
