//! The one error type of the domain: a value was rejected by a constructor or a rule.

use crate::field::{Field, Problem};

/// Why a value or a state change was rejected. It names the domain's [`Field`], never a wire
/// property: each dialect words the field and renders the error in its own body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value's type refused it (an id, an amount, a quantity). The type does not know which
    /// field the value was given for; the caller names it (see [`DomainError::on`]).
    #[error("{0}")]
    Value(Problem),
    /// A field of a record broke a rule of the record.
    #[error("{} {problem}", field.name())]
    Field {
        /// The field.
        field: Field,
        /// What was wrong.
        problem: Problem,
    },
}

impl DomainError {
    /// A value refused by its type, for a reason worded as a predicate.
    pub(crate) fn value(predicate: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::Value(Problem::rule(predicate))
    }

    /// A field that broke a rule.
    pub fn field(field: Field, problem: Problem) -> Self {
        Self::Field { field, problem }
    }

    /// The field the error is about, if it names one.
    pub fn subject(&self) -> Option<Field> {
        match self {
            Self::Value(_) => None,
            Self::Field { field, .. } => Some(*field),
        }
    }

    /// Names the field a value error was about; an error that already names its field (a
    /// record's own rule, more precise than the caller's view) keeps it.
    pub fn on(self, field: Field) -> (Field, Problem) {
        match self {
            Self::Value(problem) => (field, problem),
            Self::Field { field, problem } => (field, problem),
        }
    }
}

/// Names the field of a value error (see [`DomainError::on`]).
pub trait OnField<T> {
    /// Maps a value error to one about `field`.
    fn on(self, field: Field) -> Result<T, DomainError>;
}

impl<T> OnField<T> for Result<T, DomainError> {
    fn on(self, field: Field) -> Result<T, DomainError> {
        self.map_err(|e| {
            let (field, problem) = e.on(field);
            DomainError::Field { field, problem }
        })
    }
}
