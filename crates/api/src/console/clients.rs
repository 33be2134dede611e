//! API clients and integration events, read-only: lists, and a page for each — what a client
//! may do (its tokens, context user, role limits, the integration events it calls), where an
//! event calls and its latest calls (secrets never shown).

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::{Path, State};
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
                            td { a href={ "/console/clients/" (c.id.as_str()) } { (c.app_name) } br; code { (c.id.as_str()) } }
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
                            td { a href={ "/console/integration-events/" (e.id.as_str()) } { (e.name) } br; code { (e.id.as_str()) } }
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

fn role_names(roles: &[cartwire_domain::role::ApiRole]) -> String {
    if roles.is_empty() { "—".to_owned() } else { roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ") }
}

/// `GET /console/clients/{id}`: everything a client is set to, but its secret.
pub async fn show(State(app): State<App>, s: Session, Path(id): Path<String>) -> Response {
    let r = match app.get_api_client(&s.principal, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(&s), &e),
    };
    let c = &r.client;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let event = |id: &Option<cartwire_domain::id::ObjectId>, name: &Option<String>| {
        html! {
            @match id {
                Some(id) => a href={ "/console/integration-events/" (id.as_str()) } { (name.as_deref().unwrap_or(id.as_str())) },
                None => "—",
            }
        }
    };
    let body = html! {
        h1 { "API client " (c.app_name) }
        table {
            tr { th { "ID" } td { code { (c.id.as_str()) } } }
            tr { th { "Active" } td { (yes(c.active)) } }
            tr { th { "Secret" } td { @if c.secret_hash.is_some() { "set (stored hashed)" } @else { "none" } } }
            tr { th { "Access tokens last" } td { (c.access_token_duration.minutes()) " min" } }
            tr { th { "Refresh tokens last" } td { (c.refresh_token_duration.minutes()) " min" } }
            tr { th { "Anonymous shoppers" } td {
                @match (c.is_anon_buyer, c.anonymous_token_duration) {
                    (true, Some(d)) => { "yes, tokens last " (d.minutes()) " min" }
                    (true, None) => "yes",
                    (false, _) => "no",
                }
            } }
            tr { th { "Default context user" } td { (c.default_context_username.as_deref().unwrap_or("—")) } }
            tr { th { "Any buyer / any supplier / the seller" } td { (yes(c.allow_any_buyer)) " / " (yes(c.allow_any_supplier)) " / " (yes(c.allow_seller)) } }
            tr { th { "Roles granted at most" } td { (role_names(&c.role_limits.maximum_granted_roles)) } }
            tr { th { "Roles required" } td { (role_names(&c.role_limits.minimum_required_roles)) } }
            tr { th { "Checkout event" } td { (event(&c.integration_events.order_checkout, &r.order_checkout_event_name)) } }
            tr { th { "Add-to-cart event" } td { (event(&c.integration_events.add_to_cart, &r.add_to_cart_event_name)) } }
            tr { th { "Return event" } td { (event(&c.integration_events.order_return, &r.order_return_event_name)) } }
            tr { th { "Created" } td { (when(r.created_at)) } }
            tr { th { "Secret changed" } td { @match r.secret_changed_at { Some(t) => (when(t)), None => "never" } } }
            tr { th { "Extended properties" } td { pre { (serde_json::to_string_pretty(&c.xp).unwrap_or_default()) } } }
        }
    };
    Page::new(format!("API client {}", c.app_name), body).render(Some(&s))
}

/// `GET /console/integration-events/{id}`: where it calls, how it signs and its latest calls.
pub async fn integration_event(State(app): State<App>, s: Session, Path(id): Path<String>) -> Response {
    let e = match app.get_integration_event(&s.principal, &id).await {
        Ok(e) => e,
        Err(e) => return error_page(Some(&s), &e),
    };
    let calls = app
        .recent_callouts(&s.principal, 1000)
        .await
        .map(|all| all.into_iter().filter(|c| c.integration_event_id == e.id.as_str()).take(50).collect::<Vec<_>>());
    let body = html! {
        h1 { "Integration event " (e.name) }
        table {
            tr { th { "ID" } td { code { (e.id.as_str()) } } }
            tr { th { "Type" } td { (e.event_type.as_str()) } }
            tr { th { "Calls" } td { code { (e.custom_implementation_url.as_str()) } } }
            tr { th { "Signature" } td { "X-oc-hash, HMAC-SHA256 with the hash key (hidden)" } }
            tr { th { "Elevated roles" } td { (role_names(&e.elevated_roles)) } }
            tr { th { "Auth header" } td { @match &e.custom_auth_header { Some(h) => { code { (h.name) } " (value hidden)" }, None => "—" } } }
            tr { th { "Configuration data" } td { pre { (serde_json::to_string_pretty(&e.config_data).unwrap_or_default()) } } }
        }
        h2 { "Latest calls" }
        @match &calls {
            Ok(calls) if calls.is_empty() => p { "No call in the log (it keeps seven days)." },
            Ok(calls) => (super::callouts::table(calls)),
            Err(err) => p.muted { "Not shown. " (super::layout::explain(err)) },
        }
    };
    Page::new(format!("Integration event {}", e.name), body).render(Some(&s))
}
