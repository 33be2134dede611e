//! Every endpoint of the foundation, walked with no token (401), with a token lacking each
//! accepted role (403 naming the roles that would do), and with each accepted role (2xx).

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use support::TestServer;

/// One endpoint: how to call it (fresh resources per call) and the roles it accepts.
struct Endpoint {
    name: &'static str,
    roles: &'static [&'static str],
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint { name: "GET apiclients", roles: &["ApiClientAdmin", "ApiClientReader"] },
    Endpoint { name: "GET apiclient", roles: &["ApiClientAdmin", "ApiClientReader"] },
    Endpoint { name: "POST apiclients", roles: &["ApiClientAdmin"] },
    Endpoint { name: "PUT apiclient", roles: &["ApiClientAdmin"] },
    Endpoint { name: "PATCH apiclient", roles: &["ApiClientAdmin"] },
    Endpoint { name: "DELETE apiclient", roles: &["ApiClientAdmin"] },
    Endpoint { name: "GET integrationEvents", roles: &["IntegrationEventAdmin", "IntegrationEventReader"] },
    Endpoint { name: "GET integrationEvent", roles: &["IntegrationEventAdmin", "IntegrationEventReader"] },
    Endpoint { name: "POST integrationEvents", roles: &["IntegrationEventAdmin"] },
    Endpoint { name: "PUT integrationEvent", roles: &["IntegrationEventAdmin"] },
    Endpoint { name: "PATCH integrationEvent", roles: &["IntegrationEventAdmin"] },
    Endpoint { name: "DELETE integrationEvent", roles: &["IntegrationEventAdmin"] },
    Endpoint { name: "GET adminusers", roles: &["AdminUserAdmin", "AdminUserReader"] },
    Endpoint { name: "GET adminuser", roles: &["AdminUserAdmin", "AdminUserReader"] },
    Endpoint { name: "POST adminusers", roles: &["AdminUserAdmin"] },
    Endpoint { name: "PUT adminuser", roles: &["AdminUserAdmin"] },
    Endpoint { name: "PATCH adminuser", roles: &["AdminUserAdmin"] },
    Endpoint { name: "DELETE adminuser", roles: &["AdminUserAdmin"] },
    Endpoint { name: "GET buyers", roles: &["BuyerAdmin", "BuyerReader"] },
    Endpoint { name: "GET buyer", roles: &["BuyerAdmin", "BuyerReader"] },
    Endpoint { name: "POST buyers", roles: &["BuyerAdmin"] },
    Endpoint { name: "PUT buyer", roles: &["BuyerAdmin"] },
    Endpoint { name: "PATCH buyer", roles: &["BuyerAdmin"] },
    Endpoint { name: "DELETE buyer", roles: &["BuyerAdmin"] },
    Endpoint { name: "GET buyer users", roles: &["BuyerUserAdmin", "BuyerUserReader"] },
    Endpoint { name: "GET buyer user", roles: &["BuyerUserAdmin", "BuyerUserReader"] },
    Endpoint { name: "POST buyer users", roles: &["BuyerUserAdmin"] },
    Endpoint { name: "PUT buyer user", roles: &["BuyerUserAdmin"] },
    Endpoint { name: "PATCH buyer user", roles: &["BuyerUserAdmin"] },
    Endpoint { name: "DELETE buyer user", roles: &["BuyerUserAdmin"] },
    Endpoint { name: "GET securityprofiles", roles: &["SecurityProfileAdmin", "SecurityProfileReader"] },
    Endpoint { name: "GET securityprofile", roles: &["SecurityProfileAdmin", "SecurityProfileReader"] },
    Endpoint { name: "POST securityprofiles", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "PUT securityprofile", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "PATCH securityprofile", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "DELETE securityprofile", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "GET assignments", roles: &["SecurityProfileAdmin", "SecurityProfileReader"] },
    Endpoint { name: "POST assignments", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "DELETE assignment", roles: &["SecurityProfileAdmin"] },
    Endpoint { name: "GET approvalrules", roles: &["ApprovalRuleAdmin", "ApprovalRuleReader"] },
    Endpoint { name: "GET approvalrule", roles: &["ApprovalRuleAdmin", "ApprovalRuleReader"] },
    Endpoint { name: "POST approvalrules", roles: &["ApprovalRuleAdmin"] },
    Endpoint { name: "PUT approvalrule", roles: &["ApprovalRuleAdmin"] },
    Endpoint { name: "PATCH approvalrule", roles: &["ApprovalRuleAdmin"] },
    Endpoint { name: "DELETE approvalrule", roles: &["ApprovalRuleAdmin"] },
    Endpoint { name: "GET deployment", roles: &[] },
    Endpoint { name: "GET events", roles: &[] },
];

