//! The operator console at `/console`: server-rendered HTML (maud, which escapes every
//! interpolated value), one module per page, no script at all in this first slice. A person
//! signs in with an API client's id and secret; the console keeps the access token cartwire
//! issues for that client in a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` when
//! the public URL is https) and calls the same use cases as the APIs with it, so a page shows
//! exactly what the client's roles allow and a revoked client is refused at once. Every form
//! carries a CSRF token bound to the session; every page is sent with a Content-Security-Policy
//! that admits only the console's own stylesheet.
//!
//! Not described in the OpenAPI documents: these are pages for people, not an API.

mod callouts;
mod charts;
mod clients;
mod deliveries;
mod events;
mod integrations;
mod layout;
mod orders;
mod overview;
mod replay;
mod session;

use axum::Router;
use axum::routing::{get, post};
use cartwire_app::App;

pub use session::Session;

/// The console's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/console", get(|| async { axum::response::Redirect::to("/console/overview") }))
        .route("/console/login", get(session::login_page).post(session::login))
        .route("/console/logout", post(session::logout))
        .route("/console/assets/console.css", get(layout::stylesheet))
        .route("/console/overview", get(overview::page))
        .route("/console/deliveries", get(deliveries::list))
        .route("/console/deliveries/{id}", get(deliveries::show))
        .route("/console/deliveries/{id}/retry", post(deliveries::retry))
        .route("/console/integrations", get(integrations::list).post(integrations::create))
        .route("/console/integrations/new", get(integrations::new_form))
        .route("/console/integrations/{id}", get(integrations::edit_form).post(integrations::update))
        .route("/console/integrations/{id}/enabled", post(integrations::set_enabled))
        .route("/console/integrations/{id}/replay", get(replay::progress).post(replay::replay))
        .route("/console/orders", get(orders::list))
        .route("/console/orders/{id}", get(orders::show))
        .route("/console/events", get(events::page))
        .route("/console/callouts", get(callouts::page))
        .route("/console/clients", get(clients::list))
        .route("/console/clients/{id}", get(clients::show))
        .route("/console/integration-events", get(clients::integration_events))
        .route("/console/integration-events/{id}", get(clients::integration_event))
}
