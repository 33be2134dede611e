//! The operator API's bodies: snake_case structs, serialized as they are and described by the
//! same types in `/openapi/cartwire.json` (request bodies, answers and the RFC 9457 problem).

use super::rfc3339;
use cartwire_app::integrations::{Delivery, DeliveryAttempt};
use cartwire_domain::access_key::AccessKey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An RFC 9457 problem (`application/problem+json`).
#[derive(Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// Always `about:blank`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
}

/// A delivery: one event for one integration.
#[derive(Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryOut {
    /// The job id, stable across attempts.
    id: String,
    event_id: String,
    event_key: String,
    resource_id: String,
    integration_id: String,
    /// `pending`, `succeeded` or `dead`.
    #[schema(pattern = "^(pending|succeeded|dead)$")]
    status: String,
    attempts: i64,
    /// When the next attempt is due (epoch ms), while pending.
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    created_at: String,
    updated_at: String,
    /// Every attempt (only on `GET /cartwire/v1/deliveries/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt_log: Option<Vec<AttemptOut>>,
}

impl DeliveryOut {
    /// The delivery without its attempts.
    pub fn of(d: &Delivery) -> Self {
        Self {
            id: d.id.clone(),
            event_id: d.event_id.clone(),
            event_key: d.event_key.clone(),
            resource_id: d.resource_id.clone(),
            integration_id: d.integration_id.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at),
            last_error: d.last_error.clone(),
            created_at: rfc3339(d.created_at),
            updated_at: rfc3339(d.updated_at),
            attempt_log: None,
        }
    }

    /// The delivery with every attempt.
    pub fn with_attempts(d: &Delivery, attempts: &[DeliveryAttempt]) -> Self {
        Self { attempt_log: Some(attempts.iter().map(AttemptOut::of).collect()), ..Self::of(d) }
    }
}

/// One delivery attempt.
#[derive(Serialize, ToSchema)]
#[schema(as = Attempt)]
pub struct AttemptOut {
    attempt: i64,
    started_at: String,
    duration_ms: i64,
    succeeded: bool,
    /// The receiver's HTTP status (webhooks).
    status_code: Option<i64>,
    error: Option<String>,
    /// The start of the receiver's answer.
    response_body: Option<String>,
    /// The node that made the attempt.
    node: String,
}

impl AttemptOut {
    fn of(a: &DeliveryAttempt) -> Self {
        Self {
            attempt: a.attempt,
            started_at: rfc3339(a.started_at),
            duration_ms: a.duration_ms,
            succeeded: a.succeeded,
            status_code: a.status_code,
            error: a.error_detail.clone(),
            response_body: a.body.clone(),
            node: a.node.clone(),
        }
    }
}

/// A page of deliveries.
#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    pub data: Vec<DeliveryOut>,
    /// Deliveries matching the filter.
    pub total: i64,
}

/// `POST /cartwire/v1/integrations/{id}/replay`.
#[derive(Deserialize, ToSchema)]
pub struct ReplayBody {
    /// RFC 3339: events from here…
    pub from: String,
    /// …to here (exclusive).
    pub to: String,
}

/// What a replay requeued.
#[derive(Serialize, ToSchema)]
pub struct Replayed {
    pub requeued: u64,
}

/// This deployment.
#[derive(Serialize, ToSchema)]
#[schema(as = Deployment)]
pub struct DeploymentOut {
    pub store_id: String,
    pub org_id: String,
    pub created_at: String,
    pub public_base_url: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
}

/// An event of the outbox.
#[derive(Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventOut {
    /// Its position: pass the last one as `after` for the next page.
    pub seq: i64,
    pub id: String,
    pub key: String,
    pub occurred_at: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The event's payload (see docs/events.md).
    #[schema(value_type = Object)]
    pub payload: Box<serde_json::value::RawValue>,
    pub actor: Option<String>,
    /// The API it came through.
    pub dialect: String,
}

/// A page of events.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    pub data: Vec<EventOut>,
    /// The last event's `seq` (none when the page is empty).
    pub next_cursor: Option<i64>,
}

/// What cartwire emits and integrations may observe.
#[derive(Serialize, ToSchema)]
pub struct EventTypes {
    pub emitted: Vec<&'static str>,
    pub observable: &'static str,
    pub max_observes: usize,
}

/// A Threekit storefront token (never its secret, but once at creation).
#[derive(Serialize, ToSchema)]
#[schema(as = Token)]
pub struct TokenOut {
    id: String,
    /// `private` or `public`.
    #[schema(pattern = "^(private|public)$")]
    kind: &'static str,
    name: String,
    /// Where a public token may be used from.
    allowed_domains: Vec<String>,
    created_at: String,
    /// The token itself: only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl TokenOut {
    /// The token's record, with its secret when just issued.
    pub fn of(t: &AccessKey, secret: Option<String>) -> Self {
        Self {
            id: t.id.clone(),
            kind: t.kind.as_str(),
            name: t.name.clone(),
            allowed_domains: t.allowed_domains.clone(),
            created_at: rfc3339(t.created_at),
            token: secret,
        }
    }
}

/// Every storefront token.
#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub data: Vec<TokenOut>,
}

/// `POST /cartwire/v1/tokens`.
#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    /// `private` (server to server) or `public` (a browser on an allowed domain).
    #[schema(pattern = "^(private|public)$")]
    pub kind: String,
    #[schema(max_length = 255)]
    pub name: String,
    #[serde(default)]
    pub allowed_domains: Vec<String>,
}

/// An ActiveCampaign API key (its secret only at creation).
#[derive(Serialize, ToSchema)]
#[schema(as = ApiKey)]
pub struct ApiKeyOut {
    id: String,
    name: String,
    created_at: String,
    /// The key itself: only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

impl ApiKeyOut {
    /// The key's record, with its secret when just issued.
    pub fn of(t: &AccessKey, secret: Option<String>) -> Self {
        Self { id: t.id.clone(), name: t.name.clone(), created_at: rfc3339(t.created_at), key: secret }
    }
}

/// Every API key.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    pub data: Vec<ApiKeyOut>,
}

/// `POST /cartwire/v1/api-keys`.
#[derive(Deserialize, ToSchema)]
pub struct ApiKeyBody {
    #[schema(max_length = 255)]
    pub name: String,
}
