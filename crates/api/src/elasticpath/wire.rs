//! Elastic Path's wire format for integrations: the `{"data": …}` envelope read field by field
//! (secrets that equal their masked rendering mean "unchanged"), renderings of integrations,
//! logs and jobs, and `page[limit]` / `page[offset]` paging with its links.

use super::error::EpError;
use super::schema;
use axum::body::Bytes;
use axum::http::StatusCode;
use cartwire_app::App;
use cartwire_app::integrations::masked_configuration;
use cartwire_app::integrations::{Delivery, DeliveryAttempt};
use cartwire_domain::integration::{Integration, IntegrationConfig, IntegrationType, Observes, ObservesError, Secret};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(super) fn millis(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

pub(super) fn render(app: &App, i: &Integration) -> schema::Integration {
    schema::Integration {
        id: i.id.clone(),
        kind: "integration".into(),
        integration_type: i.config.integration_type().into(),
        name: i.name.clone(),
        description: i.description.clone(),
        enabled: i.enabled,
        configuration: masked_configuration(&i.config),
        observes: i.observes.keys().to_vec(),
        ordered_delivery: i.ordered_delivery,
        links: schema::SelfLink { this: format!("{}/v2/integrations/{}", app.config().public_base_url, i.id) },
        meta: schema::TimestampsMeta { timestamps: timestamps(i.created_at, i.updated_at) },
    }
}

fn timestamps(created: OffsetDateTime, updated: OffsetDateTime) -> schema::Timestamps {
    schema::Timestamps { created_at: millis(created), updated_at: millis(updated) }
}

/// Where a page of `total` items sits, `limit` from `offset`.
pub(super) fn page_position(limit: i64, offset: i64, total: i64) -> schema::PagePosition {
    schema::PagePosition { limit, offset, current: offset / limit + 1, total: (total + limit - 1) / limit }
}

/// A page's `meta`.
pub(super) fn page_meta(limit: i64, offset: i64, total: i64) -> schema::PageMeta {
    schema::PageMeta { page: page_position(limit, offset, total), results: schema::Results { total } }
}

/// `page[limit]` (default 25, at most 100) and `page[offset]`.
pub(super) fn paging(query: Option<&str>) -> Result<(i64, i64), EpError> {
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).map_err(|_| EpError::bad_request("Malformed query string"))?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let limit = match get("page[limit]") {
        None => 25,
        Some(v) => v.parse::<i64>().ok().filter(|l| (1..=100).contains(l)).ok_or_else(|| {
            EpError::new(StatusCode::BAD_REQUEST, "Bad Request").detail("page[limit] must be between 1 and 100")
        })?,
    };
    let offset = match get("page[offset]") {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|o| (0..=10_000).contains(o)).ok_or_else(|| {
            EpError::new(StatusCode::BAD_REQUEST, "Bad Request").detail("page[offset] must be between 0 and 10000")
        })?,
    };
    Ok((limit, offset))
}

pub(super) fn page_links(base: &str, limit: i64, offset: i64, total: i64) -> schema::PageLinks {
    let link = |o: i64| format!("{base}?page[limit]={limit}&page[offset]={o}");
    let last = if total == 0 { 0 } else { ((total - 1) / limit) * limit };
    schema::PageLinks {
        current: link(offset),
        first: link(0),
        last: link(last),
        prev: (offset > 0).then(|| link((offset - limit).max(0))),
        next: (offset + limit < total).then(|| link(offset + limit)),
    }
}

#[derive(Deserialize)]
pub(crate) struct Envelope {
    pub(crate) data: Option<Value>,
}

#[derive(Deserialize)]
pub(super) struct IntegrationIn {
    #[serde(rename = "type")]
    pub(super) kind: Option<String>,
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) enabled: Option<bool>,
    pub(super) observes: Option<Vec<String>>,
    pub(super) integration_type: Option<String>,
    pub(super) configuration: Option<Value>,
    pub(super) ordered_delivery: Option<bool>,
}

/// The body as JSON (400 when it is not); its fields are read by [`integration_in`] after the
/// use case has checked the caller's role.
pub(super) fn parse_envelope(body: &Bytes) -> Result<Envelope, EpError> {
    serde_json::from_slice(body).map_err(|e| EpError::bad_request(format!("The request body is not valid JSON: {e}")))
}

