//! The kinds of record a use case can fail to find, or find already taken. App names the kind
//! and each dialect words it in its own vocabulary (OrderCloud's `ObjectType`, ActiveCampaign's
//! `EcomOrder`, …), so no dialect's name for a resource is written below the dialects.

use std::fmt;

/// A kind of record, as errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A buyer user's saved address.
    Address,
    /// An API client.
    ApiClient,
    /// A shop's API key.
    ApiKey,
    /// An approval rule of a buyer.
    ApprovalRule,
    /// A buyer company.
    Buyer,
    /// A connection to a shop.
    Connection,
    /// A shop customer.
    Customer,
    /// One delivery of an event to an integration.
    Delivery,
    /// An integration (a webhook, queue or broker that observes events).
    Integration,
    /// An integration event (the merchant middleware's callout configuration).
    IntegrationEvent,
    /// An integration's job (its delivery attempts as one unit).
    IntegrationJob,
    /// A line of an order.
    LineItem,
    /// A single sign-on configuration.
    OpenIdConnect,
    /// An order (or cart) of any source.
    Order,
    /// One product line of a shop order.
    OrderProduct,
    /// An order return.
    OrderReturn,
    /// An action on an order return (submit, approve, …) that does not exist.
    OrderReturnAction,
    /// A product's price schedule.
    PriceSchedule,
    /// A catalog product.
    Product,
    /// A security profile.
    SecurityProfile,
    /// An assignment of a security profile.
    SecurityProfileAssignment,
    /// A storefront token.
    StorefrontToken,
    /// A user (admin or buyer).
    User,
}

impl Resource {
    /// A plain English name, for logs and the operator API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::ApiClient => "API client",
            Self::ApiKey => "API key",
            Self::ApprovalRule => "approval rule",
            Self::Buyer => "buyer",
            Self::Connection => "connection",
            Self::Customer => "customer",
            Self::Delivery => "delivery",
            Self::Integration => "integration",
            Self::IntegrationEvent => "integration event",
            Self::IntegrationJob => "integration job",
            Self::LineItem => "line item",
            Self::OpenIdConnect => "OpenID Connect configuration",
            Self::Order => "order",
            Self::OrderProduct => "order product",
            Self::OrderReturn => "order return",
            Self::OrderReturnAction => "order return action",
            Self::PriceSchedule => "price schedule",
            Self::Product => "product",
            Self::SecurityProfile => "security profile",
            Self::SecurityProfileAssignment => "security profile assignment",
            Self::StorefrontToken => "storefront token",
            Self::User => "user",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
