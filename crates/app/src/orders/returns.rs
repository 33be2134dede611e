//! Order returns, and the OrderReturn integration event that prices them
//! (`/calculateorderreturn`).

use crate::callout::{Callout, CalloutFailure, CalloutWire, RefundAnswer};
use crate::checkout::{check_writer, checkout_of, may_change};
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::ApiRole;
use cartwire_domain::ObjectId;
use cartwire_domain::commerce::Amount;
use cartwire_domain::commerce::{Cents, CurrencyCode};
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{EventKey, NewEvent};
use cartwire_domain::integration_event::EventType;
use cartwire_domain::order::{Order, OrderStatus};
use cartwire_domain::returns::{OrderReturn, ReturnItem, ReturnStatus};
use cartwire_domain::{Field, Problem};
use serde_json::{Value, json};
use time::OffsetDateTime;

const RETURN_ANY: &[ApiRole] = &[ApiRole::Shopper, ApiRole::OrderAdmin, ApiRole::OrderReader];
const RETURN_ALL: &[ApiRole] = &[ApiRole::OrderAdmin, ApiRole::OrderReader];

/// A return as a client writes it; amounts are decimals in the order's currency.
#[derive(Debug, Clone)]
pub struct ReturnDraft {
    /// Requested id (generated when absent).
    pub id: Option<String>,
    /// The order.
    pub order_id: String,
    /// Items: line item, quantity, refund amount, comments.
    pub items: Vec<(String, i64, Option<Amount>, Option<String>)>,
    /// The whole refund.
    pub refund_amount: Option<Amount>,
    /// Comments.
    pub comments: Option<String>,
    /// Extended properties.
    pub xp: Value,
}

/// The return as events carry it (cartwire's operator shape: snake_case, minor units).
pub fn return_snapshot(r: &OrderReturn, currency: &CurrencyCode) -> Value {
    json!({
        "type": "order-return",
        "id": r.id,
        "order_id": r.order_id,
        "status": r.status.as_str(),
        "currency": currency.as_str(),
        "refund_amount": r.refund_amount,
        "items": r.items.iter().map(|i| json!({"line_item_id": i.line_item_id, "quantity": i.quantity,
                                               "refund_amount": i.refund_amount, "comments": i.comments})).collect::<Vec<_>>(),
        "comments": r.comments,
        "xp": r.xp,
        "owner": {"company_id": r.owner.company, "user_id": r.owner.id},
    })
}

fn return_event(key: &str, r: &OrderReturn, snapshot: Value, p: &Principal) -> NewEvent {
    NewEvent {
        key: EventKey::parse(key).expect("catalog key"),
        resource_type: "order-return",
        resource_id: r.id.clone(),
        payload: snapshot.into(),
        actor: Some(p.describe()),
        dialect: Dialect::OrderCloud,
    }
}

fn invalid_status(r: &OrderReturn, action: &str) -> AppError {
    AppError::rule(
        crate::RuleCode::OrderInvalidStatus,
        format!("Cannot {action} order return {} while its status is {}", r.id, r.status.as_str()),
    )
}

fn visible_return(p: &Principal, found: Option<OrderReturn>, id: &str) -> Result<OrderReturn, AppError> {
    found
        .filter(|r| p.roles.satisfies_any(RETURN_ALL) || p.is(&r.owner))
        .ok_or_else(|| AppError::not_found(Resource::OrderReturn, id))
}

impl App {
    /// Returns the caller may see: their own, or all with OrderAdmin / OrderReader.
    pub async fn list_order_returns(&self, p: &Principal) -> Result<Vec<(OrderReturn, CurrencyCode)>, AppError> {
        p.require_any(RETURN_ANY)?;
        let mine = (!p.roles.satisfies_any(RETURN_ALL)).then(|| p.user_ref());
        let mut tx = self.store().read().await?;
        let returns = tx.order_returns(mine.as_ref()).await?;
        let mut out = Vec::with_capacity(returns.len());
        for r in returns {
            let currency =
                tx.order(&r.order_id).await?.map(|o| o.currency()).unwrap_or_else(CurrencyCode::default_for_deployment);
            out.push((r, currency));
        }
        tx.commit().await?;
        Ok(out)
    }

