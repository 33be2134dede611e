//! API clients: their settings, secrets (hashed) and the integration events they attach.

use crate::codec::{flag, get_bool, get_i64, get_json, get_opt_str, get_str, get_ts, id, json, opt_id, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::api_client::{
    AccessTokenMinutes, AnonymousTokenMinutes, ApiClient, AttachedIntegrationEvents, RefreshTokenMinutes, RoleLimits,
};
use cartwire_domain::role::parse_roles;
use cartwire_domain::{ApiRole, ObjectId};
use time::OffsetDateTime;

/// An API client with what the store derives for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiClientRecord {
    /// The client.
    pub client: ApiClient,
    /// Names of the attached integration events (read-only echoes).
    pub order_checkout_event_name: Option<String>,
    /// See above.
    pub order_return_event_name: Option<String>,
    /// See above.
    pub add_to_cart_event_name: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When its secret last changed (None: never since creation).
    pub secret_changed_at: Option<OffsetDateTime>,
}

const CLIENT_SELECT: &str = "SELECT c.*, oc.name AS oc_name, orr.name AS or_name, atc.name AS atc_name \
     FROM api_clients c \
     LEFT JOIN integration_events oc ON oc.id = c.order_checkout_ie_id \
     LEFT JOIN integration_events orr ON orr.id = c.order_return_ie_id \
     LEFT JOIN integration_events atc ON atc.id = c.add_to_cart_ie_id";

