//! `/v1/integrationEvents`: wire structs and handlers.

use super::created;
use super::error::{OcError, oc_to_app};
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use crate::ordercloud::fields::{refused, rejected, required};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::{App, AppError, RuleCode};
use cartwire_domain::ObjectId;
use cartwire_domain::integration_event::{
    CalloutUrl, CustomAuthHeader, CustomAuthHeaderError, EventType, HashKey, IntegrationEvent, parse_name,
};
use cartwire_domain::role::parse_roles;
use serde::Deserialize;
use serde_json::Value;

/// Query capabilities of the resource (searchable and sortable fields per the SDK).
pub const SPEC: ListSpec = ListSpec {
    searchable: &["ID", "EventType", "Name"],
    sortable: &["ID", "EventType", "Name"],
    filterable: &["ID", "Name", "EventType", "CustomImplementationUrl", "ElevatedRoles", "CustomAuthHeaderName"],
};

/// Deserializes a field that is present (as `Some`, its value possibly `null`), so that an
/// absent field (`None` through `default`) and an explicit `null` differ.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The wire body of a write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct IntegrationEventIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    /// `Some(None)` is an explicit `null`, which the documented enum does not allow.
    #[serde(rename = "EventType", default, deserialize_with = "present")]
    event_type: Option<Option<String>>,
    #[serde(rename = "CustomImplementationUrl")]
    custom_implementation_url: Option<String>,
    #[serde(rename = "HashKey")]
    hash_key: Option<String>,
    #[serde(rename = "ElevatedRoles")]
    elevated_roles: Option<Vec<String>>,
    #[serde(rename = "ConfigData")]
    config_data: Option<Value>,
    #[serde(rename = "CustomAuthHeaderName")]
    custom_auth_header_name: Option<String>,
    #[serde(rename = "CustomAuthHeaderValue")]
    custom_auth_header_value: Option<String>,
}

impl IntegrationEventIn {
    /// Parses into the domain, given the id it will have and the current event (for the
    /// immutable type and the write-only header value).
    fn into_domain(self, id: ObjectId, current: Option<&IntegrationEvent>) -> Result<IntegrationEvent, AppError> {
        let present = |v: Option<String>, name: &str| v.ok_or_else(|| required(name));
        let event_type = match (self.event_type, current) {
            (Some(Some(t)), _) => t.parse::<EventType>().map_err(|e| refused("EventType", e))?,
            (Some(None), _) => return Err(rejected("EventType", "EventType may not be null")),
            (None, Some(c)) => c.event_type,
            // The vendor's schema leaves the default open; checkout is what most events are.
            (None, None) => EventType::OrderCheckout,
        };
        let header_value = match (&self.custom_auth_header_value, current.and_then(|c| c.custom_auth_header.as_ref())) {
            // The value is write-only: a round trip that keeps the name keeps the value.
            (None, Some(h)) if self.custom_auth_header_name.as_deref() == Some(h.name.as_str()) => {
                Some(h.value.clone())
            }
            (v, _) => v.clone(),
        };
        let custom_auth_header =
            CustomAuthHeader::from_parts(self.custom_auth_header_name.as_deref(), header_value.as_deref()).map_err(
                |e| match e {
                    CustomAuthHeaderError::NameRequired => AppError::rule(
                        RuleCode::CustomAuthHeaderNameRequired,
                        "CustomAuthHeaderName is required when CustomAuthHeaderValue is set",
                    ),
                    CustomAuthHeaderError::ValueRequired => AppError::rule(
                        RuleCode::CustomAuthHeaderValueRequired,
                        "CustomAuthHeaderValue is required when CustomAuthHeaderName is set",
                    ),
                    CustomAuthHeaderError::InvalidName => {
                        rejected("CustomAuthHeaderName", "CustomAuthHeaderName is not a valid HTTP header name")
                    }
                    CustomAuthHeaderError::InvalidValue => {
                        rejected("CustomAuthHeaderValue", "CustomAuthHeaderValue is not a valid HTTP header value")
                    }
                },
            )?;
        Ok(IntegrationEvent {
            id,
            name: parse_name(&present(self.name, "Name")?).map_err(|e| refused("Name", e))?,
            event_type,
            custom_implementation_url: CalloutUrl::parse(&present(
                self.custom_implementation_url,
                "CustomImplementationUrl",
            )?)
            .map_err(|e| refused("CustomImplementationUrl", e))?,
            hash_key: HashKey::parse(&present(self.hash_key, "HashKey")?).map_err(|e| refused("HashKey", e))?,
            elevated_roles: parse_roles(self.elevated_roles.iter().flatten().map(String::as_str))
                .map_err(|e| refused("ElevatedRoles", e))?,
            config_data: match self.config_data {
                None | Some(Value::Null) => None,
                Some(v @ Value::Object(_)) => Some(v),
                Some(_) => return Err(rejected("ConfigData", "ConfigData must be a JSON object")),
            },
            custom_auth_header,
        })
    }
}

/// Renders an integration event (HashKey is returned as documented; the header value never).
pub fn render(e: &IntegrationEvent) -> schema::IntegrationEvent {
    schema::IntegrationEvent {
        id: e.id.as_str().to_owned(),
        name: e.name.clone(),
        event_type: e.event_type.as_str().to_owned(),
        custom_implementation_url: e.custom_implementation_url.as_str().to_owned(),
        hash_key: e.hash_key.expose().to_owned(),
        elevated_roles: e.elevated_roles.iter().map(|r| r.as_str().to_owned()).collect(),
        config_data: e.config_data.clone().unwrap_or(Value::Null),
        custom_auth_header_name: e.custom_auth_header.as_ref().map(|h| h.name.clone()),
    }
}

pub(super) async fn list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::IntegrationEvent>>, OcError> {
    let items = app.list_integration_events(&p).await?.iter().map(render).collect();
    Ok(Json(page(items, q.as_deref(), &SPEC)?))
}

pub(super) async fn get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::IntegrationEvent>, OcError> {
    Ok(Json(render(&app.get_integration_event(&p, &id).await?)))
}

pub(super) async fn create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<IntegrationEventIn>,
) -> Result<Response, OcError> {
    let saved = app
        .create_integration_event(&p, || {
            let id = match &body.id {
                Some(id) => ObjectId::parse(id).map_err(|e| refused("ID", e))?,
                None => ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("uuid is a valid id"),
            };
            body.into_domain(id, None)
        })
        .await?;
    Ok(created(&app, &format!("/v1/integrationEvents/{}", saved.id), render(&saved)))
}

pub(super) async fn put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<IntegrationEventIn>,
) -> Result<Response, OcError> {
    let (saved, _) = app.put_integration_event(&p, &id, |id, current| body.into_domain(id, current)).await?;
    Ok((StatusCode::OK, Json(render(&saved))).into_response())
}

pub(super) async fn patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::IntegrationEvent>, OcError> {
    let saved = app
        .patch_integration_event(&p, &id, |current| {
            let merged: IntegrationEventIn = from_value(merge_patch(render(current), body)).map_err(oc_to_app)?;
            let new_id = match &merged.id {
                Some(i) => ObjectId::parse(i).map_err(|e| refused("ID", e))?,
                None => current.id.clone(),
            };
            merged.into_domain(new_id, Some(current))
        })
        .await?;
    Ok(Json(render(&saved)))
}

pub(super) async fn delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_integration_event(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
