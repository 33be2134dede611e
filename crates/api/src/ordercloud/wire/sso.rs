//! OpenID Connect configurations as OrderCloud's bodies carry them (the client secret is
//! write-only).

use crate::ordercloud::schema;
use cartwire_app::sso::OpenIdConnectRecord;

/// Renders a configuration; the client secret is write-only.
pub fn render(r: &OpenIdConnectRecord) -> schema::OpenIdConnect {
    let c = &r.config;
    schema::OpenIdConnect {
        id: c.id.as_str().to_owned(),
        order_cloud_api_client_id: c.api_client_id.to_string(),
        connect_client_id: c.connect_client_id.clone(),
        connect_client_secret: None,
        app_start_url: c.app_start_url.clone(),
        authorization_endpoint: c.authorization_endpoint.clone(),
        token_endpoint: c.token_endpoint.clone(),
        url_encoded: c.url_encoded,
        integration_event_id: c.integration_event_id.as_ref().map(|id| id.as_str().to_owned()),
        integration_event_name: r.integration_event_name.clone(),
        call_sync_user_integration_event: c.call_sync_user_integration_event,
        additional_idp_scopes: c.additional_idp_scopes.clone(),
        custom_error_url: c.custom_error_url.clone(),
        issuer: c.issuer.clone(),
    }
}
