//! `/v1/orderreturns…`: order returns in OrderCloud's wire format.

use super::callouts::OcWire;
use super::created;
use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, OptionalJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use super::wire::optional_amount;
use super::wire::returns::render_return;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::orders::returns::ReturnDraft;
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of order returns.
pub const RETURN_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "OrderID", "Comments"],
    sortable: &["ID", "OrderID", "DateCreated", "DateSubmitted", "Status", "RefundAmount"],
    filterable: &["ID", "OrderID", "Status", "DateCreated", "DateSubmitted", "RefundAmount", "Comments"],
};

/// A return on the wire (read-only fields accepted and ignored).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReturnIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "OrderID")]
    #[schema(required = true, nullable = false)]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    order_id: Option<String>,
    #[serde(rename = "RefundAmount")]
    refund_amount: Option<Value>,
    #[serde(rename = "Comments")]
    comments: Option<String>,
    #[serde(rename = "ItemsToReturn")]
    items: Option<Vec<ItemIn>>,
    xp: Option<Value>,
}

/// One item on the wire.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ItemIn {
    #[serde(rename = "LineItemID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    line_item_id: String,
    #[serde(rename = "Quantity")]
    quantity: i64,
    #[serde(rename = "RefundAmount")]
    refund_amount: Option<Value>,
    #[serde(rename = "Comments")]
    comments: Option<String>,
}

impl ReturnIn {
    fn into_draft(self) -> Result<ReturnDraft, OcError> {
        let amount = |v: Option<Value>, field: String| {
            optional_amount(v.as_ref()).map_err(|e| OcError::validation(&field, e.to_string()))
        };
        Ok(ReturnDraft {
            id: self.id,
            order_id: self.order_id.ok_or_else(|| OcError::validation("OrderID", "OrderID is required"))?,
            items: self
                .items
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(n, i)| {
                    let refund = amount(i.refund_amount, format!("ItemsToReturn[{n}].RefundAmount"))?;
                    Ok((i.line_item_id, i.quantity, refund, i.comments))
                })
                .collect::<Result<_, OcError>>()?,
            refund_amount: amount(self.refund_amount, "RefundAmount".into())?,
            comments: self.comments,
            xp: self.xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({})),
        })
    }
}

pub(super) async fn list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::OrderReturn>>, OcError> {
    let items = app.list_order_returns(&p).await?.iter().map(|(r, c)| render_return(r, c)).collect();
    Ok(Json(page(items, q.as_deref(), &RETURN_SPEC)?))
}

pub(super) async fn get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::OrderReturn>, OcError> {
    let (r, c) = app.get_order_return(&p, &id).await?;
    Ok(Json(render_return(&r, &c)))
}

pub(super) async fn create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<ReturnIn>,
) -> Result<Response, OcError> {
    let (r, c) =
        app.save_order_return(&p, &OcWire, None, || body.into_draft().map_err(super::error::oc_to_app)).await?;
    Ok(created(&app, &format!("/v1/orderreturns/{}", r.id), render_return(&r, &c)))
}

async fn save(
    app: &App,
    p: &cartwire_app::Principal,
    id: &str,
    body: Value,
    patch: bool,
) -> Result<Json<schema::OrderReturn>, OcError> {
    let body = if patch {
        let (current, c) = app.get_order_return(p, id).await?;
        let mut merged = merge_patch(render_return(&current, &c), body.clone());
        // Patching items or the total without a RefundAmount asks for a new calculation.
        if body.get("RefundAmount").is_none() && body.get("ItemsToReturn").is_some() {
            merged["RefundAmount"] = Value::Null;
        }
        merged
    } else {
        body
    };
    let wire: ReturnIn = from_value(body)?;
    if wire.id.as_deref().is_some_and(|new| new != id) {
        return Err(OcError::validation("ID", "an order return's ID cannot change"));
    }
    let (r, c) =
        app.save_order_return(p, &OcWire, Some(id), || wire.into_draft().map_err(super::error::oc_to_app)).await?;
    Ok(Json(render_return(&r, &c)))
}

pub(super) async fn put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::OrderReturn>, OcError> {
    save(&app, &p, &id, body, false).await
}

pub(super) async fn patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::OrderReturn>, OcError> {
    save(&app, &p, &id, body, true).await
}

pub(super) async fn delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_order_return(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct ActionIn {
    #[serde(rename = "Comments")]
    comments: Option<String>,
}

pub(super) async fn action(
    State(app): State<App>,
    Caller(p): Caller,
    Path((id, action)): Path<(String, String)>,
    OptionalJson(body): OptionalJson,
) -> Result<Json<schema::OrderReturn>, OcError> {
    let comments = if body.is_null() { None } else { from_value::<ActionIn>(body)?.comments };
    let (r, c) = app.order_return_action(&p, &id, &action.to_ascii_lowercase(), comments).await?;
    Ok(Json(render_return(&r, &c)))
}
