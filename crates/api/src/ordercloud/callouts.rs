//! The OrderCloud renderings callout bodies carry: app asks the dialect for them, so the
//! middleware receives exactly what OrderCloud would send.

use super::orders::*;
use super::users::render_user;
use cartwire_app::callout::CalloutWire;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::order::Order;
use cartwire_domain::user::User;
use serde_json::Value;

/// The OrderCloud renderings callout bodies carry.
pub struct OcWire;

impl CalloutWire for OcWire {
    fn worksheet(&self, order: &Order) -> Value {
        render_worksheet(order)
    }
    fn user(&self, user: &User) -> Value {
        render_user(user)
    }
    fn order_return(&self, r: &cartwire_domain::returns::OrderReturn, currency: &CurrencyCode) -> Value {
        super::returns::render_return(r, currency)
    }
    fn openid_connect(&self, c: &cartwire_app::sso::OpenIdConnectRecord) -> Value {
        super::sso::render(c)
    }
}
