//! The checkout workflow: estimate shipping, select ship methods, calculate, validate, submit
//! (with the checkout callouts, never inside a transaction), approve, decline, cancel,
//! complete.

use super::*;
use crate::callout::{Callout, CalloutFailure, CalloutWire, CheckoutStep};
use crate::{App, AppError, Principal, RuleCode};
use cartwire_domain::ApiRole;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::order::approval_rules::ApprovalRule;
use cartwire_domain::order::checkout::CheckoutOrder;
use cartwire_domain::order::worksheet::CalloutRecord;
use cartwire_domain::order::{Order, OrderStatus};
use time::OffsetDateTime;

impl App {
    /// Reads an unsubmitted order for a checkout callout and finds the caller's OrderCheckout
    /// event (`ApiClientNotConfiguredForOrderCalculate` without one).
    pub(crate) async fn checkout_context(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<(Order, IntegrationEvent), AppError> {
        let order = self.get_checkout_order(p, id).await?;
        check_writer(p, &order)?;
        if order.status != OrderStatus::Cart {
            return Err(order_status_error(&order, "check out"));
        }
        let event = self.attached_event(p, EventType::OrderCheckout).await?.ok_or_else(|| {
            AppError::rule(
                RuleCode::ApiClientNotConfiguredForOrderCalculate,
                format!("API client {} has no OrderCheckout integration event", p.client_id),
            )
        })?;
        Ok((order, event))
    }

    /// Applies a callout's result to the order it was made for, unless the order changed in
    /// the meantime.
    pub(crate) async fn apply_after_callout(
        &self,
        p: &Principal,
        seen: &Order,
        apply: impl FnOnce(&mut CheckoutOrder, &CurrencyCode) -> Result<(), AppError>,
    ) -> Result<Order, AppError> {
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(&seen.id).await?, &seen.id)?;
        if current.status != OrderStatus::Cart || checkout_of(&current).revision != checkout_of(seen).revision {
            return Err(AppError::rule(
                RuleCode::OrderChangedDuringCallout,
                format!("Order {} changed while the middleware was called; call it again", seen.id),
            ));
        }
        let mut next = current.clone();
        let currency = Order::currency(&current);
        apply(next.checkout.as_mut().expect("checkout order"), &currency)?;
        self.commit_change(tx, p, &current, next).await
    }

    /// `estimateshipping`: asks the middleware for ship estimates and stores its answer — or
    /// the failure — on the worksheet.
    pub async fn estimate_shipping(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let call = Callout::Checkout { step: CheckoutStep::ShippingRates, order: &order };
        let currency = Order::currency(&order);
        let result = self.call_middleware(p, wire, &event, &call).await.and_then(|(answer, status)| {
            match wire.ship_estimates(&answer, &currency) {
                Ok(estimates) => Ok((CalloutRecord::answered(status, answer), estimates)),
                Err(why) => Err(CalloutFailure { status, body: why }),
            }
        });
        let (record, estimates) = match &result {
            Ok((record, estimates)) => (record.clone(), estimates.clone()),
            Err(f) => (f.record(), Vec::new()),
        };
        let saved = self
            .apply_after_callout(p, &order, |co, _| {
                co.record_ship_estimates(record, estimates);
                Ok(())
            })
            .await?;
        match result {
            Ok(_) => Ok(saved),
            Err(f) => Err(f.error()),
        }
    }

    /// `shipmethods`: selects ship methods among the estimates (no callout).
    pub async fn select_ship_methods(
        &self,
        p: &Principal,
        id: &str,
        selections: Vec<(String, String)>,
    ) -> Result<Order, AppError> {
        self.update_checkout_order(p, id, |co, _| co.select_ship_methods(&selections).map_err(checkout_error)).await
    }

    /// `calculate`: asks the middleware for shipping, tax, fees and line overrides and applies
    /// them; the order is then calculated until the next change that can move its total. An
    /// answer cartwire cannot apply (inexact money, an unknown line) is the middleware's error,
    /// recorded as such, and changes nothing else.
    pub async fn calculate_order(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let call = Callout::Checkout { step: CheckoutStep::Calculate, order: &order };
        let currency = Order::currency(&order);
        let (answer, status) = match self.call_middleware(p, wire, &event, &call).await {
            Ok(answered) => answered,
            Err(failure) => return self.calculation_failed(p, &order, failure).await,
        };
        let calc = match wire.calculation(&answer, &currency) {
            Ok(calc) => calc,
            Err(why) => return self.calculation_failed(p, &order, CalloutFailure { status, body: why }).await,
        };
        let record = CalloutRecord::answered(status, answer);
        let mut refused = None;
        let applied = self
            .apply_after_callout(p, &order, |co, _| {
                co.apply_calculation(record, calc).map_err(|e| {
                    refused = Some(e.to_string());
                    checkout_error(e)
                })
            })
            .await;
        match (applied, refused) {
            (Err(_), Some(why)) => self.calculation_failed(p, &order, CalloutFailure { status, body: why }).await,
            (other, _) => other,
        }
    }

    async fn calculation_failed(
        &self,
        p: &Principal,
        order: &Order,
        failure: CalloutFailure,
    ) -> Result<Order, AppError> {
        let record = failure.record();
        self.apply_after_callout(p, order, |co, _| {
            co.record_calculation_failure(record);
            Ok(())
        })
        .await?;
        Err(failure.error())
    }

    /// Checks that the order could be submitted now (`validate`).
    pub async fn validate_order(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let order = self.get_checkout_order(p, id).await?;
        check_writer(p, &order)?;
        let needs_calculation = self.attached_event(p, EventType::OrderCheckout).await?.is_some();
        submittable(&order, needs_calculation)
    }

