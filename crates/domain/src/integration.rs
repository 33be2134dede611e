//! Integrations: where events are pushed (a webhook, an AWS SQS queue or a STOMP broker), and
//! which events each one observes.

use crate::event::CATALOG;
use crate::id::{bounded_text, required_text};
use crate::{DomainError, Field, Problem};
use std::fmt;

/// Most events one integration may observe.
pub const MAX_OBSERVES: usize = 5;
/// Most integrations one deployment may hold.
pub const MAX_INTEGRATIONS: usize = 100;

/// Elastic Path resources whose `created` / `updated` / `deleted` keys may be observed even
/// though cartwire does not emit them (yet): accepting them keeps EP configurations portable.
const EP_CRUD_RESOURCES: &[&str] = &[
    "address",
    "account",
    "account-member",
    "account-membership",
    "currency",
    "customer",
    "integration",
    "catalog-release",
    "catalog-rule",
    "user-authentication-info",
    "brand",
    "category",
    "collection",
    "product",
    "subscription-subscriber",
    "subscription-product",
    "subscription-plan",
    "subscription-offering",
    "subscription-job",
    "subscription-schedule",
];

/// Other Elastic Path keys (see the spec, §A6).
const EP_OTHER_KEYS: &[&str] = &[
    "cart.updated",
    "cart.deleted",
    "file.created",
    "file.deleted",
    "one-time-password-token-request.created",
    "order.created",
    "order.updated",
    "order.paid",
    "order.authorized",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "payment-gateway.updated",
    "settings.created",
    "settings.updated",
    "stock-transaction.created",
    "transaction.created",
    "transaction.updated",
    "subscription.created",
    "subscription.create-failed",
    "subscription.paused",
    "subscription.canceled",
    "subscription.pending_cancel",
    "subscription.pending_pause",
    "subscription.resumed",
    "subscription.closed",
    "subscription-invoice.created",
    "subscription-invoice.deleted",
];

/// True when `key` may appear in `observes`: an Elastic Path key or one cartwire emits.
pub fn is_observable(key: &str) -> bool {
    if CATALOG.contains(&key) || EP_OTHER_KEYS.contains(&key) {
        return true;
    }
    match key.rsplit_once('.') {
        Some((resource, action)) => {
            EP_CRUD_RESOURCES.contains(&resource) && matches!(action, "created" | "updated" | "deleted")
        }
        None => false,
    }
}

/// The events an integration observes: 1 to 5 known keys, no duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observes(Vec<String>);

/// Why an `observes` list was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObservesError {
    /// More than five keys.
    #[error("at most 5 event keys may be observed")]
    TooMany,
    /// No key at all.
    #[error("at least one event key must be observed")]
    Empty,
    /// A key nobody emits.
    #[error("'{0}' is not an observable event")]
    Unknown(String),
}

impl Observes {
    /// Accepts 1–5 observable keys (duplicates collapse).
    pub fn parse(keys: &[String]) -> Result<Self, ObservesError> {
        let mut out: Vec<String> = Vec::with_capacity(keys.len());
        for key in keys {
            if !is_observable(key) {
                return Err(ObservesError::Unknown(key.clone()));
            }
            if !out.contains(key) {
                out.push(key.clone());
            }
        }
        if out.len() > MAX_OBSERVES {
            return Err(ObservesError::TooMany);
        }
        if out.is_empty() {
            return Err(ObservesError::Empty);
        }
        Ok(Self(out))
    }

    /// The keys.
    pub fn keys(&self) -> &[String] {
        &self.0
    }

    /// True when the integration observes `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|k| k == key)
    }
}

/// How events reach the integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationType {
    /// HTTP POST to a URL.
    Webhook,
    /// A message on an AWS SQS queue.
    AwsSqs,
    /// A STOMP `SEND` to a broker destination.
    Stomp,
}