pub(super) fn integration_in(envelope: Envelope) -> Result<IntegrationIn, EpError> {
    let data = envelope.data.ok_or_else(|| EpError::validation("data", "data is required"))?;
    if !data.is_object() {
        return Err(EpError::validation("data", "data must be an object"));
    }
    let parsed: IntegrationIn = serde_path_to_error::deserialize(data).map_err(|e| {
        let path = e.path().to_string();
        EpError::validation(&path, format!("{path}: {}", e.into_inner()))
    })?;
    match parsed.kind.as_deref() {
        Some("integration") => Ok(parsed),
        Some(other) => Err(EpError::validation("type", format!("type must be integration, not {other}"))),
        None => Err(EpError::validation("type", "type is required")),
    }
}

/// A secret from the request: a value equal to the masked stored one means "unchanged" (a
/// GET-then-PUT round trip cannot carry the secret).
pub(super) fn secret(
    v: &Value,
    field: &str,
    current: Option<&Secret>,
    required: bool,
) -> Result<Option<Secret>, EpError> {
    match v.get(field) {
        None | Some(Value::Null) if required => {
            Err(EpError::validation(&format!("configuration.{field}"), format!("{field} is required")))
        }
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => match current {
            Some(c) if *s == c.masked() => Ok(Some(c.clone())),
            _ if s.is_empty() && required => {
                Err(EpError::validation(&format!("configuration.{field}"), format!("{field} is required")))
            }
            _ if s.is_empty() => Ok(None),
            _ => Ok(Some(Secret::new(s.clone()))),
        },
        Some(_) => Err(EpError::validation(&format!("configuration.{field}"), format!("{field} must be a string"))),
    }
}

pub(super) fn text(v: &Value, field: &str, required: bool) -> Result<Option<String>, EpError> {
    match v.get(field) {
        None | Some(Value::Null) if required => {
            Err(EpError::validation(&format!("configuration.{field}"), format!("{field} is required")))
        }
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(EpError::validation(&format!("configuration.{field}"), format!("{field} must be a string"))),
    }
}

pub(super) fn parse_config(
    kind: IntegrationType,
    v: &Value,
    current: Option<&IntegrationConfig>,
) -> Result<IntegrationConfig, EpError> {
    if !v.is_object() {
        return Err(EpError::validation("configuration", "configuration must be an object"));
    }
    let config = match kind {
        IntegrationType::Webhook => {
            let cur = match current {
                Some(IntegrationConfig::Webhook { secret_key, .. }) => secret_key.as_ref(),
                _ => None,
            };
            IntegrationConfig::Webhook {
                url: text(v, "url", true)?.expect("required"),
                secret_key: match v.get("secret_key") {
                    Some(Value::String(s)) if s.is_empty() => None,
                    _ => secret(v, "secret_key", cur, false)?,
                },
            }
        }
        IntegrationType::AwsSqs => {
            let (cur_id, cur_key) = match current {
                Some(IntegrationConfig::AwsSqs { aws_access_key_id, aws_secret_access_key, .. }) => {
                    (Some(aws_access_key_id), Some(aws_secret_access_key))
                }
                _ => (None, None),
            };
            IntegrationConfig::AwsSqs {
                url: text(v, "url", true)?.expect("required"),
                aws_access_key_id: secret(v, "aws_access_key_id", cur_id, true)?.expect("required"),
                aws_secret_access_key: secret(v, "aws_secret_access_key", cur_key, true)?.expect("required"),
                region: text(v, "region", true)?.expect("required"),
            }
        }
        IntegrationType::Stomp => {
            let cur = match current {
                Some(IntegrationConfig::Stomp { password, .. }) => password.as_ref(),
                _ => None,
            };
            let addresses = match v.get("addresses") {
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|x| x.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| EpError::validation("configuration.addresses", "addresses must be strings"))?,
                Some(Value::String(s)) => vec![s.clone()],
                _ => return Err(EpError::validation("configuration.addresses", "addresses is required")),
            };
            IntegrationConfig::Stomp {
                username: text(v, "username", false)?,
                password: secret(v, "password", cur, false)?,
                destination: text(v, "destination", true)?.expect("required"),
                addresses,
            }
        }
    };
    config.validate().map_err(|e| EpError::refused("configuration", e))?;
    Ok(config)
}

