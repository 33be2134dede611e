//! Users, buyer companies, security profiles and assignments: the minimum that makes tokens
//! carry real roles.

use crate::{App, AppError, Principal, RuleCode, grants};
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::user::{
    AssignmentLevel, Buyer, SecurityProfile, SecurityProfileAssignment, User, UserProfile, UserType, check_password,
};
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_store::StoreError;
use cartwire_store::users::company_of;
use time::OffsetDateTime;

/// Whose users: the marketplace owner's (admin users) or a buyer company's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Company {
    /// Admin users (`/v1/adminusers`).
    Admin,
    /// Users of a buyer (`/v1/buyers/{id}/users`).
    Buyer(String),
}

impl Company {
    fn roles(&self, write: bool) -> &'static [ApiRole] {
        match (self, write) {
            (Company::Admin, true) => &[ApiRole::AdminUserAdmin],
            (Company::Admin, false) => &[ApiRole::AdminUserAdmin, ApiRole::AdminUserReader],
            (Company::Buyer(_), true) => &[ApiRole::BuyerUserAdmin],
            (Company::Buyer(_), false) => &[ApiRole::BuyerUserAdmin, ApiRole::BuyerUserReader],
        }
    }

    fn key(&self) -> &str {
        match self {
            Company::Admin => "",
            Company::Buyer(b) => b,
        }
    }
}

/// The writable part of a user plus an optional new password (write-only on the wire).
#[derive(Debug, Clone)]
pub struct UserInput {
    /// Profile fields.
    pub profile: UserProfile,
    /// A new password, when one is sent.
    pub password: Option<String>,
}

const BUYER_READ: &[ApiRole] = &[ApiRole::BuyerAdmin, ApiRole::BuyerReader];
const BUYER_WRITE: &[ApiRole] = &[ApiRole::BuyerAdmin];
const PROFILE_READ: &[ApiRole] = &[ApiRole::SecurityProfileAdmin, ApiRole::SecurityProfileReader];
const PROFILE_WRITE: &[ApiRole] = &[ApiRole::SecurityProfileAdmin];

fn new_id() -> ObjectId {
    ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id")
}

fn customer_event(change: Change, user: &User, p: &Principal) -> Option<NewEvent> {
    (user.user_type == UserType::Buyer).then(|| {
        let payload = if change == Change::Deleted {
            serde_json::json!({"id": user.id.as_str(), "type": "customer"})
        } else {
            serde_json::json!({
                "id": user.id.as_str(),
                "buyer_id": user.buyer_id.as_ref().map(ObjectId::as_str),
                "username": user.profile.username,
                "first_name": user.profile.first_name,
                "last_name": user.profile.last_name,
                "email": user.profile.email,
                "active": user.profile.active,
                "xp": user.profile.xp,
            })
        };
        NewEvent::change("customer", change, user.id.as_str(), payload).by(p.describe(), Dialect::OrderCloud)
    })
}

impl App {
    async fn prepare_user(&self, input: &UserInput) -> Result<Option<String>, AppError> {
        input.profile.validate().map_err(|e| AppError::invalid("User", e))?;
        match &input.password {
            Some(pw) => {
                check_password(pw).map_err(|e| AppError::invalid("Password", e))?;
                Ok(Some(self.passwords().hash(pw.clone()).await?))
            }
            None => Ok(None),
        }
    }

    async fn require_buyer(&self, tx: &mut cartwire_store::Tx, company: &Company) -> Result<(), AppError> {
        if let Company::Buyer(b) = company {
            tx.buyer(b).await?.ok_or_else(|| AppError::not_found("Buyer", b.clone()))?;
        }
        Ok(())
    }

    /// Lists the users of a company.
    pub async fn list_users(&self, p: &Principal, company: &Company) -> Result<Vec<User>, AppError> {
        p.require_any(company.roles(false))?;
        let mut tx = self.store().read().await?;
        self.require_buyer(&mut tx, company).await?;
        let users = tx.users(company.key()).await?;
        tx.commit().await?;
        Ok(users)
    }

