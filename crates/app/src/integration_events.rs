//! Integration events: the middleware endpoints cartwire calls during checkout, returns,
//! add-to-cart and single sign-on.

use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, RuleCode, RuleData, grants};
use cartwire_domain::Field;
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::{ApiRole, ObjectId, RoleSet};
use cartwire_store::{StoreError, Tx};

const READ: &[ApiRole] = &[ApiRole::IntegrationEventAdmin, ApiRole::IntegrationEventReader];
const WRITE: &[ApiRole] = &[ApiRole::IntegrationEventAdmin];
const OBJECT: Resource = Resource::IntegrationEvent;

pub use cartwire_store::callouts::CalloutLogEntry;

impl App {
    /// The latest calls to integration events (at most `limit`, newest first; the log keeps
    /// seven days).
    pub async fn recent_callouts(&self, p: &Principal, limit: i64) -> Result<Vec<CalloutLogEntry>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let calls = tx.recent_callouts(limit.clamp(1, 1000)).await?;
        tx.commit().await?;
        Ok(calls)
    }

    /// Lists every integration event.
    pub async fn list_integration_events(&self, p: &Principal) -> Result<Vec<IntegrationEvent>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.integration_events().await?;
        tx.commit().await?;
        Ok(all.into_iter().map(|e| for_reader(p, e)).collect())
    }

    /// Gets one integration event.
    pub async fn get_integration_event(&self, p: &Principal, id: &str) -> Result<IntegrationEvent, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.integration_event(id).await?;
        tx.commit().await?;
        found.map(|e| for_reader(p, e)).ok_or_else(|| AppError::not_found(OBJECT, id))
    }

    /// Creates an integration event (409 `IdExists` when the id is taken); `build` parses it
    /// once the caller's role is checked.
    pub async fn create_integration_event(
        &self,
        p: &Principal,
        build: impl FnOnce() -> Result<IntegrationEvent, AppError>,
    ) -> Result<IntegrationEvent, AppError> {
        p.require_any(WRITE)?;
        let event = build()?;
        let mut tx = self.store().begin().await?;
        check_reach(&mut tx, p, None, &event).await?;
        tx.insert_integration_event(&event).await.map_err(|e| map_write(e, &event.id))?;
        self.finish_event(tx, p, &event.id, Change::Created).await
    }

    /// Creates or overwrites the integration event `id` (PUT); `build` sees the current one.
    pub async fn put_integration_event(
        &self,
        p: &Principal,
        id: &str,
        build: impl FnOnce(ObjectId, Option<&IntegrationEvent>) -> Result<IntegrationEvent, AppError>,
    ) -> Result<(IntegrationEvent, bool), AppError> {
        p.require_any(WRITE)?;
        let id = ObjectId::parse(id).field(Field::Id)?;
        let mut tx = self.store().begin().await?;
        let current = tx.integration_event(id.as_str()).await?;
        let mut event = build(id.clone(), current.as_ref())?;
        event.id = id.clone();
        check_reach(&mut tx, p, current.as_ref(), &event).await?;
        let created = match &current {
            Some(current) => {
                check_type_unchanged(current, &event)?;
                tx.update_integration_event(id.as_str(), &event).await.map_err(|e| map_write(e, &id))?;
                false
            }
            None => {
                tx.insert_integration_event(&event).await.map_err(|e| map_write(e, &id))?;
                true
            }
        };
        let change = if created { Change::Created } else { Change::Updated };
        Ok((self.finish_event(tx, p, &id, change).await?, created))
    }

    /// Applies a partial update (PATCH); a different `ID` in the result renames the event,
    /// and the API clients referencing it follow.
    pub async fn patch_integration_event(
        &self,
        p: &Principal,
        id: &str,
        build: impl FnOnce(&IntegrationEvent) -> Result<IntegrationEvent, AppError>,
    ) -> Result<IntegrationEvent, AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        let current = tx.integration_event(id).await?.ok_or_else(|| AppError::not_found(OBJECT, id))?;
        let event = build(&current)?;
        check_type_unchanged(&current, &event)?;
        check_reach(&mut tx, p, Some(&current), &event).await?;
        tx.update_integration_event(id, &event).await.map_err(|e| map_write(e, &event.id))?;
        self.finish_event(tx, p, &event.id, Change::Updated).await
    }

    /// Deletes an integration event that no API client references.
    pub async fn delete_integration_event(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        let users = tx.clients_using_integration_event(id).await?;
        if !users.is_empty() {
            return Err(in_use(id, users));
        }
        let deleted = match tx.delete_integration_event(id).await {
            Ok(d) => d,
            // A client attached it between our check and the delete: the foreign key says so.
            Err(StoreError::Reference(_)) => return Err(in_use(id, vec![])),
            Err(e) => return Err(e.into()),
        };
        if !deleted {
            return Err(AppError::not_found(OBJECT, id));
        }
        tx.append_events(&[NewEvent::change(
            "integration-event",
            Change::Deleted,
            id,
            serde_json::json!({"id": id, "type": "integration-event"}),
        )
        .by(p.describe(), Dialect::OrderCloud)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_event(
        &self,
        mut tx: Tx,
        p: &Principal,
        id: &ObjectId,
        change: Change,
    ) -> Result<IntegrationEvent, AppError> {
        let event = tx.integration_event(id.as_str()).await?.ok_or_else(|| AppError::not_found(OBJECT, id.as_str()))?;
        tx.append_events(&[NewEvent::change("integration-event", change, id.as_str(), snapshot(&event))
            .by(p.describe(), Dialect::OrderCloud)])
            .await?;
        tx.commit().await?;
        Ok(event)
    }
}

/// The hash key signs every callout: only the admin role sees it (as the documented GET does);
/// a reader sees it masked.
fn for_reader(p: &Principal, mut e: IntegrationEvent) -> IntegrationEvent {
    if !p.roles.satisfies_any(WRITE) {
        e.hash_key = e.hash_key.masked();
    }
    e
}

/// Whoever names an event's URL receives its `ElevatedRoles` in every callout token, and for an
/// OpenIDConnect event decides which user a single sign-on signs in as: a new event or a new
/// URL must reach only roles the caller holds; otherwise only added elevated roles count.
async fn check_reach(
    tx: &mut Tx,
    p: &Principal,
    before: Option<&IntegrationEvent>,
    after: &IntegrationEvent,
) -> Result<(), AppError> {
    let elevated = RoleSet::of(after.elevated_roles.iter().copied());
    let redirected = before.is_none_or(|b| b.custom_implementation_url != after.custom_implementation_url);
    let mut wanted = match before {
        Some(b) if !redirected => elevated.without(&RoleSet::of(b.elevated_roles.iter().copied())),
        _ => elevated,
    };
    if redirected && after.event_type == EventType::OpenIDConnect {
        let ids = [Some(after.id.as_str()), before.map(|b| b.id.as_str())];
        for record in tx.openid_connects().await? {
            let uses = record.config.integration_event_id.as_ref().is_some_and(|ie| ids.contains(&Some(ie.as_str())));
            if uses && let Some(client) = tx.api_client(&record.config.api_client_id).await? {
                wanted.extend(&grants::admitted_roles(tx, &client.client).await?);
            }
        }
    }
    grants::require_held(p, &wanted, "This integration event")
}

fn in_use(id: &str, clients: Vec<String>) -> AppError {
    AppError::Rule {
        code: RuleCode::IntegrationEventCannotDeleteInUse,
        message: format!("Integration event {id} is in use by an API client"),
        data: RuleData::EventInUse { event_id: id.to_owned(), client_ids: clients },
    }
}

fn check_type_unchanged(current: &IntegrationEvent, next: &IntegrationEvent) -> Result<(), AppError> {
    if current.event_type != next.event_type {
        return Err(AppError::Rule {
            code: RuleCode::IntegrationEventCannotEditType,
            message: format!("EventType cannot be changed (it is {})", current.event_type),
            data: RuleData::EventType { current: current.event_type },
        });
    }
    Ok(())
}

fn map_write(e: StoreError, id: &ObjectId) -> AppError {
    match e {
        StoreError::Unique { .. } => AppError::IdExists { resource: OBJECT, id: id.to_string() },
        other => other.into(),
    }
}

/// The event payload: the integration event without its secrets.
fn snapshot(e: &IntegrationEvent) -> serde_json::Value {
    serde_json::json!({
        "id": e.id.as_str(),
        "name": e.name,
        "event_type": e.event_type.as_str(),
        "custom_implementation_url": e.custom_implementation_url.as_str(),
        "elevated_roles": e.elevated_roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "config_data": e.config_data,
        "custom_auth_header_name": e.custom_auth_header.as_ref().map(|h| h.name.clone()),
    })
}
