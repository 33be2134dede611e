//! The Threekit dialect: `/api/orders…` with UUID tokens (private: `Authorization: Bearer` or
//! `?bearer_token=`; public: `?bearer_token=` from an allowed domain), bare order bodies and
//! `{"error":{"code","message"}}` errors.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_app::orders::storefront::{StorefrontCaller, StorefrontError};
use cartwire_domain::order::{LineItem, Order, OrderStatus, Platform, check_name, lines_from_legacy_items};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The dialect's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/orders", post(create).get(list))
        .route("/api/orders/healthcheck", get(healthcheck))
        .route("/api/orders/{id}", get(get_one).put(update).delete(delete))
        .route("/api/orders/{id}/items", post(add_items))
        .route("/api/orders/{id}/cart", post(add_cart).put(replace_cart))
}

/// A Threekit error response.
pub struct TkError(StatusCode, &'static str, String);

impl IntoResponse for TkError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": {"code": self.1, "message": self.2}}))).into_response()
    }
}

impl From<StorefrontError> for TkError {
    fn from(e: StorefrontError) -> Self {
        match e {
            StorefrontError::Unauthorized(m) => TkError(StatusCode::UNAUTHORIZED, "unauthorized", m),
            StorefrontError::Forbidden(m) => TkError(StatusCode::FORBIDDEN, "forbidden", m),
            StorefrontError::NotFound(m) => TkError(StatusCode::NOT_FOUND, "not_found", m),
            StorefrontError::Invalid(m) => invalid(m),
            StorefrontError::Internal(e) => {
                tracing::error!(error = %e, "threekit dialect failure");
                TkError(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred".into())
            }
        }
    }
}

fn invalid(m: impl Into<String>) -> TkError {
    TkError(StatusCode::UNPROCESSABLE_ENTITY, "validation_error", m.into())
}

fn query_param(q: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q.unwrap_or(""))
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The verified caller.
pub struct Caller(StorefrontCaller);

impl FromRequestParts<App> for Caller {
    type Rejection = TkError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, TkError> {
        let header_token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned());
        let token = header_token.or_else(|| query_param(parts.uri.query(), "bearer_token"));
        let h = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let caller = app
            .storefront_caller(token.as_deref(), h(header::ORIGIN).as_deref(), h(header::REFERER).as_deref())
            .await?;
        Ok(Caller(caller))
    }
}

fn iso(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Renders an order as Threekit does: always `name`, `customerId`, `cart` and `items`.
pub fn render(o: &Order) -> Value {
    let cart: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({"configurationId": l.configuration_id, "count": l.count});
            if let Some(m) = &l.metadata {
                v["metadata"] = m.clone();
            }
            v
        })
        .collect();
    let mut platform = Map::new();
    if let Some(v) = &o.platform.id {
        platform.insert("id".into(), json!(v));
    }
    if let Some(v) = &o.platform.platform {
        platform.insert("platform".into(), json!(v));
    }
    if let Some(v) = &o.platform.store_name {
        platform.insert("storeName".into(), json!(v));
    }
    json!({
        "id": o.id,
        "shortId": o.short_id,
        "orgId": o.org_id,
        "name": o.name,
        "customerId": o.customer_id,
        "originOrgId": o.origin_org_id,
        "platform": platform,
        "metadata": o.metadata,
        "cart": cart,
        "items": o.legacy_items,
        "derivative": o.derivative,
        "status": o.status.threekit(),
        "createdBy": o.created_by,
        "createdAt": iso(o.created_at),
        "updatedAt": o.updated_at.map(iso),
        "deletedAt": o.deleted_at.map(iso),
    })
}

fn parse_json(body: &Bytes) -> Result<Map<String, Value>, TkError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(TkError(StatusCode::BAD_REQUEST, "bad_request", "The body must be a JSON object".into())),
        Err(e) => Err(TkError(StatusCode::BAD_REQUEST, "bad_request", format!("The body is not valid JSON: {e}"))),
    }
}

fn opt_string(m: &Map<String, Value>, field: &str) -> Result<Option<String>, TkError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

fn opt_object(m: &Map<String, Value>, field: &str) -> Result<Option<Value>, TkError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(invalid(format!("{field} must be an object"))),
    }
}

fn derivative(m: &Map<String, Value>) -> Result<Option<Value>, TkError> {
    let d = opt_object(m, "derivative")?;
    if let Some(Value::Object(o)) = &d
        && o.values().any(|v| !v.is_string())
    {
        return Err(invalid("derivative values must be strings"));
    }
    Ok(d)
}

