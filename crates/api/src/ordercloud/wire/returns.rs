//! Order returns as OrderCloud's bodies carry them.

use super::iso;
use crate::ordercloud::schema;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::returns::OrderReturn;

/// Renders a return with amounts as decimals of `currency`.
pub fn render_return(r: &OrderReturn, currency: &CurrencyCode) -> schema::OrderReturn {
    schema::OrderReturn {
        id: r.id.to_string(),
        order_id: r.order_id.to_string(),
        payment_ids: vec![],
        status: r.status.as_str().to_owned(),
        date_created: iso(r.created_at),
        date_submitted: r.date_submitted.map(iso),
        date_approved: r.date_approved.map(iso),
        date_declined: r.date_declined.map(iso),
        date_canceled: r.date_canceled.map(iso),
        date_completed: r.date_completed.map(iso),
        last_updated: iso(r.updated_at),
        refund_amount: r.refund_amount.map(|a| to_decimal(a, currency)),
        comments: r.comments.clone(),
        items_to_return: r
            .items
            .iter()
            .map(|i| schema::ItemToReturn {
                line_item_id: i.line_item_id.to_string(),
                quantity: i.quantity,
                refund_amount: i.refund_amount.map(|a| to_decimal(a, currency)),
                comments: i.comments.clone(),
            })
            .collect(),
        xp: r.xp.clone(),
    }
}
