//! The Threekit dialect's errors: `{"error": {"code", "message"}}`, one variant per code.

use super::schema::{ErrorBody, ErrorDetail};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::orders::storefront::StorefrontError;
use cartwire_domain::{DomainError, Field};
use std::borrow::Cow;

/// A Threekit error response. Each variant's status and `code` are fixed.
#[derive(Debug, thiserror::Error)]
pub enum TkError {
    /// 400 `bad_request`: the body is not a JSON object.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `unauthorized`: no token, or an unknown or revoked one.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 `forbidden`: the token may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: no such order.
    #[error("{0}")]
    NotFound(String),
    /// 422 `validation_error`: a field is malformed or out of its limits.
    #[error("{0}")]
    Invalid(String),
    /// 500 `internal_error`: the cause is logged, never sent.
    #[error("An unexpected error occurred")]
    Internal,
    /// 503 `service_unavailable`: the database cannot be reached; try again shortly.
    #[error("The service is unavailable; try again shortly")]
    Unavailable,
}

impl TkError {
    /// The HTTP status of the variant.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The wire `code` of the variant.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Invalid(_) => "validation_error",
            Self::Internal => "internal_error",
            Self::Unavailable => "service_unavailable",
        }
    }
}

impl IntoResponse for TkError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message: self.to_string() } };
        (self.status(), Json(body)).into_response()
    }
}

impl From<StorefrontError> for TkError {
    fn from(e: StorefrontError) -> Self {
        match e {
            StorefrontError::Unauthorized(m) => TkError::Unauthorized(m),
            StorefrontError::Forbidden(m) => TkError::Forbidden(m),
            StorefrontError::NotCart { status } => TkError::Forbidden(format!(
                "A public token may change only List or In Cart orders; this one is {}",
                super::wire::status_word(status)
            )),
            StorefrontError::InCheckout { order_id } => TkError::Forbidden(format!(
                "Order {order_id} is managed through the OrderCloud checkout (/v1/orders); change it there"
            )),
            StorefrontError::NotFound(m) => TkError::NotFound(m),
            StorefrontError::OverLimit(limit) => TkError::Invalid(format!("{} {}", word(limit.what), limit.problem)),
            StorefrontError::Internal(cartwire_app::AppError::Unavailable(_)) => TkError::Unavailable,
            StorefrontError::Internal(e) => {
                tracing::error!(error = %e, "threekit dialect failure");
                TkError::Internal
            }
        }
    }
}

/// Threekit's word for a field of the domain.
pub(super) fn word(field: Field) -> Cow<'static, str> {
    match field {
        Field::Lines => "cart".into(),
        Field::CustomerId => "customerId".into(),
        Field::OriginOrgId => "originOrgId".into(),
        Field::ConfigurationId => "configurationId".into(),
        Field::OrderSize => "order".into(),
        other => other.name(),
    }
}

/// A 422 `validation_error` for a value the domain refused, on `at` (`cart[2].`) followed by
/// the field's word: "cart[2].configurationId must be 1 to 255 characters".
pub(super) fn refused(at: &str, e: DomainError) -> TkError {
    // The domain's rules here all name their field; a bare value error would be the id's.
    let (field, problem) = e.on(Field::Id);
    TkError::Invalid(format!("{at}{} {problem}", word(field)))
}

/// A 422 `validation_error`.
pub(super) fn invalid(m: impl Into<String>) -> TkError {
    TkError::Invalid(m.into())
}
