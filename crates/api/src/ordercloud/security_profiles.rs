//! `/v1/securityprofiles` and their assignments (to a user, a user group's company or the
//! marketplace) in OrderCloud's wire format.

use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::{created, field};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::identity::SaveMode;
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::role::{parse_custom_roles, parse_roles};
use cartwire_domain::user::{AssignmentLevel, SecurityProfile, SecurityProfileAssignment};
use serde::Deserialize;
use serde_json::{Value, json};

/// Query capabilities of security profiles.
pub const PROFILE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name"],
    filterable: &["ID", "Name", "Roles", "CustomRoles"],
};

/// The wire body of a security profile write.
#[derive(Debug, Deserialize)]
pub struct SecurityProfileIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Roles")]
    roles: Option<Vec<String>>,
    #[serde(rename = "CustomRoles")]
    custom_roles: Option<Vec<String>>,
}

impl SecurityProfileIn {
    pub(super) fn into_domain(self, id: ObjectId) -> Result<SecurityProfile, AppError> {
        Ok(SecurityProfile {
            id,
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            roles: parse_roles(self.roles.iter().flatten().map(String::as_str))
                .map_err(|e| AppError::invalid("Roles", e))?,
            custom_roles: parse_custom_roles(&self.custom_roles.unwrap_or_default())
                .map_err(|e| AppError::invalid("CustomRoles", e))?,
        })
    }
}

/// Renders a security profile.
pub fn render_profile(sp: &SecurityProfile) -> Value {
    json!({
        "ID": sp.id.as_str(),
        "Name": sp.name,
        "Roles": sp.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "CustomRoles": sp.custom_roles,
    })
}

pub(super) async fn profiles_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_security_profiles(&p).await?.iter().map(render_profile).collect();
    Ok(Json(page(items, q.as_deref(), &PROFILE_SPEC)?))
}
pub(super) async fn profile_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_profile(&app.get_security_profile(&p, &id).await?)))
}
pub(super) async fn profile_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<SecurityProfileIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let (sp, _) = app.save_security_profile(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/securityprofiles/{}", sp.id), render_profile(&sp)))
}
pub(super) async fn profile_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<SecurityProfileIn>,
) -> Result<Json<Value>, OcError> {
    let (sp, _) = app.save_security_profile(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_profile(&sp)))
}
pub(super) async fn profile_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let (sp, _) = app
        .save_security_profile(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: SecurityProfileIn =
                from_value(merge_patch(render_profile(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_profile(&sp)))
}
pub(super) async fn profile_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_security_profile(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- assignments

/// Query capabilities of assignments.
pub const ASSIGNMENT_SPEC: ListSpec = ListSpec {
    searchable: &[],
    sortable: &["SecurityProfileID", "BuyerID", "UserID"],
    filterable: &["SecurityProfileID", "BuyerID", "UserID", "SupplierID", "UserGroupID", "Level", "CommerceRole"],
};

/// The wire body of an assignment.
#[derive(Debug, Deserialize)]
pub struct AssignmentIn {
    #[serde(rename = "SecurityProfileID")]
    security_profile_id: Option<String>,
    #[serde(rename = "BuyerID")]
    buyer_id: Option<String>,
    #[serde(rename = "SupplierID")]
    supplier_id: Option<String>,
    #[serde(rename = "UserID")]
    user_id: Option<String>,
    #[serde(rename = "UserGroupID")]
    user_group_id: Option<String>,
}

pub(super) fn assignment(
    profile: &str,
    buyer: Option<&str>,
    user: Option<&str>,
    supplier: Option<&str>,
    group: Option<&str>,
) -> Result<SecurityProfileAssignment, OcError> {
    pub(super) fn nonempty(v: Option<&str>) -> Option<&str> {
        v.filter(|s| !s.is_empty())
    }
    if nonempty(supplier).is_some() || nonempty(group).is_some() {
        return Err(OcError::validation("SupplierID", "Suppliers and user groups are not supported by cartwire yet"));
    }
    let profile = field(ObjectId::parse(profile), "SecurityProfileID")?;
    let buyer = nonempty(buyer).map(|b| field(ObjectId::parse(b), "BuyerID")).transpose()?;
    let user = nonempty(user).map(|u| field(ObjectId::parse(u), "UserID")).transpose()?;
    let level = match (buyer, user) {
        (None, None) => AssignmentLevel::Marketplace,
        (Some(b), None) => AssignmentLevel::Buyer(b),
        (Some(buyer_id), Some(user_id)) => AssignmentLevel::BuyerUser { buyer_id, user_id },
        (None, Some(u)) => AssignmentLevel::AdminUser(u),
    };
    Ok(SecurityProfileAssignment { security_profile_id: profile, level })
}

/// Renders an assignment.
pub fn render_assignment(a: &SecurityProfileAssignment) -> Value {
    let (level, role) = match &a.level {
        AssignmentLevel::Marketplace => ("Company", "Seller"),
        AssignmentLevel::Buyer(_) => ("Company", "Buyer"),
        AssignmentLevel::BuyerUser { .. } => ("User", "Buyer"),
        AssignmentLevel::AdminUser(_) => ("User", "Seller"),
    };
    json!({
        "SecurityProfileID": a.security_profile_id.as_str(),
        "BuyerID": a.buyer_id().map(ObjectId::as_str),
        "SupplierID": null,
        "UserID": a.user_id().map(ObjectId::as_str),
        "UserGroupID": null,
        "Level": level,
        "CommerceRole": role,
    })
}

pub(super) async fn assignments_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_assignments(&p).await?.iter().map(render_assignment).collect();
    Ok(Json(page(items, q.as_deref(), &ASSIGNMENT_SPEC)?))
}

pub(super) async fn assignment_save(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<AssignmentIn>,
) -> Result<StatusCode, OcError> {
    app.save_assignment(&p, || {
        let profile = body
            .security_profile_id
            .as_deref()
            .ok_or_else(|| AppError::invalid("SecurityProfileID", "SecurityProfileID is required"))?;
        assignment(
            profile,
            body.buyer_id.as_deref(),
            body.user_id.as_deref(),
            body.supplier_id.as_deref(),
            body.user_group_id.as_deref(),
        )
        .map_err(super::error::oc_to_app)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(super) struct AssignmentTarget {
    #[serde(rename = "buyerID")]
    buyer_id: Option<String>,
    #[serde(rename = "userID")]
    user_id: Option<String>,
    #[serde(rename = "supplierID")]
    supplier_id: Option<String>,
    #[serde(rename = "userGroupID")]
    user_group_id: Option<String>,
}

pub(super) async fn assignment_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(profile): Path<String>,
    Query(t): Query<AssignmentTarget>,
) -> Result<StatusCode, OcError> {
    let a = assignment(
        &profile,
        t.buyer_id.as_deref(),
        t.user_id.as_deref(),
        t.supplier_id.as_deref(),
        t.user_group_id.as_deref(),
    )?;
    app.delete_assignment(&p, a).await?;
    Ok(StatusCode::NO_CONTENT)
}
