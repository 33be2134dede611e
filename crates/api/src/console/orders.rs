//! Orders from every API in one list (source, status, total, customer; filtered by status,
//! source, customer and creation time; found by id, short id, email or external id), and one
//! order with its lines, the events it caused and every delivery of them.

use super::Session;
use super::layout::{Page, error_page, explain, money, when};
use crate::operator::orders::{parse_source, source, source_word};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_domain::order::{Order, OrderStatus, Source};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

/// The list's filters (a form's fields, each empty when unused).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct Filters {
    #[serde(default)]
    status: String,
    /// `threekit`, `activecampaign` or `ordercloud`.
    #[serde(default)]
    source: String,
    #[serde(default)]
    customer: String,
    /// Created at or after (UTC, `datetime-local`).
    #[serde(default)]
    from: String,
    /// Created before (UTC, `datetime-local`).
    #[serde(default)]
    to: String,
    /// An order's id or short id goes to its page; anything else is looked up as an email
    /// (when it holds an `@`) or an external id.
    #[serde(default)]
    find: String,
    #[serde(default)]
    offset: i64,
}

/// Orders per page.
const PAGE: i64 = 100;

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn total(o: &Order) -> String {
    o.totals.as_ref().map(|t| money(t.total.get(), t.currency.as_str())).unwrap_or_default()
}

