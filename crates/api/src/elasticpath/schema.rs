//! The shapes of Elastic Path's bodies: each response type is both what the handlers
//! serialize and what `/openapi/elasticpath.json` describes, so the rendering and its
//! description are one thing. The request types are described here and read field by field
//! in wire.rs (a secret equal to its masked rendering means "unchanged", which a derive
//! cannot say). Every HTTP test still checks each response against the document.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// An error body.
#[derive(Serialize, ToSchema)]
pub struct Errors {
    pub(super) errors: Vec<ErrorItem>,
}

/// One error.
#[derive(Serialize, ToSchema)]
pub struct ErrorItem {
    pub(super) status: u16,
    pub(super) title: String,
    #[schema(required = false, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) detail: Option<String>,
    /// The field at fault (`configuration.url`).
    #[schema(required = false, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) source: Option<String>,
}

/// `POST /oauth/access_token`, form-encoded.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the body
pub struct TokenForm {
    /// Only `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
    grant_type: String,
    client_id: String,
    client_secret: String,
}

/// An access token.
#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    /// Epoch seconds.
    pub(super) expires: i64,
    pub(super) identifier: String,
    pub(super) expires_in: i64,
    pub(super) access_token: String,
    #[schema(pattern = "^Bearer$")]
    pub(super) token_type: String,
}

/// An integration's writable fields (a PUT may send any subset).
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the body
pub struct IntegrationFields {
    #[serde(rename = "type")]
    #[schema(pattern = "^integration$")]
    kind: String,
    #[schema(max_length = 255, min_length = 1)]
    name: Option<String>,
    #[schema(max_length = 1000)]
    description: Option<String>,
    enabled: Option<bool>,
    /// Event keys (`order.created`, `*`); at most 5.
    #[schema(max_items = 5, min_items = 1)]
    observes: Option<Vec<String>>,
    integration_type: Option<IntegrationType>,
    /// `webhook`: `url`, `secret_key`; `aws_sqs`: `url`, `aws_access_key_id`,
    /// `aws_secret_access_key`, `region`; `stomp`: `addresses`, `destination`, `username`,
    /// `password`. A secret equal to its masked rendering is kept.
    #[schema(value_type = Option<Object>)]
    configuration: Option<Value>,
    /// Deliver in order per resource (a cartwire extension).
    ordered_delivery: Option<bool>,
}

/// The transports.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationType {
    Webhook,
    AwsSqs,
    Stomp,
}

impl From<cartwire_domain::integration::IntegrationType> for IntegrationType {
    fn from(t: cartwire_domain::integration::IntegrationType) -> Self {
        use cartwire_domain::integration::IntegrationType as Domain;
        match t {
            Domain::Webhook => Self::Webhook,
            Domain::AwsSqs => Self::AwsSqs,
            Domain::Stomp => Self::Stomp,
        }
    }
}

/// A write's envelope.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the body
pub struct IntegrationBody {
    data: IntegrationFields,
}

/// An integration (secrets masked).
#[derive(Serialize, ToSchema)]
pub struct Integration {
    pub(super) id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration$")]
    pub(super) kind: String,
    pub(super) integration_type: IntegrationType,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) enabled: bool,
    #[schema(value_type = Object)]
    pub(super) configuration: Value,
    pub(super) observes: Vec<String>,
    pub(super) ordered_delivery: bool,
    pub(super) links: SelfLink,
    pub(super) meta: TimestampsMeta,
}

/// `links.self`.
#[derive(Serialize, ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    pub(super) this: String,
}

/// `meta.timestamps`.
#[derive(Serialize, ToSchema)]
pub struct TimestampsMeta {
    pub(super) timestamps: Timestamps,
}

/// Creation and update times.
#[derive(Serialize, ToSchema)]
pub struct Timestamps {
    pub(super) created_at: String,
    pub(super) updated_at: String,
}

/// One integration.
#[derive(Serialize, ToSchema)]
pub struct IntegrationEnvelope {
    pub(super) data: Integration,
}

/// A page of integrations.
#[derive(Serialize, ToSchema)]
pub struct IntegrationPage {
    pub(super) data: Vec<Integration>,
    pub(super) links: PageLinks,
    pub(super) meta: PageMeta,
}

/// Links to pages.
#[derive(Serialize, ToSchema)]
pub struct PageLinks {
    pub(super) current: String,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
}

/// Where a page is.
#[derive(Serialize, ToSchema)]
pub struct PageMeta {
    pub(super) page: PagePosition,
    pub(super) results: Results,
}

/// A page's position.
#[derive(Serialize, ToSchema)]
pub struct PagePosition {
    pub(super) limit: i64,
    pub(super) offset: i64,
    pub(super) current: i64,
    pub(super) total: i64,
}

/// How many there are.
#[derive(Serialize, ToSchema)]
pub struct Results {
    pub(super) total: i64,
}

/// What a delete answers.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub(super) data: Reference,
}

/// A resource reference.
#[derive(Serialize, ToSchema)]
pub struct Reference {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) id: String,
}

/// One delivery attempt.
#[derive(Serialize, ToSchema)]
pub struct Log {
    pub(super) id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration-log$")]
    pub(super) kind: String,
    pub(super) succeeded: bool,
    pub(super) attempt: i64,
    /// Seconds.
    pub(super) processing_time: f64,
    pub(super) body: Option<String>,
    pub(super) status_code: Option<i64>,
    pub(super) error_detail: Option<String>,
    pub(super) relationships: LogRelationships,
    pub(super) meta: LogMeta,
}

/// A log's integration and job.
#[derive(Serialize, ToSchema)]
pub struct LogRelationships {
    pub(super) integration: Related,
    pub(super) job: Related,
}

/// `{"data": {type, id}}`.
#[derive(Serialize, ToSchema)]
pub struct Related {
    pub(super) data: Reference,
}

/// A log's time.
#[derive(Serialize, ToSchema)]
pub struct LogMeta {
    pub(super) timestamps: Created,
}

/// When it happened.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub(super) created_at: String,
}

/// A page of logs (Elastic Path puts its paging at `meta` itself here).
#[derive(Serialize, ToSchema)]
pub struct LogPage {
    pub(super) data: Vec<Log>,
    pub(super) meta: PagePosition,
    pub(super) results: Results,
}

/// A job: one event for the integration, with its attempts.
#[derive(Serialize, ToSchema)]
pub struct Job {
    pub(super) id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration-job$")]
    pub(super) kind: String,
    pub(super) meta: JobMeta,
}

/// What a job is.
#[derive(Serialize, ToSchema)]
pub struct JobMeta {
    pub(super) triggered_by: String,
    /// `pending`, `succeeded` or `dead`.
    pub(super) status: String,
    pub(super) attempts: i64,
    pub(super) timestamps: Timestamps,
}

/// A page of jobs.
#[derive(Serialize, ToSchema)]
pub struct JobPage {
    pub(super) data: Vec<Job>,
    pub(super) links: PageLinks,
    pub(super) meta: PageMeta,
}
