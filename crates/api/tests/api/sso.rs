//! Single sign-on with OpenID Connect: `/v1/openidconnects`, the `/ocrplogin` → provider →
//! `/ocrpcode` flow against an RS256-signing provider on loopback, and the OpenIDConnect
//! integration event (`/createuser`, `/syncuser`) on a real, signature-checking middleware.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use support::TestServer;
use support::idp::{Idp, Quirk};
use support::middleware::{Middleware, Reply};

const HASH_KEY: &str = "sso-hash-key";

struct Sso {
    s: TestServer,
    idp: Idp,
    mw: Middleware,
    client: String,
    browser: reqwest::Client,
}

fn query_of(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    serde_urlencoded::from_str(q).unwrap()
}

impl Sso {
    async fn start(url_encoded: bool) -> Self {
        let s = TestServer::start().await;
        let idp = Idp::start("cartwire-at-idp", "idp-secret").await;
        let mw = Middleware::start(HASH_KEY).await;
        let ok = |r: support::Response| assert!(r.status.is_success(), "{}", r.body);
        ok(s.post("/v1/buyers", json!({"ID": "b", "Name": "B", "Active": true})).await);
        for u in ["jane", "ann"] {
            ok(s.post(
                "/v1/buyers/b/users",
                json!({"ID": u, "Username": u, "FirstName": u, "LastName": "L",
                                                   "Email": format!("{u}@example.com"), "Active": true}),
            )
            .await);
        }
        ok(s.post("/v1/securityprofiles", json!({"ID": "shopper", "Name": "S", "Roles": ["Shopper", "MeAdmin"]}))
            .await);
        ok(s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b"})).await);
        let r = s
            .post(
                "/v1/apiclients",
                json!({"AppName": "Store", "Active": true, "AllowAnyBuyer": true,
                                          "AccessTokenDuration": 60, "RefreshTokenDuration": 120}),
            )
            .await;
        let client = r.body["ID"].as_str().unwrap().to_owned();
        ok(s.post("/v1/integrationEvents", json!({"ID": "sso-ie", "Name": "SSO", "EventType": "OpenIDConnect",
                                                   "CustomImplementationUrl": mw.url, "HashKey": HASH_KEY,
                                                   "ElevatedRoles": ["BuyerUserReader"], "ConfigData": {"tenant": "t1"}}))
            .await);
        let r = s
            .post("/v1/openidconnects", json!({
                "ID": "idp", "OrderCloudApiClientID": client, "ConnectClientID": "cartwire-at-idp",
                "ConnectClientSecret": "idp-secret",
                "AppStartUrl": "https://app.example/sso?token={0}&idp={1}&path={2}&refresh={3}",
                "AuthorizationEndpoint": format!("{}/authorize", idp.base), "TokenEndpoint": format!("{}/token", idp.base),
                "UrlEncoded": url_encoded, "IntegrationEventID": "sso-ie", "CallSyncUserIntegrationEvent": true,
                "AdditionalIdpScopes": ["email", "profile"], "CustomErrorUrl": "https://app.example/oops?msg={0}"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["ConnectClientSecret"], Value::Null, "the secret is write-only");
        assert_eq!(r.body["IntegrationEventName"], "SSO", "the event's name is echoed");
        let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { s, idp, mw, client, browser }
    }

    async fn follow(&self, url: &str) -> (u16, String, Value) {
        let res = self.browser.get(url).send().await.unwrap();
        let status = res.status().as_u16();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        (status, location, body)
    }

    /// Starts a login and returns the provider's redirect back to cartwire.
    async fn to_callback(&self) -> String {
        let start = format!(
            "{}/ocrplogin?id=idp&cid={}&roles=Shopper&appstartpath=%2Fcheckout%3Fstep%3D2&customParams=prompt%3Dlogin",
            self.s.base, self.client
        );
        let (status, to_idp, body) = self.follow(&start).await;
        assert_eq!(status, 302, "{body}");
        assert!(to_idp.starts_with(&format!("{}/authorize?", self.idp.base)), "{to_idp}");
        let (status, back, _) = self.follow(&to_idp).await;
        assert_eq!(status, 302);
        assert!(back.starts_with(&format!("{}/ocrpcode?", self.s.base)), "{back}");
        back
    }

    /// A whole login; returns where cartwire sent the browser at the end.
    async fn login(&self) -> String {
        let back = self.to_callback().await;
        let (status, end, body) = self.follow(&back).await;
        assert_eq!(status, 302, "{body}");
        end
    }
}

#[tokio::test]
async fn first_login_creates_then_later_logins_sync_and_tokens_work() {
    let sso = Sso::start(true).await;
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "ann", "ErrorMessage": null})));
    sso.mw.reply("/syncuser", Reply::Json(200, json!({"ErrorMessage": null})));
    sso.idp.sign_in_as("idp-user-42");

    let end = sso.login().await;
    assert!(end.starts_with("https://app.example/sso?"), "{end}");
    let q = query_of(&end);
    assert_eq!(q["idp"], "idp-access-idp-user-42", "{{1}} is the provider's token");
    assert_eq!(q["path"], "/checkout?step=2", "{{2}} is appstartpath");
    assert!(!q["refresh"].is_empty(), "{{3}} is a refresh token when the client issues them");
    // {0} is a cartwire token for ann, with the roles asked for.
    let token = &q["token"];
    let r = sso.s.send(Method::GET, "/v1/orders/Outgoing", Some(token), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!((claims["usr"].as_str(), claims["role"].clone()), (Some("ann"), json!(["Shopper"])));

    // The authorization request: state, nonce, PKCE S256, scopes, custom parameters.
    let authz = sso.idp.authorize_queries().pop().unwrap();
    assert_eq!(authz["scope"], "openid email profile");
    assert_eq!(authz["redirect_uri"], format!("{}/ocrpcode", sso.s.base));
    assert_eq!(authz["prompt"], "login");
    assert!(authz["state"].len() >= 40 && authz["nonce"].len() >= 40 && authz["code_challenge"].len() == 43);
    // The code was exchanged form-encoded with the secret and the PKCE verifier.
    let exchange = sso.idp.token_requests().pop().unwrap();
    assert!(exchange.content_type.starts_with("application/x-www-form-urlencoded"));
    assert_eq!(exchange.params["client_secret"], "idp-secret");
    assert!(!exchange.params["code_verifier"].is_empty());

    // /createuser was called, signed, with the provider's tokens and the configuration.
    let create = sso.mw.calls_to("/createuser").pop().expect("/createuser called");
    assert!(create.hash_ok);
    assert_eq!(create.body["ExistingUser"], Value::Null);
    assert_eq!(create.body["OpenIdConnect"]["ID"], "idp");
    assert_eq!(create.body["OpenIdConnect"]["IntegrationEventName"], "SSO");
    assert_eq!(create.body["OpenIdConnect"]["ConnectClientSecret"], Value::Null, "no secret to the middleware");
    assert!(create.body["TokenResponse"]["id_token"].is_string());
    assert_eq!(create.body["ConfigData"], json!({"tenant": "t1"}));
    let mw_token = create.body["OrderCloudAccessToken"].as_str().unwrap();
    assert_eq!(sso.s.send(Method::GET, "/v1/buyers/b/users", Some(mw_token), None).await.status, 200, "elevated roles");
    assert!(sso.mw.calls_to("/syncuser").is_empty());

    // The second login of the same subject syncs instead, with the existing user.
    let end = sso.login().await;
    assert!(end.starts_with("https://app.example/sso?"), "{end}");
    assert_eq!(sso.mw.calls_to("/createuser").len(), 1);
    let sync = sso.mw.calls_to("/syncuser").pop().expect("/syncuser called");
    assert!(sync.hash_ok);
    assert_eq!(sync.body["ExistingUser"]["Username"], "ann");

    // A sync that answers an ErrorMessage stops the login at the error page.
    sso.mw.reply("/syncuser", Reply::Json(200, json!({"ErrorMessage": "account locked"})));
    let end = sso.login().await;
    assert_eq!(end, "https://app.example/oops?msg=account%20locked");
}

