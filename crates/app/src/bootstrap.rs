//! First start: the deployment's ids and the operator's way in.

use crate::error::FieldExt;
use crate::{App, AppError};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use cartwire_domain::Field;
use cartwire_domain::api_client::{
    AccessTokenMinutes, ApiClient, AttachedIntegrationEvents, RefreshTokenMinutes, RoleLimits,
};
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::user::{AssignmentLevel, SecurityProfile, SecurityProfileAssignment, User, UserProfile, UserType};
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_store::deployment::Deployment;
use time::OffsetDateTime;

/// Username of the admin user the bootstrap client acts as.
pub const ADMIN_USERNAME: &str = "cartwire-admin";
/// Id of the security profile holding `FullAccess` that the bootstrap creates.
pub const FULL_ACCESS_PROFILE: &str = "cartwire-full-access";

/// Credentials of the bootstrap API client, shown once.
#[derive(Debug, Clone)]
pub struct AdminCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

/// What first start did.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// The deployment's ids.
    pub deployment: Deployment,
    /// Present only when this start created the admin client.
    pub created_admin: Option<AdminCredentials>,
}

/// Ids for a deployment starting for the first time.
fn fresh_deployment() -> Deployment {
    Deployment {
        store_id: uuid::Uuid::new_v4().to_string(),
        org_id: uuid::Uuid::new_v4().to_string(),
        created_at: OffsetDateTime::now_utc(),
    }
}

impl App {
    /// Whether this node can serve (`/readyz`): its database answers and takes writes.
    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.store().ping().await?)
    }

    /// The kind of store this node runs on, for operators: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.store().backend() {
            cartwire_store::Backend::Sqlite => "sqlite",
            cartwire_store::Backend::Postgres => "postgres",
        }
    }

    /// The deployment's ids (store id, org id), created on first use.
    pub async fn deployment(&self) -> Result<Deployment, AppError> {
        let cached = self
            .deployment_cell()
            .get_or_try_init(|| async {
                let mut tx = self.store().begin().await?;
                let (deployment, _) = tx.ensure_deployment(fresh_deployment()).await?;
                tx.commit().await?;
                Ok::<_, AppError>(deployment)
            })
            .await?;
        Ok(cached.clone())
    }

    /// Creates the deployment ids and, on an empty store, an admin API client holding
    /// `FullAccess` (with `requested` credentials when given). Idempotent.
    pub async fn bootstrap(&self, requested: Option<AdminCredentials>) -> Result<Bootstrap, AppError> {
        let mut tx = self.store().begin().await?;
        let (deployment, _) = tx.ensure_deployment(fresh_deployment()).await?;
        if !tx.api_clients().await?.is_empty() {
            tx.commit().await?;
            // The ids never change: later reads need not touch the store (nor wait for its writer).
            let _ = self.deployment_cell().set(deployment.clone());
            return Ok(Bootstrap { deployment, created_admin: None });
        }
        let creds = match requested {
            Some(c) => c,
            None => {
                let mut secret = [0u8; 32];
                SystemRandom::new().fill(&mut secret).expect("the system RNG works");
                AdminCredentials {
                    client_id: uuid::Uuid::new_v4().to_string().to_uppercase(),
                    client_secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
                }
            }
        };
        let client_id = ObjectId::parse(&creds.client_id).field(Field::AdminClientId)?;
        let now = OffsetDateTime::now_utc();
        let admin = match tx.user_by_username(ADMIN_USERNAME).await? {
            Some(u) => u,
            None => {
                let user = User {
                    id: ObjectId::parse(ADMIN_USERNAME).expect("valid id"),
                    user_type: UserType::Admin,
                    buyer_id: None,
                    profile: UserProfile {
                        username: ADMIN_USERNAME.into(),
                        first_name: "cartwire".into(),
                        last_name: "admin".into(),
                        email: "admin@cartwire.invalid".into(),
                        phone: None,
                        terms_accepted: None,
                        active: true,
                        xp: serde_json::json!({}),
                    },
                    password_hash: None,
                    password_last_set: None,
                    date_created: now,
                };
                tx.insert_user(&user).await?;
                user
            }
        };
        let profile_id = ObjectId::parse(FULL_ACCESS_PROFILE).expect("valid id");
        if tx.security_profile(FULL_ACCESS_PROFILE).await?.is_none() {
            tx.insert_security_profile(&SecurityProfile {
                id: profile_id.clone(),
                name: "Full access (cartwire bootstrap)".into(),
                roles: vec![ApiRole::FullAccess],
                custom_roles: vec![],
            })
            .await?;
        }
        tx.save_assignment(&SecurityProfileAssignment {
            security_profile_id: profile_id,
            level: AssignmentLevel::AdminUser(admin.id.clone()),
        })
        .await?;
        let secret_hash = self.passwords().hash(creds.client_secret.clone()).await?;
        let client = ApiClient {
            id: client_id.clone(),
            app_name: "cartwire admin".into(),
            secret_hash: Some(secret_hash),
            access_token_duration: AccessTokenMinutes::parse(600).expect("in range"),
            refresh_token_duration: RefreshTokenMinutes::parse(0).expect("in range"),
            anonymous_token_duration: None,
            active: true,
            default_context_username: Some(ADMIN_USERNAME.into()),
            allow_any_buyer: false,
            allow_any_supplier: false,
            allow_seller: true,
            is_anon_buyer: false,
            integration_events: AttachedIntegrationEvents::default(),
            role_limits: RoleLimits::default(),
            xp: serde_json::json!({}),
        };
        tx.insert_api_client(&client).await?;
        tx.append_events(&[NewEvent::change(
            "api-client",
            Change::Created,
            client_id.as_str(),
            serde_json::json!({"id": client_id.as_str(), "app_name": client.app_name, "bootstrap": true}),
        )])
        .await?;
        tx.commit().await?;
        let _ = self.deployment_cell().set(deployment.clone());
        Ok(Bootstrap { deployment, created_admin: Some(creds) })
    }
}
