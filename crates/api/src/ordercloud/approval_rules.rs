//! `/v1/buyers/{buyerID}/approvalrules`: a buyer's approval rules in OrderCloud's wire format.

use super::created;
use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use super::wire::*;
use crate::ordercloud::fields::{refused, required};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::SaveMode;
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::order::approval_rules::{ApprovalRule, RuleExpression};
use serde::Deserialize;
use serde_json::Value;

/// Query capabilities of approval rules.
pub const RULE_SPEC: ListSpec =
    ListSpec { searchable: &["ID", "Name"], sortable: &["ID", "Name"], filterable: &["ID", "Name", "RuleExpression"] };
// ---- approval rules -----------------------------------------------------------------------

/// An approval rule on the wire.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RuleIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    #[schema(required = true, nullable = false)]
    name: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "ApprovingGroupID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    approving_group_id: Option<String>,
    #[serde(rename = "RuleExpression")]
    #[schema(required = true, nullable = false)]
    rule_expression: Option<String>,
    xp: Option<Value>,
}

impl RuleIn {
    pub(super) fn into_domain(self, id: ObjectId) -> Result<ApprovalRule, AppError> {
        let expression = self.rule_expression.ok_or_else(|| required("RuleExpression"))?;
        Ok(ApprovalRule {
            id,
            buyer_id: String::new(),
            name: self.name.ok_or_else(|| required("Name"))?,
            description: self.description,
            approving_group_id: self.approving_group_id,
            rule_expression: RuleExpression::parse(&expression).map_err(|e| refused("RuleExpression", e))?,
            xp: xp_or_empty(self.xp),
        })
    }
}

/// Renders an approval rule.
pub fn render_rule(r: &ApprovalRule) -> schema::ApprovalRule {
    schema::ApprovalRule {
        id: r.id.as_str().to_owned(),
        name: Some(r.name.clone()),
        description: r.description.clone(),
        approving_group_id: r.approving_group_id.clone(),
        rule_expression: r.rule_expression.as_str().to_owned(),
        xp: r.xp.clone(),
    }
}

pub(super) async fn rules_list(
    State(app): State<App>,
    Caller(p): Caller,
    Path(buyer): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::ApprovalRule>>, OcError> {
    let items = app.list_approval_rules(&p, &buyer).await?.iter().map(render_rule).collect();
    Ok(Json(page(items, q.as_deref(), &RULE_SPEC)?))
}
pub(super) async fn rule_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
) -> Result<Json<schema::ApprovalRule>, OcError> {
    Ok(Json(render_rule(&app.get_approval_rule(&p, &buyer, &id).await?)))
}
pub(super) async fn rule_create(
    State(app): State<App>,
    Caller(p): Caller,
    Path(buyer): Path<String>,
    OcJson(body): OcJson<RuleIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let saved =
        app.save_approval_rule(&p, &buyer, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/buyers/{buyer}/approvalrules/{}", saved.id), render_rule(&saved)))
}
pub(super) async fn rule_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
    OcJson(body): OcJson<RuleIn>,
) -> Result<Json<schema::ApprovalRule>, OcError> {
    let saved = app.save_approval_rule(&p, &buyer, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_rule(&saved)))
}
pub(super) async fn rule_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
    JsonValue(body): JsonValue,
) -> Result<Json<schema::ApprovalRule>, OcError> {
    let saved = app
        .save_approval_rule(&p, &buyer, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: RuleIn = from_value(merge_patch(render_rule(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_rule(&saved)))
}
pub(super) async fn rule_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path((buyer, id)): Path<(String, String)>,
) -> Result<StatusCode, OcError> {
    app.delete_approval_rule(&p, &buyer, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
