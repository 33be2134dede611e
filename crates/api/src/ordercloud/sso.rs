//! `/v1/openidconnects` and the single sign-on endpoints `/ocrplogin` and `/ocrpcode`.

use super::callouts::OcWire;
use super::created;
use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use super::wire::sso::render;
use crate::ordercloud::fields::{refused, required};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::SaveMode;
use cartwire_app::sso::OpenIdConnectRecord;
use cartwire_app::sso::{LoginCallback, LoginStart};
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::sso::OpenIdConnect;
use serde::Deserialize;
use std::collections::HashMap;

/// Query capabilities of OpenID Connect configurations.
pub const SPEC: ListSpec = ListSpec {
    searchable: &["ID", "ConnectClientID"],
    sortable: &["ID", "ConnectClientID"],
    filterable: &["ID", "OrderCloudApiClientID", "ConnectClientID", "IntegrationEventID"],
};

/// A configuration on the wire.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConnectIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "OrderCloudApiClientID")]
    api_client_id: Option<String>,
    #[serde(rename = "ConnectClientID")]
    connect_client_id: Option<String>,
    #[serde(rename = "ConnectClientSecret")]
    connect_client_secret: Option<String>,
    #[serde(rename = "AppStartUrl")]
    app_start_url: Option<String>,
    #[serde(rename = "AuthorizationEndpoint")]
    authorization_endpoint: Option<String>,
    #[serde(rename = "TokenEndpoint")]
    token_endpoint: Option<String>,
    #[serde(rename = "UrlEncoded")]
    url_encoded: Option<bool>,
    #[serde(rename = "IntegrationEventID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    integration_event_id: Option<String>,
    #[serde(rename = "CallSyncUserIntegrationEvent")]
    call_sync_user: Option<bool>,
    #[serde(rename = "AdditionalIdpScopes")]
    additional_idp_scopes: Option<Vec<String>>,
    #[serde(rename = "CustomErrorUrl")]
    custom_error_url: Option<String>,
    #[serde(rename = "Issuer")]
    issuer: Option<String>,
}

impl ConnectIn {
    fn into_domain(self, id: ObjectId, current: Option<&OpenIdConnect>) -> Result<OpenIdConnect, AppError> {
        let present = |v: Option<String>, f: &str| v.ok_or_else(|| required(f));
        // The secret is write-only: absent or null keeps the stored one.
        let secret = match (self.connect_client_secret, current) {
            (Some(s), _) => s,
            (None, Some(c)) => c.connect_client_secret.clone(),
            (None, None) => return Err(required("ConnectClientSecret")),
        };
        Ok(OpenIdConnect {
            id,
            api_client_id: present(self.api_client_id, "OrderCloudApiClientID")?,
            connect_client_id: present(self.connect_client_id, "ConnectClientID")?,
            connect_client_secret: secret,
            app_start_url: present(self.app_start_url, "AppStartUrl")?,
            authorization_endpoint: present(self.authorization_endpoint, "AuthorizationEndpoint")?,
            token_endpoint: present(self.token_endpoint, "TokenEndpoint")?,
            url_encoded: self.url_encoded.unwrap_or(false),
            integration_event_id: self
                .integration_event_id
                .filter(|s| !s.is_empty())
                .map(|s| ObjectId::parse(&s).map_err(|e| refused("IntegrationEventID", e)))
                .transpose()?,
            call_sync_user_integration_event: self.call_sync_user.unwrap_or(false),
            additional_idp_scopes: self.additional_idp_scopes.unwrap_or_default(),
            custom_error_url: self.custom_error_url.filter(|s| !s.is_empty()),
            issuer: self.issuer.filter(|s| !s.is_empty()),
        })
    }
}

pub(super) async fn list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::OpenIdConnect>>, OcError> {
    let items = app.list_openid_connects(&p).await?.iter().map(render).collect();
    Ok(Json(page(items, q.as_deref(), &SPEC)?))
}
pub(super) async fn get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::OpenIdConnect>, OcError> {
    Ok(Json(render(&app.get_openid_connect(&p, &id).await?)))
}
pub(super) async fn create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<ConnectIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let saved = app.save_openid_connect(&p, id.as_deref(), SaveMode::Create, |id, c| body.into_domain(id, c)).await?;
    Ok(created(&app, &format!("/v1/openidconnects/{}", saved.config.id), render(&saved)))
}
pub(super) async fn put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<ConnectIn>,
) -> Result<Json<schema::OpenIdConnect>, OcError> {
    Ok(Json(render(&app.save_openid_connect(&p, Some(&id), SaveMode::Upsert, |id, c| body.into_domain(id, c)).await?)))
}
pub(super) async fn patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::OpenIdConnect>, OcError> {
    let saved = app
        .save_openid_connect(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let shown = OpenIdConnectRecord { config: current.clone(), integration_event_name: None };
            let merged: ConnectIn = from_value(merge_patch(render(&shown), body)).map_err(oc_to_app)?;
            merged.into_domain(id, Some(current))
        })
        .await?;
    Ok(Json(render(&saved)))
}
pub(super) async fn delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_openid_connect(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_owned()), (header::CACHE_CONTROL, "no-store".to_owned())])
        .into_response()
}

fn param(q: &HashMap<String, String>, name: &str) -> Option<String> {
    q.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// `GET /ocrplogin?id=…&cid=…&roles=…&appstartpath=…&customParams=…`.
pub(super) async fn login(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, OcError> {
    let start = LoginStart {
        id: param(&q, "id").ok_or_else(|| OcError::validation("id", "id is required"))?,
        client_id: param(&q, "cid").ok_or_else(|| OcError::validation("cid", "cid is required"))?,
        roles: param(&q, "roles"),
        app_start_path: param(&q, "appstartpath"),
        custom_params: param(&q, "customParams"),
    };
    Ok(redirect(&app.begin_sso(start).await?))
}

fn callback(q: HashMap<String, String>) -> LoginCallback {
    LoginCallback {
        code: param(&q, "code"),
        state: param(&q, "state"),
        error: param(&q, "error"),
        error_description: param(&q, "error_description"),
    }
}

/// `GET /ocrpcode?code=…&state=…` (the provider's redirect).
pub(super) async fn code_get(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, OcError> {
    Ok(redirect(&app.finish_sso(&OcWire, callback(q)).await?))
}

/// `POST /ocrpcode` (`response_mode=form_post`).
pub(super) async fn code_post(
    State(app): State<App>,
    axum::extract::Form(q): axum::extract::Form<HashMap<String, String>>,
) -> Result<Response, OcError> {
    Ok(redirect(&app.finish_sso(&OcWire, callback(q)).await?))
}
