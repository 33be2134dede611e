//! OpenID Connect configurations (client secret sealed), logins in flight and linked identities.

use crate::codec::{corrupt, get_json, get_opt_str, get_str, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::ObjectId;
use cartwire_domain::sso::OpenIdConnect;
use time::OffsetDateTime;

/// The fields kept as JSON (everything but the id, client, secret and event).
#[derive(serde::Serialize, serde::Deserialize)]
struct Body {
    app_start_url: String,
    authorization_endpoint: String,
    token_endpoint: String,
    url_encoded: bool,
    call_sync_user_integration_event: bool,
    additional_idp_scopes: Vec<String>,
    custom_error_url: Option<String>,
    issuer: Option<String>,
}

/// A configuration with the name of its integration event (a read-only echo on the wire).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenIdConnectRecord {
    /// The configuration.
    pub config: OpenIdConnect,
    /// The attached integration event's `Name`.
    pub integration_event_name: Option<String>,
}

const CONNECT_SELECT: &str = "SELECT o.*, ie.name AS ie_name FROM openid_connects o LEFT JOIN integration_events ie ON ie.id = o.integration_event_id";

impl Tx {
    fn connect_from(&self, row: &Row) -> Result<OpenIdConnectRecord, StoreError> {
        let body: Body = get_json(row, "body")?;
        let config = OpenIdConnect {
            id: ObjectId::parse(&get_str(row, "id")?).map_err(|e| corrupt("id", e))?,
            api_client_id: get_str(row, "api_client_id")?,
            connect_client_id: get_str(row, "connect_client_id")?,
            connect_client_secret: self.sealer.open(&get_str(row, "connect_client_secret")?)?,
            app_start_url: body.app_start_url,
            authorization_endpoint: body.authorization_endpoint,
            token_endpoint: body.token_endpoint,
            url_encoded: body.url_encoded,
            integration_event_id: get_opt_str(row, "integration_event_id")?
                .map(|s| ObjectId::parse(&s).map_err(|e| corrupt("integration_event_id", e)))
                .transpose()?,
            call_sync_user_integration_event: body.call_sync_user_integration_event,
            additional_idp_scopes: body.additional_idp_scopes,
            custom_error_url: body.custom_error_url,
            issuer: body.issuer,
        };
        Ok(OpenIdConnectRecord { config, integration_event_name: get_opt_str(row, "ie_name")? })
    }

    /// Inserts a configuration when `created`, else overwrites it.
    pub async fn save_openid_connect(&mut self, c: &OpenIdConnect, created: bool) -> Result<(), StoreError> {
        let body = Body {
            app_start_url: c.app_start_url.clone(),
            authorization_endpoint: c.authorization_endpoint.clone(),
            token_endpoint: c.token_endpoint.clone(),
            url_encoded: c.url_encoded,
            call_sync_user_integration_event: c.call_sync_user_integration_event,
            additional_idp_scopes: c.additional_idp_scopes.clone(),
            custom_error_url: c.custom_error_url.clone(),
            issuer: c.issuer.clone(),
        };
        let q = if created {
            crate::sql::query(
                "INSERT INTO openid_connects (api_client_id, connect_client_id, connect_client_secret, body, \
                 integration_event_id, id) VALUES ($1, $2, $3, $4, $5, $6)",
            )
        } else {
            crate::sql::query(
                "UPDATE openid_connects SET api_client_id = $1, connect_client_id = $2, connect_client_secret = $3, \
                 body = $4, integration_event_id = $5 WHERE id = $6",
            )
        };
        let sealed = self.sealer.seal(&c.connect_client_secret);
        q.bind(&c.api_client_id)
            .bind(&c.connect_client_id)
            .bind(sealed)
            .bind(json(&body))
            .bind(c.integration_event_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(c.id.as_str())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// One configuration.
    pub async fn openid_connect(&mut self, id: &str) -> Result<Option<OpenIdConnectRecord>, StoreError> {
        let row =
            crate::sql::query(format!("{CONNECT_SELECT} WHERE o.id = $1")).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(|r| self.connect_from(r)).transpose()
    }

    /// Every configuration.
    pub async fn openid_connects(&mut self) -> Result<Vec<OpenIdConnectRecord>, StoreError> {
        let rows = crate::sql::query(format!("{CONNECT_SELECT} ORDER BY o.id")).fetch_all(self.conn()).await?;
        rows.iter().map(|r| self.connect_from(r)).collect()
    }

    /// Deletes a configuration (its logins and linked identities go with it).
    pub async fn delete_openid_connect(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM openid_connects WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Records a login in flight under the digest of its state.
    pub async fn insert_oidc_login(
        &mut self,
        state_digest: &str,
        connect_id: &str,
        body: &serde_json::Value,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        crate::sql::query("DELETE FROM oidc_logins WHERE expires_at < $1")
            .bind(ts(OffsetDateTime::now_utc()))
            .execute(self.conn())
            .await?;
        crate::sql::query(
            "INSERT INTO oidc_logins (state_digest, openidconnect_id, body, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state_digest)
        .bind(connect_id)
        .bind(json(body))
        .bind(ts(expires_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Takes (and deletes) the login with this state digest: a state works once. Returns the
    /// configuration id, the body and when it expires.
    pub async fn take_oidc_login(
        &mut self,
        state_digest: &str,
    ) -> Result<Option<(String, serde_json::Value, OffsetDateTime)>, StoreError> {
        let row = crate::sql::query("DELETE FROM oidc_logins WHERE state_digest = $1 RETURNING *")
            .bind(state_digest)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| {
            Ok((get_str(&r, "openidconnect_id")?, get_json(&r, "body")?, crate::codec::get_ts(&r, "expires_at")?))
        })
        .transpose()
    }

    /// The username linked to a provider subject.
    pub async fn oidc_identity(&mut self, connect_id: &str, subject: &str) -> Result<Option<String>, StoreError> {
        let row =
            crate::sql::query("SELECT username FROM oidc_identities WHERE openidconnect_id = $1 AND subject = $2")
                .bind(connect_id)
                .bind(subject)
                .fetch_optional(self.conn())
                .await?;
        row.map(|r| get_str(&r, "username")).transpose()
    }

    /// Links a provider subject to a username (first link wins).
    pub async fn link_oidc_identity(
        &mut self,
        connect_id: &str,
        subject: &str,
        username: &str,
    ) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO oidc_identities (openidconnect_id, subject, username, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (openidconnect_id, subject) DO NOTHING",
        )
        .bind(connect_id)
        .bind(subject)
        .bind(username)
        .bind(ts(OffsetDateTime::now_utc()))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
