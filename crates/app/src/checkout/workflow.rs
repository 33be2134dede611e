//! The checkout workflow: estimate shipping, select ship methods, calculate, validate, submit
//! (with the OrderCheckout callouts, never inside a transaction), approve, decline, cancel,
//! complete.

use super::*;
use crate::callout::{CalloutFailure, CalloutWire, recorded};
use crate::{App, AppError, Principal, RuleCode};
use cartwire_domain::ApiRole;
use cartwire_domain::approval_rules::ApprovalRule;
use cartwire_domain::checkout::CheckoutOrder;
use cartwire_domain::commerce::CurrencyCode;
use cartwire_domain::integration_event::{EventType, IntegrationEvent};
use cartwire_domain::order::{Order, OrderStatus};
use serde_json::Map;
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

    /// `estimateshipping`: asks the middleware for ship estimates (`/shippingrates`) and
    /// stores its answer — or the failure — on the worksheet.
    pub async fn estimate_shipping(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let result = self.call_middleware(p, &event, Some("/shippingrates"), fields).await;
        let record = match &result {
            Ok((answer, status)) => recorded(answer.clone(), *status),
            Err(f) => f.record(),
        };
        let saved = self
            .apply_after_callout(p, &order, |co, _| {
                co.record_ship_estimates(record);
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
        self.update_checkout_order(p, id, |co, currency| {
            co.select_ship_methods(&selections, currency).map_err(checkout_error)
        })
        .await
    }

    /// `calculate`: asks the middleware for shipping, tax, fees and line overrides
    /// (`/ordercalculate`) and applies them; the order is then calculated until the next
    /// change that can move its total.
    pub async fn calculate_order(&self, p: &Principal, wire: &dyn CalloutWire, id: &str) -> Result<Order, AppError> {
        let (order, event) = self.checkout_context(p, id).await?;
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let result = self.call_middleware(p, &event, Some("/ordercalculate"), fields).await;
        match result {
            Ok((answer, status)) => {
                let answer = recorded(answer, status);
                let applied = self
                    .apply_after_callout(p, &order, |co, currency| {
                        co.apply_calculation(answer.clone(), currency).map_err(checkout_error)
                    })
                    .await;
                match applied {
                    Err(AppError::Validation { field, message }) => {
                        // The middleware answered with something cartwire cannot apply (inexact
                        // money, an unknown line): that is the middleware's error, recorded as such.
                        let failure = CalloutFailure { status, body: format!("{field}: {message}") };
                        self.record_calculation_failure(p, &order, &failure).await?;
                        Err(failure.error())
                    }
                    other => other,
                }
            }
            Err(failure) => {
                self.record_calculation_failure(p, &order, &failure).await?;
                Err(failure.error())
            }
        }
    }

    pub(crate) async fn record_calculation_failure(
        &self,
        p: &Principal,
        order: &Order,
        failure: &CalloutFailure,
    ) -> Result<(), AppError> {
        let record = failure.record();
        self.apply_after_callout(p, order, |co, _| {
            co.calculated_at_revision = None;
            co.worksheet.order_calculate_response = Some(record);
            Ok(())
        })
        .await
        .map(|_| ())
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
        let path = if needs_approval { "/ordersubmitforapproval" } else { "/ordersubmit" };
        self.tell_middleware(p, wire, &event, path, submitted).await
    }

    /// Posts a post-state-change callout and records its answer on the worksheet with an
    /// `order.updated` event; a failure is recorded the same way and does not undo anything.
    pub(crate) async fn tell_middleware(
        &self,
        p: &Principal,
        wire: &dyn CalloutWire,
        event: &IntegrationEvent,
        path: &'static str,
        order: Order,
    ) -> Result<Order, AppError> {
        let mut fields = Map::new();
        fields.insert("OrderWorksheet".into(), wire.worksheet(&order));
        let record = match self.call_middleware(p, event, Some(path), fields).await {
            Ok((answer, status)) => recorded(answer, status),
            Err(f) => f.record(),
        };
        let mut tx = self.store().begin().await?;
        let Some(current) = tx.order_for_update(&order.id).await? else {
            tx.commit().await?;
            return Ok(order);
        };
        let mut next = current.clone();
        let worksheet = &mut next.checkout.as_mut().expect("checkout order").worksheet;
        match path {
            "/ordersubmit" => worksheet.order_submit_response = Some(record),
            "/ordersubmitforapproval" => worksheet.order_submit_for_approval_response = Some(record),
            _ => worksheet.order_approved_response = Some(record),
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
            Some(event) => self.tell_middleware(p, wire, &event, "/orderapproved", approved).await,
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
