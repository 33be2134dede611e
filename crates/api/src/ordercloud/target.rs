//! The order a checkout route names — `/v1/orders/{direction}/{id}/…`, or the caller's current
//! cart for `/v1/cart/…` — with its line item or action: one extractor for both route families.

use super::error::OcError;
use super::schema;
use super::wire::orders::render_line;
use cartwire_app::checkout::checkout_of;
use cartwire_app::{App, Principal};
use cartwire_domain::order::Order;

/// `{direction}` is `Incoming`, `Outgoing` or `All` (any case). cartwire is one marketplace:
/// every direction names the same orders, narrowed by who may see them.
pub(crate) fn check_direction(direction: &str) -> Result<(), OcError> {
    if ["incoming", "outgoing", "all"].contains(&direction.to_ascii_lowercase().as_str()) {
        Ok(())
    } else {
        Err(OcError::validation("direction", format!("direction must be Incoming, Outgoing or All, not '{direction}'")))
    }
}

/// The order a route names — `/v1/orders/{direction}/{id}/…`, or the caller's current cart for
/// `/v1/cart/…` — and the line item or action when the route has one. One handler serves both
/// route families.
pub(crate) struct Target {
    pub(crate) order: Option<String>,
    pub(crate) line: Option<String>,
    pub(crate) action: Option<String>,
}

impl axum::extract::FromRequestParts<App> for Target {
    type Rejection = OcError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|e| OcError::validation("path", e.to_string()))?;
        let mut target = Target { order: None, line: None, action: None };
        for (name, value) in params.iter() {
            match name {
                "direction" => check_direction(value)?,
                "id" => target.order = Some(value.to_owned()),
                "line" => target.line = Some(value.to_owned()),
                "action" => target.action = Some(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        Ok(target)
    }
}

impl Target {
    pub(crate) async fn order_id(&self, app: &App, p: &Principal) -> Result<String, OcError> {
        match &self.order {
            Some(id) => Ok(id.clone()),
            None => Ok(app.current_cart_id(p).await?.to_string()),
        }
    }

    pub(crate) fn line_id(&self) -> &str {
        self.line.as_deref().expect("line routes name {line}")
    }
}

pub(crate) fn line_of(o: &Order, line_id: &str) -> Result<schema::LineItem, OcError> {
    checkout_of(o).line(line_id).map(|l| render_line(o, l)).ok_or_else(|| OcError::not_found("LineItem", line_id))
}
