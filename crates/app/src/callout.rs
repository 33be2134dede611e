//! Calling a merchant's middleware (an integration event): the envelope every callout body
//! carries (`ConfigData`, `Environment`, `OrderCloudAccessToken`), the `X-oc-hash` signature,
//! the deadline and the SSRF guard (in `cartwire_outbound::callout`), and one metric and log
//! line per call. Checkout, returns and single sign-on call through here.

use crate::{App, AppError, Principal, RuleCode};
use cartwire_domain::ApiRole;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::order::Order;
use cartwire_domain::user::User;
use cartwire_outbound::callout::{CalloutOutcome, CalloutRequest};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// How callouts are made.
#[derive(Debug, Clone)]
pub struct CalloutConfig {
    /// Deadline of one callout (default 10 s).
    pub deadline: Duration,
    /// The `Environment` callout bodies carry (`Sandbox`, `Staging` or `Production`).
    pub environment: String,
}

impl Default for CalloutConfig {
    fn default() -> Self {
        Self { deadline: Duration::from_secs(10), environment: "Sandbox".into() }
    }
}

/// The OrderCloud wire shapes callout bodies carry. The dialect owns them; the use cases only
/// need them rendered.
pub trait CalloutWire: Send + Sync {
    /// The order's worksheet (`OrderWorksheet`).
    fn worksheet(&self, order: &Order) -> Value;
    /// A user as `GET /v1/buyers/{id}/users/{id}` shows it (AddToCart's `BuyerUser`).
    fn user(&self, user: &User) -> Value;
    /// An order return (`OrderReturn`) with amounts in `currency`.
    fn order_return(&self, r: &cartwire_domain::returns::OrderReturn, currency: &CurrencyCode) -> Value;
    /// An OpenID Connect configuration as `GET /v1/openidconnects/{id}` shows it.
    fn openid_connect(&self, c: &cartwire_store::sso::OpenIdConnectRecord) -> Value;
    /// The fields of an AddToCart callout's request.
    fn add_to_cart_request(&self, q: &AddToCartQuery<'_>) -> Map<String, Value>;
    /// Reads the answer to the AddToCart callout `q`, the product validated; `Err` says why it
    /// is unusable.
    fn add_to_cart_answer(
        &self,
        q: &AddToCartQuery<'_>,
        answer: &Value,
        currency: &CurrencyCode,
    ) -> Result<AddToCartAnswer, String>;
}

/// What an AddToCart callout asks the middleware about.
#[derive(Debug, Clone)]
pub struct AddToCartQuery<'a> {
    /// The product the caller adds.
    pub product_id: &'a str,
    /// How many.
    pub quantity: i64,
    /// The caller's buyer company, if any.
    pub buyer_id: Option<&'a str>,
    /// The caller, when it is a stored user.
    pub buyer_user: Option<&'a User>,
    /// The marketplace (the deployment's org id).
    pub seller_id: &'a str,
}

/// What the middleware answered to an AddToCart callout.
#[derive(Debug, Clone, PartialEq)]
pub enum AddToCartAnswer {
    /// It knows no such product (the add is refused with a 404).
    NoProduct,
    /// The product as the order line carries it, and its unit price.
    Priced {
        /// The product.
        product: Box<cartwire_domain::checkout::LineProduct>,
        /// Its unit price in the order's currency.
        unit_price: cartwire_domain::commerce::Cents,
    },
}

/// A callout that produced no usable answer.
#[derive(Debug, Clone)]
pub(crate) struct CalloutFailure {
    /// The middleware's status; 0 when it never answered.
    pub(crate) status: u16,
    /// Its body (cut to 4 KiB) or why there was none.
    pub(crate) body: String,
}

impl CalloutFailure {
    pub(crate) fn error(&self) -> AppError {
        AppError::Rule {
            code: RuleCode::IntegrationEventBadRequest,
            message:
                "Something went wrong when we called your integration event, check your custom code and try again."
                    .into(),
            data: json!({"HttpStatusCode": self.status, "UnhandledErrorBody": self.body}),
        }
    }

    /// The failure as the worksheet records it.
    pub(crate) fn record(&self) -> Value {
        json!({"HttpStatusCode": self.status, "UnhandledErrorBody": self.body, "Succeeded": false, "xp": {}})
    }
}

/// Marks an answer with what cartwire observed (the platform's read-only fields).
pub(crate) fn recorded(mut answer: Value, status: u16) -> Value {
    if let Value::Object(m) = &mut answer {
        m.insert("HttpStatusCode".into(), json!(status));
        m.insert("UnhandledErrorBody".into(), Value::Null);
        m.entry("Succeeded").or_insert(Value::Bool(true));
    }
    answer
}

