//! What a use case asks of a merchant's middleware and what it needs back, in cartwire's terms.
//! The wire protocol of those calls (the request documents, the envelope around them, the
//! paths, and how an answer reads) belongs to the dialect that defines integration events and
//! is handed in as a [`CalloutWire`]; nothing here names a field of it.

use crate::sso::OpenIdConnectRecord;
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::order::Order;
use cartwire_domain::order::lines::{LineProduct, Quantity};
use cartwire_domain::order::worksheet::{Calculation, ShipEstimate};
use cartwire_domain::returns::OrderReturn;
use cartwire_domain::user::User;
use serde_json::Value;

/// The step of a checkout a callout is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutStep {
    /// Ask for ship estimates.
    ShippingRates,
    /// Ask for shipping, tax, fees and line overrides.
    Calculate,
    /// Tell that the order was submitted.
    Submitted,
    /// Tell that the order was submitted and waits for approval.
    SubmittedForApproval,
    /// Tell that the order was approved.
    Approved,
}

/// One call to the middleware, with what it is about.
#[derive(Debug, Clone, Copy)]
pub enum Callout<'a> {
    /// May this product be added, and at what price?
    AddToCart(&'a AddToCartQuery<'a>),
    /// A checkout step of `order`.
    Checkout {
        /// Which step.
        step: CheckoutStep,
        /// The order as it stands.
        order: &'a Order,
    },
    /// What should this return refund?
    ReturnCalculation {
        /// The return as filed.
        order_return: &'a OrderReturn,
        /// Its order.
        order: &'a Order,
        /// The order's currency.
        currency: &'a CurrencyCode,
    },
    /// Create (or name) the user a first single sign-on login becomes.
    CreateUser {
        /// The sign-on configuration.
        config: &'a OpenIdConnectRecord,
        /// The identity provider's token response.
        token_response: &'a Value,
    },
    /// Update the user a returning single sign-on login is.
    SyncUser {
        /// The sign-on configuration.
        config: &'a OpenIdConnectRecord,
        /// The identity provider's token response.
        token_response: &'a Value,
        /// The linked user.
        user: &'a User,
    },
}

/// What goes around every call: the integration event's configuration, the deployment's
/// environment and a token the middleware can call back with.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// The integration event's free configuration.
    pub config_data: Option<&'a Value>,
    /// The deployment's environment name.
    pub environment: &'a str,
    /// An access token for the caller with the event's elevated roles.
    pub access_token: &'a str,
}

/// What an AddToCart callout asks the middleware about.
#[derive(Debug, Clone)]
pub struct AddToCartQuery<'a> {
    /// The product the caller adds.
    pub product_id: &'a str,
    /// How many.
    pub quantity: Quantity,
    /// The caller's buyer company, if any.
    pub buyer_id: Option<&'a str>,
    /// The caller, when it is a stored user.
    pub buyer_user: Option<&'a User>,
    /// The marketplace (the deployment's org id).
    pub seller_id: &'a str,
}

/// What the middleware answered to an AddToCart callout.
#[derive(Debug, Clone, PartialEq)]
pub enum AddToCartAnswer {
    /// It knows no such product (the add is refused with a 404).
    NoProduct,
    /// The product as the order line carries it, and its unit price.
    Priced {
        /// The product.
        product: Box<LineProduct>,
        /// Its unit price in the order's currency.
        unit_price: Cents,
    },
}

/// What a return calculation answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RefundAnswer {
    /// The whole refund, when given.
    pub total: Option<Cents>,
    /// Per returned line: its refund (`None` clears one).
    pub items: Vec<(String, Option<Cents>)>,
}

/// What a single sign-on callout answered.
#[derive(Debug, Clone, PartialEq)]
pub enum SsoAnswer {
    /// The login is refused, with the middleware's message.
    Refused(String),
    /// The login goes on, as the named user when one is named.
    Accepted {
        /// The username the middleware names (required for a first login).
        username: Option<String>,
    },
}

/// The callout protocol of the dialect that defines integration events. Each `answer` method
/// reads a 2xx JSON object the middleware sent; `Err` says, in words for the middleware's
/// developer, why it is unusable.
pub trait CalloutWire: Send + Sync {
    /// The path of `call` under the event's URL (`None`: the URL itself).
    fn path(&self, call: &Callout<'_>) -> Option<&'static str>;
    /// The request body of `call` inside `envelope`.
    fn request(&self, call: &Callout<'_>, envelope: &Envelope<'_>) -> Vec<u8>;
    /// Reads an AddToCart answer; the product is validated.
    fn add_to_cart_answer(
        &self,
        q: &AddToCartQuery<'_>,
        answer: &Value,
        currency: &CurrencyCode,
    ) -> Result<AddToCartAnswer, String>;
    /// Reads a shipping-rates answer.
    fn ship_estimates(&self, answer: &Value, currency: &CurrencyCode) -> Result<Vec<ShipEstimate>, String>;
    /// Reads a calculation answer.
    fn calculation(&self, answer: &Value, currency: &CurrencyCode) -> Result<Calculation, String>;
    /// Reads a return calculation answer.
    fn refund(&self, answer: &Value, currency: &CurrencyCode) -> Result<RefundAnswer, String>;
    /// Reads a single sign-on answer.
    fn sso_answer(&self, answer: &Value) -> SsoAnswer;
}
