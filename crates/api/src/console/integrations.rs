//! Integrations: each with its transport, what it observes, whether it is enabled, and its
//! configuration with every secret masked (the webhook's signing secret too).

use super::Session;
use super::layout::{Page, error_page, when};
use axum::extract::State;
use axum::response::Response;
use cartwire_app::App;
use cartwire_app::integrations::display_configuration;
use maud::html;

/// `GET /console/integrations`.
pub async fn list(State(app): State<App>, s: Session) -> Response {
    let integrations = match app.list_integrations(&s.principal).await {
        Ok(all) => all,
        Err(e) => return error_page(Some(&s), &e),
    };
    let body = html! {
        h1 { "Integrations" }
        p { (integrations.len()) " integrations." }
        div.table {
            table {
                thead { tr { th { "Name" } th { "Type" } th { "Enabled" } th { "Observes" } th { "Configuration" } th { "Updated" } } }
                tbody {
                    @for i in &integrations {
                        tr {
                            td { (i.name) br; code { (i.id) } br;
                                 a href={ "/console/deliveries?integration=" (i.id) } { "deliveries" } }
                            td { (i.config.integration_type().as_str()) }
                            td { @if i.enabled { "yes" } @else { "no" } }
                            td { @for k in i.observes.keys() { code { (k) } " " } }
                            td { pre { (serde_json::to_string_pretty(&display_configuration(&i.config)).unwrap_or_default()) } }
                            td { (when(i.updated_at)) }
                        }
                    }
                }
            }
        }
    };
    Page::new("Integrations", body).render(Some(&s))
}