    /// Submits the order: it becomes Open, or AwaitingApproval when one of its buyer's
    /// approval rules matches. The state change commits first; then the middleware is told
    /// (`/ordersubmit` or `/ordersubmitforapproval`) and its answer — or failure — is recorded
    /// without undoing the submit.
    pub async fn submit_order(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        p.require_any(&[ApiRole::Shopper, ApiRole::OrderAdmin])?;
        let event = self.attached_event(p, EventType::OrderCheckout).await?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        submittable(&current, event.is_some())?;
        let co = checkout_of(&current);
        let rules = tx.approval_rules(&co.from_company_id).await?;
        let currency = Order::currency(&current);
        let needs_approval = rules.iter().any(|r: &ApprovalRule| r.rule_expression.matches(co, &currency));
        let mut next = current.clone();
        let now = OffsetDateTime::now_utc();
        next.status = if needs_approval { OrderStatus::AwaitingApproval } else { OrderStatus::Placed };
        next.placed_at = Some(now);
        let submitted = self.commit_change(tx, p, &current, next).await?;
        let Some(event) = event else { return Ok(submitted) };
        let step = if needs_approval { CheckoutStep::SubmittedForApproval } else { CheckoutStep::Submitted };
        self.tell_middleware(p, wire, &event, step, submitted).await
    }

    /// Posts a post-state-change callout and records its answer on the worksheet with an
    /// `order.updated` event; a failure is recorded the same way and does not undo anything.
    pub(crate) async fn tell_middleware(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        event: &IntegrationEvent,
        step: CheckoutStep,
        order: Order,
    ) -> Result<Order, AppError> {
        let call = Callout::Checkout { step, order: &order };
        let record = match self.call_middleware(p, wire, event, &call).await {
            Ok((answer, status)) => CalloutRecord::answered(status, answer),
            Err(f) => f.record(),
        };
        let mut tx = self.store().begin().await?;
        let Some(current) = tx.order_for_update(&order.id).await? else {
            tx.commit().await?;
            return Ok(order);
        };
        let mut next = current.clone();
        let worksheet = &mut next.checkout.as_mut().expect("checkout order").worksheet;
        match step {
            CheckoutStep::SubmittedForApproval => worksheet.submitted_for_approval = Some(record),
            CheckoutStep::Approved => worksheet.approved = Some(record),
            _ => worksheet.submitted = Some(record),
        }
        self.commit_change(tx, p, &current, next).await
    }

    /// Approves an order awaiting approval (OrderAdmin); it becomes Open and the approver's
    /// OrderCheckout event hears `/orderapproved`.
    pub async fn approve_order(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        id: &str,
        comments: Option<String>,
    ) -> Result<Order, AppError> {
        let approved = self
            .transition(p, id, ORDER_ADMIN, &[OrderStatus::AwaitingApproval], "approve", |o| {
                o.status = OrderStatus::Placed;
                let co = o.checkout.as_mut().expect("checkout order");
                co.date_approved = Some(OffsetDateTime::now_utc());
                if let Some(c) = comments {
                    co.comments = Some(c);
                }
            })
            .await?;
        match self.attached_event(p, EventType::OrderCheckout).await? {
            Some(event) => self.tell_middleware(p, wire, &event, CheckoutStep::Approved, approved).await,
            None => Ok(approved),
        }
    }

    /// Declines an order awaiting approval (OrderAdmin).
    pub async fn decline_order(&self, p: &Principal, id: &str, comments: Option<String>) -> Result<Order, AppError> {
        self.transition(p, id, ORDER_ADMIN, &[OrderStatus::AwaitingApproval], "decline", |o| {
            o.status = OrderStatus::Declined;
            let co = o.checkout.as_mut().expect("checkout order");
            co.date_declined = Some(OffsetDateTime::now_utc());
            if let Some(c) = comments {
                co.comments = Some(c);
            }
        })
        .await
    }

    /// Cancels a submitted order (its shopper or an OrderAdmin).
    pub async fn cancel_order(&self, p: &Principal, id: &str) -> Result<Order, AppError> {
        self.transition(
            p,
            id,
            &[ApiRole::Shopper, ApiRole::OrderAdmin],
            &[OrderStatus::Placed, OrderStatus::AwaitingApproval, OrderStatus::Declined],
            "cancel",
            |o| {
                o.status = OrderStatus::Canceled;
                o.checkout.as_mut().expect("checkout order").date_canceled = Some(OffsetDateTime::now_utc());
            },
        )
        .await
    }

    /// Completes an open order (OrderAdmin).
    pub async fn complete_order(&self, p: &Principal, id: &str) -> Result<Order, AppError> {
        self.transition(p, id, ORDER_ADMIN, &[OrderStatus::Placed, OrderStatus::InProgress], "complete", |o| {
            o.status = OrderStatus::Completed;
            o.checkout.as_mut().expect("checkout order").date_completed = Some(OffsetDateTime::now_utc());
        })
        .await
    }

    pub(crate) async fn transition(
        &self,
        p: &Principal,
        id: &str,
        roles: &[ApiRole],
        from: &[OrderStatus],
        action: &'static str,
        change: impl FnOnce(&mut Order),
    ) -> Result<Order, AppError> {
        p.require_any(ORDER_ANY)?;
        let mut tx = self.store().begin().await?;
        let current = writable(p, tx.order_for_update(id).await?, id)?;
        p.require_any(roles)?;
        if !from.contains(&current.status) {
            return Err(order_status_error(&current, action));
        }
        let mut next = current.clone();
        change(&mut next);
        self.commit_change(tx, p, &current, next).await
    }
}
