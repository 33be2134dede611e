//! Integrations (Elastic Path's `/v2/integrations`): where events are pushed, and the delivery
//! records an operator inspects, retries and replays.

/// The delivery queue's read models and filter, as the dialects list them.
pub use cartwire_store::deliveries::{Delivery, DeliveryAttempt, DeliveryFilter};

use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::integration::{Integration, IntegrationConfig, MAX_INTEGRATIONS};
use cartwire_domain::{Field, Problem};
use serde_json::{Value, json};

const READ: &[ApiRole] = &[ApiRole::WebhookAdmin, ApiRole::WebhookReader];
const WRITE: &[ApiRole] = &[ApiRole::WebhookAdmin];
const OBJECT: Resource = Resource::Integration;

/// The integration as events carry it: Elastic Path's attributes, every secret masked — the
/// webhook `secret_key` too, since these events go to *other* integrations' receivers.
pub fn snapshot(i: &Integration) -> Value {
    json!({
        "id": i.id,
        "type": "integration",
        "name": i.name,
        "description": i.description,
        "enabled": i.enabled,
        "observes": i.observes.keys(),
        "integration_type": i.config.integration_type().as_str(),
        "configuration": match &i.config {
            IntegrationConfig::Webhook { url, secret_key } => {
                json!({"url": url, "secret_key": secret_key.as_ref().map(|s| s.masked())})
            }
            other => masked_configuration(other),
        },
    })
}

/// The configuration as it may be shown: AWS keys and the STOMP password masked to their last
/// four characters; the webhook `secret_key` in clear, as Elastic Path documents.
pub fn masked_configuration(c: &IntegrationConfig) -> Value {
    match c {
        IntegrationConfig::Webhook { url, secret_key } => {
            let mut v = json!({"url": url});
            if let Some(s) = secret_key {
                v["secret_key"] = json!(s.expose());
            }
            v
        }
        IntegrationConfig::AwsSqs { url, aws_access_key_id, aws_secret_access_key, region } => json!({
            "url": url,
            "aws_access_key_id": aws_access_key_id.masked(),
            "aws_secret_access_key": aws_secret_access_key.masked(),
            "region": region,
        }),
        IntegrationConfig::Stomp { username, password, destination, addresses } => json!({
            "username": username,
            "password": password.as_ref().map(|p| p.masked()),
            "destination": destination,
            "addresses": addresses,
        }),
    }
}

/// The configuration with every secret masked, the webhook `secret_key` too: for screens a
/// person looks at (the console), where a secret has no reason to appear.
pub fn display_configuration(c: &IntegrationConfig) -> Value {
    let mut v = masked_configuration(c);
    if let IntegrationConfig::Webhook { secret_key: Some(s), .. } = c {
        v["secret_key"] = json!(s.masked());
    }
    v
}

/// A webhook's `secret_key` is shown as Elastic Path documents only to the admin role; a
/// reader sees it masked like the other secrets.
pub(crate) fn for_reader(p: &Principal, mut i: Integration) -> Integration {
    if !p.roles.satisfies_any(WRITE)
        && let IntegrationConfig::Webhook { secret_key: Some(s), .. } = &mut i.config
    {
        *s = cartwire_domain::integration::Secret::new(s.masked());
    }
    i
}

