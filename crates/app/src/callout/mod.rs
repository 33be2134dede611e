//! Calling a merchant's middleware (an integration event): the envelope every call carries
//! (the event's configuration, the environment, a token with the event's elevated roles), the
//! signature, the deadline and the SSRF guard (in `cartwire_outbound::callout`), and one metric
//! and log line per call. Checkout, returns and single sign-on call through here; what the
//! calls look like on the wire is the dialect's ([`protocol::CalloutWire`]).

pub mod protocol;

pub use protocol::{
    AddToCartAnswer, AddToCartQuery, Callout, CalloutWire, CheckoutStep, Envelope, RefundAnswer, SsoAnswer,
};

use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::order::worksheet::CalloutRecord;
use cartwire_outbound::callout::{CalloutOutcome, CalloutRequest};
use serde_json::Value;
use std::time::Duration;

/// How callouts are made.
#[derive(Debug, Clone)]
pub struct CalloutConfig {
    /// Deadline of one callout (default 10 s).
    pub deadline: Duration,
    /// The environment callout bodies carry (`Sandbox`, `Staging` or `Production`).
    pub environment: String,
}

impl Default for CalloutConfig {
    fn default() -> Self {
        Self { deadline: Duration::from_secs(10), environment: "Sandbox".into() }
    }
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
        AppError::CalloutFailed { status: self.status, body: self.body.clone() }
    }

    /// The failure as the worksheet records it.
    pub(crate) fn record(&self) -> CalloutRecord {
        CalloutRecord::failed(self.status, self.body.clone())
    }
}

impl App {
    /// Calls an integration event: the dialect renders `call` inside the envelope (the
    /// event's configuration, the environment, a token for the caller with the event's
    /// elevated roles); the exact bytes are signed and posted; a 2xx with a JSON object is the
    /// answer.
    pub(crate) async fn call_middleware(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        event: &IntegrationEvent,
        call: &Callout<'_>,
    ) -> Result<(Value, u16), CalloutFailure> {
        let token = self.callout_token(p, &event.elevated_roles).map_err(|e| {
            tracing::error!(error = %e, "cannot mint the callout token");
            CalloutFailure { status: 0, body: "cartwire could not mint the callout token".into() }
        })?;
        let envelope = Envelope {
            config_data: event.config_data.as_ref(),
            environment: &self.config().callouts.environment,
            access_token: &token,
        };
        let body = wire.request(call, &envelope);
        let path = wire.path(call);
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
        let entry = cartwire_store::callouts::CalloutLogEntry {
            id: uuid::Uuid::now_v7().to_string(),
            at: time::OffsetDateTime::now_utc(),
            integration_event_id: event.id.as_str().to_owned(),
            event_type: event_type.to_owned(),
            path: path_label,
            status: i64::from(status),
            outcome: label.to_owned(),
            duration_ms: seconds.as_millis() as i64,
            error_body: result.as_ref().err().map(|f| f.body.chars().take(1024).collect()),
        };
        self.log_callout(&entry).await;
        result
    }

    /// Writes a call to the callout log, after the call and outside any order transaction; a
    /// log that cannot be written costs the log line, never the checkout.
    async fn log_callout(&self, entry: &cartwire_store::callouts::CalloutLogEntry) {
        let written = async {
            let mut tx = self.store().begin().await?;
            tx.log_callout(entry).await?;
            tx.commit().await
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, "the callout log could not be written");
        }
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