    /// One return, with its order's currency.
    pub async fn get_order_return(&self, p: &Principal, id: &str) -> Result<(OrderReturn, CurrencyCode), AppError> {
        p.require_any(RETURN_ANY)?;
        let mut tx = self.store().read().await?;
        let found = visible_return(p, tx.order_return(id).await?, id)?;
        let order = tx.order(&found.order_id).await?;
        tx.commit().await?;
        let currency = order.as_ref().map(Order::currency).unwrap_or_else(CurrencyCode::default_for_deployment);
        Ok((found, currency))
    }

    /// Creates (`existing` None) or replaces an unsubmitted return. Without any refund amount,
    /// the caller's OrderReturn integration event prices it first (`/calculateorderreturn`,
    /// outside any transaction); a middleware failure writes nothing.
    pub async fn save_order_return(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        existing: Option<&str>,
        draft: impl FnOnce() -> Result<ReturnDraft, AppError>,
    ) -> Result<(OrderReturn, CurrencyCode), AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        // Parsed only once the caller may file returns at all.
        let draft = draft()?;
        let current = match existing {
            Some(id) => {
                let (r, _) = self.get_order_return(p, id).await?;
                if r.status != ReturnStatus::Unsubmitted {
                    return Err(invalid_status(&r, "change"));
                }
                Some(r)
            }
            None => None,
        };
        let order_id = match &current {
            Some(r) if r.order_id != draft.order_id => {
                return Err(AppError::invalid(Field::OrderId, Problem::rule("cannot change once a return is created")));
            }
            _ => draft.order_id.clone(),
        };
        let order = self.get_checkout_order(p, &order_id).await?;
        check_writer(p, &order)?;
        if !matches!(order.status, OrderStatus::Placed | OrderStatus::InProgress | OrderStatus::Completed) {
            return Err(AppError::rule(
                crate::RuleCode::OrderInvalidStatus,
                format!("Only submitted, open or completed orders can be returned; order {} is not", order.id),
            ));
        }
        let currency = Order::currency(&order);
        let mut candidate = self.candidate_return(p, &order, current.as_ref(), draft, &currency)?;
        // Amounts sent back as they are stored (GET then PUT, PATCH of the comments) were not
        // set by this caller.
        let kept = current.as_ref().is_some_and(|c| {
            c.refund_amount == candidate.refund_amount
                && candidate.items.iter().all(|i| {
                    let was = c.items.iter().find(|o| o.line_item_id == i.line_item_id).and_then(|o| o.refund_amount);
                    i.refund_amount.is_none() || i.refund_amount == was
                })
        });
        if candidate.has_refund_amounts() && kept {
            // Nothing to price again.
        } else if candidate.has_refund_amounts() {
            // Setting a refund by hand is the seller's call.
            p.require_any(&[ApiRole::OrderAdmin])?;
        } else if let Some(event) = self.attached_event(p, EventType::OrderReturn).await? {
            let others = self.returns_of(&order.id).await?;
            check_items(&candidate, &order, &others)?;
            let call = Callout::ReturnCalculation { order_return: &candidate, order: &order, currency: &currency };
            let (answer, status) = self.call_middleware(p, wire, &event, &call).await.map_err(|f| f.error())?;
            wire.refund(&answer, &currency)
                .and_then(|refund| apply_refund(&mut candidate, refund))
                .map_err(|why| CalloutFailure { status, body: why }.error())?;
        }
        candidate.settle_total();
        let mut tx = self.store().begin().await?;
        // Lock the order so two returns of it cannot both take the last units.
        let locked = tx
            .order_for_update(&order.id)
            .await?
            .ok_or_else(|| AppError::not_found(Resource::Order, order.id.as_str()))?;
        let others = tx.returns_of_order(&order.id).await?;
        check_items(&candidate, &locked, &others)?;
        let key = if current.is_some() {
            tx.update_order_return(&candidate).await?;
            "order-return.updated"
        } else {
            tx.insert_order_return(&candidate)
                .await
                .map_err(AppError::on_insert(Resource::OrderReturn, candidate.id.clone()))?;
            "order-return.created"
        };
        tx.append_events(&[return_event(key, &candidate, return_snapshot(&candidate, &currency), p)]).await?;
        tx.commit().await?;
        Ok((candidate, currency))
    }

    fn candidate_return(
        &self,
        p: &Principal,
        order: &Order,
        current: Option<&OrderReturn>,
        draft: ReturnDraft,
        currency: &CurrencyCode,
    ) -> Result<OrderReturn, AppError> {
        let now = OffsetDateTime::now_utc();
        let id = match (current, draft.id.as_deref()) {
            (Some(r), _) => r.id.clone(),
            (None, Some(id)) => ObjectId::parse(id).field(Field::Id)?.to_string(),
            (None, None) => uuid::Uuid::new_v4().simple().to_string()[..22].to_owned(),
        };
        let money = |v: &Option<Amount>, field: Field| -> Result<Option<Cents>, AppError> {
            v.as_ref().map(|a| a.in_currency(currency)).transpose().field(field)
        };
        let items = draft
            .items
            .iter()
            .enumerate()
            .map(|(n, (line, qty, refund, comments))| {
                Ok(ReturnItem {
                    line_item_id: line.clone(),
                    quantity: *qty,
                    refund_amount: money(refund, Field::ReturnItemRefund(n))?,
                    comments: comments.clone(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        if let Some(c) = &draft.comments {
            cartwire_domain::id::bounded_text(c, Field::Comments, 2000)?;
        }
        if !draft.xp.is_object() {
            return Err(AppError::invalid(Field::Extended, Problem::NotObject));
        }
        Ok(OrderReturn {
            id,
            order_id: order.id.to_string(),
            owner: current.map(|r| r.owner.clone()).unwrap_or_else(|| {
                // A return belongs to the order's owner, whoever files it.
                order.owner.clone().unwrap_or_else(|| p.user_ref())
            }),
            status: ReturnStatus::Unsubmitted,
            items,
            refund_amount: money(&draft.refund_amount, Field::Refund)?,
            comments: draft.comments,
            xp: draft.xp,
            created_at: current.map(|r| r.created_at).unwrap_or(now),
            updated_at: now,
            date_submitted: None,
            date_approved: None,
            date_declined: None,
            date_canceled: None,
            date_completed: None,
        })
    }

    async fn returns_of(&self, order_id: &str) -> Result<Vec<OrderReturn>, AppError> {
        let mut tx = self.store().read().await?;
        let all = tx.returns_of_order(order_id).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Deletes an unsubmitted return.
    pub async fn delete_order_return(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(RETURN_ANY)?;
        let mut tx = self.store().begin().await?;
        let r = visible_return(p, tx.order_return(id).await?, id)?;
        may_change(p, Some(&r.owner))?;
        if r.status != ReturnStatus::Unsubmitted {
            return Err(invalid_status(&r, "delete"));
        }
        tx.delete_order_return(id).await?;
        let currency =
            tx.order(&r.order_id).await?.map(|o| o.currency()).unwrap_or_else(CurrencyCode::default_for_deployment);
        let mut snapshot = return_snapshot(&r, &currency);
        snapshot["deleted"] = Value::Bool(true);
        tx.append_events(&[return_event("order-return.updated", &r, snapshot, p)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a return along: `submit` (Unsubmitted → AwaitingApproval, or Open when an
    /// OrderAdmin submits), `approve` / `decline` (OrderAdmin), `cancel` (owner or OrderAdmin),
    /// `complete` (OrderAdmin; also `order.refunded` on the order when there is a refund).
    pub async fn order_return_action(
        &self,
        p: &Principal,
        id: &str,
        action: &str,
        comments: Option<String>,
    ) -> Result<(OrderReturn, CurrencyCode), AppError> {
        use ReturnStatus::*;
        p.require_any(RETURN_ANY)?;
        let admin = p.roles.satisfies_any(&[ApiRole::OrderAdmin]);
        let (from, to, needs_admin): (&[ReturnStatus], ReturnStatus, bool) = match action {
            "submit" => (&[Unsubmitted], if admin { Open } else { AwaitingApproval }, false),
            "approve" => (&[AwaitingApproval], Open, true),
            "decline" => (&[AwaitingApproval], Declined, true),
            "cancel" => (&[Unsubmitted, AwaitingApproval, Open], Canceled, false),
            "complete" => (&[Open], Completed, true),
            other => return Err(AppError::not_found(Resource::OrderReturnAction, other)),
        };
        let mut tx = self.store().begin().await?;
        let current = visible_return(p, tx.order_return(id).await?, id)?;
        if needs_admin {
            p.require_any(&[ApiRole::OrderAdmin])?;
        } else {
            may_change(p, Some(&current.owner))?;
        }
        if !from.contains(&current.status) {
            return Err(invalid_status(&current, action));
        }
        if action == "submit" && current.items.is_empty() && current.refund_amount.is_none() {
            return Err(AppError::invalid(
                Field::ReturnItems,
                Problem::rule("are required to submit a return without a refund amount"),
            ));
        }
        let order = tx
            .order(&current.order_id)
            .await?
            .ok_or_else(|| AppError::not_found(Resource::Order, &current.order_id))?;
        let currency = Order::currency(&order);
        let mut next = current.clone();
        let now = OffsetDateTime::now_utc();
        next.status = to;
        next.updated_at = now;
        if let Some(c) = comments {
            next.comments = Some(c);
        }
        match action {
            "submit" => next.date_submitted = Some(now),
            "approve" => next.date_approved = Some(now),
            "decline" => next.date_declined = Some(now),
            "cancel" => next.date_canceled = Some(now),
            _ => next.date_completed = Some(now),
        }
        if to == Open && next.date_approved.is_none() {
            next.date_approved = Some(now);
        }
        tx.update_order_return(&next).await?;
        let mut events = vec![return_event("order-return.updated", &next, return_snapshot(&next, &currency), p)];
        if to == Completed && next.refund_amount.is_some_and(|a| a.get() > 0) {
            let mut payload = crate::orders::events::snapshot(&order).to_value();
            payload["refund"] = json!({"order_return_id": next.id, "amount": next.refund_amount,
                                        "currency": currency.as_str()});
            events.push(NewEvent {
                key: EventKey::parse("order.refunded").expect("catalog key"),
                resource_type: "order",
                resource_id: order.id.to_string(),
                payload: payload.into(),
                actor: Some(p.describe()),
                dialect: Dialect::OrderCloud,
            });
        }
        tx.append_events(&events).await?;
        tx.commit().await?;
        Ok((next, currency))
    }
}

fn check_items(r: &OrderReturn, order: &Order, others: &[OrderReturn]) -> Result<(), AppError> {
    r.check_items(checkout_of(order), others).map_err(AppError::from)
}

/// Applies `{RefundAmount, ItemsToReturnCalcs:[{LineItemID, RefundAmount}]}`; every amount
/// exact in `currency`, every line one of the return's.
fn apply_refund(r: &mut OrderReturn, refund: RefundAnswer) -> Result<(), String> {
    for (n, (line, amount)) in refund.items.into_iter().enumerate() {
        let item = r
            .items
            .iter_mut()
            .find(|i| i.line_item_id == line)
            .ok_or(format!("item {n}: line item '{line}' is not being returned"))?;
        item.refund_amount = amount;
    }
    if refund.total.is_none() && !r.items.iter().any(|i| i.refund_amount.is_some()) {
        return Err("the answer has no refund amount".into());
    }
    r.refund_amount = refund.total;
    Ok(())
}
