//! How a write names its intent: create (the id must be new), overwrite or create, or patch
//! (the object must exist). One rule for every resource that offers the three.

use crate::AppError;
use crate::resource::Resource;
use cartwire_domain::ObjectId;

/// Which of create / overwrite / patch a save is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// POST: the id must be new (409 otherwise).
    Create,
    /// PUT: create or overwrite.
    Upsert,
    /// PATCH: the object must exist (404 otherwise).
    Patch,
}

impl SaveMode {
    pub(crate) fn check(self, exists: bool, resource: Resource, id: &ObjectId) -> Result<(), AppError> {
        match (self, exists) {
            (SaveMode::Create, true) => Err(AppError::IdExists { resource, id: id.to_string() }),
            (SaveMode::Patch, false) => Err(AppError::not_found(resource, id.as_str())),
            _ => Ok(()),
        }
    }
}