fn cart_lines(v: &Value) -> Result<Vec<LineItem>, TkError> {
    let items = v.as_array().ok_or_else(|| invalid("cart must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let o = item.as_object().ok_or_else(|| invalid(format!("cart[{i}] must be an object")))?;
            let id = o
                .get("configurationId")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("cart[{i}].configurationId is required")))?;
            let count = match o.get("count") {
                None | Some(Value::Null) => 1,
                Some(c) => c.as_i64().ok_or_else(|| invalid(format!("cart[{i}].count must be a whole number")))?,
            };
            let metadata = match o.get("metadata") {
                None | Some(Value::Null) => None,
                Some(m @ Value::Object(map)) if map.values().all(|v| v.is_string() || v.is_number()) => Some(m.clone()),
                Some(_) => return Err(invalid(format!("cart[{i}].metadata values must be strings or numbers"))),
            };
            LineItem::new(id.to_owned(), count, metadata).map_err(|e| invalid(format!("cart[{i}]: {e}")))
        })
        .collect()
}

fn platform(m: &Map<String, Value>) -> Result<Option<Platform>, TkError> {
    let Some(v) = opt_object(m, "platform")? else { return Ok(None) };
    let o = v.as_object().expect("object");
    let s = |k: &str| opt_string(o, k).map_err(|_| invalid(format!("platform.{k} must be a string")));
    Ok(Some(Platform { id: s("id")?, platform: s("platform")?, store_name: s("storeName")? }))
}

fn status(m: &Map<String, Value>) -> Result<Option<OrderStatus>, TkError> {
    opt_string(m, "status")?.map(|s| OrderStatus::from_threekit(&s).map_err(|e| invalid(e.to_string()))).transpose()
}

async fn check_org(app: &App, m: &Map<String, Value>) -> Result<(), TkError> {
    if let Some(org) = opt_string(m, "orgId")? {
        let ours = app.org_id().await.map_err(StorefrontError::from)?;
        if org != ours {
            return Err(TkError(StatusCode::FORBIDDEN, "forbidden", "orgId is not this organization".into()));
        }
    }
    Ok(())
}

async fn create(State(app): State<App>, Caller(c): Caller, body: Bytes) -> Result<Json<Value>, TkError> {
    let m = parse_json(&body)?;
    check_org(&app, &m).await?;
    let name = opt_string(&m, "name")?;
    if let Some(n) = &name {
        check_name(n).map_err(|e| invalid(e.to_string()))?;
    }
    let mut lines = match m.get("cart") {
        None | Some(Value::Null) => vec![],
        Some(v) => cart_lines(v)?,
    };
    let legacy = m.get("items").cloned().filter(|v| !v.is_null()).unwrap_or_else(|| json!([]));
    // Deprecated `items` are kept as sent and, when well-formed, converted into the cart.
    if let Some(converted) = lines_from_legacy_items(&legacy) {
        lines.extend(converted);
    }
    let order = Order {
        id: String::new(),
        short_id: String::new(),
        org_id: app.org_id().await.map_err(StorefrontError::from)?,
        origin_org_id: opt_string(&m, "originOrgId")?,
        name,
        customer_id: opt_string(&m, "customerId")?,
        owner: None,
        platform: platform(&m)?.unwrap_or_default(),
        lines,
        legacy_items: legacy,
        metadata: opt_object(&m, "metadata")?.unwrap_or_else(|| json!({})),
        derivative: derivative(&m)?.unwrap_or_else(|| json!({})),
        status: status(&m)?.unwrap_or(OrderStatus::Placed),
        created_by: None,
        created_at: OffsetDateTime::now_utc(),
        updated_at: None,
        placed_at: None,
        deleted_at: None,
        abandoned_at: None,
        totals: None,
        shop: None,
        checkout: None,
    };
    Ok(Json(render(&app.create_storefront_order(&c, order).await?)))
}

