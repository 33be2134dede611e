//! Ship-to and bill-to addresses of a checkout order (`…/shipto`, `…/billto`) and the address
//! shape every OrderCloud body shares.

use super::error::OcError;
use super::extract::{Caller, JsonValue, from_value, merge_patch};
use super::orders::*;
use axum::Json;
use axum::extract::State;
use cartwire_app::checkout::checkout_of;
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::checkout::Address;
use serde::Deserialize;
use serde_json::{Value, json};

/// Renders an address.
pub fn render_address(a: &Address) -> Value {
    json!({
        "ID": a.id, "DateCreated": null, "CompanyName": a.company_name, "FirstName": a.first_name,
        "LastName": a.last_name, "Street1": a.street1, "Street2": a.street2, "City": a.city, "State": a.state,
        "Zip": a.zip, "Country": a.country, "Phone": a.phone, "AddressName": a.address_name, "xp": a.xp,
    })
}

/// An address on the wire.
#[derive(Debug, Deserialize)]
pub struct AddressIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "CompanyName")]
    company_name: Option<String>,
    #[serde(rename = "FirstName")]
    first_name: Option<String>,
    #[serde(rename = "LastName")]
    last_name: Option<String>,
    #[serde(rename = "Street1")]
    street1: Option<String>,
    #[serde(rename = "Street2")]
    street2: Option<String>,
    #[serde(rename = "City")]
    city: Option<String>,
    #[serde(rename = "State")]
    state: Option<String>,
    #[serde(rename = "Zip")]
    zip: Option<String>,
    #[serde(rename = "Country")]
    country: Option<String>,
    #[serde(rename = "Phone")]
    phone: Option<String>,
    #[serde(rename = "AddressName")]
    address_name: Option<String>,
    xp: Option<Value>,
}

impl AddressIn {
    pub(super) fn into_domain(self, prefix: &str) -> Result<Address, AppError> {
        let address = Address {
            id: self.id,
            company_name: self.company_name,
            first_name: self.first_name,
            last_name: self.last_name,
            street1: self.street1.unwrap_or_default(),
            street2: self.street2,
            city: self.city.unwrap_or_default(),
            state: self.state,
            zip: self.zip,
            country: self.country.unwrap_or_default(),
            phone: self.phone,
            address_name: self.address_name,
            xp: self.xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({})),
        };
        address.validate().map_err(|(f, e)| AppError::invalid(format!("{prefix}{f}"), e))?;
        Ok(address)
    }
}
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
) -> Result<Json<Value>, OcError> {
    let id = target.order_id(app, p).await?;
    // Read through the use case first (its role check) for PUT as for PATCH.
    let order = app.get_checkout_order(p, &id).await?;
    let body = if patch {
        let current = match kind {
            AddressKind::Shipping => checkout_of(&order).shipping_address.as_ref().map(render_address),
            AddressKind::Billing => checkout_of(&order).billing_address.as_ref().map(render_address),
        };
        merge_patch(current.unwrap_or_else(|| json!({})), body)
    } else {
        body
    };
    let address = from_value::<AddressIn>(body)?.into_domain("")?;
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
        ) -> Result<Json<Value>, OcError> {
            address_save(&app, &p, target, $kind, body, $patch).await
        }
    };
}
address_handlers!(shipto_put, AddressKind::Shipping, false);
address_handlers!(shipto_patch, AddressKind::Shipping, true);
address_handlers!(billto_put, AddressKind::Billing, false);
address_handlers!(billto_patch, AddressKind::Billing, true);
