//! Integrations: the list (transport, what each observes, enabled, its configuration with every
//! secret masked), and the create and edit forms. A form is turned into the Elastic Path
//! dialect's own write body and parsed by the same code the API uses, so every rule (at most
//! five observed events, URLs, required credentials) refuses with the API's message, shown
//! beside its field; nothing is saved unless all of it is valid.

use super::Session;
use super::layout::{Page, error_page, message_page, when};
use crate::elasticpath::wire::{Envelope, new_integration, updated_integration};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartwire_app::integrations::{display_configuration, masked_configuration};
use cartwire_app::{App, AppError};
use cartwire_domain::integration::{Integration, IntegrationConfig};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// `GET /console/integrations`.
pub async fn list(State(app): State<App>, s: Session) -> Response {
    let hour = std::time::Duration::from_secs(3600);
    // The activity lists every integration (masked for readers, as `list_integrations`) with
    // its last attempt and its attempts / failures of the last hour.
    let activity = match app.delivery_activity(&s.principal, hour).await {
        Ok(activity) => activity,
        Err(e) => return error_page(Some(&s), &e),
    };
    let integrations: Vec<_> = activity.integrations.iter().map(|(i, _)| i).collect();
    let health = |at: usize| {
        let per = &activity.integrations[at].1;
        let (tried, failed) = per.iter().fold((0, 0), |(t, f), m| (t + m.attempts, f + m.failures));
        (activity.last_attempts[at], tried, failed)
    };
    let body = html! {
        h1 { "Integrations" }
        p { (integrations.len()) " integrations. " a href="/console/integrations/new" { "New integration" } }
        div.table {
            table {
                thead { tr { th { "Name" } th { "Type" } th { "Enabled" } th { "Observes" } th { "Last attempt" } th { "Errors, last hour" } th { "Configuration" } th { "Updated" } } }
                tbody {
                    @for (at, i) in integrations.iter().enumerate() {
                        tr {
                            td { a href={ "/console/integrations/" (i.id) } { (i.name) } br; code { (i.id) } br;
                                 a href={ "/console/deliveries?integration=" (i.id) } { "deliveries" } }
                            td { (i.config.integration_type().as_str()) }
                            td { @if i.enabled { "yes" } @else { "no" } }
                            td { @for k in i.observes.keys() { code { (k) } " " } }
                            @let h = health(at);
                            td { @match h.0 { Some(last) => (when(last)), None => "never" } }
                            td {
                                @match h {
                                    (_, tried, failed) if tried > 0 => {
                                        span class=(if failed > 0 { "status-failed" } else { "status-succeeded" }) {
                                            (format!("{:.1} %", 100.0 * failed as f64 / tried as f64))
                                        }
                                        " of " (tried)
                                    }
                                    _ => "no attempt",
                                }
                            }
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

/// What the form sends (every field a text box; empty is "not given").
#[derive(Deserialize, Default)]
pub struct IntegrationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// Event keys separated by commas, spaces or lines.
    #[serde(default)]
    observes: String,
    #[serde(default)]
    integration_type: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret_key: String,
    #[serde(default)]
    aws_access_key_id: String,
    #[serde(default)]
    aws_secret_access_key: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    addresses: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    enabled: Option<String>,
    ordered_delivery: Option<String>,
}

const CONFIG_FIELDS: &[(&str, &str, &str)] = &[
    ("url", "URL", "webhook, aws_sqs"),
    ("secret_key", "Signing secret", "webhook"),
    ("aws_access_key_id", "AWS access key id", "aws_sqs"),
    ("aws_secret_access_key", "AWS secret access key", "aws_sqs"),
    ("region", "AWS region", "aws_sqs"),
    ("addresses", "Broker addresses (host:port, comma-separated)", "stomp"),
    ("destination", "Destination", "stomp"),
    ("username", "Username", "stomp"),
    ("password", "Password", "stomp"),
];

const SECRETS: &[&str] = &["secret_key", "aws_access_key_id", "aws_secret_access_key", "password"];

impl IntegrationForm {
    fn value(&self, field: &str) -> &str {
        match field {
            "url" => &self.url,
            "secret_key" => &self.secret_key,
            "aws_access_key_id" => &self.aws_access_key_id,
            "aws_secret_access_key" => &self.aws_secret_access_key,
            "region" => &self.region,
            "addresses" => &self.addresses,
            "destination" => &self.destination,
            "username" => &self.username,
            "password" => &self.password,
            _ => "",
        }
    }

    /// The form as an Elastic Path write body; `keep` is the current configuration (masked),
    /// whose values stand in for fields left empty (a secret left empty is unchanged).
    fn envelope(&self, keep: Option<Value>) -> Envelope {
        let kind = self.integration_type.trim();
        let mut config = match keep {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (field, _, types) in CONFIG_FIELDS {
            let v = self.value(field).trim();
            if v.is_empty() || !types.split(", ").any(|t| t == kind) {
                continue;
            }
            let value = if *field == "addresses" {
                json!(v.split(',').map(str::trim).filter(|a| !a.is_empty()).collect::<Vec<_>>())
            } else {
                json!(v)
            };
            config.insert((*field).to_owned(), value);
        }
        let observes: Vec<&str> =
            self.observes.split(|c: char| c == ',' || c.is_whitespace()).filter(|k| !k.is_empty()).collect();
        Envelope {
            data: Some(json!({
                "type": "integration",
                "name": self.name.trim(),
                "description": self.description.trim(),
                "observes": observes,
                "integration_type": kind,
                "configuration": config,
                "enabled": self.enabled.is_some(),
                "ordered_delivery": self.ordered_delivery.is_some(),
            })),
        }
    }

    /// The form filled from a stored integration (secrets left empty: "unchanged").
    fn of(i: &Integration) -> Self {
        let config = masked_configuration(&i.config);
        let get = |k: &str| match &config[k] {
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            _ => String::new(),
        };
        let mut f = Self {
            name: i.name.clone(),
            description: i.description.clone(),
            observes: i.observes.keys().join(", "),
            integration_type: i.config.integration_type().as_str().to_owned(),
            url: get("url"),
            region: get("region"),
            addresses: get("addresses"),
            destination: get("destination"),
            username: get("username"),
            enabled: i.enabled.then(|| "on".to_owned()),
            ordered_delivery: i.ordered_delivery.then(|| "on".to_owned()),
            ..Self::default()
        };
        f.csrf.clear();
        f
    }
}

/// An error beside its field: the API's field name (`configuration.url` → `url`).
fn field_error(e: &AppError) -> (String, String) {
    match e {
        AppError::Rejected { field, message } => {
            (field.strip_prefix("configuration.").unwrap_or(field).to_owned(), message.clone())
        }
        AppError::Validation { field, .. } => (field.name().into_owned(), e.to_string()),
        other => (String::new(), other.to_string()),
    }
}

fn form_markup(
    s: &Session,
    f: &IntegrationForm,
    action: &str,
    error: Option<&(String, String)>,
    editing: bool,
) -> Markup {
    let beside = |field: &str| error.filter(|(f, _)| f == field).map(|(_, m)| m.clone());
    let known = ["name", "description", "observes", "integration_type"]
        .iter()
        .chain(CONFIG_FIELDS.iter().map(|(f, _, _)| f))
        .any(|f| error.is_some_and(|(e, _)| e == f));
    html! {
        @if let Some((_, message)) = error.filter(|_| !known) { p.error role="alert" { (message) } }
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(s.csrf);
            label for="name" { "Name" }
            input #name name="name" type="text" value=(f.name) required maxlength="255";
            @if let Some(m) = beside("name") { p.error role="alert" { (m) } }
            label for="description" { "Description" }
            input #description name="description" type="text" value=(f.description) maxlength="1000";
            @if let Some(m) = beside("description") { p.error role="alert" { (m) } }
            label for="observes" { "Observes (event keys, at most 5, comma-separated)" }
            input #observes name="observes" type="text" value=(f.observes) placeholder="order.created, order.updated";
            @if let Some(m) = beside("observes") { p.error role="alert" { (m) } }
            label for="integration_type" { "Type" }
            select #integration_type name="integration_type" {
                @for t in ["webhook", "aws_sqs", "stomp"] {
                    option value=(t) selected[f.integration_type == t] { (t) }
                }
            }
            @if let Some(m) = beside("integration_type") { p.error role="alert" { (m) } }
            fieldset {
                legend { "Configuration (the fields of the chosen type)" }
                @for (field, label, types) in CONFIG_FIELDS {
                    @let secret = SECRETS.contains(field);
                    label for=(field) { (label) " (" (types) ")" @if secret && editing { " — leave empty to keep" } }
                    input id=(field) name=(field) type=(if secret { "password" } else { "text" })
                        value=(if secret { "" } else { f.value(field) }) autocomplete="off";
                    @if let Some(m) = beside(field) { p.error role="alert" { (m) } }
                }
            }
            label { input name="enabled" type="checkbox" checked[f.enabled.is_some()]; " Enabled" }
            label { input name="ordered_delivery" type="checkbox" checked[f.ordered_delivery.is_some()]; " Deliver in order per resource" }
            button type="submit" { @if editing { "Save" } @else { "Create" } }
        }
    }
}

/// `GET /console/integrations/new`.
pub async fn new_form(s: Session) -> Response {
    let f = IntegrationForm { integration_type: "webhook".into(), enabled: Some("on".into()), ..Default::default() };
    let body = html! { h1 { "New integration" } (form_markup(&s, &f, "/console/integrations", None, false)) };
    Page::new("New integration", body).render(Some(&s))
}

/// `POST /console/integrations`.
pub async fn create(State(app): State<App>, s: Session, Form(f): Form<IntegrationForm>) -> Response {
    if let Some(refused) = s.refuse_forged(&f.csrf) {
        return refused;
    }
    let envelope = f.envelope(None);
    match app.create_integration(&s.principal, || new_integration(envelope).map_err(|e| e.into_app())).await {
        Ok(i) => Redirect::to(&format!("/console/integrations/{}", i.id)).into_response(),
        Err(e @ (AppError::Forbidden(_) | AppError::Unavailable(_) | AppError::Store(_) | AppError::Internal(_))) => {
            error_page(Some(&s), &e)
        }
        Err(e) => {
            let error = field_error(&e);
            let body =
                html! { h1 { "New integration" } (form_markup(&s, &f, "/console/integrations", Some(&error), false)) };
            Page::new("New integration", body).status(StatusCode::UNPROCESSABLE_ENTITY).render(Some(&s))
        }
    }
}

fn edit_page(s: &Session, i: &Integration, f: &IntegrationForm, error: Option<&(String, String)>) -> Markup {
    let action = format!("/console/integrations/{}", i.id);
    html! {
        h1 { "Integration " (i.name) }
        p { code { (i.id) } " · " a href={ "/console/deliveries?integration=" (i.id) } { "its deliveries" } }
        form method="post" action={ (action) "/enabled" } {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="enabled" value=(if i.enabled { "false" } else { "true" });
            button type="submit" { @if i.enabled { "Disable" } @else { "Enable" } }
        }
        (form_markup(s, f, &action, error, true))
        (super::replay::form(s, &i.id))
    }
}

/// `GET /console/integrations/{id}`.
pub async fn edit_form(State(app): State<App>, s: Session, Path(id): Path<String>) -> Response {
    match app.get_integration(&s.principal, &id).await {
        Ok(i) => Page::new(format!("Integration {}", i.name), edit_page(&s, &i, &IntegrationForm::of(&i), None))
            .render(Some(&s)),
        Err(e) => error_page(Some(&s), &e),
    }
}

/// `POST /console/integrations/{id}`.
pub async fn update(
    State(app): State<App>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<IntegrationForm>,
) -> Response {
    if let Some(refused) = s.refuse_forged(&f.csrf) {
        return refused;
    }
    let saved = app
        .update_integration(&s.principal, &id, |current| {
            let keep = same_type(&current.config, &f.integration_type).then(|| masked_configuration(&current.config));
            updated_integration(f.envelope(keep), current).map_err(|e| e.into_app())
        })
        .await;
    match saved {
        Ok(i) => Redirect::to(&format!("/console/integrations/{}", i.id)).into_response(),
        Err(e @ (AppError::Validation { .. } | AppError::Rejected { .. } | AppError::Rule { .. })) => {
            match app.get_integration(&s.principal, &id).await {
                Ok(i) => Page::new(format!("Integration {}", i.name), edit_page(&s, &i, &f, Some(&field_error(&e))))
                    .status(StatusCode::UNPROCESSABLE_ENTITY)
                    .render(Some(&s)),
                Err(e) => error_page(Some(&s), &e),
            }
        }
        Err(e) => error_page(Some(&s), &e),
    }
}

fn same_type(c: &IntegrationConfig, kind: &str) -> bool {
    c.integration_type().as_str() == kind.trim()
}

/// The enable / disable form.
#[derive(Deserialize)]
pub struct EnabledForm {
    csrf: String,
    enabled: String,
}

/// `POST /console/integrations/{id}/enabled`.
pub async fn set_enabled(
    State(app): State<App>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<EnabledForm>,
) -> Response {
    if let Some(refused) = s.refuse_forged(&f.csrf) {
        return refused;
    }
    let enabled = match f.enabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return message_page(Some(&s), StatusCode::BAD_REQUEST, "Refused", "enabled must be true or false"),
    };
    let saved =
        app.update_integration(&s.principal, &id, |current| Ok(Integration { enabled, ..current.clone() })).await;
    match saved {
        Ok(i) => Redirect::to(&format!("/console/integrations/{}", i.id)).into_response(),
        Err(e) => error_page(Some(&s), &e),
    }
}
