//! `/v1/adminusers`, `/v1/buyers`, `/v1/buyers/{buyerID}/users`, `/v1/securityprofiles` and
//! their assignments: wire structs and handlers.

use super::error::OcError;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::integration_events::oc_to_app;
use super::list::{ListSpec, page};
use super::{created, field};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::identity::{Company, SaveMode, UserInput};
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::role::{parse_custom_roles, parse_roles};
use cartwire_domain::user::{AssignmentLevel, Buyer, SecurityProfile, SecurityProfileAssignment, User, UserProfile};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn iso(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn xp_of(v: Option<Value>) -> Result<Value, AppError> {
    match v {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(AppError::invalid("xp", "xp must be an object")),
    }
}

// ---------------------------------------------------------------- users

/// Query capabilities of users.
pub const USER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Username", "FirstName", "LastName", "Email"],
    sortable: &["ID", "Username", "FirstName", "LastName", "Email", "DateCreated"],
    filterable: &[
        "ID",
        "CompanyID",
        "Username",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "Active",
        "DateCreated",
        "TermsAccepted",
    ],
};

/// The wire body of a user write. `Password` is write-only.
#[derive(Debug, Deserialize)]
pub struct UserIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Username")]
    username: Option<String>,
    #[serde(rename = "Password")]
    password: Option<String>,
    #[serde(rename = "FirstName")]
    first_name: Option<String>,
    #[serde(rename = "LastName")]
    last_name: Option<String>,
    #[serde(rename = "Email")]
    email: Option<String>,
    #[serde(rename = "Phone")]
    phone: Option<String>,
    #[serde(rename = "TermsAccepted")]
    terms_accepted: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    xp: Option<Value>,
}

impl UserIn {
    fn into_input(self) -> Result<UserInput, AppError> {
        let req =
            |v: Option<String>, name: &str| v.ok_or_else(|| AppError::invalid(name, format!("{name} is required")));
        Ok(UserInput {
            profile: UserProfile {
                username: req(self.username, "Username")?,
                first_name: req(self.first_name, "FirstName")?,
                last_name: req(self.last_name, "LastName")?,
                email: req(self.email, "Email")?,
                phone: self.phone,
                terms_accepted: self
                    .terms_accepted
                    .map(|t| OffsetDateTime::parse(&t, &Rfc3339))
                    .transpose()
                    .map_err(|_| AppError::invalid("TermsAccepted", "TermsAccepted must be an ISO-8601 date-time"))?,
                active: self.active.unwrap_or(false),
                xp: xp_of(self.xp)?,
            },
            password: self.password.filter(|p| !p.is_empty()),
        })
    }
}

/// Renders a user (never the password).
pub fn render_user(u: &User) -> Value {
    json!({
        "ID": u.id.as_str(),
        "CompanyID": u.buyer_id.as_ref().map(ObjectId::as_str),
        "Username": u.profile.username,
        "Password": null,
        "FirstName": u.profile.first_name,
        "LastName": u.profile.last_name,
        "Email": u.profile.email,
        "Phone": u.profile.phone,
        "TermsAccepted": u.profile.terms_accepted.map(iso),
        "Active": u.profile.active,
        "xp": u.profile.xp,
        "DateCreated": iso(u.date_created),
        "PasswordLastSetDate": u.password_last_set.map(iso),
    })
}

fn admin() -> Company {
    Company::Admin
}

async fn list_users(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    q: Option<String>,
) -> Result<Json<Value>, OcError> {
    let items = app.list_users(&p, &company).await?.iter().map(render_user).collect();
    Ok(Json(page(items, q.as_deref(), &USER_SPEC)?))
}

async fn create_user(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    body: UserIn,
    base: &str,
) -> Result<Response, OcError> {
    let user = app
        .create_user(&p, &company, || {
            let id = body.id.as_deref().map(ObjectId::parse).transpose().map_err(|e| AppError::invalid("ID", e))?;
            Ok((id, body.into_input()?))
        })
        .await?;
    Ok(created(&app, &format!("{base}/{}", user.id), render_user(&user)))
}

async fn put_user(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    id: String,
    body: UserIn,
) -> Result<Response, OcError> {
    let path_id = field(ObjectId::parse(&id), "ID")?;
    let (user, _) = app.save_user(&p, &company, &id, |_| Ok((path_id, body.into_input()?)), false).await?;
    Ok((StatusCode::OK, Json(render_user(&user))).into_response())
}

async fn patch_user(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    id: String,
    body: Value,
) -> Result<Json<Value>, OcError> {
    let (user, _) = app
        .save_user(
            &p,
            &company,
            &id,
            |current| {
                let current = current.expect("save_user checks existence for PATCH");
                let merged: UserIn = from_value(merge_patch(render_user(current), body)).map_err(oc_to_app)?;
                let new_id = match &merged.id {
                    Some(i) => ObjectId::parse(i).map_err(|e| AppError::invalid("ID", e))?,
                    None => current.id.clone(),
                };
                Ok((new_id, merged.into_input()?))
            },
            true,
        )
        .await?;
    Ok(Json(render_user(&user)))
}

