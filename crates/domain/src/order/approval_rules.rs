//! Approval rules: a buyer's rules that hold a submitted order for approval when their
//! expression matches. The expression language is one comparison of an order quantity with a
//! number (`order.Total > 100`), evaluated exactly in the order's currency; anything else is
//! refused when the rule is saved, never guessed at when an order is submitted.

use crate::commerce::CurrencyCode;
use crate::id::bounded_text;
use crate::order::checkout::CheckoutOrder;
use crate::{DomainError, Field, Problem};
use serde_json::Value;

/// A quantity of an order an approval rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSubject {
    /// `order.Total`.
    Total,
    /// `order.Subtotal`.
    Subtotal,
    /// `order.ShippingCost`.
    ShippingCost,
    /// `order.TaxCost`.
    TaxCost,
    /// `order.LineItemCount`.
    LineItemCount,
}

/// A comparison operator of a rule expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`.
    Greater,
    /// `>=`.
    GreaterOrEqual,
    /// `<`.
    Less,
    /// `<=`.
    LessOrEqual,
    /// `=`.
    Equal,
    /// `!=` or `<>`.
    NotEqual,
}

/// The part of OrderCloud's approval-rule expression language cartwire evaluates: one
/// comparison of an order amount or its line count with a number, such as `order.Total > 100`.
/// Anything else is refused when the rule is saved, never silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleExpression {
    text: String,
    subject: RuleSubject,
    comparison: Comparison,
    /// The number as written; converted with the order's currency when evaluated.
    number: String,
}

impl RuleExpression {
    /// Parses `order.<Total|Subtotal|ShippingCost|TaxCost|LineItemCount> <op> <number>`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let unsupported = || {
            DomainError::value(format!(
                "'{text}' is not supported: cartwire evaluates one comparison such as \
                 'order.Total > 100' on order.Total, Subtotal, ShippingCost, TaxCost or LineItemCount"
            ))
        };
        let trimmed = text.trim();
        let ops = [
            (">=", Comparison::GreaterOrEqual),
            ("<=", Comparison::LessOrEqual),
            ("!=", Comparison::NotEqual),
            ("<>", Comparison::NotEqual),
            (">", Comparison::Greater),
            ("<", Comparison::Less),
            ("=", Comparison::Equal),
        ];
        let (left, comparison, right) = ops
            .iter()
            .find_map(|(op, c)| trimmed.split_once(op).map(|(l, r)| (l.trim(), *c, r.trim())))
            .ok_or_else(unsupported)?;
        let subject = match left.strip_prefix("order.").ok_or_else(unsupported)? {
            "Total" => RuleSubject::Total,
            "Subtotal" => RuleSubject::Subtotal,
            "ShippingCost" => RuleSubject::ShippingCost,
            "TaxCost" => RuleSubject::TaxCost,
            "LineItemCount" => RuleSubject::LineItemCount,
            _ => return Err(unsupported()),
        };
        let number = right.strip_prefix('-').unwrap_or(right);
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(unsupported());
        }
        Ok(Self { text: trimmed.to_owned(), subject, comparison, number: right.to_owned() })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the order meets the condition (and so needs approval).
    pub fn matches(&self, order: &CheckoutOrder, currency: &CurrencyCode) -> bool {
        let left = match self.subject {
            RuleSubject::Total => order.total(),
            RuleSubject::Subtotal => order.subtotal(),
            RuleSubject::ShippingCost => order.shipping_cost.get(),
            RuleSubject::TaxCost => order.tax_cost.get(),
            RuleSubject::LineItemCount => order.lines.len() as i64,
        };
        // Compare in minor units scaled by 1000 so a threshold finer than the currency
        // (`order.Total > 99.999`) still compares exactly.
        let scale = 10i128.pow(crate::catalog::exponent(currency));
        let left =
            if self.subject == RuleSubject::LineItemCount { left as i128 * 1000 * scale } else { left as i128 * 1000 };
        let negative = self.number.starts_with('-');
        let digits = self.number.trim_start_matches('-');
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let whole: i128 = whole.parse().unwrap_or(i128::MAX / 1_000_000_000);
        let mut frac_scaled: i128 = 0;
        let mut unit = scale * 1000;
        for c in frac.chars() {
            unit /= 10;
            if unit == 0 {
                break;
            }
            frac_scaled += (c as i128 - '0' as i128) * unit;
        }
        let mut right = whole.saturating_mul(scale * 1000).saturating_add(frac_scaled);
        if negative {
            right = -right;
        }
        match self.comparison {
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
        }
    }
}

/// A buyer's approval rule: orders meeting its expression wait for approval on submit.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRule {
    /// Identifier (unique within the buyer).
    pub id: crate::ObjectId,
    /// The buyer whose orders it governs.
    pub buyer_id: String,
    /// Name (required, at most 100 characters).
    pub name: String,
    /// Description (at most 2000 characters).
    pub description: Option<String>,
    /// The user group that approves (kept for clients; any OrderAdmin may approve).
    pub approving_group_id: Option<String>,
    /// When an order needs approval.
    pub rule_expression: RuleExpression,
    /// Extended properties.
    pub xp: Value,
}

impl ApprovalRule {
    /// Checks the lengths.
    pub fn validate(&self) -> Result<(), DomainError> {
        crate::id::required_text(&self.name, Field::Name, 100)?;
        if let Some(d) = &self.description {
            bounded_text(d, Field::Description, 2000)?;
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}
