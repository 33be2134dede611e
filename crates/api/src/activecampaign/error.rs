//! The ActiveCampaign dialect's errors: `{"message"}` for 400 / 403 / 404 / 500, and the
//! JSON:API-style `{"errors": [{title, detail, code, source.pointer}]}` for 422.

use super::schema::{ErrorBody, FieldError, Pointer};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::Resource;
use cartwire_app::orders::shop::{ShopError, ShopKey};
use cartwire_domain::Field;

/// What a 422 says about its field (`code` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// `field_missing`: a required field is absent.
    Missing,
    /// `field_invalid`: a field is malformed or out of its limits.
    Invalid,
    /// `duplicate`: another record holds the same key.
    Duplicate,
}

impl Problem {
    fn code(self) -> &'static str {
        match self {
            Self::Missing => "field_missing",
            Self::Invalid => "field_invalid",
            Self::Duplicate => "duplicate",
        }
    }
}

/// An ActiveCampaign error response. Each variant's status is fixed.
#[derive(Debug, thiserror::Error)]
pub enum AcError {
    /// 400 `{"message"}`: a malformed query string or body.
    #[error("{0}")]
    BadRequest(String),
    /// 403 `{"message"}`: no `Api-Token`, or an unknown or revoked one (ActiveCampaign answers 403).
    #[error("{0}")]
    Forbidden(String),
    /// 404 `{"message"}`: no such record.
    #[error("{0}")]
    NotFound(String),
    /// 422 `{"errors": [...]}` on one field (`/data/attributes/{field}`).
    #[error("{field}: {title}")]
    Unprocessable {
        /// The wire field.
        field: String,
        /// What is wrong, for a person.
        title: String,
        /// What is wrong, for a program.
        problem: Problem,
    },
    /// 500 `{"message"}`: the cause is logged, never sent.
    #[error("An unexpected error occurred")]
    Internal,
    /// 503 `{"message"}`: the database cannot be reached; try again shortly.
    #[error("The service is unavailable; try again shortly")]
    Unavailable,
}

impl AcError {
    /// A 422 `field_invalid` on `field`.
    pub fn invalid(field: &str, title: impl Into<String>) -> AcError {
        AcError::Unprocessable { field: field.to_owned(), title: title.into(), problem: Problem::Invalid }
    }

    /// A 422 `field_missing` on `field`.
    pub fn missing(field: &str, title: impl Into<String>) -> AcError {
        AcError::Unprocessable { field: field.to_owned(), title: title.into(), problem: Problem::Missing }
    }

    /// The HTTP status of the variant.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for AcError {
    fn into_response(self) -> Response {
        let body = match &self {
            Self::Unprocessable { field, title, problem } => ErrorBody {
                message: None,
                errors: Some(vec![FieldError {
                    title: title.clone(),
                    detail: String::new(),
                    code: problem.code().to_owned(),
                    source: Pointer { pointer: format!("/data/attributes/{field}") },
                }]),
            },
            other => ErrorBody { message: Some(other.to_string()), errors: None },
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<ShopError> for AcError {
    fn from(e: ShopError) -> Self {
        let invalid = |field: &str, title: String| AcError::Unprocessable {
            field: field.to_owned(),
            title,
            problem: Problem::Invalid,
        };
        let duplicate = |field: &str, title: String| AcError::Unprocessable {
            field: field.to_owned(),
            title,
            problem: Problem::Duplicate,
        };
        match e {
            ShopError::KeyRequired => AcError::Forbidden("The Api-Token header is required".into()),
            ShopError::KeyRefused => AcError::Forbidden("Invalid or revoked Api-Token".into()),
            ShopError::NotFound { resource, id } => {
                let name = match resource {
                    Resource::Connection => "Connection",
                    Resource::Customer => "EcomCustomer",
                    Resource::Order => "EcomOrder",
                    Resource::OrderProduct => "EcomOrderProduct",
                    // No shop route reports another kind; were one to, plain words do.
                    other => other.as_str(),
                };
                AcError::NotFound(format!("No Result found for {name} with id {id}"))
            }
            ShopError::UnknownConnection(id) => invalid("connectionid", format!("Connection {id} does not exist")),
            ShopError::UnknownCustomer(id) => invalid("customerid", format!("Customer {id} does not exist")),
            ShopError::ForeignCustomer(id) => {
                invalid("customerid", format!("Customer {id} belongs to another connection"))
            }
            ShopError::Duplicate(key) => match key {
                ShopKey::Connection { service, external_id } => duplicate(
                    "externalid",
                    format!("A connection for service {service} and externalid {external_id} already exists"),
                ),
                ShopKey::CustomerEmail { email, connection_id } => duplicate(
                    "email",
                    format!("A customer with email {email} already exists on connection {connection_id}"),
                ),
                ShopKey::OrderExternalId => {
                    duplicate("externalid", "An order with this externalid already exists on this connection".into())
                }
                ShopKey::OrderExternalCheckoutId => duplicate(
                    "externalcheckoutid",
                    "An order with this externalcheckoutid already exists on this connection".into(),
                ),
            },
            ShopError::OverLimit(limit) => {
                let field = match limit.what {
                    Field::Lines => "orderProducts".into(),
                    Field::CustomerId => "customerid".into(),
                    other => other.name(),
                };
                invalid(&field, format!("{field} {}", limit.problem))
            }
            ShopError::Missing { field } => {
                AcError::Unprocessable { title: format!("{field} is required"), field, problem: Problem::Missing }
            }
            ShopError::Invalid { field, title } => AcError::Unprocessable { field, title, problem: Problem::Invalid },
            ShopError::Internal(cartwire_app::AppError::Unavailable(_)) => AcError::Unavailable,
            ShopError::Internal(e) => {
                tracing::error!(error = %e, "activecampaign dialect failure");
                AcError::Internal
            }
        }
    }
}