pub(super) async fn admin_users_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    list_users(app, p, admin(), q).await
}
pub(super) async fn admin_user_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_user(&app.get_user(&p, &admin(), &id).await?)))
}
pub(super) async fn admin_user_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(b): OcJson<UserIn>,
) -> Result<Response, OcError> {
    create_user(app, p, admin(), b, "/v1/adminusers").await
}
pub(super) async fn admin_user_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(b): OcJson<UserIn>,
) -> Result<Response, OcError> {
    put_user(app, p, admin(), id, b).await
}
pub(super) async fn admin_user_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(b): JsonValue,
) -> Result<Json<Value>, OcError> {
    patch_user(app, p, admin(), id, b).await
}
pub(super) async fn admin_user_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_user(&p, &admin(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn buyer_users_list(
    State(app): State<App>,
    Caller(p): Caller,
    Path(b): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    list_users(app, p, Company::Buyer(b), q).await
}
pub(super) async fn buyer_user_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path((b, id)): Path<(String, String)>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_user(&app.get_user(&p, &Company::Buyer(b), &id).await?)))
}
pub(super) async fn buyer_user_create(
    State(app): State<App>,
    Caller(p): Caller,
    Path(b): Path<String>,
    OcJson(body): OcJson<UserIn>,
) -> Result<Response, OcError> {
    let base = format!("/v1/buyers/{b}/users");
    create_user(app, p, Company::Buyer(b), body, &base).await
}
pub(super) async fn buyer_user_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path((b, id)): Path<(String, String)>,
    OcJson(body): OcJson<UserIn>,
) -> Result<Response, OcError> {
    put_user(app, p, Company::Buyer(b), id, body).await
}
pub(super) async fn buyer_user_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path((b, id)): Path<(String, String)>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    patch_user(app, p, Company::Buyer(b), id, body).await
}
pub(super) async fn buyer_user_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path((b, id)): Path<(String, String)>,
) -> Result<StatusCode, OcError> {
    app.delete_user(&p, &Company::Buyer(b), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- buyers

/// Query capabilities of buyers.
pub const BUYER_SPEC: ListSpec = ListSpec {
    searchable: &["ID", "Name"],
    sortable: &["ID", "Name", "DateCreated"],
    filterable: &["ID", "Name", "DefaultCatalogID", "Active", "DateCreated"],
};

/// The wire body of a buyer write.
#[derive(Debug, Deserialize)]
pub struct BuyerIn {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "DefaultCatalogID")]
    default_catalog_id: Option<String>,
    #[serde(rename = "Active")]
    active: Option<bool>,
    xp: Option<Value>,
}

impl BuyerIn {
    fn into_domain(self, id: ObjectId) -> Result<Buyer, AppError> {
        Ok(Buyer {
            id,
            name: self.name.ok_or_else(|| AppError::invalid("Name", "Name is required"))?,
            default_catalog_id: self.default_catalog_id,
            active: self.active.unwrap_or(false),
            date_created: OffsetDateTime::now_utc(),
            xp: xp_of(self.xp)?,
        })
    }
}

/// Renders a buyer.
pub fn render_buyer(b: &Buyer) -> Value {
    json!({
        "ID": b.id.as_str(),
        "Name": b.name,
        "DefaultCatalogID": b.default_catalog_id,
        "Active": b.active,
        "DateCreated": iso(b.date_created),
        "xp": b.xp,
    })
}

pub(super) async fn buyers_list(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, OcError> {
    let items = app.list_buyers(&p).await?.iter().map(render_buyer).collect();
    Ok(Json(page(items, q.as_deref(), &BUYER_SPEC)?))
}
pub(super) async fn buyer_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, OcError> {
    Ok(Json(render_buyer(&app.get_buyer(&p, &id).await?)))
}
pub(super) async fn buyer_create(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<BuyerIn>,
) -> Result<Response, OcError> {
    let id = body.id.clone();
    let (b, _) = app.save_buyer(&p, id.as_deref(), SaveMode::Create, |id, _| body.into_domain(id)).await?;
    Ok(created(&app, &format!("/v1/buyers/{}", b.id), render_buyer(&b)))
}
pub(super) async fn buyer_put(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<BuyerIn>,
) -> Result<Json<Value>, OcError> {
    let (b, _) = app.save_buyer(&p, Some(&id), SaveMode::Upsert, |id, _| body.into_domain(id)).await?;
    Ok(Json(render_buyer(&b)))
}
pub(super) async fn buyer_patch(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<Value>, OcError> {
    let (b, _) = app
        .save_buyer(&p, Some(&id), SaveMode::Patch, |id, current| {
            let current = current.expect("SaveMode::Patch checks existence");
            let merged: BuyerIn = from_value(merge_patch(render_buyer(current), body)).map_err(oc_to_app)?;
            merged.into_domain(id)
        })
        .await?;
    Ok(Json(render_buyer(&b)))
}
pub(super) async fn buyer_delete(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    app.delete_buyer(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- security profiles

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
    fn into_domain(self, id: ObjectId) -> Result<SecurityProfile, AppError> {
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

fn assignment(
    profile: &str,
    buyer: Option<&str>,
    user: Option<&str>,
    supplier: Option<&str>,
    group: Option<&str>,
) -> Result<SecurityProfileAssignment, OcError> {
    fn nonempty(v: Option<&str>) -> Option<&str> {
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
        .map_err(super::integration_events::oc_to_app)
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