#[tokio::test]
async fn an_existing_user_is_linked_and_middleware_failures_end_at_the_error_page() {
    let sso = Sso::start(false).await;
    sso.idp.sign_in_as("jane-at-idp");
    sso.mw.reply("/createuser", Reply::Json(500, json!({"oops": true})));
    let end = sso.login().await;
    assert!(end.starts_with("https://app.example/oops?msg="), "{end}");
    assert!(query_of(&end)["msg"].contains("/createuser"), "{end}");
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": null, "ErrorMessage": "not allowed here"})));
    assert_eq!(sso.login().await, "https://app.example/oops?msg=not%20allowed%20here");
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "nobody-here"})));
    assert!(query_of(&sso.login().await)["msg"].contains("does not exist"));
    // The middleware links the provider's subject to jane, who already exists.
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "jane"})));
    let end = sso.login().await;
    let q = query_of(&end);
    assert!(q.contains_key("token"), "{end}");
    let r = sso.s.send(Method::GET, "/v1/orders/Outgoing", Some(&q["token"]), None).await;
    assert_eq!(r.status, 200);
    // Basic authentication and a JSON body at the token endpoint when UrlEncoded is false.
    let exchange = sso.idp.token_requests().pop().unwrap();
    assert!(exchange.content_type.starts_with("application/json"));
    assert!(exchange.authorization.as_deref().is_some_and(|a| a.starts_with("Basic ")));
    // Linked: the next login does not ask /createuser again.
    let before = sso.mw.calls_to("/createuser").len();
    sso.mw.reply("/syncuser", Reply::Json(200, json!({"ErrorMessage": null})));
    assert!(sso.login().await.starts_with("https://app.example/sso?"));
    assert_eq!(sso.mw.calls_to("/createuser").len(), before);
}

