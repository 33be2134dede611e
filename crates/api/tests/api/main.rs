//! The HTTP API seen by a client: a real cartwire server on a loopback port (the router over
//! real HTTP, SQLite by default, a fresh PostgreSQL database per test when
//! `CARTWIRE_TEST_DATABASE_URL` is set), one module per dialect or area, asserting on wire
//! bodies. One test binary for the crate (tests of the binary itself — its flags, SIGKILL,
//! two nodes — are in `crates/cli/tests`).

mod support;

mod activecampaign;
mod api_clients;
mod authorization;
mod catalog;
mod checkout;
mod console;
mod delivery;
mod identity;
mod integration_events;
mod integrations;
mod limits;
mod long_outage;
mod me;
mod oauth;
mod openapi;
mod operator;
mod outage;
mod outbox;
mod queues;
mod returns;
mod routing;
mod security;
mod sso;
mod threekit;
