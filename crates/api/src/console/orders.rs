//! Orders from every API in one list (source, status, total, customer; found by id or short
//! id), and one order with
//! its lines, the events it caused and every delivery of them.

use super::Session;
use super::layout::{Page, error_page, money, when};
use crate::operator::orders::source;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_domain::order::{Order, OrderStatus};
use maud::{Markup, html};
use serde::Deserialize;

/// The list's filters.
#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    customer: String,
    /// An order's id or short id.
    #[serde(default)]
    find: String,
}

fn total(o: &Order) -> String {
    o.totals.as_ref().map(|t| money(t.total.get(), t.currency.as_str())).unwrap_or_default()
}

/// `GET /console/orders`.
pub async fn list(State(app): State<App>, s: Session, Query(f): Query<Filters>) -> Response {
    // An id or a short id goes straight to its order; one that names none lists nothing.
    let find = f.find.trim();
    if !find.is_empty() && app.order_with_events(&s.principal, find).await.is_ok() {
        return axum::response::Redirect::to(&format!("/console/orders/{find}")).into_response();
    }
    let status = OrderStatus::parse(f.status.trim()).ok();
    let customer = Some(f.customer.trim().to_owned()).filter(|c| !c.is_empty());
    let short_id = Some(find.to_owned()).filter(|f| !f.is_empty());
    let filter = OrderFilter {
        statuses: status.into_iter().collect(),
        customer_id: customer,
        short_id,
        ..OrderFilter::default()
    };
    let (orders, count) = match app.all_orders(&s.principal, &filter, 0, 100).await {
        Ok(page) => page,
        Err(e) => return error_page(Some(&s), &e),
    };
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
                label for="customer" { "Customer id" }
                input #customer name="customer" type="text" value=(f.customer);
            }
            div {
                label for="find" { "Order id or short id" }
                input #find name="find" type="search" value=(f.find);
            }
            button type="submit" { "Filter" }
        }
        p { (count) " orders" @if count > 100 { ", the newest 100 shown" } "." }
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
            Err(e) => p { "Not shown: " (e.to_string()) },
        }
    };
    Page::new(format!("Order {title}"), body).render(Some(&s))
}
