//! API clients: who may obtain tokens, through what, with which integration events.

/// The stored form the dialects render (with the names of attached integration events).
pub use cartwire_store::api_clients::ApiClientRecord;

use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, RuleCode, RuleData, grants};
use cartwire_domain::api_client::ApiClient;
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::integration_event::EventType;
use cartwire_domain::user::UserType;
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_domain::{Field, Problem};
use cartwire_store::{StoreError, Tx};

const READ: &[ApiRole] = &[ApiRole::ApiClientAdmin, ApiRole::ApiClientReader];
const WRITE: &[ApiRole] = &[ApiRole::ApiClientAdmin];
const OBJECT: Resource = Resource::ApiClient;

/// What a write does to the client secret. The secret is write-only (stored hashed), so a
/// GET-then-PUT round trip, which cannot carry it, keeps it rather than silently dropping it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretChange {
    /// Leave the secret as it is (absent or null on the wire).
    Keep,
    /// Set a new secret.
    Set(String),
    /// Remove the secret (an empty string on the wire).
    Remove,
}

impl App {
    /// Lists every API client.
    pub async fn list_api_clients(&self, p: &Principal) -> Result<Vec<ApiClientRecord>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.api_clients().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets one API client.
    pub async fn get_api_client(&self, p: &Principal, id: &str) -> Result<ApiClientRecord, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.api_client(id).await?;
        tx.commit().await?;
        found.ok_or_else(|| AppError::not_found(OBJECT, id))
    }

    /// Creates an API client with a server-generated id.
    pub async fn create_api_client(
        &self,
        p: &Principal,
        secret: SecretChange,
        build: impl FnOnce(ObjectId) -> Result<ApiClient, AppError>,
    ) -> Result<ApiClientRecord, AppError> {
        p.require_any(WRITE)?;
        let id = ObjectId::parse(&uuid::Uuid::new_v4().to_string().to_uppercase()).expect("a UUID is a valid id");
        let mut client = build(id)?;
        client.secret_hash = self.hash_secret(&secret, None).await?;
        client.validate()?;
        let mut tx = self.store().begin().await?;
        check_references(&mut tx, &client).await?;
        check_reach(&mut tx, p, None, &client, &secret).await?;
        tx.insert_api_client(&client).await.map_err(|e| map_write(e, &client))?;
        self.finish_client(tx, p, &client.id, Change::Created).await
    }

    /// Creates or overwrites the API client `id` (PUT). Returns whether it was created.
    pub async fn put_api_client(
        &self,
        p: &Principal,
        id: &str,
        secret: SecretChange,
        build: impl FnOnce(ObjectId) -> Result<ApiClient, AppError>,
    ) -> Result<(ApiClientRecord, bool), AppError> {
        p.require_any(WRITE)?;
        let id = ObjectId::parse(id).field(Field::Id)?;
        let mut client = build(id.clone())?;
        let current = {
            let mut tx = self.store().begin().await?;
            let c = tx.api_client(id.as_str()).await?;
            tx.commit().await?;
            c
        };
        client.secret_hash =
            self.hash_secret(&secret, current.as_ref().and_then(|c| c.client.secret_hash.clone())).await?;
        client.validate()?;
        let mut tx = self.store().begin().await?;
        check_references(&mut tx, &client).await?;
        let before = tx.api_client(id.as_str()).await?;
        check_reach(&mut tx, p, before.as_ref().map(|r| &r.client), &client, &secret).await?;
        let created = if tx.update_api_client(&client).await.map_err(|e| map_write(e, &client))? {
            false
        } else {
            tx.insert_api_client(&client).await.map_err(|e| map_write(e, &client))?;
            true
        };
        let change = if created { Change::Created } else { Change::Updated };
        Ok((self.finish_client(tx, p, &id, change).await?, created))
    }

    /// Applies a partial update to the API client `id` (PATCH): `build` receives the current
    /// client and returns the merged one.
    pub async fn patch_api_client(
        &self,
        p: &Principal,
        id: &str,
        secret: SecretChange,
        build: impl FnOnce(&ApiClientRecord) -> Result<ApiClient, AppError>,
    ) -> Result<ApiClientRecord, AppError> {
        p.require_any(WRITE)?;
        let hashed = match &secret {
            SecretChange::Set(_) => self.hash_secret(&secret, None).await?,
            _ => None,
        };
        let mut tx = self.store().begin().await?;
        let current = tx.api_client(id).await?.ok_or_else(|| AppError::not_found(OBJECT, id))?;
        let mut client = build(&current)?;
        client.id = current.client.id.clone();
        client.secret_hash = match secret {
            SecretChange::Keep => current.client.secret_hash.clone(),
            SecretChange::Set(_) => hashed,
            SecretChange::Remove => None,
        };
        client.validate()?;
        check_references(&mut tx, &client).await?;
        check_reach(&mut tx, p, Some(&current.client), &client, &secret).await?;
        tx.update_api_client(&client).await.map_err(|e| map_write(e, &client))?;
        self.finish_client(tx, p, &current.client.id, Change::Updated).await
    }

    /// Deletes the API client `id`, refusing to delete the last one that grants `FullAccess`.
    pub async fn delete_api_client(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        let all = tx.api_clients().await?;
        let target = all.iter().find(|c| c.client.id.as_str() == id).ok_or_else(|| AppError::not_found(OBJECT, id))?;
        if grants_full_access(&mut tx, &target.client).await? {
            let mut others = false;
            for other in all.iter().filter(|c| c.client.id.as_str() != id) {
                if grants_full_access(&mut tx, &other.client).await? {
                    others = true;
                    break;
                }
            }
            if !others {
                return Err(AppError::rule(
                    RuleCode::ApiClientCannotDeleteLastFullAccess,
                    "This is the last API client whose default context user holds FullAccess",
                ));
            }
        }
        tx.delete_api_client(id).await?;
        tx.append_events(&[NewEvent::change(
            "api-client",
            Change::Deleted,
            id,
            serde_json::json!({"id": id, "type": "api-client"}),
        )
        .by(p.describe(), Dialect::OrderCloud)])
            .await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    async fn hash_secret(&self, change: &SecretChange, current: Option<String>) -> Result<Option<String>, AppError> {
        match change {
            SecretChange::Keep => Ok(current),
            SecretChange::Remove => Ok(None),
            SecretChange::Set(secret) => {
                if secret.chars().count() > 200 {
                    return Err(AppError::invalid(Field::ClientSecret, Problem::TooLong(200)));
                }
                Ok(Some(self.passwords().hash(secret.clone()).await?))
            }
        }
    }

    async fn finish_client(
        &self,
        mut tx: Tx,
        p: &Principal,
        id: &ObjectId,
        change: Change,
    ) -> Result<ApiClientRecord, AppError> {
        let record = tx.api_client(id.as_str()).await?.ok_or_else(|| AppError::not_found(OBJECT, id.as_str()))?;
        tx.append_events(&[NewEvent::change("api-client", change, id.as_str(), snapshot(&record))
            .by(p.describe(), Dialect::OrderCloud)])
            .await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(record)
    }
}

