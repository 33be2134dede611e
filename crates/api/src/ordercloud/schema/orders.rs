//! The order side of OrderCloud's answers: addresses, orders, their lines, worksheets and
//! returns (see the parent module for how these types are both rendering and description).

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// An address.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: Option<String>,
    pub(in crate::ordercloud) date_created: Option<String>,
    pub(in crate::ordercloud) company_name: Option<String>,
    pub(in crate::ordercloud) first_name: Option<String>,
    pub(in crate::ordercloud) last_name: Option<String>,
    pub(in crate::ordercloud) street1: String,
    pub(in crate::ordercloud) street2: Option<String>,
    pub(in crate::ordercloud) city: String,
    pub(in crate::ordercloud) state: Option<String>,
    pub(in crate::ordercloud) zip: Option<String>,
    pub(in crate::ordercloud) country: String,
    pub(in crate::ordercloud) phone: Option<String>,
    pub(in crate::ordercloud) address_name: Option<String>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// A saved address of the caller's (`/v1/me/addresses`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerAddress {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: Option<String>,
    pub(in crate::ordercloud) date_created: Option<String>,
    pub(in crate::ordercloud) company_name: Option<String>,
    pub(in crate::ordercloud) first_name: Option<String>,
    pub(in crate::ordercloud) last_name: Option<String>,
    pub(in crate::ordercloud) street1: String,
    pub(in crate::ordercloud) street2: Option<String>,
    pub(in crate::ordercloud) city: String,
    pub(in crate::ordercloud) state: Option<String>,
    pub(in crate::ordercloud) zip: Option<String>,
    pub(in crate::ordercloud) country: String,
    pub(in crate::ordercloud) phone: Option<String>,
    pub(in crate::ordercloud) address_name: Option<String>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
    pub(in crate::ordercloud) shipping: bool,
    pub(in crate::ordercloud) billing: bool,
    pub(in crate::ordercloud) editable: bool,
}

/// Who an order is from, as its snapshot holds.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FromUser {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: String,
    pub(in crate::ordercloud) username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub(in crate::ordercloud) first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub(in crate::ordercloud) last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub(in crate::ordercloud) email: Option<String>,
    /// Shown (possibly `null`) when the snapshot holds the user's names.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Option<String>)]
    pub(in crate::ordercloud) phone: Option<Option<String>>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// An order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Order {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: String,
    pub(in crate::ordercloud) from_user: FromUser,
    #[serde(rename = "FromCompanyID")]
    pub(in crate::ordercloud) from_company_id: Option<String>,
    #[serde(rename = "ToCompanyID")]
    pub(in crate::ordercloud) to_company_id: Option<String>,
    #[serde(rename = "FromUserID")]
    pub(in crate::ordercloud) from_user_id: Option<String>,
    #[serde(rename = "BillingAddressID")]
    pub(in crate::ordercloud) billing_address_id: Option<String>,
    pub(in crate::ordercloud) billing_address: Option<Address>,
    #[serde(rename = "ShippingAddressID")]
    pub(in crate::ordercloud) shipping_address_id: Option<String>,
    pub(in crate::ordercloud) comments: Option<String>,
    pub(in crate::ordercloud) line_item_count: i64,
    /// `Unsubmitted`, `AwaitingApproval`, `Declined`, `Open`, `Completed`, `Canceled`.
    pub(in crate::ordercloud) status: String,
    pub(in crate::ordercloud) date_created: String,
    pub(in crate::ordercloud) date_submitted: Option<String>,
    pub(in crate::ordercloud) date_approved: Option<String>,
    pub(in crate::ordercloud) date_declined: Option<String>,
    pub(in crate::ordercloud) date_canceled: Option<String>,
    pub(in crate::ordercloud) date_completed: Option<String>,
    pub(in crate::ordercloud) last_updated: String,
    pub(in crate::ordercloud) subtotal: f64,
    pub(in crate::ordercloud) shipping_cost: f64,
    pub(in crate::ordercloud) tax_cost: f64,
    pub(in crate::ordercloud) gratuity: f64,
    pub(in crate::ordercloud) fees: f64,
    pub(in crate::ordercloud) promotion_discount: f64,
    pub(in crate::ordercloud) currency: String,
    pub(in crate::ordercloud) total: f64,
    pub(in crate::ordercloud) is_submitted: bool,
    #[serde(rename = "SubscriptionID")]
    pub(in crate::ordercloud) subscription_id: Option<String>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// The product a line holds, as it was when added.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct LineProduct {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: String,
    pub(in crate::ordercloud) name: Option<String>,
    pub(in crate::ordercloud) description: Option<String>,
    pub(in crate::ordercloud) returnable: bool,
    pub(in crate::ordercloud) quantity_multiplier: i64,
    pub(in crate::ordercloud) ship_weight: Option<f64>,
    pub(in crate::ordercloud) ship_height: Option<f64>,
    pub(in crate::ordercloud) ship_width: Option<f64>,
    pub(in crate::ordercloud) ship_length: Option<f64>,
    #[serde(rename = "DefaultSupplierID")]
    pub(in crate::ordercloud) default_supplier_id: Option<String>,
    #[serde(rename = "ParentID")]
    pub(in crate::ordercloud) parent_id: Option<String>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// A line item.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct LineItem {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: String,
    #[serde(rename = "ProductID")]
    pub(in crate::ordercloud) product_id: String,
    pub(in crate::ordercloud) quantity: i64,
    #[serde(rename = "BundleItemID")]
    pub(in crate::ordercloud) bundle_item_id: Option<String>,
    pub(in crate::ordercloud) is_bundle: bool,
    pub(in crate::ordercloud) date_added: String,
    pub(in crate::ordercloud) quantity_shipped: i64,
    pub(in crate::ordercloud) unit_price: Option<f64>,
    pub(in crate::ordercloud) promotion_discount: f64,
    pub(in crate::ordercloud) line_total: f64,
    pub(in crate::ordercloud) line_subtotal: f64,
    pub(in crate::ordercloud) cost_center: Option<String>,
    pub(in crate::ordercloud) date_needed: Option<String>,
    pub(in crate::ordercloud) shipping_account: Option<String>,
    #[serde(rename = "ShippingAddressID")]
    pub(in crate::ordercloud) shipping_address_id: Option<String>,
    #[serde(rename = "ShipFromAddressID")]
    pub(in crate::ordercloud) ship_from_address_id: Option<String>,
    pub(in crate::ordercloud) product: LineProduct,
    pub(in crate::ordercloud) variant: Option<Value>,
    pub(in crate::ordercloud) shipping_address: Option<Address>,
    pub(in crate::ordercloud) ship_from_address: Option<Value>,
    #[serde(rename = "SupplierID")]
    pub(in crate::ordercloud) supplier_id: Option<String>,
    #[serde(rename = "InventoryRecordID")]
    pub(in crate::ordercloud) inventory_record_id: Option<String>,
    #[serde(rename = "PriceScheduleID")]
    pub(in crate::ordercloud) price_schedule_id: Option<String>,
    pub(in crate::ordercloud) is_on_sale: bool,
    pub(in crate::ordercloud) price_overridden: bool,
    pub(in crate::ordercloud) specs: Vec<Value>,
    #[serde(rename = "IncomingOrderID")]
    pub(in crate::ordercloud) incoming_order_id: String,
    #[serde(rename = "OutgoingOrderID")]
    pub(in crate::ordercloud) outgoing_order_id: String,
    #[serde(rename = "InvitationID")]
    pub(in crate::ordercloud) invitation_id: Option<String>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// An order with its lines and what the middleware answered at each step (each response is
