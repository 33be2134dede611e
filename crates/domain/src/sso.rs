//! Single sign-on through an OpenID Connect identity provider (OrderCloud's `OpenIdConnect`).

use crate::id::{bounded_text, required_text};
use crate::{DomainError, Field, ObjectId, Problem};

/// An identity provider a marketplace signs users in with.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenIdConnect {
    /// Identifier.
    pub id: ObjectId,
    /// The cartwire API client users sign in to.
    pub api_client_id: String,
    /// cartwire's client id at the provider.
    pub connect_client_id: String,
    /// cartwire's client secret at the provider (write-only, sealed at rest).
    pub connect_client_secret: String,
    /// Where users land after signing in; `{0}` access token, `{1}` provider token, `{2}`
    /// app start path, `{3}` refresh token.
    pub app_start_url: String,
    /// The provider's authorization endpoint.
    pub authorization_endpoint: String,
    /// The provider's token endpoint.
    pub token_endpoint: String,
    /// Token request as `application/x-www-form-urlencoded` (else Basic auth + JSON).
    pub url_encoded: bool,
    /// The OpenIDConnect integration event (`/createuser`, `/syncuser`).
    pub integration_event_id: Option<ObjectId>,
    /// Call `/syncuser` on later logins.
    pub call_sync_user_integration_event: bool,
    /// Scopes asked for besides `openid`.
    pub additional_idp_scopes: Vec<String>,
    /// Where failed logins go; `{0}` is the message.
    pub custom_error_url: Option<String>,
    /// The provider's issuer (cartwire extension): its discovery document names the JWKS that
    /// signs id_tokens. Defaults to the authorization endpoint's origin.
    pub issuer: Option<String>,
}

fn check_url(value: &str, field: Field) -> Result<(), DomainError> {
    // Visible ASCII only: these become `Location` headers.
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > 8
        && value.len() <= 2000
        && value.chars().all(|c| c.is_ascii_graphic());
    if ok { Ok(()) } else { Err(DomainError::field(field, Problem::rule("must be an absolute http(s) URL"))) }
}

impl OpenIdConnect {
    /// Checks required fields, URLs and scopes; returns the offending field with the error.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (field, value) in [
            (Field::SsoApiClientId, &self.api_client_id),
            (Field::SsoConnectClientId, &self.connect_client_id),
            (Field::SsoConnectClientSecret, &self.connect_client_secret),
        ] {
            required_text(value, field, 500)?;
        }
        check_url(&self.app_start_url, Field::SsoAppStartUrl)?;
        check_url(&self.authorization_endpoint, Field::SsoAuthorizationEndpoint)?;
        check_url(&self.token_endpoint, Field::SsoTokenEndpoint)?;
        if let Some(u) = &self.custom_error_url {
            check_url(u, Field::SsoErrorUrl)?;
        }
        if let Some(u) = &self.issuer {
            check_url(u, Field::SsoIssuer)?;
        }
        if self.integration_event_id.is_none() {
            return Err(DomainError::field(Field::IntegrationEventId, Problem::Required));
        }
        for s in &self.additional_idp_scopes {
            if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\') {
                return Err(DomainError::field(
                    Field::SsoScopes,
                    Problem::rule(format!("must be scopes; '{s}' is not one")),
                ));
            }
            bounded_text(s, Field::SsoScopes, 200)?;
        }
        Ok(())
    }

    /// The issuer whose discovery document to trust.
    pub fn issuer_base(&self) -> String {
        match &self.issuer {
            Some(i) => i.trim_end_matches('/').to_owned(),
            None => origin(&self.authorization_endpoint),
        }
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{host}")
}

/// Fills `{0}`, `{1}`, … in a redirect template with URL-encoded values.
pub fn fill_placeholders(template: &str, values: &[&str]) -> String {
    let mut out = template.to_owned();
    for (n, v) in values.iter().enumerate() {
        out = out.replace(&format!("{{{n}}}"), &percent_encode(v));
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_encoded() {
        assert_eq!(
            fill_placeholders("https://app/#t={0}&idp={1}&p={2}&r={3}", &["a.b", "x y", "/cart?x=1", ""]),
            "https://app/#t=a.b&idp=x%20y&p=%2Fcart%3Fx%3D1&r="
        );
    }

    #[test]
    fn the_issuer_defaults_to_the_authorization_origin() {
        let mut c = OpenIdConnect {
            id: ObjectId::parse("g").unwrap(),
            api_client_id: "c".into(),
            connect_client_id: "id".into(),
            connect_client_secret: "s".into(),
            app_start_url: "https://app.example/{0}".into(),
            authorization_endpoint: "https://idp.example:8443/oauth2/auth?x=1".into(),
            token_endpoint: "https://idp.example:8443/token".into(),
            url_encoded: true,
            integration_event_id: Some(ObjectId::parse("ie").unwrap()),
            call_sync_user_integration_event: false,
            additional_idp_scopes: vec!["email".into()],
            custom_error_url: None,
            issuer: None,
        };
        assert!(c.validate().is_ok());
        assert_eq!(c.issuer_base(), "https://idp.example:8443");
        c.issuer = Some("https://login.example/tenant/v2.0/".into());
        assert_eq!(c.issuer_base(), "https://login.example/tenant/v2.0");
        c.additional_idp_scopes.push("two words".into());
        assert_eq!(c.validate().unwrap_err().subject(), Some(Field::SsoScopes));
        c.additional_idp_scopes.pop();
        c.token_endpoint = "ftp://x".into();
        assert_eq!(c.validate().unwrap_err().subject(), Some(Field::SsoTokenEndpoint));
        c.token_endpoint = "https://idp.example/token".into();
        c.app_start_url = "https://app.example/a b".into();
        assert_eq!(c.validate().unwrap_err().subject(), Some(Field::SsoAppStartUrl));
    }
}