impl App {
    /// Lists integrations.
    pub async fn list_integrations(&self, p: &Principal) -> Result<Vec<Integration>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.integrations().await?;
        tx.commit().await?;
        Ok(all.into_iter().map(|i| for_reader(p, i)).collect())
    }

    /// Gets one integration.
    pub async fn get_integration(&self, p: &Principal, id: &str) -> Result<Integration, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.integration(id).await?;
        tx.commit().await?;
        found.map(|i| for_reader(p, i)).ok_or_else(|| AppError::not_found(OBJECT, id))
    }

    /// Creates an integration (at most 100 per deployment); `build` parses it once the
    /// caller's role is checked.
    pub async fn create_integration(
        &self,
        p: &Principal,
        build: impl FnOnce() -> Result<Integration, AppError>,
    ) -> Result<Integration, AppError> {
        p.require_any(WRITE)?;
        let integration = build()?;
        let mut tx = self.store().begin().await?;
        if tx.integrations().await?.len() >= MAX_INTEGRATIONS {
            return Err(AppError::invalid(
                Field::Integrations,
                Problem::rule(format!("are limited to {MAX_INTEGRATIONS}; the limit is reached")),
            ));
        }
        tx.insert_integration(&integration).await?;
        tx.append_events(&[NewEvent::change("integration", Change::Created, &integration.id, snapshot(&integration))
            .by(p.describe(), Dialect::ElasticPath)])
            .await?;
        tx.commit().await?;
        Ok(integration)
    }

    /// Updates an integration: `build` merges the request into the current one.
    pub async fn update_integration(
        &self,
        p: &Principal,
        id: &str,
        build: impl FnOnce(&Integration) -> Result<Integration, AppError>,
    ) -> Result<Integration, AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        let current = tx.integration(id).await?.ok_or_else(|| AppError::not_found(OBJECT, id))?;
        let mut next = build(&current)?;
        next.id = current.id.clone();
        next.created_at = current.created_at;
        next.updated_at = time::OffsetDateTime::now_utc();
        tx.update_integration(&next).await?;
        tx.append_events(&[NewEvent::change("integration", Change::Updated, id, snapshot(&next))
            .by(p.describe(), Dialect::ElasticPath)])
            .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Deletes an integration and its pending deliveries.
    pub async fn delete_integration(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_integration(id).await? {
            return Err(AppError::not_found(OBJECT, id));
        }
        tx.append_events(&[NewEvent::change(
            "integration",
            Change::Deleted,
            id,
            json!({"id": id, "type": "integration"}),
        )
        .by(p.describe(), Dialect::ElasticPath)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attempt logs: of one job, of one integration, or of all; newest first.
    pub async fn integration_logs(
        &self,
        p: &Principal,
        integration_id: Option<&str>,
        job_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DeliveryAttempt>, i64), AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        if let Some(id) = integration_id {
            tx.integration(id).await?.ok_or_else(|| AppError::not_found(OBJECT, id))?;
        }
        if let Some(job) = job_id {
            let d = tx.delivery(job).await?.filter(|d| Some(d.integration_id.as_str()) == integration_id);
            d.ok_or_else(|| AppError::not_found(Resource::IntegrationJob, job))?;
        }
        let page = tx.delivery_attempts(integration_id, job_id, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Every delivery of the events about `resource_id`, for each integration (one indexed
    /// lookup per integration), newest first.
    pub async fn deliveries_for_resource(&self, p: &Principal, resource_id: &str) -> Result<Vec<Delivery>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let mut all = Vec::new();
        for i in tx.integrations().await? {
            let filter = DeliveryFilter {
                integration_id: Some(i.id.clone()),
                resource_id: Some(resource_id.to_owned()),
                ..DeliveryFilter::default()
            };
            all.extend(tx.deliveries(&filter, 0, 1000).await?.0);
        }
        tx.commit().await?;
        all.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        Ok(all)
    }

    /// Deliveries (jobs) matching `filter`, newest first.
    pub async fn deliveries(
        &self,
        p: &Principal,
        filter: &DeliveryFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Delivery>, i64), AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        if let Some(id) = &filter.integration_id {
            tx.integration(id).await?.ok_or_else(|| AppError::not_found(OBJECT, id.clone()))?;
        }
        let page = tx.deliveries(filter, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// One delivery with every attempt made for it, newest first (at most 1000 attempts:
    /// a delivery's retry schedule makes far fewer).
    pub async fn delivery_with_attempts(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(Delivery, Vec<DeliveryAttempt>), AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let d = tx.delivery(id).await?.ok_or_else(|| AppError::not_found(Resource::Delivery, id))?;
        let (attempts, _) = tx.delivery_attempts(None, Some(id), 0, 1000).await?;
        tx.commit().await?;
        Ok((d, attempts))
    }

    /// Makes one delivery due now with a fresh retry budget (also redrives a dead letter).
    pub async fn retry_delivery(&self, p: &Principal, id: &str) -> Result<Delivery, AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        if tx.requeue_deliveries(&DeliveryFilter::default(), Some(id)).await? == 0 {
            return Err(AppError::not_found(Resource::Delivery, id));
        }
        let d = tx.delivery(id).await?.ok_or_else(|| AppError::not_found(Resource::Delivery, id))?;
        tx.commit().await?;
        Ok(d)
    }

    /// Re-sends every delivery of an integration created in [from, to), whatever its state.
    pub async fn replay_deliveries(
        &self,
        p: &Principal,
        integration_id: &str,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
    ) -> Result<u64, AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        tx.integration(integration_id).await?.ok_or_else(|| AppError::not_found(OBJECT, integration_id))?;
        let filter = DeliveryFilter {
            integration_id: Some(integration_id.to_owned()),
            from: Some(from),
            to: Some(to),
            ..DeliveryFilter::default()
        };
        let n = tx.requeue_deliveries(&filter, None).await?;
        tx.commit().await?;
        Ok(n)
    }
}