impl App {
    /// Calls an integration event: builds the envelope (`ConfigData`, `Environment`,
    /// `OrderCloudAccessToken` for the caller with the event's elevated roles) around `fields`,
    /// signs the exact bytes and posts them; a 2xx with a JSON object is the answer.
    pub(crate) async fn call_middleware(
        &self,
        p: &Principal,
        event: &IntegrationEvent,
        path: Option<&str>,
        mut fields: Map<String, Value>,
    ) -> Result<(Value, u16), CalloutFailure> {
        let token = self.callout_token(p, &event.elevated_roles).map_err(|e| {
            tracing::error!(error = %e, "cannot mint the callout token");
            CalloutFailure { status: 0, body: "cartwire could not mint the callout token".into() }
        })?;
        fields.insert("ConfigData".into(), event.config_data.clone().unwrap_or(Value::Null));
        fields.insert("Environment".into(), Value::String(self.config().callouts.environment.clone()));
        fields.insert("OrderCloudAccessToken".into(), Value::String(token));
        let body = serde_json::to_vec(&Value::Object(fields)).expect("JSON values serialize");
        let url = match path {
            Some(path) => event.custom_implementation_url.join(path),
            None => event.custom_implementation_url.as_str().to_owned(),
        };
        let request = CalloutRequest {
            url,
            hash_key: event.hash_key.expose().to_owned(),
            auth_header: event.custom_auth_header.as_ref().map(|h| (h.name.clone(), h.value.clone())),
            body,
        };
        let outcome = self.callout_client().post(&request).await;
        let path_label = path.unwrap_or("/").to_owned();
        let (result, seconds, label) = match outcome {
            CalloutOutcome::Answered { status, body, duration } => {
                let parsed = serde_json::from_slice::<Value>(&body).ok().filter(Value::is_object);
                match parsed {
                    Some(v) if (200..300).contains(&status) => (Ok((v, status)), duration, "ok"),
                    _ => (
                        Err(CalloutFailure { status, body: cartwire_outbound::excerpt(&body) }),
                        duration,
                        if (200..300).contains(&status) { "unparseable" } else { "rejected" },
                    ),
                }
            }
            CalloutOutcome::Failed { reason, timed_out, duration } => (
                Err(CalloutFailure { status: 0, body: reason }),
                duration,
                if timed_out { "timeout" } else { "unreachable" },
            ),
        };
        let event_type = event.event_type.as_str();
        metrics::counter!("cartwire_callouts_total", "event_type" => event_type, "path" => path_label.clone(), "outcome" => label)
            .increment(1);
        metrics::histogram!("cartwire_callout_seconds", "event_type" => event_type, "path" => path_label.clone())
            .record(seconds.as_secs_f64());
        let status = match &result {
            Ok((_, s)) => *s,
            Err(f) => f.status,
        };
        tracing::info!(
            integration_event = %event.id, event_type, path = %path_label, status, outcome = label,
            elapsed_ms = seconds.as_millis() as u64, caller = %p.describe(), "callout"
        );
        result
    }

    /// The `OrderCloudAccessToken` of a callout: the caller plus `elevated` roles, ten minutes.
    /// A token minted for the same principal and roles is reused while it has at least five
    /// minutes left, so the middleware always gets one it can use for a while.
    fn callout_token(&self, p: &Principal, elevated: &[ApiRole]) -> Result<String, AppError> {
        const LIFETIME_MINUTES: i64 = 10;
        const REUSE_FOR: Duration = Duration::from_secs(5 * 60);
        let mut roles: Vec<&str> = elevated.iter().map(|r| r.as_str()).collect();
        roles.sort_unstable();
        let key = format!(
            "{}|{}|{}|{:?}|{:?}|{}|{}",
            p.client_id,
            p.user_id,
            p.username,
            p.buyer_id,
            p.anonymous_order_id,
            p.roles.names().join(" "),
            roles.join(" ")
        );
        let now = std::time::Instant::now();
        if let Some((token, minted)) = self.callout_token_cache().lock().expect("token cache").get(&key)
            && now.duration_since(*minted) < REUSE_FOR
        {
            return Ok(token.clone());
        }
        let token = self.token_for(p, elevated, LIFETIME_MINUTES)?;
        let mut cache = self.callout_token_cache().lock().expect("token cache");
        if cache.len() >= 10_000 {
            cache.retain(|_, (_, minted)| now.duration_since(*minted) < REUSE_FOR);
        }
        cache.insert(key, (token.clone(), now));
        Ok(token)
    }

    /// The integration event of `kind` attached to the caller's API client, if any.
    pub(crate) async fn attached_event(
        &self,
        p: &Principal,
        kind: EventType,
    ) -> Result<Option<IntegrationEvent>, AppError> {
        let mut tx = self.store().read().await?;
        let Some(record) = tx.api_client(&p.client_id).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let attached = &record.client.integration_events;
        let id = match kind {
            EventType::OrderCheckout => attached.order_checkout.clone(),
            EventType::OrderReturn => attached.order_return.clone(),
            EventType::AddToCart => attached.add_to_cart.clone(),
            EventType::OpenIDConnect => None,
        };
        let event = match id {
            Some(id) => tx.integration_event(id.as_str()).await?.filter(|e| e.event_type == kind),
            None => None,
        };
        tx.commit().await?;
        Ok(event)
    }
}
