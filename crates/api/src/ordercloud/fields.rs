//! OrderCloud's words for the domain's fields, and the validation errors the dialect raises
//! itself while it parses a body.
//!
//! A validation error from app names a [`Field`] of the domain; this module words it as the
//! OrderCloud property (`AccessTokenDuration`, `xp`, `ItemsToReturn[0].Quantity`) and writes
//! the message as that word followed by the problem. Errors the dialect finds while it turns a
//! wire struct into domain values (inside a use case's closure, for PATCH) travel through app
//! as [`AppError::Rejected`], already in these words.

use cartwire_app::AppError;
use cartwire_domain::{DomainError, Field};
use std::borrow::Cow;

/// The OrderCloud property a field of the domain is written as.
pub fn property(field: Field) -> Cow<'static, str> {
    let word = match field {
        Field::Id => "ID",
        Field::BuyerId => "buyerID",
        Field::ProductId => "ProductID",
        Field::OrderId => "OrderID",
        Field::IntegrationEventId => "IntegrationEventID",
        Field::Name => "Name",
        Field::Description => "Description",
        Field::Comments => "Comments",
        Field::Extended => "xp",
        Field::Username => "Username",
        Field::FirstName => "FirstName",
        Field::LastName => "LastName",
        Field::Email => "Email",
        Field::Phone => "Phone",
        Field::Password => "Password",
        Field::AppName => "AppName",
        Field::ClientSecret => "ClientSecret",
        Field::AccessTokenLifetime => "AccessTokenDuration",
        Field::RefreshTokenLifetime => "RefreshTokenDuration",
        Field::AnonymousTokenLifetime => "AnonymousTokenDuration",
        Field::DefaultContextUser => "DefaultContextUserName",
        Field::HashKey => "HashKey",
        Field::CalloutUrl => "CustomImplementationUrl",
        Field::Quantity => "Quantity",
        Field::UnitPrice => "UnitPrice",
        Field::MinQuantity => "MinQuantity",
        Field::PriceBreaks => "PriceBreaks",
        Field::LineProductId => "Product.ID",
        Field::LineProductName => "Product.Name",
        Field::LineProductDescription => "Product.Description",
        Field::LineProductQuantityMultiplier => "Product.QuantityMultiplier",
        Field::LineProductExtended => "Product.xp",
        Field::Lines => "LineItems",
        Field::OrderSize => "Order",
        Field::ShippingAddress => "ShippingAddress",
        Field::BillingAddress => "BillingAddress",
        Field::Street1 => "Street1",
        Field::Street2 => "Street2",
        Field::City => "City",
        Field::State => "State",
        Field::Zip => "Zip",
        Field::Country => "Country",
        Field::CompanyName => "CompanyName",
        Field::AddressName => "AddressName",
        Field::ReturnItems => "ItemsToReturn",
        Field::ReturnItemLine(n) => return Cow::Owned(format!("ItemsToReturn[{n}].LineItemID")),
        Field::ReturnItemQuantity(n) => return Cow::Owned(format!("ItemsToReturn[{n}].Quantity")),
        Field::ReturnItemComments(n) => return Cow::Owned(format!("ItemsToReturn[{n}].Comments")),
        Field::ReturnItemRefund(n) => return Cow::Owned(format!("ItemsToReturn[{n}].RefundAmount")),
        Field::Refund => "RefundAmount",
        Field::SsoApiClientId => "OrderCloudApiClientID",
        Field::SsoConnectClientId => "ConnectClientID",
        Field::SsoConnectClientSecret => "ConnectClientSecret",
        Field::SsoAppStartUrl => "AppStartUrl",
        Field::SsoErrorUrl => "CustomErrorUrl",
        Field::SsoAuthorizationEndpoint => "AuthorizationEndpoint",
        Field::SsoTokenEndpoint => "TokenEndpoint",
        Field::SsoIssuer => "Issuer",
        Field::SsoScopes => "AdditionalIdpScopes",
        Field::SsoCustomParams => "customParams",
        Field::SavedAddresses => "Addresses",
        // Fields no OrderCloud route reaches keep the domain's word.
        other => return other.name(),
    };
    Cow::Borrowed(word)
}

/// The property path of a field, within the record it is nested in, if any.
pub fn path(within: Option<Field>, field: Field) -> String {
    match within {
        Some(outer) => format!("{}.{}", property(outer), property(field)),
        None => property(field).into_owned(),
    }
}

/// A property of a request body this dialect refused, with the whole message.
pub fn rejected(property: impl Into<String>, message: impl Into<String>) -> AppError {
    AppError::Rejected { field: property.into(), message: message.into() }
}

/// A required property that is missing.
pub fn required(property: &str) -> AppError {
    rejected(property, format!("{property} is required"))
}

/// A property whose value the domain refused: the message is the property followed by the
/// problem ("ID may contain only letters, …"). A record's rule that names a more precise field
/// of its own is worded by that field.
pub fn refused(property: &str, e: DomainError) -> AppError {
    let named = e.subject().map(self::property);
    let (_, problem) = e.on(Field::Id);
    let word = named.unwrap_or(Cow::Borrowed(property));
    rejected(word.as_ref(), format!("{word} {problem}"))
}

/// A nested record's rule (an address within an order's line), worded by its path.
pub fn refused_within(within: Option<Field>, e: DomainError) -> AppError {
    let (field, problem) = e.on(Field::Id);
    let at = path(within, field);
    let message = format!("{at} {problem}");
    rejected(at, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartwire_domain::{ObjectId, Problem};

    #[test]
    fn a_value_is_worded_by_the_property_it_came_in() {
        let AppError::Rejected { field, message } = refused("ProductID", ObjectId::parse("a b").unwrap_err()) else {
            panic!("not a rejection");
        };
        assert_eq!(field, "ProductID");
        assert_eq!(message, "ProductID may contain only letters, digits, '-' and '_'");
    }

    #[test]
    fn a_record_rule_is_worded_by_its_own_field() {
        let e = DomainError::field(Field::AccessTokenLifetime, Problem::Range(10, 600));
        let AppError::Rejected { field, message } = refused("ApiClient", e) else { panic!("not a rejection") };
        assert_eq!(
            (field.as_str(), message.as_str()),
            ("AccessTokenDuration", "AccessTokenDuration must be between 10 and 600")
        );
        assert_eq!(path(Some(Field::ShippingAddress), Field::Country), "ShippingAddress.Country");
        assert_eq!(property(Field::ReturnItemQuantity(2)), "ItemsToReturn[2].Quantity");
    }
}