/// Creates what the call needs (as the admin) and returns the request.
async fn prepare(s: &TestServer, name: &str, n: &str) -> (Method, String, Option<Value>) {
    let ok = |r: support::Response| assert!(r.status.is_success(), "{name} setup: {}", r.body);
    let ie = |id: &str| json!({"ID": id, "Name": "e", "EventType": "OrderCheckout", "CustomImplementationUrl": "https://mw.example.com", "HashKey": "k"});
    let user = |id: &str| json!({"ID": id, "Username": id, "FirstName": "F", "LastName": "L", "Email": "e@example.com", "Active": true});
    let client = json!({"AppName": "c", "AccessTokenDuration": 60});
    let (verb, what) = name.split_once(' ').unwrap();
    let method = Method::from_bytes(verb.as_bytes()).unwrap();
    match what {
        "apiclients" => (method, "/v1/apiclients".into(), (verb == "POST").then(|| client.clone())),
        "apiclient" => {
            let r = s.post("/v1/apiclients", client.clone()).await;
            let id = r.body["ID"].as_str().unwrap().to_owned();
            (method, format!("/v1/apiclients/{id}"), (verb != "GET" && verb != "DELETE").then(|| client.clone()))
        }
        "integrationEvents" => {
            (method, "/v1/integrationEvents".into(), (verb == "POST").then(|| ie(&format!("ie-{n}"))))
        }
        "integrationEvent" => {
            ok(s.post("/v1/integrationEvents", ie(&format!("ie-{n}"))).await);
            let body = match verb {
                "PUT" => Some(ie("ignored")),
                "PATCH" => Some(json!({"Name": "patched"})),
                _ => None,
            };
            (method, format!("/v1/integrationEvents/ie-{n}"), body)
        }
        "adminusers" => (method, "/v1/adminusers".into(), (verb == "POST").then(|| user(&format!("au-{n}")))),
        "adminuser" => {
            ok(s.post("/v1/adminusers", user(&format!("au-{n}"))).await);
            let body = match verb {
                "PUT" => Some(user(&format!("au-{n}"))),
                "PATCH" => Some(json!({"FirstName": "P"})),
                _ => None,
            };
            (method, format!("/v1/adminusers/au-{n}"), body)
        }
        "buyers" => {
            (method, "/v1/buyers".into(), (verb == "POST").then(|| json!({"ID": format!("b-{n}"), "Name": "B"})))
        }
        "buyer" => {
            ok(s.post("/v1/buyers", json!({"ID": format!("b-{n}"), "Name": "B"})).await);
            let body = match verb {
                "PUT" => Some(json!({"Name": "B2"})),
                "PATCH" => Some(json!({"Name": "B3"})),
                _ => None,
            };
            (method, format!("/v1/buyers/b-{n}"), body)
        }
        "buyer users" | "buyer user" => {
            ok(s.post("/v1/buyers", json!({"ID": format!("bb-{n}"), "Name": "B"})).await);
            if what == "buyer users" {
                return (
                    method,
                    format!("/v1/buyers/bb-{n}/users"),
                    (verb == "POST").then(|| user(&format!("bu-{n}"))),
                );
            }
            ok(s.post(&format!("/v1/buyers/bb-{n}/users"), user(&format!("bu-{n}"))).await);
            let body = match verb {
                "PUT" => Some(user(&format!("bu-{n}"))),
                "PATCH" => Some(json!({"LastName": "P"})),
                _ => None,
            };
            (method, format!("/v1/buyers/bb-{n}/users/bu-{n}"), body)
        }
        // Profiles hold only the role the admin itself holds: handing out more is refused
        // (tests/security/escalation.rs).
        "securityprofiles" => (
            method,
            "/v1/securityprofiles".into(),
            (verb == "POST").then(|| json!({"Name": "p", "Roles": ["SecurityProfileAdmin"]})),
        ),
        "securityprofile" => {
            ok(s.post(
                "/v1/securityprofiles",
                json!({"ID": format!("sp-{n}"), "Name": "p", "Roles": ["SecurityProfileAdmin"]}),
            )
            .await);
            let body = match verb {
                "PUT" => Some(json!({"Name": "p2", "Roles": []})),
                "PATCH" => Some(json!({"Name": "p3"})),
                _ => None,
            };
            (method, format!("/v1/securityprofiles/sp-{n}"), body)
        }
        "assignments" => {
            ok(s.post(
                "/v1/securityprofiles",
                json!({"ID": format!("asp-{n}"), "Name": "p", "Roles": ["SecurityProfileAdmin"]}),
            )
            .await);
            (
                method,
                "/v1/securityprofiles/assignments".into(),
                (verb == "POST").then(|| json!({"SecurityProfileID": format!("asp-{n}")})),
            )
        }
        "assignment" => {
            ok(s.post(
                "/v1/securityprofiles",
                json!({"ID": format!("dsp-{n}"), "Name": "p", "Roles": ["SecurityProfileAdmin"]}),
            )
            .await);
            ok(s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": format!("dsp-{n}")})).await);
            (method, format!("/v1/securityprofiles/dsp-{n}/assignments"), None)
        }
        "approvalrules" | "approvalrule" => {
            let rule = json!({"ID": format!("ar-{n}"), "Name": "Big", "RuleExpression": "order.Total > 100"});
            ok(s.post("/v1/buyers", json!({"ID": format!("ab-{n}"), "Name": "B"})).await);
            if what == "approvalrules" {
                return (method, format!("/v1/buyers/ab-{n}/approvalrules"), (verb == "POST").then_some(rule));
            }
            ok(s.post(&format!("/v1/buyers/ab-{n}/approvalrules"), rule.clone()).await);
            let body = match verb {
                "PUT" => Some(rule),
                "PATCH" => Some(json!({"RuleExpression": "order.LineItemCount >= 10"})),
                _ => None,
            };
            (method, format!("/v1/buyers/ab-{n}/approvalrules/ar-{n}"), body)
        }
        "deployment" => (method, "/cartwire/v1/deployment".into(), None),
        "events" => (method, "/cartwire/v1/events".into(), None),
        other => panic!("unknown endpoint {other}"),
    }
}

#[tokio::test]
async fn every_endpoint_checks_roles() {
    let s = TestServer::start().await;
    let mut tokens: HashMap<&str, String> = HashMap::new();
    let outsider = s.token_with_roles(&["Shopper"]).await;
    let mut counter = 0;
    for ep in ENDPOINTS {
        counter += 1;
        let (method, path, body) = prepare(&s, ep.name, &format!("n{counter}")).await;
        let r = s.send(method.clone(), &path, None, body.clone()).await;
        assert_eq!(r.status, 401, "{}: no token", ep.name);
        let r = s.send(method.clone(), &path, Some(&outsider), body.clone()).await;
        assert_eq!(r.status, 403, "{}: {}", ep.name, r.body);
        if path.starts_with("/v1/") {
            assert_eq!(r.code(), "InsufficientRoles");
            let mut expected = vec!["FullAccess"];
            expected.extend(ep.roles);
            assert_eq!(r.body["Errors"][0]["Data"]["SufficientRoles"], json!(expected), "{}", ep.name);
            assert_eq!(r.body["Errors"][0]["Data"]["AssignedRoles"], json!(["Shopper"]));
        } else {
            assert_eq!(r.headers["content-type"], "application/problem+json");
        }
        // Each accepted role alone suffices; the reader role does not write.
        for role in ep.roles.iter().chain(std::iter::once(&"FullAccess")) {
            if !tokens.contains_key(role) {
                let token =
                    if *role == "FullAccess" { s.admin_token.clone() } else { s.token_with_roles(&[role]).await };
                tokens.insert(role, token);
            }
            counter += 1;
            let (method, path, body) = prepare(&s, ep.name, &format!("n{counter}")).await;
            let r = s.send(method, &path, Some(&tokens[role]), body).await;
            assert!(r.status.is_success(), "{} with {role}: {} {}", ep.name, r.status, r.body);
        }
    }
}

#[tokio::test]
async fn a_security_profile_admin_cannot_hand_out_full_access() {
    let s = TestServer::start().await;
    let token = s.token_with_roles(&["SecurityProfileAdmin"]).await;
    let r = s
        .send(
            Method::POST,
            "/v1/securityprofiles",
            Some(&token),
            Some(json!({"Name": "root", "Roles": ["FullAccess"]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = s
        .send(
            Method::POST,
            "/v1/securityprofiles/assignments",
            Some(&token),
            Some(json!({"SecurityProfileID": "cartwire-full-access"})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
}

#[tokio::test]
async fn route_segments_match_case_insensitively_and_unknown_routes_answer_in_dialect() {
    let s = TestServer::start().await;
    for path in [
        "/v1/apiclients",
        "/v1/ApiClients",
        "/v1/APICLIENTS",
        "/V1/apiClients",
        "/v1/integrationEvents",
        "/v1/IntegrationEvents",
        "/v1/SecurityProfiles/Assignments",
    ] {
        assert_eq!(s.get(path).await.status, 200, "{path}");
    }
    let r = s.get("/v1/nothing-here").await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"));
    assert_eq!(s.send(Method::GET, "/healthz", None, None).await.status, 200);
    assert_eq!(s.send(Method::GET, "/readyz", None, None).await.status, 200);
}
