//! The signed-in user's own resources: their user, their orders, the products they can order
//! (priced), and revoking every token they hold. An anonymous shopper's user is the template
//! user of their client, which they may read but never change.

use crate::identity::{Company, UserInput};
use crate::resource::Resource;
use crate::{App, AppError, Principal, RuleCode};
use cartwire_domain::ApiRole;
use cartwire_domain::catalog::{PriceSchedule, Product};
use cartwire_domain::order::Order;
use cartwire_domain::user::User;
use cartwire_domain::{Field, Problem};
use cartwire_store::users::company_of;
use time::OffsetDateTime;

/// Roles that read the caller's own user.
const ME_READ: &[ApiRole] = &[ApiRole::Shopper, ApiRole::MeAdmin, ApiRole::MeXpAdmin];
/// Roles that change more of it than its `xp`.
const ME_WRITE: &[ApiRole] = &[ApiRole::MeAdmin];
/// Roles that change the caller's user.
const ME_ANY_WRITE: &[ApiRole] = &[ApiRole::MeAdmin, ApiRole::MeXpAdmin];

impl App {
    /// The caller's user.
    pub async fn me(&self, p: &Principal) -> Result<User, AppError> {
        p.require_any(ME_READ)?;
        self.own_user(p).await
    }

    /// Overwrites (PUT) or patches (PATCH, `build` merges over the current user) the caller's
    /// user. `MeXpAdmin` alone changes `xp` and nothing else; the id, the password and whether
    /// the user is active are not the caller's to change here.
    pub async fn save_me(
        &self,
        p: &Principal,
        build: impl FnOnce(&User) -> Result<UserInput, AppError>,
    ) -> Result<User, AppError> {
        p.require_any(ME_ANY_WRITE)?;
        if p.anonymous_order_id.is_some() {
            return Err(AppError::rule(
                RuleCode::AnonymousUserReadOnly,
                "An anonymous shopper's user is the client's template and cannot be changed",
            ));
        }
        let current = self.own_user(p).await?;
        let input = build(&current)?;
        if input.password.is_some() {
            return Err(AppError::invalid(Field::Password, Problem::rule("cannot be set through /me")));
        }
        let mut profile = input.profile;
        profile.active = current.profile.active;
        if !p.roles.satisfies_any(ME_WRITE) {
            // MeXpAdmin: everything but xp must stay as it is.
            let only_xp = cartwire_domain::user::UserProfile { xp: current.profile.xp.clone(), ..profile.clone() };
            if only_xp != current.profile {
                p.require_any(ME_WRITE)?;
            }
        }
        self.save_user_as_self(p, &current, UserInput { profile, password: None }).await
    }

    /// The caller's own orders (every status), whatever else they may read.
    pub async fn my_orders(&self, p: &Principal) -> Result<Vec<Order>, AppError> {
        p.require_any(&[ApiRole::Shopper])?;
        let mine = p.user_ref();
        let mut tx = self.store().read().await?;
        let orders = tx.checkout_orders(Some(&mine)).await?;
        tx.commit().await?;
        Ok(orders)
    }

    /// The products the caller can order: active, with the price schedule that prices them.
    pub async fn my_products(&self, p: &Principal) -> Result<Vec<(Product, PriceSchedule)>, AppError> {
        p.require_any(&[ApiRole::Shopper])?;
        let mut tx = self.store().read().await?;
        let products = tx.products().await?;
        let mut priced = Vec::new();
        for product in products.into_iter().filter(|p| p.active) {
            let Some(id) = product.default_price_schedule_id.clone() else { continue };
            if let Some(schedule) = tx.price_schedule(id.as_str()).await? {
                priced.push((product, schedule));
            }
        }
        tx.commit().await?;
        Ok(priced)
    }

    /// Revokes every token the caller's user holds (access and refresh), this one included.
    pub async fn revoke_my_tokens(&self, p: &Principal) -> Result<(), AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::MeAdmin, ApiRole::MeXpAdmin, ApiRole::MeAddressAdmin])?;
        if p.anonymous_order_id.is_some() || p.user_id.is_empty() {
            return Err(AppError::rule(
                RuleCode::AnonymousUserReadOnly,
                "An anonymous shopper's tokens end when they expire; there is no user to revoke them for",
            ));
        }
        let company = p.buyer_id.clone().unwrap_or_default();
        self.revoke_tokens_of(&company, &p.user_id).await
    }

    /// Revokes every token a user of `company` holds (their company's user admin).
    pub async fn revoke_user_tokens(&self, p: &Principal, company: &Company, id: &str) -> Result<(), AppError> {
        p.require_any(company.roles(true))?;
        self.revoke_tokens_of(company.key(), id).await
    }

    async fn revoke_tokens_of(&self, company: &str, id: &str) -> Result<(), AppError> {
        let mut tx = self.store().begin().await?;
        if !tx.revoke_user_tokens(company, id, OffsetDateTime::now_utc()).await? {
            return Err(AppError::not_found(Resource::User, id));
        }
        tx.commit().await?;
        // The grant cache would otherwise keep the old generation for its TTL on this node;
        // other nodes see it within the TTL.
        self.grants_changed();
        Ok(())
    }

    /// The caller's stored user: their own, or an anonymous shopper's template.
    async fn own_user(&self, p: &Principal) -> Result<User, AppError> {
        let mut tx = self.store().read().await?;
        let user = if p.anonymous_order_id.is_some() {
            let client = tx.api_client(&p.client_id).await?.map(|r| r.client);
            match client.and_then(|c| c.default_context_username) {
                Some(name) => tx.user_by_username(&name).await?,
                None => None,
            }
        } else {
            tx.user(p.buyer_id.as_deref().unwrap_or_default(), &p.user_id).await?
        };
        tx.commit().await?;
        user.filter(|u| {
            p.anonymous_order_id.is_some()
                || company_of(u.buyer_id.as_ref()) == p.buyer_id.as_deref().unwrap_or_default()
        })
        .ok_or_else(|| AppError::not_found(Resource::User, p.user_id.clone()))
    }
}
