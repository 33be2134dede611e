//! API clients and integration events, read-only: what each client may do (its context user,
//! role limits, the integration events it calls) and where each event calls (secrets never
//! shown).

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::State;
use axum::response::Response;
use cartwire_app::App;
use maud::html;

/// `GET /console/clients`.
pub async fn list(State(app): State<App>, s: Session) -> Response {
    let clients = match app.list_api_clients(&s.principal).await {
        Ok(all) => all,
        Err(e) => return error_page(Some(&s), &e),
    };
    let names =
        |roles: &[cartwire_domain::role::ApiRole]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
    let body = html! {
        h1 { "API clients" }
        p { (clients.len()) " clients." }
        div.table {
            table {
                thead { tr { th { "App" } th { "Active" } th { "Context user" } th { "Integration events" } th { "Role limits" } th { "Created" } } }
                tbody {
                    @for r in &clients {
                        @let c = &r.client;
                        tr {
                            td { (c.app_name) br; code { (c.id.as_str()) } }
                            td { @if c.active { "yes" } @else { "no" } }
                            td { (c.default_context_username.as_deref().unwrap_or("—")) }
                            td {
                                @if let Some(n) = &r.order_checkout_event_name { "checkout: " (n) br; }
                                @if let Some(n) = &r.add_to_cart_event_name { "add to cart: " (n) br; }
                                @if let Some(n) = &r.order_return_event_name { "returns: " (n) }
                            }
                            td {
                                @let max = names(&c.role_limits.maximum_granted_roles);
                                @let min = names(&c.role_limits.minimum_required_roles);
                                @if !max.is_empty() { "at most " (max) br; }
                                @if !min.is_empty() { "requires " (min) }
                            }
                            td { (when(r.created_at)) }
                        }
                    }
                }
            }
        }
    };
    Page::new("API clients", body).render(Some(&s))
}

/// `GET /console/integration-events`.
pub async fn integration_events(State(app): State<App>, s: Session) -> Response {
    let events = match app.list_integration_events(&s.principal).await {
        Ok(all) => all,
        Err(e) => return error_page(Some(&s), &e),
    };
    let body = html! {
        h1 { "Integration events" }
        p { "The merchant's middleware cartwire calls during checkout, add-to-cart, returns and sign-on." }
        div.table {
            table {
                thead { tr { th { "Name" } th { "Type" } th { "Calls" } th { "Elevated roles" } th { "Auth header" } } }
                tbody {
                    @for e in &events {
                        tr {
                            td { (e.name) br; code { (e.id.as_str()) } }
                            td { (e.event_type.as_str()) }
                            td { code { (e.custom_implementation_url.as_str()) } }
                            td { (e.elevated_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
                            td { @if let Some(h) = &e.custom_auth_header { code { (h.name) } " (value hidden)" } @else { "—" } }
                        }
                    }
                }
            }
        }
    };
    Page::new("Integration events", body).render(Some(&s))
}