/// Roles as stored: a JSON array of their names.
pub(crate) fn roles_json(roles: &[ApiRole]) -> String {
    json(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
}

/// Roles read back from a JSON array column.
pub(crate) fn roles_from(row: &Row, col: &str) -> Result<Vec<ApiRole>, StoreError> {
    let names: Vec<String> = get_json(row, col)?;
    parse_roles(names.iter().map(String::as_str)).map_err(|e| crate::codec::corrupt(col, e))
}

fn client_from(row: &Row) -> Result<ApiClientRecord, StoreError> {
    let corrupt = |what: &str, e: cartwire_domain::DomainError| crate::codec::corrupt(what, e);
    let client = ApiClient {
        id: id(row, "id")?,
        app_name: get_str(row, "app_name")?,
        secret_hash: get_opt_str(row, "secret_hash")?,
        access_token_duration: AccessTokenMinutes::parse(get_i64(row, "access_token_duration")?)
            .map_err(|e| corrupt("access_token_duration", e))?,
        refresh_token_duration: RefreshTokenMinutes::parse(get_i64(row, "refresh_token_duration")?)
            .map_err(|e| corrupt("refresh_token_duration", e))?,
        anonymous_token_duration: row
            .get::<Option<i64>>("anonymous_token_duration")?
            .map(AnonymousTokenMinutes::parse)
            .transpose()
            .map_err(|e| corrupt("anonymous_token_duration", e))?,
        active: get_bool(row, "active")?,
        default_context_username: get_opt_str(row, "default_context_username")?,
        allow_any_buyer: get_bool(row, "allow_any_buyer")?,
        allow_any_supplier: get_bool(row, "allow_any_supplier")?,
        allow_seller: get_bool(row, "allow_seller")?,
        is_anon_buyer: get_bool(row, "is_anon_buyer")?,
        integration_events: AttachedIntegrationEvents {
            order_checkout: opt_id(row, "order_checkout_ie_id")?,
            order_return: opt_id(row, "order_return_ie_id")?,
            add_to_cart: opt_id(row, "add_to_cart_ie_id")?,
        },
        role_limits: RoleLimits {
            minimum_required_roles: roles_from(row, "minimum_required_roles")?,
            minimum_required_custom_roles: get_json(row, "minimum_required_custom_roles")?,
            maximum_granted_roles: roles_from(row, "maximum_granted_roles")?,
            maximum_granted_custom_roles: get_json(row, "maximum_granted_custom_roles")?,
        },
        xp: get_json(row, "xp")?,
    };
    Ok(ApiClientRecord {
        client,
        order_checkout_event_name: get_opt_str(row, "oc_name")?,
        order_return_event_name: get_opt_str(row, "or_name")?,
        add_to_cart_event_name: get_opt_str(row, "atc_name")?,
        created_at: get_ts(row, "created_at")?,
        secret_changed_at: crate::codec::get_opt_ts(row, "secret_changed_at")?,
    })
}

impl Tx {
    /// Inserts a new API client; [`StoreError::Unique`] when the id exists,
    /// [`StoreError::Reference`] when an integration event it names is missing.
    pub async fn insert_api_client(&mut self, c: &ApiClient) -> Result<(), StoreError> {
        let now = ts(OffsetDateTime::now_utc());
        crate::sql::query(
            "INSERT INTO api_clients (app_name, secret_hash, access_token_duration, refresh_token_duration, \
             anonymous_token_duration, active, default_context_username, allow_any_buyer, allow_any_supplier, \
             allow_seller, is_anon_buyer, order_checkout_ie_id, order_return_ie_id, add_to_cart_ie_id, \
             minimum_required_roles, minimum_required_custom_roles, maximum_granted_roles, \
             maximum_granted_custom_roles, xp, updated_at, id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $20)",
        )
        .bind_client(c, now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites an API client; false when it does not exist.
    pub async fn update_api_client(&mut self, c: &ApiClient) -> Result<bool, StoreError> {
        let now = ts(OffsetDateTime::now_utc());
        let n = crate::sql::query(
            "UPDATE api_clients SET app_name = $1, secret_hash = $2, access_token_duration = $3, \
             refresh_token_duration = $4, anonymous_token_duration = $5, active = $6, \
             default_context_username = $7, allow_any_buyer = $8, allow_any_supplier = $9, allow_seller = $10, \
             is_anon_buyer = $11, order_checkout_ie_id = $12, order_return_ie_id = $13, add_to_cart_ie_id = $14, \
             minimum_required_roles = $15, minimum_required_custom_roles = $16, maximum_granted_roles = $17, \
             maximum_granted_custom_roles = $18, xp = $19, updated_at = $20, \
             secret_changed_at = CASE WHEN COALESCE(secret_hash, '') <> COALESCE($2, '') THEN $20 \
             ELSE secret_changed_at END WHERE id = $21",
        )
        .bind_client(c, now)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// One API client.
    pub async fn api_client(&mut self, id: &str) -> Result<Option<ApiClientRecord>, StoreError> {
        let row =
            crate::sql::query(format!("{CLIENT_SELECT} WHERE c.id = $1")).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(client_from).transpose()
    }

    /// Every API client, oldest first.
    pub async fn api_clients(&mut self) -> Result<Vec<ApiClientRecord>, StoreError> {
        let rows =
            crate::sql::query(format!("{CLIENT_SELECT} ORDER BY c.created_at, c.id")).fetch_all(self.conn()).await?;
        rows.iter().map(client_from).collect()
    }

    /// Deletes an API client; false when it did not exist.
    pub async fn delete_api_client(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM api_clients WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}

trait BindClient<'q> {
    fn bind_client(self, c: &'q ApiClient, now: String) -> Self;
}

impl<'q> BindClient<'q> for crate::sql::Query {
    fn bind_client(self, c: &'q ApiClient, now: String) -> Self {
        let ie = |v: &'q Option<ObjectId>| v.as_ref().map(|i| i.as_str().to_owned());
        self.bind(&c.app_name)
            .bind(c.secret_hash.as_deref())
            .bind(i64::from(c.access_token_duration.minutes()))
            .bind(i64::from(c.refresh_token_duration.minutes()))
            .bind(c.anonymous_token_duration.map(|d| i64::from(d.minutes())))
            .bind(flag(c.active))
            .bind(c.default_context_username.as_deref())
            .bind(flag(c.allow_any_buyer))
            .bind(flag(c.allow_any_supplier))
            .bind(flag(c.allow_seller))
            .bind(flag(c.is_anon_buyer))
            .bind(ie(&c.integration_events.order_checkout))
            .bind(ie(&c.integration_events.order_return))
            .bind(ie(&c.integration_events.add_to_cart))
            .bind(roles_json(&c.role_limits.minimum_required_roles))
            .bind(json(&c.role_limits.minimum_required_custom_roles))
            .bind(roles_json(&c.role_limits.maximum_granted_roles))
            .bind(json(&c.role_limits.maximum_granted_custom_roles))
            .bind(json(&c.xp))
            .bind(now)
            .bind(c.id.as_str())
    }
}
