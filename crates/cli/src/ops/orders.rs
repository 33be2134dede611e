//! `cartwire orders list|show`: every order, whichever API it came through (Threekit,
//! ActiveCampaign, OrderCloud), and one order with its lines and events.

use super::{Client, Server, cell, print_json, print_table, q};
use anyhow::Result;

/// What to do with orders.
#[derive(Debug, clap::Subcommand)]
pub enum OrdersAction {
    /// Orders, newest first.
    List {
        /// Only this status (cart, placed, in_progress, awaiting_approval, declined,
        /// completed, canceled, wishlist).
        #[arg(long)]
        status: Option<String>,
        /// Only this customer's.
        #[arg(long)]
        customer: Option<String>,
        /// Only orders that came in through this API.
        #[arg(long, value_parser = ["threekit", "activecampaign", "ordercloud"])]
        source: Option<String>,
        /// Created at or after this moment (RFC 3339, e.g. 2026-12-01T00:00:00Z).
        #[arg(long)]
        from: Option<String>,
        /// Created before this moment (RFC 3339).
        #[arg(long)]
        to: Option<String>,
        /// The buyer's email (an ActiveCampaign customer's, an OrderCloud user's).
        #[arg(long)]
        email: Option<String>,
        /// An id in another system (ActiveCampaign `externalid`, Threekit `platform.id`).
        #[arg(long)]
        external_id: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One order (by id or short id) with its lines and the events it caused.
    Show {
        /// The order's id or short id.
        id: String,
    },
}

/// A total in minor units and its currency, for people.
fn money(total: &serde_json::Value, currency: &serde_json::Value) -> String {
    match (total.as_i64(), currency.as_str()) {
        (Some(t), Some(c)) => format!("{t} {c} (minor units)"),
        _ => "-".into(),
    }
}

/// Runs an `orders` action.
pub async fn run(s: &Server, action: OrdersAction) -> Result<()> {
    let c = Client::login(s).await?;
    match action {
        OrdersAction::List { status, customer, source, from, to, email, external_id, limit } => {
            let mut path = format!("/cartwire/v1/orders?limit={limit}");
            for (name, value) in [
                ("status", &status),
                ("customer_id", &customer),
                ("source", &source),
                ("from", &from),
                ("to", &to),
                ("email", &email),
                ("external_id", &external_id),
            ] {
                if let Some(v) = value {
                    path.push_str(&format!("&{name}={}", q(v)));
                }
            }
            let body = c.get(&path).await?;
            if s.json {
                return print_json(&body["data"]);
            }
            let rows: Vec<Vec<String>> = body["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| {
                    vec![
                        cell(&o["id"]),
                        cell(&o["short_id"]),
                        cell(&o["source"]),
                        cell(&o["status"]),
                        cell(&o["total"]),
                        cell(&o["currency"]),
                        cell(&o["customer_id"]),
                        cell(&o["created_at"]),
                    ]
                })
                .collect();
            print_table(&["ID", "SHORT ID", "SOURCE", "STATUS", "TOTAL", "CURRENCY", "CUSTOMER", "CREATED"], &rows);
            println!("({} of {})", rows.len(), cell(&body["total"]));
            Ok(())
        }
        OrdersAction::Show { id } => {
            let o = c.get(&format!("/cartwire/v1/orders/{}", q(&id))).await?;
            if s.json {
                return print_json(&o);
            }
            for (k, label) in [
                ("id", "order"),
                ("short_id", "short id"),
                ("source", "source"),
                ("status", "status"),
                ("customer_id", "customer"),
                ("email", "email"),
                ("created_at", "created"),
            ] {
                println!("{label:>10}: {}", cell(&o[k]));
            }
            println!("{:>10}: {}", "total", money(&o["total"], &o["currency"]));
            println!();
            let lines: Vec<Vec<String>> = o["line_items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| vec![cell(&l["product"]), cell(&l["quantity"]), cell(&l["unit_price"])])
                .collect();
            print_table(&["PRODUCT", "QUANTITY", "UNIT PRICE"], &lines);
            println!();
            let events: Vec<Vec<String>> = o["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| vec![cell(&e["seq"]), cell(&e["occurred_at"]), cell(&e["key"]), cell(&e["dialect"])])
                .collect();
            print_table(&["SEQ", "OCCURRED", "EVENT", "VIA"], &events);
            Ok(())
        }
    }
}
