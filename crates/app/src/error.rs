//! The use cases' error type; each dialect renders it in its own wire body.

use crate::resource::Resource;
use cartwire_domain::principal::Forbidden;
use cartwire_domain::{DomainError, Field, Problem};
use cartwire_store::StoreError;

/// A business rule with its own error code on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleCode {
    /// An integration event is referenced by an API client.
    IntegrationEventCannotDeleteInUse,
    /// An integration event's type cannot change.
    IntegrationEventCannotEditType,
    /// An API client references an integration event of the wrong type.
    IntegrationEventIncompatibleEventType,
    /// A custom auth header value without a name.
    CustomAuthHeaderNameRequired,
    /// A custom auth header name without a value.
    CustomAuthHeaderValueRequired,
    /// An anonymous-buyer client whose default context user is not a buyer user.
    ApiClientRequiredNotAnonBuyer,
    /// Deleting the last API client whose default user holds `FullAccess`.
    ApiClientCannotDeleteLastFullAccess,
    /// The username is taken.
    UsernameMustBeUnique,
    /// The caller's API client has no OrderCheckout integration event.
    ApiClientNotConfiguredForOrderCalculate,
    /// Ship methods selected before shipping was estimated.
    MustCalculateShipping,
    /// The shipping estimate has no ship estimates.
    MustHaveShipEstimates,
    /// Submitting without a fresh calculation through a client with an OrderCheckout event.
    OrderCannotSubmitUncalculated,
    /// Submitting an order without line items.
    OrderCannotSubmitEmpty,
    /// The order's status does not allow the action.
    OrderInvalidStatus,
    /// The order changed while a callout for it was running (HTTP 409).
    OrderChangedDuringCallout,
    /// A single sign-on could not be completed.
    SsoLoginFailed,
    /// The write would open a path (client, profile, assignment, password, elevated roles,
    /// single sign-on) to roles the caller does not hold (HTTP 403).
    RolesNotHeld,
    /// An anonymous shopper tried to change (or revoke the tokens of) the client's template
    /// user (HTTP 403).
    AnonymousUserReadOnly,
}

/// Why a use case did not succeed.
/// The details of a broken rule, for the dialect's error body.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleData {
    /// Nothing beyond the message.
    None,
    /// Roles a grant would give that the caller does not hold.
    Roles {
        /// The roles missing.
        missing: Vec<String>,
        /// The caller's roles.
        assigned: Vec<String>,
    },
    /// An integration event still attached to API clients.
    EventInUse {
        /// The event.
        event_id: String,
        /// The clients it is attached to.
        client_ids: Vec<String>,
    },
    /// An integration event's type, which cannot change.
    EventType {
        /// Its type.
        current: cartwire_domain::integration_event::EventType,
    },
    /// A client's slot for one event type names an event of another.
    IncompatibleEvent {
        /// The event named.
        event_id: String,
        /// Its type.
        event_type: cartwire_domain::integration_event::EventType,
        /// The type the slot takes.
        expected: cartwire_domain::integration_event::EventType,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials (HTTP 401).
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Valid credentials without a sufficient role (HTTP 403).
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The object does not exist (HTTP 404).
    #[error("{resource} {id} not found")]
    NotFound {
        /// What kind of record (each dialect words it).
        resource: Resource,
        /// Requested id.
        id: String,
    },
    /// An object with the id exists (HTTP 409).
    #[error("{resource} {id} already exists")]
    IdExists {
        /// What kind of record.
        resource: Resource,
        /// Conflicting id.
        id: String,
    },
    /// A field's value was rejected (HTTP 400; 422 in Elastic Path): the dialect words the
    /// field and writes the message as its word followed by the problem.
    #[error("{} {problem}", field.name())]
    Validation {
        /// The record the field is part of, when it is nested (a line's shipping address).
        within: Option<Field>,
        /// The field of the domain.
        field: Field,
        /// What was wrong with it.
        problem: Problem,
    },
    /// A request the dialect refused inside a use case's closure (a PATCH merge that no longer
    /// parses): the dialect's own words, carried back to it unchanged (HTTP 400; 422 in
    /// Elastic Path). App never builds one.
    #[error("{field}: {message}")]
    Rejected {
        /// The wire property, in the dialect's words.
        field: String,
        /// Why, in the dialect's words.
        message: String,
    },
    /// The token was revoked with the rest of its user's tokens (HTTP 401,
    /// `Auth.TokenRevoked` in OrderCloud).
    #[error("token revoked: {0}")]
    TokenRevoked(String),
    /// A business rule was broken (HTTP 400 unless the dialect says otherwise).
    #[error("{message}")]
    Rule {
        /// Which rule.
        code: RuleCode,
        /// Human-readable explanation.
        message: String,
        /// What the dialect's body can show about it.
        data: RuleData,
    },
    /// The merchant's middleware gave no usable answer to a callout the use case needs (HTTP
    /// 400, `IntegrationEvent.BadRequest` in OrderCloud): what it answered is for the
    /// middleware's developer.
    #[error("the integration event failed ({status}): {body}")]
    CalloutFailed {
        /// Its HTTP status; 0 when it never answered.
        status: u16,
        /// Its body (cut to 4 KiB) or why there was none.
        body: String,
    },
    /// A checkout step refused what it was given (HTTP 400); the dialect names the field.
    #[error(transparent)]
    Checkout(cartwire_domain::order::checkout::CheckoutError),
    /// The order's status does not allow the action (HTTP 400, `OrderInvalidStatus`); the
    /// dialect names the status in its own words.
    #[error("cannot {action} order {order_id} while its status is {}", status.as_str())]
    OrderStatus {
        /// The order.
        order_id: String,
        /// What was attempted (`submit`, `add a line item to`, …).
        action: &'static str,
        /// Its status.
        status: cartwire_domain::order::OrderStatus,
    },
    /// The database cannot be reached, or a commit failed on the way (HTTP 503 with
    /// `Retry-After`, in the dialect's body): a client should try again shortly. A failed
    /// commit may or may not have been applied, so a client retries what is safe to retry.
    #[error("the database is unavailable, try again shortly")]
    Unavailable(String),
    /// The store failed otherwise (HTTP 500, logged, never echoed).
    #[error(transparent)]
    Store(StoreError),
    /// Anything else unexpected (HTTP 500, logged, never echoed).
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(why) | StoreError::ReadOnly(why) => {
                tracing::warn!(error = %why, "the database is unavailable");
                AppError::Unavailable(why)
            }
            other => AppError::Store(other),
        }
    }
}