/// `GET /console/orders`.
pub async fn list(State(app): State<App>, s: Session, Query(f): Query<Filters>) -> Response {
    // An id or a short id goes straight to its order; anything else is searched for below, as
    // an email (with an `@`) or an external id.
    let find = f.find.trim();
    if !find.is_empty() && app.order_with_events(&s.principal, find).await.is_ok() {
        return axum::response::Redirect::to(&format!("/console/orders/{find}")).into_response();
    }
    let status = OrderStatus::parse(f.status.trim()).ok();
    let wanted = parse_source(f.source.trim());
    let time = |field: &str, v: &str| nonempty(v).map(|v| super::replay::utc(field, &v)).transpose();
    let (from, to) = match (time("From", &f.from), time("To", &f.to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => {
            return super::layout::message_page(Some(&s), axum::http::StatusCode::BAD_REQUEST, "Refused", &e);
        }
    };
    let (email, external_id) = match nonempty(find) {
        Some(f) if f.contains('@') => (Some(f), None),
        other => (None, other),
    };
    let filter = OrderFilter {
        statuses: status.into_iter().collect(),
        source: wanted,
        customer_id: nonempty(&f.customer),
        from,
        to,
        email,
        external_id,
        ..OrderFilter::default()
    };
    let offset = f.offset.max(0);
    let (orders, count) = match app.all_orders(&s.principal, &filter, offset, PAGE).await {
        Ok(page) => page,
        Err(e) => return error_page(Some(&s), &e),
    };
    let next = Filters { offset: offset + PAGE, ..f.clone() };
    let next = serde_urlencoded::to_string(&next).unwrap_or_default();
    let body = html! {
        h1 { "Orders" }
        form.filters method="get" action="/console/orders" {
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" { "any" }
                    @for st in OrderStatus::ALL {
                        option value=(st.as_str()) selected[status == Some(st)] { (st.as_str()) }
                    }
                }
            }
            div {
                label for="source" { "Source" }
                select #source name="source" {
                    option value="" { "any" }
                    @for src in Source::ALL {
                        option value=(source_word(src)) selected[wanted == Some(src)] { (source_word(src)) }
                    }
                }
            }
            div {
                label for="customer" { "Customer id" }
                input #customer name="customer" type="text" value=(f.customer);
            }
            div { label for="from" { "Created from (UTC)" } input #from name="from" type="datetime-local" value=(f.from); }
            div { label for="to" { "to" } input #to name="to" type="datetime-local" value=(f.to); }
            div {
                label for="find" { "Id, short id, email or external id" }
                input #find name="find" type="search" value=(f.find);
            }
            button type="submit" { "Filter" }
        }
        p { (count) " orders" @if count > PAGE { ", showing " (offset + 1) "–" (offset + orders.len() as i64) } "." }
        div.table {
            table {
                thead { tr { th { "Created" } th { "Order" } th { "Source" } th { "Status" } th { "Total" } th { "Customer" } } }
                tbody {
                    @for o in &orders {
                        tr {
                            td { (when(o.created_at)) }
                            td { a href={ "/console/orders/" (o.id.to_string()) } { (o.name.as_deref().unwrap_or(&o.short_id)) } }
                            td { (source(o)) }
                            td { (o.status.as_str()) }
                            td { (total(o)) }
                            td { (o.customer_id.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        @if offset + PAGE < count {
            a href={ "/console/orders?" (next) } { "Next page" }
        }
    };
    Page::new("Orders", body).render(Some(&s))
}

fn lines(o: &Order) -> Markup {
    html! {
        table {
            thead { tr { th { "Product" } th { "Quantity" } th { "Unit price" } } }
            tbody {
                @if let Some(shop) = &o.shop {
                    @for l in &shop.products { tr { td { (l.name) } td { (l.quantity) } td { (money(l.price.get(), shop_currency(o))) } } }
                } @else if let Some(co) = &o.checkout {
                    @for l in &co.lines { tr { td { (l.product.id) } td { (l.quantity) } td { (money(l.unit_price.get(), shop_currency(o))) } } }
                } @else {
                    @for l in &o.lines { tr { td { (l.configuration_id) } td { (l.count.get()) } td { "" } } }
                }
            }
        }
    }
}

fn shop_currency(o: &Order) -> &str {
    o.totals.as_ref().map(|t| t.currency.as_str()).unwrap_or("")
}

/// `GET /console/orders/{id}`.
pub async fn show(State(app): State<App>, s: Session, Path(id): Path<String>) -> Response {
    let (o, events) = match app.order_with_events(&s.principal, &id).await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&s), &e),
    };
    let title = o.name.clone().unwrap_or_else(|| o.short_id.to_string());
    // Deliveries need a webhook reader's role: without it the page says so instead.
    let deliveries = app.deliveries_for_resource(&s.principal, &o.id.to_string()).await;
    let body = html! {
        h1 { "Order " (title) }
        table {
            tr { th { "Id" } td { code { (o.id.to_string()) } } }
            tr { th { "Short id" } td { code { (o.short_id.to_string()) } } }
            tr { th { "Source" } td { (source(&o)) } }
            tr { th { "Status" } td { (o.status.as_str()) } }
            tr { th { "Total" } td { (total(&o)) } }
            tr { th { "Customer" } td { (o.customer_id.as_deref().unwrap_or("")) } }
            tr { th { "Created" } td { (when(o.created_at)) } }
        }
        h2 { "Lines" }
        (lines(&o))
        h2 { "Events" }
        table {
            thead { tr { th { "When" } th { "Key" } th { "Through" } } }
            tbody {
                @for e in &events {
                    tr {
                        td { (when(e.occurred_at)) }
                        td { code { (e.key) } }
                        td { (e.dialect) }
                    }
                }
            }
        }
        h2 { "Deliveries" }
        @match &deliveries {
            Ok(ds) if ds.is_empty() => p { "None: no integration observes its events." },
            Ok(ds) => table {
                thead { tr { th { "Created" } th { "Event" } th { "Integration" } th { "Status" } th { "Attempts" } } }
                tbody {
                    @for d in ds {
                        tr {
                            td { a href={ "/console/deliveries/" (d.id) } { (when(d.created_at)) } }
                            td { code { (d.event_key) } }
                            td { code { (d.integration_id) } }
                            td class={ "status-" (d.status) } { (d.status) }
                            td { (d.attempts) }
                        }
                    }
                }
            },
            Err(e) => p.muted { "Not shown. " (explain(e)) },
        }
    };
    Page::new(format!("Order {title}"), body).render(Some(&s))
}
