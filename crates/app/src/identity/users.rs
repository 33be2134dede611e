//! Users of a company (admin users or a buyer's): create, overwrite, patch with password
//! rules and the roles a password reaches, delete.

use super::{customer_event, new_id};
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, RuleCode, grants};
use cartwire_domain::Field;
use cartwire_domain::event::Change;
use cartwire_domain::user::{User, UserProfile, UserType, check_password};
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
    pub(crate) fn roles(&self, write: bool) -> &'static [ApiRole] {
        match (self, write) {
            (Company::Admin, true) => &[ApiRole::AdminUserAdmin],
            (Company::Admin, false) => &[ApiRole::AdminUserAdmin, ApiRole::AdminUserReader],
            (Company::Buyer(_), true) => &[ApiRole::BuyerUserAdmin],
            (Company::Buyer(_), false) => &[ApiRole::BuyerUserAdmin, ApiRole::BuyerUserReader],
        }
    }

    pub(crate) fn key(&self) -> &str {
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

impl App {
    async fn prepare_user(&self, input: &UserInput) -> Result<Option<String>, AppError> {
        input.profile.validate()?;
        match &input.password {
            Some(pw) => {
                check_password(pw)?;
                Ok(Some(self.passwords().hash(pw.clone()).await?))
            }
            None => Ok(None),
        }
    }

    async fn require_buyer(&self, tx: &mut cartwire_store::Tx, company: &Company) -> Result<(), AppError> {
        if let Company::Buyer(b) = company {
            tx.buyer(b).await?.ok_or_else(|| AppError::not_found(Resource::Buyer, b.clone()))?;
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
        user.ok_or_else(|| AppError::not_found(Resource::User, id))
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
                Company::Buyer(b) => Some(ObjectId::parse(b).field(Field::BuyerId)?),
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
            return Err(AppError::not_found(Resource::User, id));
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
                    return Err(AppError::not_found(Resource::User, id));
                }
                user
            }
            None => {
                let user = User {
                    id: new_id,
                    user_type: if *company == Company::Admin { UserType::Admin } else { UserType::Buyer },
                    buyer_id: match company {
                        Company::Admin => None,
                        Company::Buyer(b) => Some(ObjectId::parse(b).field(Field::BuyerId)?),
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

    /// Overwrites the caller's own user with a new profile (the caller's role to do so was
    /// checked by `/me`): id, password, type and company stay.
    pub(crate) async fn save_user_as_self(
        &self,
        p: &Principal,
        current: &User,
        input: UserInput,
    ) -> Result<User, AppError> {
        input.profile.validate()?;
        let user = User { profile: input.profile, ..current.clone() };
        let mut tx = self.store().begin().await?;
        if !tx.update_user(current.id.as_str(), &user).await.map_err(|e| user_conflict(e, &user, &mut None))? {
            return Err(AppError::not_found(Resource::User, current.id.as_str()));
        }
        tx.append_events(&customer_event(Change::Updated, &user, p).into_iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(user)
    }

    /// Deletes a user.
    pub async fn delete_user(&self, p: &Principal, company: &Company, id: &str) -> Result<(), AppError> {
        p.require_any(company.roles(true))?;
        let mut tx = self.store().begin().await?;
        self.require_buyer(&mut tx, company).await?;
        let user = tx.user(company.key(), id).await?.ok_or_else(|| AppError::not_found(Resource::User, id))?;
        tx.delete_user(company.key(), id).await?;
        tx.append_events(&customer_event(Change::Deleted, &user, p).into_iter().collect::<Vec<_>>()).await?;
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

fn user_conflict(e: StoreError, user: &User, _: &mut Option<()>) -> AppError {
    match e {
        // Both the (company, id) key and the username are unique; say which one clashed.
        StoreError::Unique { constraint } if constraint == cartwire_store::users::USERNAME_KEY => AppError::rule(
            RuleCode::UsernameMustBeUnique,
            format!("Username {} is already taken", user.profile.username),
        ),
        StoreError::Unique { .. } => AppError::IdExists { resource: Resource::User, id: user.id.to_string() },
        other => other.into(),
    }
}

/// The company key of a user, for callers outside this module.
pub fn company_key(user: &User) -> &str {
    company_of(user.buyer_id.as_ref())
}
