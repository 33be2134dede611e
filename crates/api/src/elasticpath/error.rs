//! Elastic Path's error body: `{"errors":[{"status","title","detail","source"}]}`.

use super::schema::{ErrorItem, Errors};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::AppError;
use cartwire_domain::{DomainError, Field};

/// An Elastic Path error response.
#[derive(Debug)]
pub struct EpError {
    status: StatusCode,
    title: &'static str,
    detail: Option<String>,
    source: Option<String>,
}

impl EpError {
    /// An error with a status and title.
    pub fn new(status: StatusCode, title: &'static str) -> Self {
        Self { status, title, detail: None, source: None }
    }

    /// Adds the human-readable detail.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// 422 on a field.
    pub fn validation(source: &str, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: "Validation Error",
            detail: Some(detail.into()),
            source: Some(source.into()),
        }
    }

    /// 400 for a body that is not the expected JSON.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad Request").detail(detail)
    }
}

impl EpError {
    /// A validation error raised inside a use-case closure, carried as the use case's error
    /// (it renders back to the same 422 body).
    pub fn into_app(self) -> AppError {
        AppError::Rejected { field: self.source.unwrap_or_default(), message: self.detail.unwrap_or_default() }
    }

    /// 422 for a value the domain refused, on `source` unless the error names a field of its
    /// own (then worded by [`source`]): "source problem".
    pub fn refused(source: &str, e: DomainError) -> Self {
        let named = e.subject().map(self::source);
        let (_, problem) = e.on(Field::Id);
        Self::on_source(named.unwrap_or_else(|| source.to_owned()), problem)
    }

    /// A 422 on `at` whose detail names the field by its last segment ("url must be …" for
    /// `configuration.url`), as Elastic Path's own messages do.
    fn on_source(at: String, problem: impl std::fmt::Display) -> Self {
        let detail = format!("{} {problem}", at.rsplit('.').next().unwrap_or(&at));
        Self::validation(&at, detail)
    }
}

/// Elastic Path's `source` for a field of the domain: an integration's target settings live
/// under `configuration`; everything else is the domain's own snake_case word.
pub fn source(field: Field) -> String {
    match field {
        Field::Url
        | Field::SecretKey
        | Field::AwsAccessKeyId
        | Field::AwsSecretAccessKey
        | Field::Region
        | Field::Destination
        | Field::Addresses => format!("configuration.{}", field.name()),
        other => other.name().into_owned(),
    }
}

impl From<AppError> for EpError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated(_) | AppError::TokenRevoked(_) => {
                EpError::new(StatusCode::UNAUTHORIZED, "Unable to validate access token")
            }
            AppError::Forbidden(f) => EpError::new(StatusCode::FORBIDDEN, "Forbidden").detail(format!(
                "This requires one of the roles {}",
                f.sufficient_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            )),
            AppError::NotFound { .. } => {
                EpError::new(StatusCode::NOT_FOUND, "Not Found").detail("The resource could not be found")
            }
            AppError::IdExists { .. } => {
                EpError::new(StatusCode::CONFLICT, "Conflict").detail("Write conflict detected")
            }
            AppError::Validation { field, problem, .. } => EpError::on_source(source(field), problem),
            AppError::Rejected { field, message } => EpError::validation(&field, message),
            AppError::Rule { message, .. } => EpError::validation("", message),
            e @ (AppError::OrderStatus { .. } | AppError::CalloutFailed { .. } | AppError::Checkout(_)) => {
                EpError::validation("", e.to_string())
            }
            AppError::Unavailable(_) => EpError::new(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
                .detail("The service is unavailable; try again shortly."),
            AppError::Store(_) | AppError::Internal(_) => {
                let request_id = uuid::Uuid::new_v4().to_string();
                tracing::error!(error = %e, request_id, "internal error");
                EpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").detail(format!(
                    "There was an internal server error, you can report with your request id. ({request_id})"
                ))
            }
        }
    }
}

impl IntoResponse for EpError {
    fn into_response(self) -> Response {
        let item = ErrorItem {
            status: self.status.as_u16(),
            title: self.title.to_owned(),
            detail: self.detail,
            source: self.source,
        };
        (self.status, axum::Json(Errors { errors: vec![item] })).into_response()
    }
}
