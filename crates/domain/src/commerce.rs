//! E-commerce records from external shops (ActiveCampaign's "deep data"): connections to a
//! store, the store's customers, money in minor units with an ISO 4217 currency, and the
//! shop-side details of an order.

use crate::DomainError;
use time::OffsetDateTime;

/// An amount in the currency's minor unit (cents): never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    /// Accepts 0 and up.
    pub fn new(v: i64) -> Result<Self, DomainError> {
        if v < 0 {
            return Err(DomainError::value("must be whole cents, 0 or more"));
        }
        Ok(Self(v))
    }
    /// The amount.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// A non-negative decimal amount as a client wrote it (`9.99`, `10`), not yet in a currency.
/// Wire formats carry amounts as JSON numbers while the currency that says how many decimals
/// are allowed is often known only once the order is read; this keeps the exact digits until
/// [`Amount::in_currency`] converts them, never through a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount(String);

impl Amount {
    /// Accepts plain decimal notation (digits, at most one point), 0 or more.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if t.starts_with('-') {
            return Err(DomainError::Value(crate::Problem::AtLeast(0)));
        }
        if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || t.len() > 40 {
            return Err(DomainError::value(format!("must be a decimal amount, not '{text}'")));
        }
        Ok(Self(t.to_owned()))
    }

    /// The amount in minor units of `currency`, exactly (more decimals than it has are refused).
    pub fn in_currency(&self, currency: &CurrencyCode) -> Result<Cents, DomainError> {
        crate::catalog::to_minor_units(&self.0, currency)
    }
}

/// Active ISO 4217 codes.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN \
BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD \
HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA \
MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES \
VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// A three-letter upper-case ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    /// Accepts an active ISO 4217 code written in upper case.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        if s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase()) && ISO_4217.split_whitespace().any(|c| c == s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::value(format!(
                "must be a three-letter ISO 4217 currency code in upper case such as USD, not '{s}'"
            )))
        }
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The deployment's default currency (USD, DECISIONS.md), for orders that name none.
    pub fn default_for_deployment() -> Self {
        Self("USD".to_owned())
    }
}

/// A link between this deployment and one external store.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Numeric id (rendered as a string).
    pub id: i64,
    /// The service (`shopify`, …).
    pub service: String,
    /// The store's id in that service.
    pub external_id: String,
    /// The store's name.
    pub name: String,
    /// Logo URL.
    pub logo_url: String,
    /// Where the integration is managed.
    pub link_url: String,
    /// The list new contacts go to.
    pub list_id: Option<String>,
    /// 0 error, 1 connected.
    pub status: i64,
    /// 0 stopped, 1 running.
    pub sync_status: i64,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When changed.
    pub updated_at: OffsetDateTime,
}

/// A store's customer.
#[derive(Debug, Clone, PartialEq)]
pub struct EcomCustomer {
    /// Numeric id.
    pub id: i64,
    /// Its connection.
    pub connection_id: i64,
    /// The customer's id in the store.
    pub external_id: String,
    /// E-mail (ties the customer to a contact).
    pub email: String,
    /// 0 or 1.
    pub accepts_marketing: i64,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When changed.
    pub updated_at: OffsetDateTime,
}

/// One product line of a shop order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShopProduct {
    /// Product name (required).
    pub name: String,
    /// Unit price.
    pub price: Cents,
    /// Quantity.
    pub quantity: crate::order::lines::Quantity,
    /// Product id in the store.
    pub external_id: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Image URL.
    pub image_url: Option<String>,
    /// Product page URL.
    pub product_url: Option<String>,
}

/// A discount on a shop order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopDiscount {
    /// Name or code.
    pub name: String,
    /// `order` or `shipping`.
    pub kind: String,
    /// Amount off.
    pub amount: Cents,
}

/// The shop side of an order: where it came from (what it cost is [`crate::order::Totals`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShopOrder {
    /// The connection.
    pub connection_id: i64,
    /// The store customer.
    pub customer_id: i64,
    /// The customer's e-mail.
    pub email: String,
    /// The completed order's id in the store.
    pub external_id: Option<String>,
    /// The cart's id in the store.
    pub external_checkout_id: Option<String>,
    /// 0 historical sync, 1 real time.
    pub source: i64,
    /// Order page, or where the shopper resumes checkout.
    pub order_url: Option<String>,
    /// Human order number.
    pub order_number: Option<String>,
    /// Shipping method.
    pub shipping_method: Option<String>,
    /// When the store created it.
    #[serde(with = "time::serde::rfc3339")]
    pub external_created_at: OffsetDateTime,
    /// When the store last changed it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub external_updated_at: Option<OffsetDateTime>,
    /// The lines.
    pub products: Vec<ShopProduct>,
    /// Discounts.
    #[serde(default)]
    pub discounts: Vec<ShopDiscount>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_currency() {
        assert!(Cents::new(0).is_ok());
        assert!(Cents::new(-1).is_err());
        assert!(CurrencyCode::parse("USD").is_ok());
        assert!(CurrencyCode::parse("usd").is_err());
        assert!(CurrencyCode::parse("US").is_err());
        assert!(CurrencyCode::parse("XYZ").is_err());
        assert!(CurrencyCode::parse("EUR").is_ok());
    }

    #[test]
    fn amounts_keep_their_digits_until_a_currency_says_how_many_decimals() {
        let usd = CurrencyCode::parse("USD").unwrap();
        let jpy = CurrencyCode::parse("JPY").unwrap();
        assert_eq!(Amount::parse("9.99").unwrap().in_currency(&usd).unwrap().get(), 999);
        assert_eq!(Amount::parse("10").unwrap().in_currency(&jpy).unwrap().get(), 10);
        assert!(Amount::parse("9.99").unwrap().in_currency(&jpy).is_err(), "no decimals in yen");
        assert!(Amount::parse("1.005").unwrap().in_currency(&usd).is_err(), "never rounded");
        for bad in ["", ".", "-1", "1e3", "1.2.3", "NaN", "١"] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
    }
}
