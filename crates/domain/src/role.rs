//! The role vocabulary: OrderCloud's API roles are cartwire's one set of role names.

use crate::DomainError;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! api_roles {
    ($($name:ident),* $(,)?) => {
        /// One of OrderCloud's API roles. `FullAccess` satisfies every role check.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ApiRole { $($name),* }

        impl ApiRole {
            /// Every role, in the vendor's (alphabetical) order.
            pub const ALL: &'static [ApiRole] = &[$(ApiRole::$name),*];

            /// The role's wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(ApiRole::$name => stringify!($name)),* }
            }
        }

        impl FromStr for ApiRole {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($name) => Ok(ApiRole::$name),)*
                    other => Err(DomainError::value(format!("must name known roles; '{other}' is not one"))),
                }
            }
        }
    };
}

api_roles!(
    AddressAdmin,
    AddressReader,
    AdminAddressAdmin,
    AdminAddressReader,
    AdminUserAdmin,
    AdminUserGroupAdmin,
    AdminUserGroupReader,
    AdminUserReader,
    ApiClientAdmin,
    ApiClientReader,
    ApprovalRuleAdmin,
    ApprovalRuleReader,
    BundleAdmin,
    BundleAssignmentAdmin,
    BundleReader,
    BuyerAdmin,
    BuyerImpersonation,
    BuyerReader,
    BuyerUserAdmin,
    BuyerUserReader,
    CatalogAdmin,
    CatalogReader,
    CategoryAdmin,
    CategoryReader,
    CostCenterAdmin,
    CostCenterReader,
    CreditCardAdmin,
    CreditCardReader,
    DeliveryConfigAdmin,
    EntitySyncConfigAdmin,
    ErrorConfigAdmin,
    FullAccess,
    IncrementorAdmin,
    IncrementorReader,
    IntegrationEventAdmin,
    IntegrationEventReader,
    LocaleAdmin,
    LocaleReader,
    MeAddressAdmin,
    MeAdmin,
    MeCreditCardAdmin,
    MeSubscriptionAdmin,
    MeXpAdmin,
    MessageConfigAssignmentAdmin,
    MessageSenderAdmin,
    MessageSenderReader,
    OpenIDConnectAdmin,
    OpenIDConnectReader,
    OrderAdmin,
    OrderReader,
    OrderSyncConfigAdmin,
    OverrideShipping,
    OverrideTax,
    OverrideUnitPrice,
    PasswordReset,
    PriceScheduleAdmin,
    PriceScheduleReader,
    ProductAdmin,
    ProductAssignmentAdmin,
    ProductCollectionReader,
    ProductFacetAdmin,
    ProductFacetReader,
    ProductReader,
    ProductSyncConfigAdmin,
    PromotionAdmin,
    PromotionReader,
    SecurityProfileAdmin,
    SecurityProfileReader,
    SetSecurityProfile,
    ShipmentAdmin,
    ShipmentReader,
    Shopper,
    SpendingAccountAdmin,
    SpendingAccountReader,
    SubscriptionAdmin,
    SubscriptionReader,
    SupplierAddressAdmin,
    SupplierAddressReader,
    SupplierAdmin,
    SupplierReader,
    SupplierUserAdmin,
    SupplierUserGroupAdmin,
    SupplierUserGroupReader,
    SupplierUserReader,
    TrackingEventAdmin,
    TrackingEventReader,
    UnsubmittedOrderReader,
    UserGroupAdmin,
    UserGroupReader,
    WebhookAdmin,
    WebhookReader,
    XpIndexAdmin,
);

