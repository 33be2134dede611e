//! A user's saved addresses: addresses they keep to ship or bill orders to, named by an id
//! they choose, so checkout can take an address by id instead of in full.

use crate::ObjectId;
use crate::order::checkout::Address;
use time::OffsetDateTime;

/// Most addresses one user may keep.
pub const MAX_SAVED_ADDRESSES: usize = 100;

/// An address a user keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedAddress {
    /// Its id, unique among the user's addresses.
    pub id: ObjectId,
    /// The address (its own `id` is the saved address's).
    pub address: Address,
    /// Whether orders may ship to it.
    pub shipping: bool,
    /// Whether orders may be billed to it.
    pub billing: bool,
    /// When it was saved first.
    pub date_created: OffsetDateTime,
}

impl SavedAddress {
    /// The address as an order carries it: a copy that remembers where it came from (a later
    /// change to the saved address does not move an order's).
    pub fn for_order(&self) -> Address {
        Address { id: Some(self.id.to_string()), ..self.address.clone() }
    }
}
