//! Ship-to and bill-to addresses of a checkout order (`…/shipto`, `…/billto`) and the address
//! shape every OrderCloud body shares.

use super::error::OcError;
use super::extract::{Caller, JsonValue, from_value, merge_patch};
use super::schema;
use super::target::*;
use super::wire::orders::*;
use axum::Json;
use axum::extract::State;
use cartwire_app::checkout::checkout_of;
use cartwire_app::{App, Principal};
use serde_json::{Value, json};

// ---- addresses ----------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(super) enum AddressKind {
    Shipping,
    Billing,
}

pub(super) async fn address_save(
    app: &App,
    p: &Principal,
    target: Target,
    kind: AddressKind,
    body: Value,
    patch: bool,
) -> Result<Json<schema::Order>, OcError> {
    let id = target.order_id(app, p).await?;
    // Read through the use case first (its role check) for PUT as for PATCH.
    let order = app.get_checkout_order(p, &id).await?;
    let body = if patch {
        let current = match kind {
            AddressKind::Shipping => checkout_of(&order).shipping_address.as_ref().map(render_address),
            AddressKind::Billing => checkout_of(&order).billing_address.as_ref().map(render_address),
        };
        merge_patch(current.map(|a| json!(a)).unwrap_or_else(|| json!({})), body)
    } else {
        body
    };
    let address = from_value::<AddressIn>(body)?.into_domain(None)?;
    let saved = app
        .update_checkout_order(p, &id, |co, _| {
            match kind {
                AddressKind::Shipping => co.shipping_address = Some(address),
                AddressKind::Billing => co.billing_address = Some(address),
            }
            Ok(())
        })
        .await?;
    Ok(Json(render_order(&saved)))
}

macro_rules! address_handlers {
    ($name:ident, $kind:expr, $patch:expr) => {
        pub(super) async fn $name(
            State(app): State<App>,
            Caller(p): Caller,
            target: Target,
            JsonValue(body): JsonValue,
        ) -> Result<Json<schema::Order>, OcError> {
            address_save(&app, &p, target, $kind, body, $patch).await
        }
    };
}
address_handlers!(shipto_put, AddressKind::Shipping, false);
address_handlers!(shipto_patch, AddressKind::Shipping, true);
address_handlers!(billto_put, AddressKind::Billing, false);
address_handlers!(billto_patch, AddressKind::Billing, true);
