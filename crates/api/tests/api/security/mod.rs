//! Hostile tests: what a caller must not be able to reach or become. One module per wall —
//! tenants (buyers' users and what they own), escalation (every write that changes what a
//! token may do), outbound targets, limits and revocation.

mod edge;
mod escalation;
mod generated;
mod kinds;
mod limits;
mod matrix;
mod outbound;
mod revocation;
mod secrets;
mod tenants;
mod throttle;
