//! Orders, from every entry point onto the one order model: storefront orders (Threekit's
//! API), external shops' orders and carts (ActiveCampaign's), returns; with what they share —
//! short ids (`core`) and the events an order change causes (`events`). OrderCloud's checkout
//! edits orders too; its workflow lives in `checkout`.

pub mod core;
pub mod events;
pub mod operator;
pub mod returns;
pub mod shop;
pub mod storefront;
