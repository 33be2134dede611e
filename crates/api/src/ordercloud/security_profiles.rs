//! `/v1/securityprofiles` and their assignments (to a user, a user group's company or the
//! marketplace) in OrderCloud's wire format.

use super::crud::{Build, Crud};
use super::error::OcError;
use super::extract::{Caller, OcJson};
use super::field;
use super::list::{ListSpec, page};
use super::schema;
use crate::ordercloud::fields::{refused, required};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use cartwire_app::SaveMode;
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::ObjectId;
use cartwire_domain::role::{parse_custom_roles, parse_roles};
use cartwire_domain::user::{AssignmentLevel, SecurityProfile, SecurityProfileAssignment};
use serde::Deserialize;

/// Query capabilities of security profiles.
pub const PROFILE_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name"],
    filterable: &["ID", "Name", "Roles", "CustomRoles"],
};

/// The wire body of a security profile write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SecurityProfileIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Name")]
    #[schema(required = true, nullable = false)]
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
            name: self.name.ok_or_else(|| required("Name"))?,
            roles: parse_roles(self.roles.iter().flatten().map(String::as_str)).map_err(|e| refused("Roles", e))?,
            custom_roles: parse_custom_roles(&self.custom_roles.unwrap_or_default())
                .map_err(|e| refused("CustomRoles", e))?,
        })
    }
}

/// Renders a security profile.
pub fn render_profile(sp: &SecurityProfile) -> schema::SecurityProfile {
    schema::SecurityProfile {
        id: sp.id.as_str().to_owned(),
        name: sp.name.clone(),
        roles: sp.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        custom_roles: sp.custom_roles.clone(),
    }
}

/// Security profiles through the generic handlers.
pub(super) struct SecurityProfiles;

impl Crud for SecurityProfiles {
    type Out = super::schema::SecurityProfile;
    const NOUN: &'static str = "security profile";
    const READ: &'static [&'static str] = &["SecurityProfileAdmin", "SecurityProfileReader"];
    const WRITE: &'static [&'static str] = &["SecurityProfileAdmin"];
    type Item = SecurityProfile;
    type In = SecurityProfileIn;
    const COLLECTION: &'static str = "/v1/securityprofiles";
    const SPEC: ListSpec = PROFILE_SPEC;

    fn id(item: &SecurityProfile) -> &str {
        item.id.as_str()
    }
    fn render(item: &SecurityProfile) -> Self::Out {
        render_profile(item)
    }
    fn requested_id(body: &SecurityProfileIn) -> Option<String> {
        body.id.clone()
    }
    fn into_domain(body: SecurityProfileIn, id: ObjectId) -> Result<SecurityProfile, AppError> {
        body.into_domain(id)
    }
    async fn list(app: &App, p: &Principal) -> Result<Vec<SecurityProfile>, AppError> {
        app.list_security_profiles(p).await
    }
    async fn get(app: &App, p: &Principal, id: &str) -> Result<SecurityProfile, AppError> {
        app.get_security_profile(p, id).await
    }
    async fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, SecurityProfile>,
    ) -> Result<SecurityProfile, AppError> {
        Ok(app.save_security_profile(p, id, mode, build).await?.0)
    }
    async fn delete(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
        app.delete_security_profile(p, id).await
    }
}

// ---------------------------------------------------------------- assignments

/// Query capabilities of assignments.
pub const ASSIGNMENT_SPEC: ListSpec = ListSpec {
    searchable: &[],
    sortable: &["SecurityProfileID", "BuyerID", "UserID"],
    filterable: &["SecurityProfileID", "BuyerID", "UserID", "SupplierID", "UserGroupID", "Level", "CommerceRole"],
};

/// The wire body of an assignment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignmentIn {
    #[serde(rename = "SecurityProfileID")]
    #[schema(required = true, nullable = false)]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    security_profile_id: Option<String>,
    #[serde(rename = "BuyerID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    buyer_id: Option<String>,
    #[serde(rename = "SupplierID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    supplier_id: Option<String>,
    #[serde(rename = "UserID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    user_id: Option<String>,
    #[serde(rename = "UserGroupID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
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
pub fn render_assignment(a: &SecurityProfileAssignment) -> schema::SecurityProfileAssignment {
    let (level, role) = match &a.level {
        AssignmentLevel::Marketplace => ("Company", "Seller"),
        AssignmentLevel::Buyer(_) => ("Company", "Buyer"),
        AssignmentLevel::BuyerUser { .. } => ("User", "Buyer"),
        AssignmentLevel::AdminUser(_) => ("User", "Seller"),
    };
    schema::SecurityProfileAssignment {
        security_profile_id: a.security_profile_id.as_str().to_owned(),
        buyer_id: a.buyer_id().map(|b| b.as_str().to_owned()),
        supplier_id: None,
        user_id: a.user_id().map(|u| u.as_str().to_owned()),
        user_group_id: None,
        level: level.to_owned(),
        commerce_role: role.to_owned(),
    }
}

pub(super) async fn assignments_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::ListPage<schema::SecurityProfileAssignment>>, OcError> {
    let items = app.list_assignments(&p).await?.iter().map(render_assignment).collect();
    Ok(Json(page(items, q.as_deref(), &ASSIGNMENT_SPEC)?))
}

pub(super) async fn assignment_save(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<AssignmentIn>,
) -> Result<StatusCode, OcError> {
    app.save_assignment(&p, || {
        let profile = body.security_profile_id.as_deref().ok_or_else(|| required("SecurityProfileID"))?;
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
