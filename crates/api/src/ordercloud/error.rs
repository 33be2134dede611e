//! OrderCloud's error body: `{"Errors":[{"ErrorCode","Message","Data"}]}`.

use super::fields;
use super::schema::{ApiErrorItem, ErrorBody};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::{AppError, Resource, RuleCode, RuleData};
use cartwire_domain::order::checkout::CheckoutError;
use serde_json::{Value, json};

/// An OrderCloud error response.
#[derive(Debug)]
pub struct OcError {
    status: StatusCode,
    code: &'static str,
    message: String,
    data: Value,
}

impl OcError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), data: Value::Null }
    }

    /// Adds `Data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// 400 `ValidationFailure` on a property.
    pub fn validation(property: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationFailure", message).with_data(json!({"PropertyName": property}))
    }

    /// 404 `NotFound`.
    pub fn not_found(object_type: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", format!("{object_type} not found: {id}"))
            .with_data(json!({"ObjectType": object_type, "ObjectID": id}))
    }
}

/// A resource as OrderCloud's `ObjectType` names it (the kinds only other dialects reach are
/// named the same way, should an OrderCloud route ever report one).
pub fn object_type(resource: Resource) -> &'static str {
    match resource {
        Resource::Address => "Address",
        Resource::ApiClient => "ApiClient",
        Resource::ApiKey => "ApiKey",
        Resource::ApprovalRule => "ApprovalRule",
        Resource::Buyer => "Buyer",
        Resource::Connection => "Connection",
        Resource::Customer => "Customer",
        Resource::Delivery => "Delivery",
        Resource::Integration => "Integration",
        Resource::IntegrationEvent => "IntegrationEvent",
        Resource::IntegrationJob => "IntegrationJob",
        Resource::LineItem => "LineItem",
        Resource::OpenIdConnect => "OpenIdConnect",
        Resource::Order => "Order",
        Resource::OrderProduct => "OrderProduct",
        Resource::OrderReturn => "OrderReturn",
        Resource::OrderReturnAction => "OrderReturnAction",
        Resource::PriceSchedule => "PriceSchedule",
        Resource::Product => "Product",
        Resource::SecurityProfile => "SecurityProfile",
        Resource::SecurityProfileAssignment => "SecurityProfileAssignment",
        Resource::StorefrontToken => "StorefrontToken",
        Resource::User => "User",
    }
}

/// The wire code of a business rule.
pub fn rule_code(code: RuleCode) -> &'static str {
    match code {
        RuleCode::IntegrationEventCannotDeleteInUse => "IntegrationEvent.CannotDeleteInUse",
        RuleCode::IntegrationEventCannotEditType => "IntegrationEvent.CannotEditType",
        RuleCode::IntegrationEventIncompatibleEventType => "IntegrationEvent.IncompatibleEventType",
        RuleCode::CustomAuthHeaderNameRequired => "Integration.CustomAuthHeaderNameRequired",
        RuleCode::CustomAuthHeaderValueRequired => "Integration.CustomAuthHeaderValueRequired",
        RuleCode::ApiClientRequiredNotAnonBuyer => "ApiClient.RequiredNotAnonBuyer",
        RuleCode::ApiClientCannotDeleteLastFullAccess => "ApiClient.CannotDeleteLastFullAccess",
        RuleCode::UsernameMustBeUnique => "User.UsernameMustBeUnique",
        RuleCode::ApiClientNotConfiguredForOrderCalculate => "IntegrationEvent.ApiClientNotConfiguredForOrderCalculate",
        RuleCode::MustCalculateShipping => "IntegrationEvent.MustCalculateShipping",
        RuleCode::MustHaveShipEstimates => "IntegrationEvent.MustHaveShipEstimates",
        RuleCode::OrderCannotSubmitUncalculated => "Order.CannotSubmitUncalculatedOrder",
        RuleCode::OrderCannotSubmitEmpty => "Order.CannotSubmitEmptyOrder",
        RuleCode::OrderInvalidStatus => "Order.InvalidStatus",
        RuleCode::OrderChangedDuringCallout => "Order.ChangedDuringCallout",
        RuleCode::SsoLoginFailed => "OpenIdConnect.LoginFailed",
        RuleCode::RolesNotHeld => "InsufficientRoles",
        RuleCode::AnonymousUserReadOnly => "Me.AnonymousUser",
    }
}