/// True when the client is active, has a secret and its default context user holds FullAccess:
/// the operator's way in.
async fn grants_full_access(tx: &mut Tx, client: &ApiClient) -> Result<bool, AppError> {
    if !client.active || client.secret_hash.is_none() {
        return Ok(false);
    }
    let Some(name) = &client.default_context_username else { return Ok(false) };
    let Some(user) = tx.user_by_username(name).await? else { return Ok(false) };
    Ok(user.profile.active && tx.roles_of_user(&user).await?.roles.contains(&ApiRole::FullAccess))
}

/// A client write may not open a path to roles the caller lacks (see [`crate::grants`]). A new
/// client, a new secret, or an anonymous-buyer client (whose tokens anyone can fetch) must reach
/// only held roles; any other change only adds what it newly reaches.
async fn check_reach(
    tx: &mut Tx,
    p: &Principal,
    before: Option<&ApiClient>,
    after: &ApiClient,
    secret: &SecretChange,
) -> Result<(), AppError> {
    let reach = grants::reach_of_client(tx, after).await?;
    let added = match before {
        Some(b) if !after.is_anon_buyer && !matches!(secret, SecretChange::Set(_)) => {
            reach.without(&grants::reach_of_client(tx, b).await?)
        }
        _ => reach,
    };
    grants::require_held(p, &added, "This API client")
}

async fn check_references(tx: &mut Tx, client: &ApiClient) -> Result<(), AppError> {
    let attached = &client.integration_events;
    for (id, expected) in [
        (&attached.order_checkout, EventType::OrderCheckout),
        (&attached.order_return, EventType::OrderReturn),
        (&attached.add_to_cart, EventType::AddToCart),
    ] {
        let Some(id) = id else { continue };
        let event = tx
            .integration_event(id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found(Resource::IntegrationEvent, id.as_str()))?;
        if event.event_type != expected {
            return Err(AppError::Rule {
                code: RuleCode::IntegrationEventIncompatibleEventType,
                // The dialect names the client's slot for `expected` in its own words.
                message: format!(
                    "must reference an integration event of type {expected}; {id} is {}",
                    event.event_type
                ),
                data: RuleData::IncompatibleEvent { event_id: id.to_string(), event_type: event.event_type, expected },
            });
        }
    }
    if let Some(name) = &client.default_context_username {
        let user = tx.user_by_username(name).await?.ok_or_else(|| AppError::not_found(Resource::User, name.clone()))?;
        if client.is_anon_buyer && user.user_type != UserType::Buyer {
            return Err(AppError::rule(
                RuleCode::ApiClientRequiredNotAnonBuyer,
                "An anonymous buyer client's default context user must be a buyer user",
            ));
        }
    }
    Ok(())
}

fn map_write(e: StoreError, client: &ApiClient) -> AppError {
    match e {
        StoreError::Unique { .. } => AppError::IdExists { resource: OBJECT, id: client.id.to_string() },
        StoreError::Reference(_) => AppError::not_found(Resource::IntegrationEvent, "(referenced)"),
        other => other.into(),
    }
}

/// The event payload: the client in cartwire's operator shape, without secrets.
fn snapshot(r: &ApiClientRecord) -> serde_json::Value {
    let c = &r.client;
    serde_json::json!({
        "id": c.id.as_str(),
        "app_name": c.app_name,
        "active": c.active,
        "has_secret": c.secret_hash.is_some(),
        "access_token_duration": c.access_token_duration.minutes(),
        "refresh_token_duration": c.refresh_token_duration.minutes(),
        "default_context_username": c.default_context_username,
        "allow_any_buyer": c.allow_any_buyer,
        "allow_seller": c.allow_seller,
        "is_anon_buyer": c.is_anon_buyer,
        "order_checkout_integration_event_id": c.integration_events.order_checkout.as_ref().map(ObjectId::as_str),
        "order_return_integration_event_id": c.integration_events.order_return.as_ref().map(ObjectId::as_str),
        "add_to_cart_integration_event_id": c.integration_events.add_to_cart.as_ref().map(ObjectId::as_str),
        "xp": c.xp,
    })
}