impl fmt::Display for ApiRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a list of role names, rejecting unknown ones.
pub fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<ApiRole>, DomainError> {
    // In the order given (a client that sends ["Shopper", "MeAdmin"] reads them back so),
    // each role once.
    let mut roles: Vec<ApiRole> = Vec::new();
    for name in names {
        let role: ApiRole = name.parse()?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// Checks a list of custom role names: non-empty, at most 100 characters, no whitespace
/// (they travel space-separated in the `scope` parameter).
pub fn parse_custom_roles(names: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_whitespace) {
            return Err(DomainError::value(format!("must be 1-100 characters without spaces; '{name}' is not")));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// The roles a principal holds: API roles plus free-form custom roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet {
    /// API roles.
    pub roles: BTreeSet<ApiRole>,
    /// Custom roles (free strings carried in the token only).
    pub custom: BTreeSet<String>,
}

impl RoleSet {
    /// A set holding the given API roles and no custom roles.
    pub fn of(roles: impl IntoIterator<Item = ApiRole>) -> Self {
        Self { roles: roles.into_iter().collect(), custom: BTreeSet::new() }
    }

    /// True when the set holds `FullAccess` or any one of `accepted`.
    pub fn satisfies_any(&self, accepted: &[ApiRole]) -> bool {
        self.roles.contains(&ApiRole::FullAccess) || accepted.iter().any(|r| self.roles.contains(r))
    }

    /// True when the set holds `role`, counting `FullAccess` as holding every API role.
    pub fn holds(&self, role: ApiRole) -> bool {
        self.roles.contains(&ApiRole::FullAccess) || self.roles.contains(&role)
    }

    /// Adds every role of `other`.
    pub fn extend(&mut self, other: &RoleSet) {
        self.roles.extend(other.roles.iter().copied());
        self.custom.extend(other.custom.iter().cloned());
    }

    /// The names of all roles, API roles first, as they go into a token's `role` claim.
    pub fn names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.as_str().to_owned()).chain(self.custom.iter().cloned()).collect()
    }

    /// Splits a `role` claim (or `scope` words) into API roles and custom roles.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = RoleSet::default();
        for name in names {
            match name.parse::<ApiRole>() {
                Ok(role) => {
                    set.roles.insert(role);
                }
                Err(_) => {
                    set.custom.insert(name.to_owned());
                }
            }
        }
        set
    }

    /// True when the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.custom.is_empty()
    }

    /// The roles of `wanted` this set does not cover. `FullAccess` covers every role, custom
    /// roles included (its holder could grant itself any of them anyway); `FullAccess` itself
    /// is covered only by `FullAccess`.
    pub fn missing(&self, wanted: &RoleSet) -> RoleSet {
        if self.roles.contains(&ApiRole::FullAccess) {
            return RoleSet::default();
        }
        RoleSet {
            roles: wanted.roles.difference(&self.roles).copied().collect(),
            custom: wanted.custom.difference(&self.custom).cloned().collect(),
        }
    }

    /// The roles of this set that `other` does not contain (plain set difference).
    pub fn without(&self, other: &RoleSet) -> RoleSet {
        RoleSet {
            roles: self.roles.difference(&other.roles).copied().collect(),
            custom: self.custom.difference(&other.custom).cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_92_roles_and_names_round_trip() {
        assert_eq!(ApiRole::ALL.len(), 92);
        for role in ApiRole::ALL {
            assert_eq!(role.as_str().parse::<ApiRole>().unwrap(), *role);
        }
        assert!("FullAccessIntegrationEventAdmin".parse::<ApiRole>().is_err());
    }

    #[test]
    fn full_access_satisfies_everything() {
        let set = RoleSet::of([ApiRole::FullAccess]);
        assert!(set.satisfies_any(&[ApiRole::ApiClientAdmin]));
        assert!(set.holds(ApiRole::OrderAdmin));
        let reader = RoleSet::of([ApiRole::ApiClientReader]);
        assert!(!reader.satisfies_any(&[ApiRole::ApiClientAdmin]));
        assert!(reader.satisfies_any(&[ApiRole::ApiClientAdmin, ApiRole::ApiClientReader]));
    }

    #[test]
    fn missing_roles_are_what_the_holder_cannot_hand_out() {
        let admin = RoleSet::from_names(["ApiClientAdmin", "Shopper", "Warehouse"]);
        let wanted = RoleSet::from_names(["Shopper", "OrderAdmin", "Warehouse", "Night"]);
        assert_eq!(admin.missing(&wanted), RoleSet::from_names(["OrderAdmin", "Night"]));
        assert!(admin.missing(&RoleSet::from_names(["Shopper"])).is_empty());
        assert_eq!(admin.missing(&RoleSet::of([ApiRole::FullAccess])), RoleSet::of([ApiRole::FullAccess]));
        let full = RoleSet::of([ApiRole::FullAccess]);
        assert!(full.missing(&wanted).is_empty() && full.missing(&full).is_empty());
        assert_eq!(wanted.without(&admin), RoleSet::from_names(["OrderAdmin", "Night"]));
    }

    proptest::proptest! {
        #[test]
        fn a_set_never_misses_its_own_roles(picks in proptest::collection::vec(0usize..92, 0..10)) {
            let set = RoleSet::of(picks.iter().map(|i| ApiRole::ALL[*i]));
            proptest::prop_assert!(set.missing(&set).is_empty());
            let missing = RoleSet::default().missing(&set);
            proptest::prop_assert_eq!(missing, set);
        }
    }

    #[test]
    fn names_split_into_api_and_custom_roles() {
        let set = RoleSet::from_names(["Shopper", "Warehouse"]);
        assert!(set.roles.contains(&ApiRole::Shopper));
        assert!(set.custom.contains("Warehouse"));
        assert_eq!(set.names(), vec!["Shopper", "Warehouse"]);
    }
}
