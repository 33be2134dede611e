//! The checkout actions of an order or the cart (`estimateshipping`, `shipmethods`, `calculate`,
//! `validate`, `submit`, `approve`, `decline`, `cancel`, `complete`) and its worksheet.

use super::callouts::OcWire;
use super::error::OcError;
use super::extract::{Caller, OptionalJson, from_value};
use super::schema;
use super::target::*;
use super::wire::orders::*;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_domain::order::Order;
use serde::Deserialize;
use serde_json::json;

// ---- checkout actions ---------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct ShipMethodSelectionIn {
    #[serde(rename = "ShipMethodSelections")]
    selections: Vec<SelectionIn>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct SelectionIn {
    #[serde(rename = "ShipEstimateID")]
    ship_estimate_id: String,
    #[serde(rename = "ShipMethodID")]
    ship_method_id: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(super) struct ApprovalInfoIn {
    #[serde(rename = "Comments")]
    comments: Option<String>,
}

/// Actions on the cart; the seller's (approve, decline, cancel, complete) need an order id.
pub(super) const CART_ACTIONS: &[&str] = &["estimateshipping", "shipmethods", "calculate", "validate", "submit"];

pub(super) async fn order_action(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
    OptionalJson(body): OptionalJson,
) -> Result<Response, OcError> {
    let action = target.action.clone().unwrap_or_default();
    let no_such = || {
        OcError::new(StatusCode::NOT_FOUND, "NotFound", format!("No order action '{action}'"))
            .with_data(json!({"ObjectType": "Route", "ObjectID": action}))
    };
    if target.order.is_none() && !CART_ACTIONS.contains(&action.as_str()) {
        return Err(no_such());
    }
    let id = target.order_id(&app, &p).await?;
    let worksheet = |o: Order| Json(render_worksheet(&o)).into_response();
    let order = |o: Order| Json(render_order(&o)).into_response();
    let comments = || -> Result<Option<String>, OcError> {
        if body.is_null() { Ok(None) } else { Ok(from_value::<ApprovalInfoIn>(body.clone())?.comments) }
    };
    Ok(match action.as_str() {
        "estimateshipping" => worksheet(app.estimate_shipping(&p, &OcWire, &id).await?),
        "shipmethods" => {
            if body.is_null() {
                return Err(OcError::validation("ShipMethodSelections", "ShipMethodSelections is required"));
            }
            let wire: ShipMethodSelectionIn = from_value(body)?;
            let selections =
                wire.selections.into_iter().map(|s| (s.ship_estimate_id, s.ship_method_id)).collect::<Vec<_>>();
            worksheet(app.select_ship_methods(&p, &id, selections).await?)
        }
        "calculate" => worksheet(app.calculate_order(&p, &OcWire, &id).await?),
        "validate" => {
            app.validate_order(&p, &id).await?;
            StatusCode::NO_CONTENT.into_response()
        }
        "submit" => order(app.submit_order(&p, &OcWire, &id).await?),
        "approve" => order(app.approve_order(&p, &OcWire, &id, comments()?).await?),
        "decline" => order(app.decline_order(&p, &id, comments()?).await?),
        "cancel" => order(app.cancel_order(&p, &id).await?),
        "complete" => order(app.complete_order(&p, &id).await?),
        _ => return Err(no_such()),
    })
}

pub(super) async fn worksheet_get(
    State(app): State<App>,
    Caller(p): Caller,
    target: Target,
) -> Result<Json<schema::OrderWorksheet>, OcError> {
    let id = target.order_id(&app, &p).await?;
    Ok(Json(render_worksheet(&app.get_checkout_order(&p, &id).await?)))
}
