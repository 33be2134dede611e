//! The six handlers of a plain OrderCloud resource — list (with OrderCloud's list query), get,
//! create (201 with `Location`), put, patch (render, merge, parse: OrderCloud's PATCH is a
//! merge of the stored body) and delete (204) — written once. A resource says how it renders,
//! how its wire body becomes the domain value and which use cases it calls ([`Crud`]);
//! [`routes`] mounts and describes the six.
//!
//! Resources with a parent in the path (a buyer's users, approval rules) or with extra rules
//! at the edge keep their own handlers.

use super::created;
use super::error::{OcError, oc_to_app};
use super::extract::{Caller, JsonValue, OcJson, from_value, merge_patch};
use super::list::{ListSpec, page};
use super::schema::ListPage;
use crate::openapi::{Documented, Op};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartwire_app::SaveMode;
use cartwire_app::{App, AppError, Principal};
use cartwire_domain::ObjectId;
use serde::de::DeserializeOwned;
use std::future::Future;

/// How a save builds the value from the id and the current one (`None` when new).
pub(super) type Build<'a, T> = Box<dyn FnOnce(ObjectId, Option<&T>) -> Result<T, AppError> + Send + 'a>;

/// A resource served by the generic handlers.
pub(super) trait Crud: Send + Sync + 'static {
    /// The domain value.
    type Item: Send + Sync + 'static;
    /// The wire body of a write.
    type In: DeserializeOwned + utoipa::ToSchema + Send + 'static;
    /// The rendering: what the wire carries and the document describes (see `schema`).
    type Out: utoipa::ToSchema + serde::Serialize + Send;
    /// What one is called, for the operations' summaries (`buyer`).
    const NOUN: &'static str;
    /// Roles that may read (besides `FullAccess`).
    const READ: &'static [&'static str];
    /// Roles that may write.
    const WRITE: &'static [&'static str];
    /// The collection's path, for `Location`.
    const COLLECTION: &'static str;
    /// What its list query may search, sort and filter.
    const SPEC: ListSpec;

    /// The value's id.
    fn id(item: &Self::Item) -> &str;
    /// The value on the wire.
    fn render(item: &Self::Item) -> Self::Out;
    /// The requested id of a create body.
    fn requested_id(body: &Self::In) -> Option<String>;
    /// Parses a write body into the value with `id` (runs inside the use case, after its role
    /// check).
    fn into_domain(body: Self::In, id: ObjectId) -> Result<Self::Item, AppError>;

    /// Every value the caller may read.
    fn list(app: &App, p: &Principal) -> impl Future<Output = Result<Vec<Self::Item>, AppError>> + Send;
    /// One value.
    fn get(app: &App, p: &Principal, id: &str) -> impl Future<Output = Result<Self::Item, AppError>> + Send;
    /// Creates, overwrites or patches (see [`SaveMode`]).
    fn save<'a>(
        app: &'a App,
        p: &'a Principal,
        id: Option<&'a str>,
        mode: SaveMode,
        build: Build<'a, Self::Item>,
    ) -> impl Future<Output = Result<Self::Item, AppError>> + Send + 'a;
    /// Deletes one.
    fn delete(app: &App, p: &Principal, id: &str) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// Mounts and describes the six handlers of `R` at `collection` and `item` (which names its
/// id `{id}`).
pub(super) fn routes<R: Crud>(api: Documented, collection: &str, item: &str) -> Documented {
    use axum::http::Method as M;
    let n = R::NOUN;
    let one = |summary: String| Op::new(summary).answer::<R::Out>(200, "It.");
    api.route(
        M::GET,
        collection,
        list::<R>,
        Op::new(format!("Lists {n}s"))
            .roles(R::READ)
            .params(R::SPEC.params())
            .answer::<ListPage<R::Out>>(200, "A page."),
    )
    .route(
        M::POST,
        collection,
        create::<R>,
        Op::new(format!("Creates a {n}"))
            .roles(R::WRITE)
            .body::<R::In>()
            .answer::<R::Out>(201, "The new one.")
            .errors(&[404, 409]),
    )
    .route(M::GET, item, get_one::<R>, one(format!("A {n}")).roles(R::READ))
    .route(
        M::PUT,
        item,
        put::<R>,
        one(format!("Creates or replaces a {n}")).roles(R::WRITE).body::<R::In>().errors(&[409]),
    )
    .route(
        M::PATCH,
        item,
        patch::<R>,
        one(format!("Changes the fields sent of a {n}")).roles(R::WRITE).patch_body::<R::In>().errors(&[409]),
    )
    .route(M::DELETE, item, delete::<R>, Op::new(format!("Deletes a {n}")).roles(R::WRITE).empty(204, "Deleted."))
}

async fn list<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<ListPage<R::Out>>, OcError> {
    let items = R::list(&app, &p).await?.iter().map(R::render).collect();
    Ok(Json(page(items, q.as_deref(), &R::SPEC)?))
}

async fn get_one<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<R::Out>, OcError> {
    Ok(Json(R::render(&R::get(&app, &p, &id).await?)))
}

async fn create<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    OcJson(body): OcJson<R::In>,
) -> Result<Response, OcError> {
    let id = R::requested_id(&body);
    let saved = R::save(&app, &p, id.as_deref(), SaveMode::Create, Box::new(|id, _| R::into_domain(body, id))).await?;
    Ok(created(&app, &format!("{}/{}", R::COLLECTION, R::id(&saved)), R::render(&saved)))
}

async fn put<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    OcJson(body): OcJson<R::In>,
) -> Result<Json<R::Out>, OcError> {
    let saved = R::save(&app, &p, Some(&id), SaveMode::Upsert, Box::new(|id, _| R::into_domain(body, id))).await?;
    Ok(Json(R::render(&saved)))
}

async fn patch<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<R::Out>, OcError> {
    let merge = Box::new(move |id, current: Option<&R::Item>| {
        let current = current.expect("SaveMode::Patch checks existence");
        let merged: R::In = from_value(merge_patch(R::render(current), body)).map_err(oc_to_app)?;
        R::into_domain(merged, id)
    });
    Ok(Json(R::render(&R::save(&app, &p, Some(&id), SaveMode::Patch, merge).await?)))
}

async fn delete<R: Crud>(
    State(app): State<App>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, OcError> {
    R::delete(&app, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
