//! cartwire's domain model.
//!
//! Everything here is plain data and rules: identifiers that cannot hold a bad value, the role
//! vocabulary, API clients, integration events, users and security profiles, the principal that
//! acts, and the catalog of events the outbox carries. No I/O, no async, no wire shapes: each
//! dialect owns its wire structs and parses them into these types.

pub mod access_key;
pub mod addresses;
pub mod api_client;
pub mod catalog;
pub mod commerce;
pub mod delivery;
pub mod error;
pub mod event;
pub mod field;
pub mod id;
pub mod integration;
pub mod integration_event;
pub mod order;
pub mod principal;
pub mod returns;
pub mod role;
pub mod sso;
pub mod user;

pub use error::{DomainError, OnField};
pub use field::{Field, Problem};
pub use id::ObjectId;
pub use role::{ApiRole, RoleSet};