impl From<AppError> for OcError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated(why) => OcError::new(
                StatusCode::UNAUTHORIZED,
                "InvalidToken",
                format!("Access token is invalid or expired: {why}"),
            ),
            AppError::TokenRevoked(why) => {
                OcError::new(StatusCode::UNAUTHORIZED, "Auth.TokenRevoked", format!("Access token was revoked: {why}"))
            }
            AppError::Forbidden(f) => OcError::new(
                StatusCode::FORBIDDEN,
                "InsufficientRoles",
                "User does not have role(s) required to perform this action.",
            )
            .with_data(json!({
                "SufficientRoles": f.sufficient_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "AssignedRoles": f.assigned_roles,
            })),
            AppError::NotFound { resource, id } => OcError::not_found(object_type(resource), &id),
            AppError::IdExists { resource, id } => {
                let object_type = object_type(resource);
                OcError::new(StatusCode::CONFLICT, "IdExists", format!("{object_type} already exists: {id}"))
                    .with_data(json!({"ObjectType": object_type, "ObjectID": id}))
            }
            AppError::Validation { within, field, problem } => {
                let at = fields::path(within, field);
                let message = format!("{at} {problem}");
                OcError::validation(&at, message)
            }
            AppError::Rejected { field, message } => OcError::validation(&field, message),
            AppError::Rule { code, message, data } => {
                let status = if code == RuleCode::OrderChangedDuringCallout {
                    StatusCode::CONFLICT
                } else if matches!(code, RuleCode::RolesNotHeld | RuleCode::AnonymousUserReadOnly) {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::BAD_REQUEST
                };
                let message = match &data {
                    // App leaves the client's slot unnamed: it is the property for the type.
                    RuleData::IncompatibleEvent { expected, .. } => format!("{expected}IntegrationEventID {message}"),
                    _ => message,
                };
                OcError::new(status, rule_code(code), message).with_data(rule_data(data))
            }
            AppError::CalloutFailed { status, body } => OcError::new(
                StatusCode::BAD_REQUEST,
                "IntegrationEvent.BadRequest",
                "Something went wrong when we called your integration event, check your custom code and try again.",
            )
            .with_data(json!({"HttpStatusCode": status, "UnhandledErrorBody": body})),
            AppError::Checkout(e) => checkout_error(e),
            AppError::OrderStatus { order_id, action, status } => OcError::new(
                StatusCode::BAD_REQUEST,
                rule_code(RuleCode::OrderInvalidStatus),
                format!(
                    "Cannot {action} order {order_id} while its status is {}",
                    super::wire::ordercloud_status(status)
                ),
            ),
            AppError::Unavailable(_) => OcError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is unavailable; try again shortly.",
            ),
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %e, "internal error");
                OcError::new(StatusCode::INTERNAL_SERVER_ERROR, "ServerError", "An unexpected error occurred.")
            }
        }
    }
}

/// The `Data` of a broken rule.
fn rule_data(data: RuleData) -> Value {
    match data {
        RuleData::None => Value::Null,
        RuleData::Roles { missing, assigned } => json!({"MissingRoles": missing, "AssignedRoles": assigned}),
        RuleData::EventInUse { event_id, client_ids } => {
            json!({"ObjectType": "IntegrationEvent", "ObjectID": event_id, "ApiClientIDs": client_ids})
        }
        RuleData::EventType { current } => json!({"EventType": current.as_str()}),
        RuleData::IncompatibleEvent { event_id, event_type, expected } => json!({
            "IntegrationEventID": event_id, "EventType": event_type.as_str(), "ExpectedEventType": expected.as_str(),
        }),
    }
}

/// A refused checkout step, with the request or answer field it concerns.
fn checkout_error(e: CheckoutError) -> OcError {
    let rule = |code: RuleCode| OcError::new(StatusCode::BAD_REQUEST, rule_code(code), e.to_string());
    match &e {
        CheckoutError::MustCalculateShipping => rule(RuleCode::MustCalculateShipping),
        CheckoutError::MustHaveShipEstimates => rule(RuleCode::MustHaveShipEstimates),
        CheckoutError::UnknownShipEstimate { index, estimate_id } => OcError::validation(
            &format!("ShipMethodSelections[{index}].ShipEstimateID"),
            format!("no ship estimate '{estimate_id}'"),
        ),
        CheckoutError::UnknownShipMethod { index, estimate_id, method_id } => OcError::validation(
            &format!("ShipMethodSelections[{index}].ShipMethodID"),
            format!("ship estimate '{estimate_id}' has no ship method '{method_id}'"),
        ),
        CheckoutError::UnknownLine { index, line_id } => {
            OcError::validation(&format!("LineItemOverrides[{index}].LineItemID"), format!("no line item '{line_id}'"))
        }
        CheckoutError::InvalidProduct { index, error } => {
            // The override's product is a line's product snapshot: its fields are `Product.…`.
            let (field, problem) = error.clone().on(cartwire_domain::Field::LineProductId);
            let at = format!("LineItemOverrides[{index}].{}", fields::property(field));
            let message = format!("{at} {problem}");
            OcError::validation(&at, message)
        }
    }
}

impl IntoResponse for OcError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            errors: vec![ApiErrorItem { error_code: self.code.to_owned(), message: self.message, data: self.data }],
            error: None,
            error_description: None,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
impl OcError {
    /// The error code, for unit tests.
    pub fn code(self) -> &'static str {
        self.code
    }
}

impl OcError {
    /// The property and message of a validation error (for errors raised inside use-case
    /// closures, which speak `AppError`).
    pub fn validation_parts(self) -> (String, String) {
        let field = self.data.get("PropertyName").and_then(|v| v.as_str()).unwrap_or("").to_owned();
        (field, self.message)
    }
}

/// Carries a wire parse failure through a use-case closure (app runs the closure inside its
/// transaction, so a body that fails to parse after the merge is answered as the validation
/// error it is, in this dialect's body, by the `From<AppError>` above).
pub(super) fn oc_to_app(e: OcError) -> AppError {
    let (field, message) = e.validation_parts();
    AppError::Rejected { field, message }
}
