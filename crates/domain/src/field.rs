//! The fields of the model a rejected value can belong to, and what was wrong with it.
//!
//! A validation error names a [`Field`] of the domain and a [`Problem`]; it never names a wire
//! property. Each dialect words the field in its own vocabulary (OrderCloud's
//! `AccessTokenDuration`, Elastic Path's `configuration.secret_key`, Threekit's
//! `configurationId`) and writes the message as the field's word followed by the problem
//! ("AccessTokenDuration must be between 10 and 600"). [`Field::name`] is the domain's own,
//! neutral word, which the dialects fall back to and the operator API uses as it is.

use std::borrow::Cow;
use std::fmt;

/// A field of the model (or of a request for a use case) that a value was rejected for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    // Identity of the record itself and of the records it names.
    /// The record's own id.
    Id,
    /// The buyer company a user belongs to.
    BuyerId,
    /// The product a line item orders.
    ProductId,
    /// The order a return is for.
    OrderId,
    /// The integration event a configuration calls.
    IntegrationEventId,
    /// The id the bootstrap administrator's API client is created with.
    AdminClientId,

    // Free text and extension data shared by many records.
    /// A display name.
    Name,
    /// A description.
    Description,
    /// A free comment.
    Comments,
    /// The record's free JSON extension object.
    Extended,

    // Users.
    /// A user's sign-in name.
    Username,
    /// A user's first name.
    FirstName,
    /// A user's last name.
    LastName,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A password.
    Password,

    // API clients.
    /// The application's name.
    AppName,
    /// The client's secret.
    ClientSecret,
    /// Lifetime of the client's access tokens.
    AccessTokenLifetime,
    /// Lifetime of the client's refresh tokens.
    RefreshTokenLifetime,
    /// Lifetime of the client's anonymous shoppers' tokens.
    AnonymousTokenLifetime,
    /// The user an anonymous or context-less token acts as.
    DefaultContextUser,

    // Integration events (synchronous callouts).
    /// The key callout bodies are signed with.
    HashKey,
    /// The merchant's endpoint the callouts go to.
    CalloutUrl,

    // Catalog, lines and pricing.
    /// How many units.
    Quantity,
    /// The price of one unit.
    UnitPrice,
    /// A price schedule's smallest quantity.
    MinQuantity,
    /// A price schedule's quantity breaks.
    PriceBreaks,
    /// A money amount.
    Amount,
    /// The id of a line's product snapshot.
    LineProductId,
    /// The name of a line's product snapshot.
    LineProductName,
    /// The description of a line's product snapshot.
    LineProductDescription,
    /// The quantity multiplier of a line's product snapshot.
    LineProductQuantityMultiplier,
    /// The extension object of a line's product snapshot.
    LineProductExtended,

    // Orders.
    /// An order's lines.
    Lines,
    /// An order's size as stored (lines, metadata and details).
    OrderSize,
    /// The id a shop or storefront gives the customer.
    CustomerId,
    /// The organization an order came from.
    OriginOrgId,
    /// The storefront platform an order came from (its name, store or order id).
    Platform,

    // Addresses.
    /// A shipping address (the record its fields are part of).
    ShippingAddress,
    /// A billing address (the record its fields are part of).
    BillingAddress,
    /// The first street line.
    Street1,
    /// The second street line.
    Street2,
    /// The city.
    City,
    /// The state or region.
    State,
    /// The postal code.
    Zip,
    /// The ISO 3166 country code.
    Country,
    /// The company at the address.
    CompanyName,
    /// The address's own name.
    AddressName,

    // Returns.
    /// The items a return takes back.
    ReturnItems,
    /// The line of the `n`-th item of a return.
    ReturnItemLine(usize),
    /// The quantity of the `n`-th item of a return.
    ReturnItemQuantity(usize),
    /// The comments of the `n`-th item of a return.
    ReturnItemComments(usize),
    /// The refund of the `n`-th item of a return.
    ReturnItemRefund(usize),
    /// A return's refund.
    Refund,

    // Single sign-on.
    /// The API client a sign-on configuration issues tokens for.
    SsoApiClientId,
    /// The client id at the identity provider.
    SsoConnectClientId,
    /// The client secret at the identity provider.
    SsoConnectClientSecret,
    /// Where the shopper lands after signing in.
    SsoAppStartUrl,
    /// Where the shopper lands when sign-in fails.
    SsoErrorUrl,
    /// The identity provider's authorization endpoint.
    SsoAuthorizationEndpoint,
    /// The identity provider's token endpoint.
    SsoTokenEndpoint,
    /// The identity provider's issuer.
    SsoIssuer,
    /// Scopes asked of the identity provider beyond `openid`.
    SsoScopes,
    /// Extra query parameters for the identity provider.
    SsoCustomParams,

    // Storefronts.
    /// A storefront token's kind (public or private).
    TokenKind,
    /// The domains a public storefront token may be used from.
    AllowedDomains,
    /// A storefront's configuration id for an order line.
    ConfigurationId,
    /// How many of a storefront line.
    Count,

    // Integrations (outbound deliveries).
    /// The receiver's or queue's URL.
    Url,
    /// The key webhook bodies are signed with.
    SecretKey,
    /// An AWS access key id.
    AwsAccessKeyId,
    /// An AWS secret access key.
    AwsSecretAccessKey,
    /// An AWS region.
    Region,
    /// A STOMP destination.
    Destination,
    /// STOMP broker addresses.
    Addresses,
    /// The deployment's integrations, as a collection.
    Integrations,
    /// A user's saved addresses, as a collection.
    SavedAddresses,
}

