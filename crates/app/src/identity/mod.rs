//! Users, buyer companies, security profiles and assignments: the minimum that makes tokens
//! carry real roles. One module per resource; what they share (ids, the customer events a
//! buyer user's change causes) is here.

mod buyers;
mod security_profiles;
mod users;

pub use users::{Company, UserInput, company_key};

use crate::Principal;
use cartwire_domain::ObjectId;
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::user::{User, UserType};

pub(super) fn new_id() -> ObjectId {
    ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id")
}

pub(super) fn customer_event(change: Change, user: &User, p: &Principal) -> Option<NewEvent> {
    (user.user_type == UserType::Buyer).then(|| {
        let payload = if change == Change::Deleted {
            serde_json::json!({"id": user.id.as_str(), "type": "customer"})
        } else {
            serde_json::json!({
                "id": user.id.as_str(),
                "buyer_id": user.buyer_id.as_ref().map(ObjectId::as_str),
                "username": user.profile.username,
                "first_name": user.profile.first_name,
                "last_name": user.profile.last_name,
                "email": user.profile.email,
                "active": user.profile.active,
                "xp": user.profile.xp,
            })
        };
        NewEvent::change("customer", change, user.id.as_str(), payload).by(p.describe(), Dialect::OrderCloud)
    })
}