/// the middleware's own body with `HttpStatusCode`, `UnhandledErrorBody` and `Succeeded`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OrderWorksheet {
    pub(in crate::ordercloud) order: Order,
    pub(in crate::ordercloud) line_items: Vec<LineItem>,
    pub(in crate::ordercloud) order_promotions: Vec<Value>,
    pub(in crate::ordercloud) subscription: Option<Value>,
    pub(in crate::ordercloud) ship_estimate_response: Option<Value>,
    pub(in crate::ordercloud) order_calculate_response: Option<Value>,
    pub(in crate::ordercloud) order_submit_response: Option<Value>,
    pub(in crate::ordercloud) order_submit_for_approval_response: Option<Value>,
    pub(in crate::ordercloud) order_approved_response: Option<Value>,
    pub(in crate::ordercloud) subscription_integration_response: Option<Value>,
}

/// An order return.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OrderReturn {
    #[serde(rename = "ID")]
    pub(in crate::ordercloud) id: String,
    #[serde(rename = "OrderID")]
    pub(in crate::ordercloud) order_id: String,
    #[serde(rename = "PaymentIDs")]
    pub(in crate::ordercloud) payment_ids: Vec<String>,
    /// `Unsubmitted`, `AwaitingApproval`, `Declined`, `Open`, `Completed`, `Canceled`.
    pub(in crate::ordercloud) status: String,
    pub(in crate::ordercloud) date_created: String,
    pub(in crate::ordercloud) date_submitted: Option<String>,
    pub(in crate::ordercloud) date_approved: Option<String>,
    pub(in crate::ordercloud) date_declined: Option<String>,
    pub(in crate::ordercloud) date_canceled: Option<String>,
    pub(in crate::ordercloud) date_completed: Option<String>,
    pub(in crate::ordercloud) last_updated: String,
    pub(in crate::ordercloud) refund_amount: Option<f64>,
    pub(in crate::ordercloud) comments: Option<String>,
    pub(in crate::ordercloud) items_to_return: Vec<ItemToReturn>,
    #[serde(rename = "xp")]
    pub(in crate::ordercloud) xp: Value,
}

/// A line to return.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ItemToReturn {
    #[serde(rename = "LineItemID")]
    pub(in crate::ordercloud) line_item_id: String,
    pub(in crate::ordercloud) quantity: i64,
    pub(in crate::ordercloud) refund_amount: Option<f64>,
    pub(in crate::ordercloud) comments: Option<String>,
}
