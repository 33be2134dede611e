//! OpenID Connect configurations as OrderCloud's bodies carry them (the client secret is
//! write-only).

use cartwire_app::sso::OpenIdConnectRecord;
use cartwire_domain::ObjectId;
use serde_json::{Value, json};

/// Renders a configuration; the client secret is write-only.
pub fn render(r: &OpenIdConnectRecord) -> Value {
    let c = &r.config;
    json!({
        "ID": c.id.as_str(),
        "OrderCloudApiClientID": c.api_client_id,
        "ConnectClientID": c.connect_client_id,
        "ConnectClientSecret": null,
        "AppStartUrl": c.app_start_url,
        "AuthorizationEndpoint": c.authorization_endpoint,
        "TokenEndpoint": c.token_endpoint,
        "UrlEncoded": c.url_encoded,
        "IntegrationEventID": c.integration_event_id.as_ref().map(ObjectId::as_str),
        "IntegrationEventName": r.integration_event_name,
        "CallSyncUserIntegrationEvent": c.call_sync_user_integration_event,
        "AdditionalIdpScopes": c.additional_idp_scopes,
        "CustomErrorUrl": c.custom_error_url,
        "Issuer": c.issuer,
    })
}
