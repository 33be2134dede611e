//! What a delivery becomes on the wire: the body its integration's transport sends for it and
//! the transport's target built from the integration's settings. The dispatcher sends what
//! this module makes; the operator's view of a delivery ([`App::delivery_request`]) describes
//! the same thing with secrets masked, so what an operator reads is what the receiver got.

use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::integration::{Integration, IntegrationConfig};
use cartwire_domain::role::ApiRole;
use cartwire_outbound::Message;
use cartwire_outbound::payload::{EventView, RenderedEvent, cloud_event, webhook_body};
use cartwire_outbound::sqs::SqsTarget;
use cartwire_outbound::stomp::StompTarget;
use cartwire_outbound::webhook::WebhookTarget;
use cartwire_store::deliveries::Delivery;
use cartwire_store::outbox::OutboxEvent;
use time::format_description::well_known::Rfc3339;

/// A message described for people (re-exported: the dialects depend on app, not outbound).
pub use cartwire_outbound::Described;

/// Where an integration's messages go, in its transport's terms.
pub(crate) enum Target {
    Webhook(WebhookTarget),
    Sqs(SqsTarget),
    Stomp(StompTarget),
}

impl Target {
    /// The target of `integration`'s settings.
    pub(crate) fn of(integration: &Integration) -> Self {
        match &integration.config {
            IntegrationConfig::Webhook { url, secret_key } => {
                Target::Webhook(WebhookTarget { url: url.clone(), secret_key: secret_key.clone() })
            }
            IntegrationConfig::AwsSqs { url, aws_access_key_id, aws_secret_access_key, region } => {
                Target::Sqs(SqsTarget {
                    url: url.clone(),
                    access_key_id: aws_access_key_id.clone(),
                    secret_access_key: aws_secret_access_key.clone(),
                    region: region.clone(),
                })
            }
            IntegrationConfig::Stomp { username, password, destination, addresses } => Target::Stomp(StompTarget {
                addresses: addresses.clone(),
                destination: destination.clone(),
                username: username.clone(),
                password: password.clone(),
            }),
        }
    }

    /// `m` as this target's transport sends it, for people (secrets masked).
    fn describe(&self, m: &Message, timestamp: i64) -> Described {
        match self {
            Target::Webhook(t) => cartwire_outbound::webhook::describe(t, m, timestamp),
            Target::Sqs(t) => cartwire_outbound::sqs::describe(t, m),
            Target::Stomp(t) => cartwire_outbound::stomp::describe(t, m),
        }
    }
}

/// An outbox event rendered once for every delivery of it.
pub(crate) fn render(e: &OutboxEvent) -> RenderedEvent {
    let occurred = e.occurred_at.format(&Rfc3339).unwrap_or_default();
    let view = EventView {
        key: &e.key,
        resource_type: &e.resource_type,
        resource_id: &e.resource_id,
        snapshot: &e.payload,
        occurred_at: &occurred,
    };
    RenderedEvent::new(&view)
}

/// The message of delivery `d`'s attempt number `attempt`: a webhook gets Elastic Path's body,
/// a queue a CloudEvent from `source`. None when the event is too large to send at all.
pub(crate) fn message(
    integration: &Integration,
    e: &RenderedEvent,
    d: &Delivery,
    attempt: i64,
    source: &str,
    store_id: &str,
) -> Option<Message> {
    let body = match &integration.config {
        IntegrationConfig::Webhook { .. } => Some(webhook_body(e, integration, &d.id, attempt)),
        _ => cloud_event(e, &integration.id, &d.id, source, store_id),
    }?;
    Some(Message {
        delivery_id: d.id.clone(),
        event_key: d.event_key.clone(),
        resource_id: d.resource_id.clone(),
        body,
    })
}

impl App {
    /// The request delivery `id` makes, as its latest attempt sent it (or its first will),
    /// rebuilt from the stored event and the integration's current settings, secrets masked.
    /// None when the event or the integration is gone. Webhook readers may see it: the
    /// integration's secrets are masked in it.
    pub async fn delivery_request(&self, p: &Principal, id: &str) -> Result<Option<Described>, AppError> {
        p.require_any(&[ApiRole::WebhookAdmin, ApiRole::WebhookReader])?;
        let mut tx = self.store().read().await?;
        let d = tx.delivery(id).await?.ok_or_else(|| AppError::not_found(Resource::Delivery, id))?;
        let integration = tx.integration(&d.integration_id).await?;
        let event = tx.events_by_seq(&[d.event_seq]).await?.into_iter().next();
        tx.commit().await?;
        let (Some(integration), Some(event)) = (integration, event) else { return Ok(None) };
        let store_id = self.deployment().await?.store_id;
        let attempt = d.attempts.max(1);
        let m = message(&integration, &render(&event), &d, attempt, &self.config().public_base_url, &store_id);
        let timestamp = d.updated_at.unix_timestamp();
        Ok(m.map(|m| Target::of(&integration).describe(&m, timestamp)))
    }
}
