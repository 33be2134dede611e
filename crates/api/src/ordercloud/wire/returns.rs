//! Order returns as OrderCloud's bodies carry them.

use super::iso;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::returns::OrderReturn;
use serde_json::{Value, json};

/// Renders a return with amounts as decimals of `currency`.
pub fn render_return(r: &OrderReturn, currency: &CurrencyCode) -> Value {
    json!({
        "ID": r.id,
        "OrderID": r.order_id,
        "PaymentIDs": [],
        "Status": r.status.as_str(),
        "DateCreated": iso(r.created_at),
        "DateSubmitted": r.date_submitted.map(iso),
        "DateApproved": r.date_approved.map(iso),
        "DateDeclined": r.date_declined.map(iso),
        "DateCanceled": r.date_canceled.map(iso),
        "DateCompleted": r.date_completed.map(iso),
        "LastUpdated": iso(r.updated_at),
        "RefundAmount": r.refund_amount.map(|a| to_decimal(a, currency)),
        "Comments": r.comments,
        "ItemsToReturn": r.items.iter().map(|i| json!({
            "LineItemID": i.line_item_id, "Quantity": i.quantity,
            "RefundAmount": i.refund_amount.map(|a| to_decimal(a, currency)), "Comments": i.comments,
        })).collect::<Vec<_>>(),
        "xp": r.xp,
    })
}
