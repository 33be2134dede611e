//! The one error type of the domain: a value was rejected by a constructor or a rule.

/// Why a value or a state change was rejected. Each dialect renders it in its own wire body and
/// attaches the wire field name it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value is malformed or out of its documented range.
    #[error("{0}")]
    Invalid(String),
    /// A required value is missing.
    #[error("{0} is required")]
    Required(&'static str),
}

impl DomainError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}