impl Field {
    /// The domain's own word for the field (snake_case, no vendor's spelling).
    pub fn name(self) -> Cow<'static, str> {
        let word = match self {
            Self::Id => "id",
            Self::BuyerId => "buyer_id",
            Self::ProductId => "product_id",
            Self::OrderId => "order_id",
            Self::IntegrationEventId => "integration_event_id",
            Self::AdminClientId => "admin_client_id",
            Self::Name => "name",
            Self::Description => "description",
            Self::Comments => "comments",
            Self::Extended => "extended",
            Self::Username => "username",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Password => "password",
            Self::AppName => "app_name",
            Self::ClientSecret => "client_secret",
            Self::AccessTokenLifetime => "access_token_lifetime",
            Self::RefreshTokenLifetime => "refresh_token_lifetime",
            Self::AnonymousTokenLifetime => "anonymous_token_lifetime",
            Self::DefaultContextUser => "default_context_user",
            Self::HashKey => "hash_key",
            Self::CalloutUrl => "callout_url",
            Self::Quantity => "quantity",
            Self::UnitPrice => "unit_price",
            Self::MinQuantity => "min_quantity",
            Self::PriceBreaks => "price_breaks",
            Self::Amount => "amount",
            Self::LineProductId => "product.id",
            Self::LineProductName => "product.name",
            Self::LineProductDescription => "product.description",
            Self::LineProductQuantityMultiplier => "product.quantity_multiplier",
            Self::LineProductExtended => "product.extended",
            Self::Lines => "lines",
            Self::OrderSize => "size",
            Self::CustomerId => "customer_id",
            Self::OriginOrgId => "origin_org_id",
            Self::Platform => "platform",
            Self::ShippingAddress => "shipping_address",
            Self::BillingAddress => "billing_address",
            Self::Street1 => "street1",
            Self::Street2 => "street2",
            Self::City => "city",
            Self::State => "state",
            Self::Zip => "zip",
            Self::Country => "country",
            Self::CompanyName => "company_name",
            Self::AddressName => "address_name",
            Self::ReturnItems => "items",
            Self::ReturnItemLine(n) => return Cow::Owned(format!("items[{n}].line_item_id")),
            Self::ReturnItemQuantity(n) => return Cow::Owned(format!("items[{n}].quantity")),
            Self::ReturnItemComments(n) => return Cow::Owned(format!("items[{n}].comments")),
            Self::ReturnItemRefund(n) => return Cow::Owned(format!("items[{n}].refund")),
            Self::Refund => "refund",
            Self::SsoApiClientId => "api_client_id",
            Self::SsoConnectClientId => "connect_client_id",
            Self::SsoConnectClientSecret => "connect_client_secret",
            Self::SsoAppStartUrl => "app_start_url",
            Self::SsoErrorUrl => "error_url",
            Self::SsoAuthorizationEndpoint => "authorization_endpoint",
            Self::SsoTokenEndpoint => "token_endpoint",
            Self::SsoIssuer => "issuer",
            Self::SsoScopes => "scopes",
            Self::SsoCustomParams => "custom_params",
            Self::TokenKind => "kind",
            Self::AllowedDomains => "allowed_domains",
            Self::ConfigurationId => "configuration_id",
            Self::Count => "count",
            Self::Url => "url",
            Self::SecretKey => "secret_key",
            Self::AwsAccessKeyId => "aws_access_key_id",
            Self::AwsSecretAccessKey => "aws_secret_access_key",
            Self::Region => "region",
            Self::Destination => "destination",
            Self::Addresses => "addresses",
            Self::Integrations => "integrations",
            Self::SavedAddresses => "addresses",
        };
        Cow::Borrowed(word)
    }
}

/// What was wrong with a value, as a predicate that follows the field's word
/// ("… is required", "… must be at most 100 characters").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Missing or blank.
    Required,
    /// Longer than its limit, in characters.
    TooLong(usize),
    /// Outside an inclusive range.
    Range(i64, i64),
    /// Below a minimum.
    AtLeast(i64),
    /// Not a JSON object.
    NotObject,
    /// Any other rule, as a predicate ("must be a two-letter country code").
    Rule(Cow<'static, str>),
}

impl Problem {
    /// Another rule, worded as a predicate that follows the field's word.
    pub fn rule(predicate: impl Into<Cow<'static, str>>) -> Self {
        Self::Rule(predicate.into())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("is required"),
            Self::TooLong(max) => write!(f, "must be at most {max} characters"),
            Self::Range(min, max) => write!(f, "must be between {min} and {max}"),
            Self::AtLeast(min) => write!(f, "must be {min} or more"),
            Self::NotObject => f.write_str("must be an object"),
            Self::Rule(p) => f.write_str(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_predicates() {
        assert_eq!(Problem::Required.to_string(), "is required");
        assert_eq!(Problem::TooLong(100).to_string(), "must be at most 100 characters");
        assert_eq!(Problem::Range(10, 600).to_string(), "must be between 10 and 600");
        assert_eq!(Problem::AtLeast(1).to_string(), "must be 1 or more");
        assert_eq!(Problem::rule("is odd").to_string(), "is odd");
    }

    #[test]
    fn listed_fields_carry_their_position() {
        assert_eq!(Field::ReturnItemQuantity(3).name(), "items[3].quantity");
        assert_eq!(Field::AccessTokenLifetime.name(), "access_token_lifetime");
    }
}