pub(super) fn observes(keys: &[String]) -> Result<Observes, EpError> {
    Observes::parse(keys).map_err(|e| {
        let detail = match e {
            // Elastic Path's own message for the limit.
            ObservesError::TooMany => "You have reached the integration event limit of 5".to_owned(),
            ObservesError::Empty => "observes must contain at least one event".to_owned(),
            ObservesError::Unknown(key) => format!("'{key}' is not an observable event"),
        };
        EpError::validation("observes", detail)
    })
}

pub(super) fn kind(s: &str) -> Result<IntegrationType, EpError> {
    IntegrationType::parse(s).map_err(|e| EpError::refused("integration_type", e))
}

pub(crate) fn new_integration(envelope: Envelope) -> Result<Integration, EpError> {
    let input = integration_in(envelope)?;
    let name = input.name.ok_or_else(|| EpError::validation("name", "name is required"))?;
    let description = input.description.unwrap_or_default();
    Integration::validate_text(&name, &description).map_err(|e| EpError::refused("data", e))?;
    let observes = observes(&input.observes.ok_or_else(|| EpError::validation("observes", "observes is required"))?)?;
    let kind = kind(
        &input
            .integration_type
            .ok_or_else(|| EpError::validation("integration_type", "integration_type is required"))?,
    )?;
    let config = parse_config(
        kind,
        &input.configuration.ok_or_else(|| EpError::validation("configuration", "configuration is required"))?,
        None,
    )?;
    let now = OffsetDateTime::now_utc();
    let integration = Integration {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        description,
        enabled: input.enabled.unwrap_or(false),
        observes,
        config,
        ordered_delivery: input.ordered_delivery.unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    Ok(integration)
}

/// `current` with what the write sends (a PUT may send any subset; a secret equal to its
/// masked rendering is kept).
pub(crate) fn updated_integration(envelope: Envelope, current: &Integration) -> Result<Integration, EpError> {
    let input = integration_in(envelope)?;
    let name = input.name.clone().unwrap_or_else(|| current.name.clone());
    let description = input.description.clone().unwrap_or_else(|| current.description.clone());
    Integration::validate_text(&name, &description).map_err(|e| EpError::refused("data", e))?;
    let new_kind = match &input.integration_type {
        Some(k) => kind(k)?,
        None => current.config.integration_type(),
    };
    let config = match &input.configuration {
        Some(c) => parse_config(new_kind, c, Some(&current.config))?,
        None if new_kind == current.config.integration_type() => current.config.clone(),
        None => return Err(EpError::validation("configuration", "a new integration_type needs its configuration")),
    };
    Ok(Integration {
        name,
        description,
        enabled: input.enabled.unwrap_or(current.enabled),
        observes: match &input.observes {
            Some(o) => observes(o)?,
            None => current.observes.clone(),
        },
        config,
        ordered_delivery: input.ordered_delivery.unwrap_or(current.ordered_delivery),
        ..current.clone()
    })
}

pub(super) fn render_log(a: &DeliveryAttempt) -> schema::Log {
    let reference =
        |kind: &str, id: &str| schema::Related { data: schema::Reference { kind: kind.into(), id: id.into() } };
    schema::Log {
        id: a.id.clone(),
        kind: "integration-log".into(),
        succeeded: a.succeeded,
        attempt: a.attempt,
        processing_time: a.duration_ms as f64 / 1000.0,
        body: a.body.clone(),
        status_code: a.status_code,
        error_detail: a.error_detail.clone(),
        relationships: schema::LogRelationships {
            integration: reference("integration", &a.integration_id),
            job: reference("integration-job", &a.delivery_id),
        },
        meta: schema::LogMeta {
            timestamps: schema::Created { created_at: a.started_at.format(&Rfc3339).unwrap_or_default() },
        },
    }
}

pub(super) fn render_job(d: &Delivery) -> schema::Job {
    schema::Job {
        id: d.id.clone(),
        kind: "integration-job".into(),
        meta: schema::JobMeta {
            triggered_by: d.event_key.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            timestamps: timestamps(d.created_at, d.updated_at),
        },
    }
}
