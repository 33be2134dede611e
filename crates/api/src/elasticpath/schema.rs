//! The shapes of Elastic Path's bodies as `/openapi/elasticpath.json` describes them. The
//! handlers render with `json!` (wire.rs); these types are the description, and every HTTP
//! test checks each response against it (undocumented fields fail), so the two cannot drift.
#![allow(dead_code)] // described, never constructed

use serde_json::Value;
use utoipa::ToSchema;

/// An error body.
#[derive(ToSchema)]
pub struct Errors {
    errors: Vec<ErrorItem>,
}

/// One error.
#[derive(ToSchema)]
pub struct ErrorItem {
    status: u16,
    title: String,
    #[schema(required = false)]
    detail: String,
    /// The field at fault (`configuration.url`).
    #[schema(required = false)]
    source: String,
}

/// `POST /oauth/access_token`, form-encoded.
#[derive(ToSchema)]
pub struct TokenForm {
    /// Only `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
    grant_type: String,
    client_id: String,
    client_secret: String,
}

/// An access token.
#[derive(ToSchema)]
pub struct AccessToken {
    /// Epoch seconds.
    expires: i64,
    identifier: String,
    expires_in: i64,
    access_token: String,
    #[schema(pattern = "^Bearer$")]
    token_type: String,
}

/// An integration's writable fields (a PUT may send any subset).
#[derive(ToSchema)]
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
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationType {
    Webhook,
    AwsSqs,
    Stomp,
}

/// A write's envelope.
#[derive(ToSchema)]
pub struct IntegrationBody {
    data: IntegrationFields,
}

/// An integration (secrets masked).
#[derive(ToSchema)]
pub struct Integration {
    id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration$")]
    kind: String,
    integration_type: IntegrationType,
    name: String,
    description: String,
    enabled: bool,
    #[schema(value_type = Object)]
    configuration: Value,
    observes: Vec<String>,
    ordered_delivery: bool,
    links: SelfLink,
    meta: TimestampsMeta,
}

/// `links.self`.
#[derive(ToSchema)]
pub struct SelfLink {
    #[serde(rename = "self")]
    this: String,
}

/// `meta.timestamps`.
#[derive(ToSchema)]
pub struct TimestampsMeta {
    timestamps: Timestamps,
}

/// Creation and update times.
#[derive(ToSchema)]
pub struct Timestamps {
    created_at: String,
    updated_at: String,
}

/// One integration.
#[derive(ToSchema)]
pub struct IntegrationEnvelope {
    data: Integration,
}

/// A page of integrations.
#[derive(ToSchema)]
pub struct IntegrationPage {
    data: Vec<Integration>,
    links: PageLinks,
    meta: PageMeta,
}

/// Links to pages.
#[derive(ToSchema)]
pub struct PageLinks {
    current: String,
    first: String,
    last: String,
    prev: Option<String>,
    next: Option<String>,
}

/// Where a page is.
#[derive(ToSchema)]
pub struct PageMeta {
    page: PagePosition,
    results: Results,
}

/// A page's position.
#[derive(ToSchema)]
pub struct PagePosition {
    limit: i64,
    offset: i64,
    current: i64,
    total: i64,
}

/// How many there are.
#[derive(ToSchema)]
pub struct Results {
    total: i64,
}

/// What a delete answers.
#[derive(ToSchema)]
pub struct Deleted {
    data: Reference,
}

/// A resource reference.
#[derive(ToSchema)]
pub struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

/// One delivery attempt.
#[derive(ToSchema)]
pub struct Log {
    id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration-log$")]
    kind: String,
    succeeded: bool,
    attempt: i64,
    /// Seconds.
    processing_time: f64,
    body: Option<String>,
    status_code: Option<i64>,
    error_detail: Option<String>,
    relationships: LogRelationships,
    meta: LogMeta,
}

/// A log's integration and job.
#[derive(ToSchema)]
pub struct LogRelationships {
    integration: Related,
    job: Related,
}

/// `{"data": {type, id}}`.
#[derive(ToSchema)]
pub struct Related {
    data: Reference,
}

/// A log's time.
#[derive(ToSchema)]
pub struct LogMeta {
    timestamps: Created,
}

/// When it happened.
#[derive(ToSchema)]
pub struct Created {
    created_at: String,
}

/// A page of logs (Elastic Path puts its paging at `meta` itself here).
#[derive(ToSchema)]
pub struct LogPage {
    data: Vec<Log>,
    meta: PagePosition,
    results: Results,
}

/// A job: one event for the integration, with its attempts.
#[derive(ToSchema)]
pub struct Job {
    id: String,
    #[serde(rename = "type")]
    #[schema(pattern = "^integration-job$")]
    kind: String,
    meta: JobMeta,
}

/// What a job is.
#[derive(ToSchema)]
pub struct JobMeta {
    triggered_by: String,
    /// `pending`, `succeeded` or `dead`.
    status: String,
    attempts: i64,
    timestamps: Timestamps,
}

/// A page of jobs.
#[derive(ToSchema)]
pub struct JobPage {
    data: Vec<Job>,
    links: PageLinks,
    meta: PageMeta,
}