impl IntegrationType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::AwsSqs => "aws_sqs",
            Self::Stomp => "stomp",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "webhook" => Ok(Self::Webhook),
            "aws_sqs" => Ok(Self::AwsSqs),
            "stomp" => Ok(Self::Stomp),
            other => Err(DomainError::value(format!("must be one of webhook, aws_sqs, stomp; got '{other}'"))),
        }
    }
}

/// A secret the integration's target needs; never printed.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret in clear, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The last four characters behind asterisks, as Elastic Path renders stored keys.
    pub fn masked(&self) -> String {
        mask_tail(&self.0)
    }
}

/// `secret` with all but its last four characters replaced by asterisks (same length): how
/// every stored secret is shown to someone who may not see it.
pub fn mask_tail(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let keep = chars.len().min(4);
    "*".repeat(chars.len() - keep) + &chars[chars.len() - keep..].iter().collect::<String>()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where and how to deliver, by integration type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "integration_type", rename_all = "snake_case")]
pub enum IntegrationConfig {
    /// `webhook`: POST to `url`, with `X-MOLTIN-SECRET-KEY` and a Standard Webhooks signature
    /// when `secret_key` is set.
    Webhook {
        /// Target URL.
        url: String,
        /// Shared secret.
        secret_key: Option<Secret>,
    },
    /// `aws_sqs`: a message on the queue at `url`.
    AwsSqs {
        /// Queue URL.
        url: String,
        /// Access key id.
        aws_access_key_id: Secret,
        /// Secret access key.
        aws_secret_access_key: Secret,
        /// Region.
        region: String,
    },
    /// `stomp`: SEND to `destination` on the first reachable broker of `addresses`.
    Stomp {
        /// Login.
        username: Option<String>,
        /// Passcode.
        password: Option<Secret>,
        /// Destination such as `/queue/orders`.
        destination: String,
        /// `stomp://host:port` or `stomp+ssl://host:port` brokers, tried in order.
        addresses: Vec<String>,
    },
}

impl IntegrationConfig {
    /// The type of this configuration.
    pub fn integration_type(&self) -> IntegrationType {
        match self {
            Self::Webhook { .. } => IntegrationType::Webhook,
            Self::AwsSqs { .. } => IntegrationType::AwsSqs,
            Self::Stomp { .. } => IntegrationType::Stomp,
        }
    }