    /// Gets one user of a company.
    pub async fn get_user(&self, p: &Principal, company: &Company, id: &str) -> Result<User, AppError> {
        p.require_any(company.roles(false))?;
        let mut tx = self.store().read().await?;
        self.require_buyer(&mut tx, company).await?;
        let user = tx.user(company.key(), id).await?;
        tx.commit().await?;
        user.ok_or_else(|| AppError::not_found("User", id))
    }

    /// Creates a user (POST); the id is generated when not given.
    pub async fn create_user(
        &self,
        p: &Principal,
        company: &Company,
        build: impl FnOnce() -> Result<(Option<ObjectId>, UserInput), AppError>,
    ) -> Result<User, AppError> {
        p.require_any(company.roles(true))?;
        let (id, input) = build()?;
        let hash = self.prepare_user(&input).await?;
        let user = User {
            id: id.unwrap_or_else(new_id),
            user_type: if *company == Company::Admin { UserType::Admin } else { UserType::Buyer },
            buyer_id: match company {
                Company::Admin => None,
                Company::Buyer(b) => Some(ObjectId::parse(b).map_err(|e| AppError::invalid("buyerID", e))?),
            },
            password_last_set: hash.as_ref().map(|_| OffsetDateTime::now_utc()),
            password_hash: hash,
            profile: input.profile,
            date_created: OffsetDateTime::now_utc(),
        };
        let mut tx = self.store().begin().await?;
        self.require_buyer(&mut tx, company).await?;
        tx.insert_user(&user).await.map_err(|e| user_conflict(e, &user, &mut None))?;
        if user.password_hash.is_some() {
            check_password_reach(&mut tx, p, &user).await?;
        }
        tx.append_events(&customer_event(Change::Created, &user, p).into_iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(user)
    }

    /// Creates or overwrites a user (PUT) or applies a merged PATCH: `build` sees the current
    /// user (None on create) and returns the new writable fields and id.
    pub async fn save_user(
        &self,
        p: &Principal,
        company: &Company,
        id: &str,
        build: impl FnOnce(Option<&User>) -> Result<(ObjectId, UserInput), AppError>,
        must_exist: bool,
    ) -> Result<(User, bool), AppError> {
        p.require_any(company.roles(true))?;
        let current = {
            let mut tx = self.store().begin().await?;
            self.require_buyer(&mut tx, company).await?;
            let u = tx.user(company.key(), id).await?;
            tx.commit().await?;
            self.grants_changed();
            u
        };
        if must_exist && current.is_none() {
            return Err(AppError::not_found("User", id));
        }
        let (new_id, input) = build(current.as_ref())?;
        let hash = self.prepare_user(&input).await?;
        let password_set = hash.is_some();
        let mut tx = self.store().begin().await?;
        let created = current.is_none();
        let user = match current {
            Some(current) => {
                let user = User {
                    id: new_id,
                    password_last_set: if hash.is_some() {
                        Some(OffsetDateTime::now_utc())
                    } else {
                        current.password_last_set
                    },
                    password_hash: hash.or(current.password_hash.clone()),
                    profile: input.profile,
                    ..current
                };
                if !tx.update_user(id, &user).await.map_err(|e| user_conflict(e, &user, &mut None))? {
                    return Err(AppError::not_found("User", id));
                }
                user
            }
            None => {
                let user = User {
                    id: new_id,
                    user_type: if *company == Company::Admin { UserType::Admin } else { UserType::Buyer },
                    buyer_id: match company {
                        Company::Admin => None,
                        Company::Buyer(b) => Some(ObjectId::parse(b).map_err(|e| AppError::invalid("buyerID", e))?),
                    },
                    password_last_set: hash.as_ref().map(|_| OffsetDateTime::now_utc()),
                    password_hash: hash,
                    profile: input.profile,
                    date_created: OffsetDateTime::now_utc(),
                };
                tx.insert_user(&user).await.map_err(|e| user_conflict(e, &user, &mut None))?;
                user
            }
        };
        if password_set {
            check_password_reach(&mut tx, p, &user).await?;
        }
        let change = if created { Change::Created } else { Change::Updated };
        tx.append_events(&customer_event(change, &user, p).into_iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok((user, created))
    }

    /// Deletes a user.
    pub async fn delete_user(&self, p: &Principal, company: &Company, id: &str) -> Result<(), AppError> {
        p.require_any(company.roles(true))?;
        let mut tx = self.store().begin().await?;
        self.require_buyer(&mut tx, company).await?;
        let user = tx.user(company.key(), id).await?.ok_or_else(|| AppError::not_found("User", id))?;
        tx.delete_user(company.key(), id).await?;
        tx.append_events(&customer_event(Change::Deleted, &user, p).into_iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Lists buyers.
    pub async fn list_buyers(&self, p: &Principal) -> Result<Vec<Buyer>, AppError> {
        p.require_any(BUYER_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.buyers().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a buyer.
    pub async fn get_buyer(&self, p: &Principal, id: &str) -> Result<Buyer, AppError> {
        p.require_any(BUYER_READ)?;
        let mut tx = self.store().read().await?;
        let b = tx.buyer(id).await?;
        tx.commit().await?;
        b.ok_or_else(|| AppError::not_found("Buyer", id))
    }

    /// Creates (POST, `must_be_new`), creates-or-overwrites (PUT) or patches (PATCH,
    /// `must_exist`) a buyer; `build` sees the current one.
    pub async fn save_buyer(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&Buyer>) -> Result<Buyer, AppError>,
    ) -> Result<(Buyer, bool), AppError> {
        p.require_any(BUYER_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).map_err(|e| AppError::invalid("ID", e))?,
            None => new_id(),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.buyer(id.as_str()).await?;
        mode.check(current.is_some(), "Buyer", &id)?;
        let mut buyer = build(id.clone(), current.as_ref())?;
        buyer.id = id.clone();
        buyer.date_created = current.as_ref().map(|c| c.date_created).unwrap_or_else(OffsetDateTime::now_utc);
        buyer.validate().map_err(|e| AppError::invalid("Buyer", e))?;
        let created = current.is_none();
        if created {
            tx.insert_buyer(&buyer).await.map_err(AppError::on_insert("Buyer", id.to_string()))?;
        } else {
            tx.update_buyer(&buyer).await?;
        }
        tx.commit().await?;
        self.grants_changed();
        Ok((buyer, created))
    }

    /// Deletes a buyer with its users.
    pub async fn delete_buyer(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(BUYER_WRITE)?;
        let mut tx = self.store().begin().await?;
        let users = tx.users(id).await?;
        if !tx.delete_buyer(id).await? {
            return Err(AppError::not_found("Buyer", id));
        }
        let events: Vec<_> = users.iter().filter_map(|u| customer_event(Change::Deleted, u, p)).collect();
        tx.append_events(&events).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Lists security profiles.
    pub async fn list_security_profiles(&self, p: &Principal) -> Result<Vec<SecurityProfile>, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.security_profiles().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a security profile.
    pub async fn get_security_profile(&self, p: &Principal, id: &str) -> Result<SecurityProfile, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let sp = tx.security_profile(id).await?;
        tx.commit().await?;
        sp.ok_or_else(|| AppError::not_found("SecurityProfile", id))
    }

    /// Creates, overwrites or patches a security profile (see [`SaveMode`]).
    pub async fn save_security_profile(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&SecurityProfile>) -> Result<SecurityProfile, AppError>,
    ) -> Result<(SecurityProfile, bool), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).map_err(|e| AppError::invalid("ID", e))?,
            None => new_id(),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.security_profile(id.as_str()).await?;
        mode.check(current.is_some(), "SecurityProfile", &id)?;
        let mut profile = build(id.clone(), current.as_ref())?;
        profile.id = id.clone();
        profile.validate().map_err(|e| AppError::invalid("SecurityProfile", e))?;
        // Everyone the profile is assigned to gains what it adds: only roles the caller holds.
        let before = current.as_ref().map(grants::profile_roles).unwrap_or_default();
        grants::require_held(p, &grants::profile_roles(&profile).without(&before), "This security profile")?;
        let created = current.is_none();
        if created {
            tx.insert_security_profile(&profile)
                .await
                .map_err(AppError::on_insert("SecurityProfile", id.to_string()))?;
        } else {
            tx.update_security_profile(&profile).await?;
        }
        tx.commit().await?;
        self.grants_changed();
        Ok((profile, created))
    }

    /// Deletes a security profile and its assignments.
    pub async fn delete_security_profile(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_security_profile(id).await? {
            return Err(AppError::not_found("SecurityProfile", id));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Lists assignments.
    pub async fn list_assignments(&self, p: &Principal) -> Result<Vec<SecurityProfileAssignment>, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.assignments().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Assigns a profile; the profile, buyer and user must exist.
    pub async fn save_assignment(
        &self,
        p: &Principal,
        build: impl FnOnce() -> Result<SecurityProfileAssignment, AppError>,
    ) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let a = build()?;
        let mut tx = self.store().begin().await?;
        let profile = tx
            .security_profile(a.security_profile_id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found("SecurityProfile", a.security_profile_id.as_str()))?;
        grants::require_held(p, &grants::profile_roles(&profile), "This assignment")?;
        match &a.level {
            AssignmentLevel::Marketplace => {}
            AssignmentLevel::Buyer(b) => {
                tx.buyer(b.as_str()).await?.ok_or_else(|| AppError::not_found("Buyer", b.as_str()))?;
            }
            AssignmentLevel::BuyerUser { buyer_id, user_id } => {
                tx.buyer(buyer_id.as_str()).await?.ok_or_else(|| AppError::not_found("Buyer", buyer_id.as_str()))?;
                tx.user(buyer_id.as_str(), user_id.as_str())
                    .await?
                    .ok_or_else(|| AppError::not_found("User", user_id.as_str()))?;
            }
            AssignmentLevel::AdminUser(u) => {
                tx.user("", u.as_str()).await?.ok_or_else(|| AppError::not_found("User", u.as_str()))?;
            }
        }
        tx.save_assignment(&a).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Removes an assignment.
    pub async fn delete_assignment(&self, p: &Principal, a: SecurityProfileAssignment) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_assignment(&a).await? {
            return Err(AppError::not_found("SecurityProfileAssignment", a.security_profile_id.as_str()));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }
}

/// Whoever sets a user's password can sign in as them: only a caller holding every role the
/// user holds may do it (see [`crate::grants`]).
async fn check_password_reach(tx: &mut cartwire_store::Tx, p: &Principal, user: &User) -> Result<(), AppError> {
    let held_by_user = tx.roles_of_user(user).await?;
    grants::require_held(p, &held_by_user, "Setting this user's password")
}

/// Which of create / overwrite / patch a save is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// POST: the id must be new (409 otherwise).
    Create,
    /// PUT: create or overwrite.
    Upsert,
    /// PATCH: the object must exist (404 otherwise).
    Patch,
}

impl SaveMode {
    pub(crate) fn check(self, exists: bool, object_type: &'static str, id: &ObjectId) -> Result<(), AppError> {
        match (self, exists) {
            (SaveMode::Create, true) => Err(AppError::IdExists { object_type, object_id: id.to_string() }),
            (SaveMode::Patch, false) => Err(AppError::not_found(object_type, id.as_str())),
            _ => Ok(()),
        }
    }
}

fn user_conflict(e: StoreError, user: &User, _: &mut Option<()>) -> AppError {
    match e {
        // Both the (company, id) key and the username are unique; say which one clashed.
        StoreError::Unique { constraint } if constraint == cartwire_store::users::USERNAME_KEY => AppError::rule(
            RuleCode::UsernameMustBeUnique,
            format!("Username {} is already taken", user.profile.username),
        ),
        StoreError::Unique { .. } => AppError::IdExists { object_type: "User", object_id: user.id.to_string() },
        other => other.into(),
    }
}

/// The company key of a user, for callers outside this module.
pub fn company_key(user: &User) -> &str {
    company_of(user.buyer_id.as_ref())
}