#[tokio::test]
async fn bad_id_tokens_codes_and_states_are_refused() {
    let sso = Sso::start(true).await;
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "ann"})));
    sso.mw.reply("/syncuser", Reply::Json(200, json!({"ErrorMessage": null})));
    for (quirk, expected) in [
        (Quirk::TamperedSignature, "signature"),
        (Quirk::UnpublishedKey, "signature"),
        (Quirk::AlgNone, "RS256"),
        (Quirk::WrongNonce, "nonce"),
        (Quirk::WrongAudience, "aud"),
        (Quirk::Expired, "expired"),
    ] {
        sso.idp.quirk(quirk);
        let end = sso.login().await;
        assert!(end.starts_with("https://app.example/oops?"), "{quirk:?}: {end}");
        assert!(query_of(&end)["msg"].contains(expected), "{quirk:?}: {end}");
    }
    assert!(sso.mw.calls().is_empty(), "no user callout for a bad id_token");
    sso.idp.quirk(Quirk::None);

    // An expired code: the provider refuses the exchange.
    sso.idp.code_ttl(Duration::ZERO);
    let end = sso.login().await;
    assert!(query_of(&end)["msg"].contains("invalid_grant"), "{end}");
    sso.idp.code_ttl(Duration::from_secs(60));

    // A state cartwire did not issue, or one already used: no login, an OrderCloud error.
    let back = sso.to_callback().await;
    let forged = back.replace("state=", "state=x");
    let (status, _, body) = sso.follow(&forged).await;
    assert_eq!((status, body["Errors"][0]["ErrorCode"].as_str()), (400, Some("OpenIdConnect.LoginFailed")), "{body}");
    let (status, end, _) = sso.follow(&back).await;
    assert_eq!(status, 302);
    assert!(end.starts_with("https://app.example/sso?"), "the real state still works: {end}");
    let (status, _, body) = sso.follow(&back).await;
    assert_eq!(
        (status, body["Errors"][0]["ErrorCode"].as_str()),
        (400, Some("OpenIdConnect.LoginFailed")),
        "states are single-use"
    );
    // The provider refusing the user comes back as an error parameter.
    let state = query_of(&sso.to_callback().await)["state"].clone();
    let url = format!("{}/ocrpcode?error=access_denied&error_description=nope&state={}", sso.s.base, state);
    let (_, end, _) = sso.follow(&url).await;
    assert!(query_of(&end)["msg"].contains("access_denied"), "{end}");
    // form_post works like the query.
    let back = sso.to_callback().await;
    let q = query_of(&back);
    let res = sso.browser.post(format!("{}/ocrpcode", sso.s.base)).form(&q).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let end = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(end.starts_with("https://app.example/sso?"), "{end}");
    // A cid that is not the configuration's client.
    let (status, _, body) = sso.follow(&format!("{}/ocrplogin?id=idp&cid=other", sso.s.base)).await;
    assert_eq!((status, body["Errors"][0]["ErrorCode"].as_str()), (400, Some("OpenIdConnect.LoginFailed")));
    let (status, _, _) = sso.follow(&format!("{}/ocrplogin?id=nope&cid={}", sso.s.base, sso.client)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn openid_connect_configurations_are_validated_and_guarded() {
    let sso = Sso::start(true).await;
    let s = &sso.s;
    let r = s.get("/v1/openidconnects").await;
    assert_eq!(r.body["Meta"]["TotalCount"], 1);
    // Patching keeps the write-only secret; the login still works afterwards.
    let r = s.patch("/v1/openidconnects/idp", json!({"AdditionalIdpScopes": ["email"]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "ann"})));
    assert!(sso.login().await.starts_with("https://app.example/sso?"));
    let base = json!({"OrderCloudApiClientID": sso.client, "ConnectClientID": "c", "ConnectClientSecret": "s",
                      "AppStartUrl": "https://a.example/{0}", "AuthorizationEndpoint": "https://idp.example/a",
                      "TokenEndpoint": "https://idp.example/t", "IntegrationEventID": "sso-ie"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = vec![
        (with("IntegrationEventID", Value::Null), 400, "ValidationFailure"),
        (with("TokenEndpoint", json!("not a url")), 400, "ValidationFailure"),
        (with("ConnectClientSecret", Value::Null), 400, "ValidationFailure"),
        (with("OrderCloudApiClientID", json!("missing")), 404, "NotFound"),
        (with("IntegrationEventID", json!("nope")), 404, "NotFound"),
    ];
    for (body, status, code) in cases {
        let r = s.post("/v1/openidconnects", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{body}: {}", r.body);
    }
    let r = s
        .post(
            "/v1/integrationEvents",
            json!({"ID": "checkout", "Name": "c", "EventType": "OrderCheckout",
                                                  "CustomImplementationUrl": "https://mw.example", "HashKey": "k"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = s.post("/v1/openidconnects", with("IntegrationEventID", json!("checkout"))).await;
    assert_eq!(r.code(), "IntegrationEvent.IncompatibleEventType");
    // The event in use cannot be deleted.
    assert_eq!(s.delete("/v1/integrationEvents/sso-ie").await.code(), "IntegrationEvent.CannotDeleteInUse");
    // Roles.
    let reader = s.token_with_roles(&["OpenIDConnectReader"]).await;
    assert_eq!(s.send(Method::GET, "/v1/openidconnects/idp", Some(&reader), None).await.status, 200);
    let r = s.send(Method::DELETE, "/v1/openidconnects/idp", Some(&reader), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    assert_eq!(r.body["Errors"][0]["Data"]["SufficientRoles"], json!(["FullAccess", "OpenIDConnectAdmin"]));
    assert_eq!(s.send(Method::GET, "/v1/openidconnects", None, None).await.status, 401);
    assert_eq!(s.delete("/v1/openidconnects/idp").await.status, 204);
    assert_eq!(s.delete("/v1/integrationEvents/sso-ie").await.status, 204);
}

/// A browser for a real provider's login pages: follows redirects by hand (so it can stop at
/// cartwire's callback), keeps cookies, and submits each HTML form it is shown, filling in a
/// login and password where asked.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn keep_cookies(&mut self, res: &reqwest::Response) {
        for c in res.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Walks the provider's pages from `url` until a redirect leaves for `stop_prefix`.
    async fn sign_in(&mut self, url: &str, stop_prefix: &str, login: &str) -> String {
        let mut next = (reqwest::Method::GET, url.to_owned(), None::<Vec<(String, String)>>);
        for _ in 0..20 {
            let (method, target, form) = next.clone();
            let mut req = self.http.request(method, &target).header("cookie", self.cookie_header());
            if let Some(f) = &form {
                req = req.form(f);
            }
            let res = req.send().await.unwrap();
            self.keep_cookies(&res);
            if res.status().is_redirection() {
                let location = res.headers()["location"].to_str().unwrap().to_owned();
                let absolute = if location.starts_with('/') {
                    let base = &target[..target[8..].find('/').map(|i| i + 8).unwrap_or(target.len())];
                    format!("{base}{location}")
                } else {
                    location
                };
                if absolute.starts_with(stop_prefix) {
                    return absolute;
                }
                next = (reqwest::Method::GET, absolute, None);
                continue;
            }
            let html = res.text().await.unwrap();
            let action = html.split("action=\"").nth(1).and_then(|r| r.split('"').next()).expect("a form").to_owned();
            let mut fields: Vec<(String, String)> = html
                .split("<input")
                .skip(1)
                .filter_map(|i| {
                    let name = i.split("name=\"").nth(1)?.split('"').next()?.to_owned();
                    let value = i.split("value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("").to_owned();
                    Some((name, value))
                })
                .collect();
            for (name, value) in fields.iter_mut() {
                match name.as_str() {
                    "login" => *value = login.to_owned(),
                    "password" => *value = "any-password".to_owned(),
                    _ => {}
                }
            }
            next = (reqwest::Method::POST, action, Some(fields));
        }
        panic!("the provider never redirected back");
    }
}

#[tokio::test]
async fn a_real_openid_provider_signs_a_user_in() {
    let Ok(provider) = std::env::var("CARTWIRE_TEST_OIDC_PROVIDER") else {
        eprintln!("SKIPPED: CARTWIRE_TEST_OIDC_PROVIDER is not set (scripts/test starts npm's oidc-provider)");
        return;
    };
    let sso = Sso::start(true).await;
    let s = &sso.s;
    // Register cartwire at the provider with this server's callback.
    let reg: Value = reqwest::Client::new()
        .post(format!("{provider}/reg"))
        .json(&json!({"redirect_uris": [format!("{}/ocrpcode", s.base)], "token_endpoint_auth_method": "client_secret_post",
                      "grant_types": ["authorization_code"], "response_types": ["code"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let discovery: Value =
        reqwest::get(format!("{provider}/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    let r = s
        .put("/v1/openidconnects/real", json!({
            "OrderCloudApiClientID": sso.client, "ConnectClientID": reg["client_id"], "ConnectClientSecret": reg["client_secret"],
            "AppStartUrl": "https://app.example/sso?token={0}&path={2}", "AuthorizationEndpoint": discovery["authorization_endpoint"],
            "TokenEndpoint": discovery["token_endpoint"], "UrlEncoded": true, "IntegrationEventID": "sso-ie",
            "CallSyncUserIntegrationEvent": true, "AdditionalIdpScopes": ["email"], "Issuer": provider,
            "CustomErrorUrl": "https://app.example/oops?msg={0}"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    sso.mw.reply("/createuser", Reply::Json(200, json!({"Username": "ann"})));
    sso.mw.reply("/syncuser", Reply::Json(200, json!({"ErrorMessage": null})));

    let mut browser = Browser::new();
    let start = format!("{}/ocrplogin?id=real&cid={}&roles=Shopper&appstartpath=home", s.base, sso.client);
    let (_, to_provider, _) = sso.follow(&start).await;
    let back = browser.sign_in(&to_provider, &format!("{}/ocrpcode", s.base), "alice").await;
    let (status, end, body) = sso.follow(&back).await;
    assert_eq!(status, 302, "{body}");
    assert!(end.starts_with("https://app.example/sso?"), "{end}");
    let q = query_of(&end);
    assert_eq!(q["path"], "home");
    assert_eq!(sso.s.send(Method::GET, "/v1/orders/Outgoing", Some(&q["token"]), None).await.status, 200);
    let create = sso.mw.calls_to("/createuser").pop().expect("/createuser called");
    assert!(create.hash_ok);
    let id_token = create.body["TokenResponse"]["id_token"].as_str().unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!((claims["sub"].as_str(), claims["iss"].as_str()), (Some("alice"), Some(provider.as_str())));

    // Alice again: the provider remembers her session, cartwire syncs instead of creating.
    let (_, to_provider, _) = sso.follow(&start).await;
    let back = browser.sign_in(&to_provider, &format!("{}/ocrpcode", s.base), "alice").await;
    let (_, end, _) = sso.follow(&back).await;
    assert!(end.starts_with("https://app.example/sso?"), "{end}");
    assert_eq!((sso.mw.calls_to("/createuser").len(), sso.mw.calls_to("/syncuser").len()), (1, 1));
    // The same code twice: the state is already used.
    let (status, _, body) = sso.follow(&back).await;
    assert_eq!((status, body["Errors"][0]["ErrorCode"].as_str()), (400, Some("OpenIdConnect.LoginFailed")));
}
