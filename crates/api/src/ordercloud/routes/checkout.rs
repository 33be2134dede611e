//! The routes of orders, the cart and order returns, with their descriptions (see the parent
//! module for the rest of the dialect's table).

use super::*;

/// `/v1/orderreturns`.
pub(super) fn returns_routes(api: Documented) -> Documented {
    const ACTIONS: &[&str] = &["submit", "approve", "decline", "cancel", "complete"];
    api.route(
        M::GET,
        "/v1/orderreturns",
        returns::list,
        list::<s::OrderReturn>("Lists order returns", ORDER_ANY, &returns::RETURN_SPEC),
    )
    .route(
        M::POST,
        "/v1/orderreturns",
        returns::create,
        create::<s::OrderReturn>("Creates an order return", ORDER_WRITE).body::<returns::ReturnIn>().errors(&[404]),
    )
    .route(M::GET, "/v1/orderreturns/{id}", returns::get, one::<s::OrderReturn>("An order return", ORDER_ANY))
    .route(
        M::PUT,
        "/v1/orderreturns/{id}",
        returns::put,
        one::<s::OrderReturn>("Replaces an unsubmitted order return", ORDER_WRITE).body::<returns::ReturnIn>(),
    )
    .route(
        M::PATCH,
        "/v1/orderreturns/{id}",
        returns::patch,
        one::<s::OrderReturn>("Changes an order return's fields sent", ORDER_ANY).patch_body::<returns::ReturnIn>(),
    )
    .route(
        M::DELETE,
        "/v1/orderreturns/{id}",
        returns::delete,
        delete("Deletes an unsubmitted order return", ORDER_ANY),
    )
    .route(
        M::POST,
        "/v1/orderreturns/{id}/{action}",
        returns::action,
        one::<s::OrderReturn>(
            "Moves an order return along (submit calls the OrderReturn integration event)",
            ORDER_ANY,
        )
        .param(enum_param("action", ACTIONS, "The step."))
        .optional_body::<returns::ActionIn>(),
    )
}

/// An order's routes under `base` (`/v1/orders/{direction}/{id}` or `/v1/cart`, the caller's
/// current cart), each open to `roles` but the actions, which need a writer.
pub(super) fn order_routes(api: Documented, base: &str, roles: &'static [&'static str]) -> Documented {
    use crate::ordercloud::{addresses as a, line_items as l, order_actions as act, orders as o};
    let cart = !base.contains('{');
    let at = |p: &str| format!("{base}{p}");
    // The cart of an anonymous token whose order was deleted is gone: 404 there too.
    let op = |op: Op| if cart { op.errors(&[404]) } else { direction(op) };
    let what = if cart { "the cart" } else { "an order" };
    let actions: &[&str] = if cart {
        act::CART_ACTIONS
    } else {
        &[
            "estimateshipping",
            "shipmethods",
            "calculate",
            "validate",
            "submit",
            "approve",
            "decline",
            "cancel",
            "complete",
        ]
    };
    let lines = l::LINE_SPEC;
    api.route(M::GET, base, o::order_get, op(one::<s::Order>(&format!("Gets {what}"), roles)))
        .route(
            M::PUT,
            base,
            o::order_put,
            op(one::<s::Order>(&format!("Replaces {what}'s fields"), roles).body::<wire::orders::OrderIn>()),
        )
        .route(
            M::PATCH,
            base,
            o::order_patch,
            op(one::<s::Order>(&format!("Changes {what}'s fields sent"), roles).patch_body::<wire::orders::OrderIn>()),
        )
        .route(M::DELETE, base, o::order_delete, op(delete(&format!("Deletes {what} (unsubmitted)"), roles)))
        .route(
            M::GET,
            &at("/lineitems"),
            l::lines_list,
            op(list::<s::LineItem>(&format!("Lists {what}'s line items"), roles, &lines)),
        )
        .route(
            M::POST,
            &at("/lineitems"),
            l::line_create,
            op(create::<s::LineItem>(
                &format!("Adds a line item to {what} (calls the AddToCart integration event)"),
                roles,
            )
            .body::<wire::orders::LineIn>()),
        )
        .route(M::GET, &at("/lineitems/{line}"), l::line_get, op(one::<s::LineItem>("A line item", roles)))
        .route(
            M::PUT,
            &at("/lineitems/{line}"),
            l::line_put,
            op(one::<s::LineItem>("Replaces a line item", roles).body::<wire::orders::LineIn>()),
        )
        .route(
            M::PATCH,
            &at("/lineitems/{line}"),
            l::line_patch,
            op(one::<s::LineItem>("Changes a line item's fields sent", roles).patch_body::<wire::orders::LineIn>()),
        )
        .route(M::DELETE, &at("/lineitems/{line}"), l::line_delete, op(delete("Removes a line item", roles)))
        .route(
            M::PUT,
            &at("/shipto"),
            a::shipto_put,
            op(one::<s::Order>(&format!("Sets {what}'s shipping address"), roles).body::<wire::orders::AddressIn>()),
        )
        .route(
            M::PATCH,
            &at("/shipto"),
            a::shipto_patch,
            op(one::<s::Order>(&format!("Changes {what}'s shipping address"), roles)
                .patch_body::<wire::orders::AddressIn>()),
        )
        .route(
            M::PUT,
            &at("/billto"),
            a::billto_put,
            op(one::<s::Order>(&format!("Sets {what}'s billing address"), roles).body::<wire::orders::AddressIn>()),
        )
        .route(
            M::PATCH,
            &at("/billto"),
            a::billto_patch,
            op(one::<s::Order>(&format!("Changes {what}'s billing address"), roles)
                .patch_body::<wire::orders::AddressIn>()),
        )
        .route(
            M::GET,
            &at("/worksheet"),
            act::worksheet_get,
            op(one::<s::OrderWorksheet>(&format!("Gets {what} with its lines and callout answers"), roles)),
        )
        .route(
            M::POST,
            &at("/{action}"),
            act::order_action,
            op(Op::new(format!("A checkout step on {what}"))
                .roles(ORDER_WRITE)
                .describe(
                    "`estimateshipping`, `shipmethods` and `calculate` answer the worksheet (and call the \
                     OrderCheckout integration event); `validate` answers 204; `submit`, `approve`, `decline`, \
                     `cancel` and `complete` answer the order.",
                )
                .param(enum_param("action", actions, "The step."))
                .optional_body::<s::ActionBody>()
                .answer_with(
                    200,
                    "The worksheet or the order.",
                    "application/json",
                    |s| json!({"oneOf": [s.of::<s::OrderWorksheet>(), s.of::<s::Order>()]}),
                )
                .empty(204, "Valid (validate).")),
        )
}
