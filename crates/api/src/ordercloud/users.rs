//! `/v1/adminusers` and `/v1/buyers/{buyerID}/users`: users in OrderCloud's wire format (one
//! wire shape and one set of handlers for both companies; `Password` is write-only).

use super::error::OcError;
use super::error::oc_to_app;
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema;
use super::wire::{iso, xp_of};
use super::{created, field};
use crate::ordercloud::fields::{refused, rejected, required};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cartwire_app::identity::{Company, UserInput};
use cartwire_app::{App, AppError};
use cartwire_domain::ObjectId;
use cartwire_domain::user::{User, UserProfile};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserIn {
    #[serde(rename = "ID")]
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    id: Option<String>,
    #[serde(rename = "Username")]
    #[schema(required = true, nullable = false)]
    username: Option<String>,
    #[serde(rename = "Password")]
    password: Option<String>,
    #[serde(rename = "FirstName")]
    #[schema(required = true, nullable = false)]
    first_name: Option<String>,
    #[serde(rename = "LastName")]
    #[schema(required = true, nullable = false)]
    last_name: Option<String>,
    #[serde(rename = "Email")]
    #[schema(required = true, nullable = false)]
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
    pub(super) fn into_input(self) -> Result<UserInput, AppError> {
        let req = |v: Option<String>, name: &str| v.ok_or_else(|| required(name));
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
                    .map_err(|_| rejected("TermsAccepted", "TermsAccepted must be an ISO-8601 date-time"))?,
                active: self.active.unwrap_or(false),
                xp: xp_of(self.xp)?,
            },
            password: self.password.filter(|p| !p.is_empty()),
        })
    }
}

/// Renders a user (never the password).
pub fn render_user(u: &User) -> schema::User {
    schema::User {
        id: u.id.as_str().to_owned(),
        company_id: u.buyer_id.as_ref().map(|b| b.as_str().to_owned()),
        username: u.profile.username.clone(),
        password: None,
        first_name: Some(u.profile.first_name.clone()),
        last_name: Some(u.profile.last_name.clone()),
        email: Some(u.profile.email.clone()),
        phone: u.profile.phone.clone(),
        terms_accepted: u.profile.terms_accepted.map(iso),
        active: u.profile.active,
        xp: u.profile.xp.clone(),
        date_created: iso(u.date_created),
        password_last_set_date: u.password_last_set.map(iso),
    }
}

pub(super) fn admin() -> Company {
    Company::Admin
}

pub(super) async fn list_users(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    q: Option<String>,
) -> Result<Json<schema::ListPage<schema::User>>, OcError> {
    let items = app.list_users(&p, &company).await?.iter().map(render_user).collect();
    Ok(Json(page(items, q.as_deref(), &USER_SPEC)?))
}

pub(super) async fn create_user(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    body: UserIn,
    base: &str,
) -> Result<Response, OcError> {
    let user = app
        .create_user(&p, &company, || {
            let id = body.id.as_deref().map(ObjectId::parse).transpose().map_err(|e| refused("ID", e))?;
            Ok((id, body.into_input()?))
        })
        .await?;
    Ok(created(&app, &format!("{base}/{}", user.id), render_user(&user)))
}

pub(super) async fn put_user(
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

pub(super) async fn patch_user(
    app: App,
    p: cartwire_app::Principal,
    company: Company,
    id: String,
    body: Value,
) -> Result<Json<schema::User>, OcError> {
    let (user, _) = app
        .save_user(
            &p,
            &company,
            &id,
            |current| {
                let current = current.expect("save_user checks existence for PATCH");
                let merged: UserIn = from_value(merge_patch(render_user(current), body)).map_err(oc_to_app)?;
                let new_id = match &merged.id {
                    Some(i) => ObjectId::parse(i).map_err(|e| refused("ID", e))?,
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
) -> Result<Json<schema::ListPage<schema::User>>, OcError> {
    list_users(app, p, admin(), q).await
}
pub(super) async fn admin_user_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::User>, OcError> {
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
) -> Result<Json<schema::User>, OcError> {
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
) -> Result<Json<schema::ListPage<schema::User>>, OcError> {
    list_users(app, p, Company::Buyer(b), q).await
}
pub(super) async fn buyer_user_get(
    State(app): State<App>,
    Caller(p): Caller,
    Path((b, id)): Path<(String, String)>,
) -> Result<Json<schema::User>, OcError> {
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
) -> Result<Json<schema::User>, OcError> {
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