/// What a 503 for an unavailable database asks the client to wait, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 5;

impl AppError {
    /// The one mapping of a store error at an insert: the resource's key taken is `IdExists`
    /// of `resource` / `id`; anything else maps as every store error does. Inserts rely on
    /// the constraint, never on a look-up first (which would race).
    pub(crate) fn on_insert(resource: Resource, id: String) -> impl FnOnce(StoreError) -> AppError {
        move |e| match e {
            StoreError::Unique { .. } => AppError::IdExists { resource, id },
            other => other.into(),
        }
    }

    /// A validation error on a field.
    pub fn invalid(field: Field, problem: Problem) -> Self {
        Self::Validation { within: None, field, problem }
    }

    /// A validation error on a field of a nested record.
    pub fn invalid_within(within: Field, e: DomainError) -> Self {
        let (field, problem) = e.on(Field::Id);
        Self::Validation { within: Some(within), field, problem }
    }

    /// A rule violation without extra data.
    pub fn rule(code: RuleCode, message: impl Into<String>) -> Self {
        Self::Rule { code, message: message.into(), data: RuleData::None }
    }

    /// Not found.
    pub fn not_found(resource: Resource, id: impl Into<String>) -> Self {
        Self::NotFound { resource, id: id.into() }
    }
}

impl From<DomainError> for AppError {
    /// A record's rule names its own field; a bare value error (an id, an amount) reaching a
    /// use case without [`FieldExt::field`] is about the record's id.
    fn from(e: DomainError) -> Self {
        let (field, problem) = e.on(Field::Id);
        Self::Validation { within: None, field, problem }
    }
}

/// Names the field of a domain error.
pub trait FieldExt<T> {
    /// Maps the error to [`AppError::Validation`] on `field` (a record's rule keeps the more
    /// precise field it names itself).
    fn field(self, field: Field) -> Result<T, AppError>;
}

impl<T> FieldExt<T> for Result<T, DomainError> {
    fn field(self, field: Field) -> Result<T, AppError> {
        // Domain's `OnField` names the field; the error then names its own.
        cartwire_domain::OnField::on(self, field).map_err(AppError::from)
    }
}
