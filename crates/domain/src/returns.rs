//! Order returns: what a buyer sends back from a submitted order, and the refund for it.

use crate::commerce::Cents;
use crate::order::checkout::CheckoutOrder;
use crate::{DomainError, Field, Problem};
use std::collections::HashMap;
use time::OffsetDateTime;

/// Where a return stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReturnStatus {
    /// Being put together.
    Unsubmitted,
    /// Submitted by the buyer, waiting for the seller.
    AwaitingApproval,
    /// The seller said no.
    Declined,
    /// Accepted; goods on their way back.
    Open,
    /// Received and refunded.
    Completed,
    /// Withdrawn.
    Canceled,
}

impl ReturnStatus {
    /// The wire word (OrderCloud's).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsubmitted => "Unsubmitted",
            Self::AwaitingApproval => "AwaitingApproval",
            Self::Declined => "Declined",
            Self::Open => "Open",
            Self::Completed => "Completed",
            Self::Canceled => "Canceled",
        }
    }

    /// Whether the return's quantities count against what may still be returned.
    pub fn holds_quantities(self) -> bool {
        !matches!(self, Self::Declined | Self::Canceled)
    }
}

/// One line item (part of it) to return.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReturnItem {
    /// The order's line item.
    pub line_item_id: String,
    /// How many units (≥ 1).
    pub quantity: i64,
    /// The refund for this item, in the order's currency.
    pub refund_amount: Option<Cents>,
    /// Why.
    pub comments: Option<String>,
}

/// A return of (parts of) a submitted order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrderReturn {
    /// Identifier.
    pub id: String,
    /// The order returned from.
    pub order_id: String,
    /// Whose return it is: the order's owner, whoever files it.
    pub owner: crate::user::UserRef,
    /// Where it stands.
    pub status: ReturnStatus,
    /// What goes back.
    pub items: Vec<ReturnItem>,
    /// The whole refund, in the order's currency.
    pub refund_amount: Option<Cents>,
    /// Free comments.
    pub comments: Option<String>,
    /// Extended properties.
    pub xp: serde_json::Value,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it was submitted.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_submitted: Option<OffsetDateTime>,
    /// When it was approved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_approved: Option<OffsetDateTime>,
    /// When it was declined.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_declined: Option<OffsetDateTime>,
    /// When it was canceled.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_canceled: Option<OffsetDateTime>,
    /// When it was completed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub date_completed: Option<OffsetDateTime>,
}

impl OrderReturn {
    /// Whether any refund amount was given (on the return or on an item): then no
    /// calculation callout is made.
    pub fn has_refund_amounts(&self) -> bool {
        self.refund_amount.is_some() || self.items.iter().any(|i| i.refund_amount.is_some())
    }

    /// When every item has an amount and the return has none, the return's is their sum.
    pub fn settle_total(&mut self) {
        if self.refund_amount.is_none()
            && !self.items.is_empty()
            && self.items.iter().all(|i| i.refund_amount.is_some())
        {
            let sum = self.items.iter().filter_map(|i| i.refund_amount).map(Cents::get).fold(0i64, i64::saturating_add);
            self.refund_amount = Cents::new(sum).ok();
        }
    }

    /// Checks the items against the order and what other returns already hold: each names
    /// a line of the order once, for at least one unit, and no more than was ordered less what
    /// is being returned already.
    pub fn check_items(&self, order: &CheckoutOrder, others: &[OrderReturn]) -> Result<(), DomainError> {
        let mut held: HashMap<&str, i64> = HashMap::new();
        for other in others.iter().filter(|r| r.id != self.id && r.status.holds_quantities()) {
            for item in &other.items {
                *held.entry(item.line_item_id.as_str()).or_default() += item.quantity;
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (n, item) in self.items.iter().enumerate() {
            let line = order.line(&item.line_item_id).ok_or_else(|| {
                DomainError::field(
                    Field::ReturnItemLine(n),
                    Problem::rule(format!("must name a line item of the order; '{}' is not one", item.line_item_id)),
                )
            })?;
            if !seen.insert(item.line_item_id.as_str()) {
                return Err(DomainError::field(
                    Field::ReturnItemLine(n),
                    Problem::rule("must not repeat a line item of the same return"),
                ));
            }
            if item.quantity < 1 {
                return Err(DomainError::field(Field::ReturnItemQuantity(n), Problem::AtLeast(1)));
            }
            let left = i64::from(line.quantity) - held.get(item.line_item_id.as_str()).copied().unwrap_or(0);
            if item.quantity > left {
                return Err(DomainError::field(
                    Field::ReturnItemQuantity(n),
                    Problem::rule(format!(
                        "must be at most {}: line item '{}' has no more units that are not being returned already",
                        left.max(0),
                        item.line_item_id
                    )),
                ));
            }
            if let Some(c) = &item.comments {
                crate::id::bounded_text(c, Field::ReturnItemComments(n), 2000)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn order() -> CheckoutOrder {
        let line = |id: &str, qty| crate::order::lines::test_line(id, qty, 100);
        CheckoutOrder { lines: vec![line("a", 3), line("b", 1)], ..Default::default() }
    }

    fn ret(id: &str, status: ReturnStatus, items: &[(&str, i64)]) -> OrderReturn {
        OrderReturn {
            id: id.into(),
            order_id: "o".into(),
            owner: crate::user::UserRef::new(Some("b"), "u"),
            status,
            items: items
                .iter()
                .map(|(l, q)| ReturnItem {
                    line_item_id: (*l).into(),
                    quantity: *q,
                    refund_amount: None,
                    comments: None,
                })
                .collect(),
            refund_amount: None,
            comments: None,
            xp: json!({}),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            date_submitted: None,
            date_approved: None,
            date_declined: None,
            date_canceled: None,
            date_completed: None,
        }
    }

    #[test]
    fn items_cannot_exceed_what_was_ordered_and_not_returned_yet() {
        let o = order();
        let others = vec![ret("r1", ReturnStatus::Open, &[("a", 2)]), ret("r2", ReturnStatus::Canceled, &[("a", 3)])];
        assert!(ret("new", ReturnStatus::Unsubmitted, &[("a", 1), ("b", 1)]).check_items(&o, &others).is_ok());
        let err = ret("new", ReturnStatus::Unsubmitted, &[("a", 2)]).check_items(&o, &others).unwrap_err();
        assert_eq!(err.subject(), Some(Field::ReturnItemQuantity(0)));
        assert!(ret("new", ReturnStatus::Unsubmitted, &[("zz", 1)]).check_items(&o, &others).is_err());
        assert!(ret("new", ReturnStatus::Unsubmitted, &[("b", 0)]).check_items(&o, &others).is_err());
        assert!(ret("new", ReturnStatus::Unsubmitted, &[("b", 1), ("b", 1)]).check_items(&o, &others).is_err());
        // Editing r1 does not count r1 against itself.
        assert!(ret("r1", ReturnStatus::Unsubmitted, &[("a", 3)]).check_items(&o, &others).is_ok());
    }

    #[test]
    fn item_amounts_add_up_to_the_return_total() {
        let mut r = ret("r", ReturnStatus::Unsubmitted, &[("a", 1), ("b", 1)]);
        assert!(!r.has_refund_amounts());
        r.items[0].refund_amount = Some(Cents::new(150).unwrap());
        r.settle_total();
        assert_eq!(r.refund_amount, None, "not every item has an amount");
        r.items[1].refund_amount = Some(Cents::new(50).unwrap());
        r.settle_total();
        assert_eq!(r.refund_amount.map(Cents::get), Some(200));
        assert!(r.has_refund_amounts());
    }
}