    /// Checks URLs and addresses.
    pub fn validate(&self) -> Result<(), DomainError> {
        let http_url = |url: &str| -> Result<(), DomainError> {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            match rest {
                Some(r)
                    if !r.is_empty()
                        && !r.starts_with('/')
                        && !url.contains(char::is_whitespace)
                        && url.len() <= 2048 =>
                {
                    Ok(())
                }
                _ => Err(DomainError::field(Field::Url, Problem::rule("must be an absolute http(s) URL"))),
            }
        };
        match self {
            Self::Webhook { url, secret_key } => {
                http_url(url)?;
                if secret_key.as_ref().is_some_and(|s| s.expose().len() > 1024) {
                    return Err(DomainError::field(Field::SecretKey, Problem::TooLong(1024)));
                }
                Ok(())
            }
            Self::AwsSqs { url, aws_access_key_id, aws_secret_access_key, region } => {
                http_url(url)?;
                for (field, value) in [
                    (Field::AwsAccessKeyId, aws_access_key_id.expose()),
                    (Field::AwsSecretAccessKey, aws_secret_access_key.expose()),
                ] {
                    if value.is_empty() || value.len() > 256 {
                        return Err(DomainError::field(field, Problem::Required));
                    }
                }
                let region_ok = !region.is_empty()
                    && region.len() <= 64
                    && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !region_ok {
                    return Err(DomainError::field(
                        Field::Region,
                        Problem::rule("must be an AWS region such as eu-west-1"),
                    ));
                }
                Ok(())
            }
            Self::Stomp { destination, addresses, .. } => {
                if destination.is_empty() || destination.len() > 1024 || destination.contains(['\n', '\r', '\0']) {
                    return Err(DomainError::field(
                        Field::Destination,
                        Problem::rule("is required, e.g. /queue/orders"),
                    ));
                }
                if addresses.is_empty() {
                    return Err(DomainError::field(
                        Field::Addresses,
                        Problem::rule("must list at least one stomp:// or stomp+ssl:// broker"),
                    ));
                }
                for a in addresses {
                    if stomp_address(a).is_none() {
                        return Err(DomainError::field(
                            Field::Addresses,
                            Problem::rule(format!(
                                "must be stomp://host:port or stomp+ssl://host:port addresses, not '{a}'"
                            )),
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

/// Splits a STOMP broker address into (tls, host, port).
pub fn stomp_address(address: &str) -> Option<(bool, String, u16)> {
    let (tls, rest) = if let Some(r) = address.strip_prefix("stomp+ssl://") {
        (true, r)
    } else if let Some(r) = address.strip_prefix("stomp://") {
        (false, r)
    } else {
        return None;
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return None;
    }
    Some((tls, host.to_owned(), port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn observes_limits() {
        assert!(Observes::parse(&keys(&["order.fulfilled"])).is_ok());
        assert!(Observes::parse(&keys(&["product.created", "customer.deleted", "cart.abandoned"])).is_ok());
        assert_eq!(Observes::parse(&keys(&[])), Err(ObservesError::Empty));
        assert_eq!(Observes::parse(&keys(&["order.canceled"])), Err(ObservesError::Unknown("order.canceled".into())));
        let six = keys(&[
            "order.created",
            "order.updated",
            "order.paid",
            "order.fulfilled",
            "order.cancelled",
            "order.refunded",
        ]);
        assert_eq!(Observes::parse(&six), Err(ObservesError::TooMany));
        assert_eq!(ObservesError::TooMany.to_string(), "at most 5 event keys may be observed");
        let dup =
            keys(&["order.created", "order.created", "order.created", "order.created", "order.created", "order.paid"]);
        assert_eq!(Observes::parse(&dup).unwrap().keys().len(), 2);
    }

    #[test]
    fn masking_keeps_the_last_four() {
        assert_eq!(Secret::new("AKIAABCDEFGHIJKLPSYQ").masked(), "****************PSYQ");
        assert_eq!(Secret::new("abc").masked(), "abc");
        assert_eq!(format!("{:?}", Secret::new("x")), "Secret(***)");
    }

    #[test]
    fn stomp_addresses() {
        assert_eq!(stomp_address("stomp://127.0.0.1:61613"), Some((false, "127.0.0.1".into(), 61613)));
        assert_eq!(
            stomp_address("stomp+ssl://b-1.mq.us-west-2.amazonaws.com:61614"),
            Some((true, "b-1.mq.us-west-2.amazonaws.com".into(), 61614))
        );
        assert_eq!(stomp_address("http://x:1"), None);
        assert_eq!(stomp_address("stomp://nohost"), None);
    }
}

/// A registered event destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// UUID.
    pub id: String,
    /// Display name (required, at most 255 characters).
    pub name: String,
    /// Description (at most 1000 characters).
    pub description: String,
    /// Disabled integrations receive nothing.
    pub enabled: bool,
    /// The observed event keys.
    pub observes: Observes,
    /// Where events go.
    pub config: IntegrationConfig,
    /// cartwire extension: deliver one resource's events strictly in order.
    pub ordered_delivery: bool,
    /// When created.
    pub created_at: time::OffsetDateTime,
    /// When last changed.
    pub updated_at: time::OffsetDateTime,
}

impl Integration {
    /// Checks name and description lengths.
    pub fn validate_text(name: &str, description: &str) -> Result<(), DomainError> {
        required_text(name, Field::Name, 255)?;
        bounded_text(description, Field::Description, 1000)?;
        Ok(())
    }
}