async fn list(State(app): State<App>, Caller(c): Caller, RawQuery(q): RawQuery) -> Result<Json<Value>, TkError> {
    let q = q.as_deref();
    let page = match query_param(q, "page") {
        None => 1,
        Some(v) => {
            v.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| invalid("page must be a positive whole number"))?
        }
    };
    let per_page = match query_param(q, "perPage") {
        None => 100,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(|| invalid("perPage must be 1 to 100"))?,
    };
    let sort = query_param(q, "sort").unwrap_or_else(|| "-createdAt".into());
    if !["createdAt", "-createdAt", "name", "-name", "updatedAt", "-updatedAt"].contains(&sort.as_str()) {
        return Err(invalid("sort must be one of createdAt, name, updatedAt, optionally prefixed with -"));
    }
    let empty = || Json(json!({"orders": [], "count": 0, "page": page, "perPage": per_page, "sort": sort}));
    if let Some(org) = query_param(q, "orgId")
        && org != app.org_id().await.map_err(StorefrontError::from)?
    {
        return Ok(empty());
    }
    let platform = match query_param(q, "platform") {
        None => None,
        Some(p) => {
            let v: Value = serde_json::from_str(&p).map_err(|_| invalid("platform must be a JSON object"))?;
            let mut m = Map::new();
            m.insert("platform".into(), v);
            platform(&m)?
        }
    };
    let statuses = match query_param(q, "status") {
        None => vec![],
        Some(s) => vec![OrderStatus::from_threekit(&s).map_err(|e| invalid(e.to_string()))?],
    };
    let filter = OrderFilter {
        short_id: query_param(q, "shortId"),
        origin_org_id: query_param(q, "originOrgId"),
        customer_id: query_param(q, "customerId"),
        statuses,
        platform,
    };
    let (orders, count) = app.storefront_orders(&c, &filter, &sort, (page - 1) * per_page, per_page).await?;
    Ok(Json(json!({
        "orders": orders.iter().map(render).collect::<Vec<_>>(),
        "count": count,
        "page": page,
        "perPage": per_page,
        "sort": sort,
    })))
}

async fn get_one(State(app): State<App>, Caller(c): Caller, Path(id): Path<String>) -> Result<Json<Value>, TkError> {
    Ok(Json(render(&app.storefront_order(&c, &id).await?)))
}

async fn update(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, TkError> {
    let m = parse_json(&body)?;
    check_org(&app, &m).await?;
    let name = opt_string(&m, "name")?;
    if let Some(n) = &name {
        check_name(n).map_err(|e| invalid(e.to_string()))?;
    }
    let (new_status, metadata, deriv) = (status(&m)?, opt_object(&m, "metadata")?, derivative(&m)?);
    let cart = match m.get("cart") {
        None | Some(Value::Null) => None,
        Some(v) => Some(cart_lines(v)?),
    };
    let (customer, plat) = (opt_string(&m, "customerId")?, platform(&m)?);
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if let Some(n) = name {
                o.name = Some(n);
            }
            if let Some(s) = new_status {
                o.status = s;
            }
            if let Some(md) = metadata {
                o.metadata = md;
            }
            if let Some(d) = deriv {
                o.derivative = d;
            }
            if let Some(lines) = cart {
                o.lines = lines;
            }
            if let Some(cust) = customer {
                o.customer_id = Some(cust);
            }
            if let Some(p) = plat {
                o.platform = p;
            }
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

async fn add_items(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, TkError> {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| TkError(StatusCode::BAD_REQUEST, "bad_request", format!("The body is not valid JSON: {e}")))?;
    // The body is the items array, or an object holding `items`.
    let items = match v {
        Value::Object(mut m) => m.remove("items").unwrap_or(Value::Null),
        other => other,
    };
    let converted = lines_from_legacy_items(&items)
        .ok_or_else(|| invalid("items must be an array of {configurationId, count?} or configuration ids"))?;
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if let (Value::Array(kept), Value::Array(new)) = (&mut o.legacy_items, &items) {
                kept.extend(new.iter().cloned());
            }
            o.lines.extend(converted);
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

async fn cart_change(
    app: App,
    c: StorefrontCaller,
    id: String,
    body: Bytes,
    replace: bool,
) -> Result<Json<Value>, TkError> {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| TkError(StatusCode::BAD_REQUEST, "bad_request", format!("The body is not valid JSON: {e}")))?;
    let lines = cart_lines(&v)?;
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if replace {
                o.lines = lines;
            } else {
                o.lines.extend(lines);
            }
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

async fn add_cart(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, TkError> {
    cart_change(app, c, id, body, false).await
}

async fn replace_cart(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, TkError> {
    cart_change(app, c, id, body, true).await
}

async fn delete(State(app): State<App>, Caller(c): Caller, Path(id): Path<String>) -> Result<Json<Value>, TkError> {
    Ok(Json(render(&app.delete_storefront_order(&c, &id).await?)))
}

async fn healthcheck() -> Json<bool> {
    Json(true)
}
