//! The shapes of ActiveCampaign's bodies as `/openapi/activecampaign.json` describes them.
//! Each response type is both what the handlers serialize (wire.rs builds them) and what the
//! document describes, so a rendering cannot drift from its description; every HTTP test
//! checks each response against the document too. The request types are described only: the
//! dialect reads members one by one (numbers or numeric strings alike). Ids render as
//! strings; money (cents), quantities and `state` as numbers.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// ActiveCampaign's error body: `{"message"}` (400, 403, 404, 500, 503) or, for 422,
/// `{"errors": [...]}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = String)]
    pub(super) message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, value_type = Vec<FieldError>)]
    pub(super) errors: Option<Vec<FieldError>>,
}

/// A 422's field error.
#[derive(Serialize, ToSchema)]
pub struct FieldError {
    pub(super) title: String,
    pub(super) detail: String,
    /// `field_missing`, `field_invalid`, `duplicate`, …
    pub(super) code: String,
    pub(super) source: Pointer,
}

/// The field at fault.
#[derive(Serialize, ToSchema)]
pub struct Pointer {
    /// `/data/attributes/{field}`.
    pub(super) pointer: String,
}

/// An empty object (what a delete answers).
#[derive(Serialize, ToSchema)]
pub struct Empty {}

/// `{"total": "<n>"}`.
#[derive(Serialize, ToSchema)]
pub struct Meta {
    pub(super) total: String,
}

/// A connection to write (every member of a PUT is optional).
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct ConnectionFields {
    #[schema(max_length = 255)]
    service: String,
    #[schema(max_length = 255)]
    externalid: String,
    #[schema(max_length = 255)]
    name: String,
    #[serde(rename = "logoUrl")]
    #[schema(max_length = 4096)]
    logo_url: String,
    #[serde(rename = "linkUrl")]
    #[schema(max_length = 4096)]
    link_url: String,
    #[serde(rename = "listId")]
    list_id: Option<String>,
    /// 0 or 1 (a number or a numeric string).
    status: Option<Value>,
    /// 0 or 1.
    #[serde(rename = "syncStatus")]
    sync_status: Option<Value>,
}

/// `{"connection": {...}}`.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct ConnectionBody {
    connection: ConnectionFields,
}

/// A connection.
#[derive(Serialize, ToSchema)]
pub struct Connection {
    pub(super) service: String,
    pub(super) externalid: String,
    pub(super) name: String,
    #[serde(rename = "isInternal")]
    pub(super) is_internal: String,
    #[serde(rename = "connectionType")]
    pub(super) connection_type: String,
    pub(super) status: String,
    #[serde(rename = "syncStatus")]
    pub(super) sync_status: String,
    #[serde(rename = "listId")]
    pub(super) list_id: Option<String>,
    #[serde(rename = "logoUrl")]
    pub(super) logo_url: String,
    #[serde(rename = "linkUrl")]
    pub(super) link_url: String,
    pub(super) cdate: String,
    pub(super) udate: String,
    pub(super) links: ConnectionLinks,
    pub(super) id: String,
}

/// A connection's links.
#[derive(Serialize, ToSchema)]
pub struct ConnectionLinks {
    pub(super) customers: String,
}

/// One connection.
#[derive(Serialize, ToSchema)]
pub struct ConnectionEnvelope {
    pub(super) connection: Connection,
}

/// A page of connections.
#[derive(Serialize, ToSchema)]
pub struct ConnectionPage {
    pub(super) connections: Vec<Connection>,
    pub(super) meta: Meta,
}

/// A customer to write.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct CustomerFields {
    /// A number or a numeric string.
    connectionid: Value,
    #[schema(max_length = 255)]
    externalid: String,
    #[schema(max_length = 255)]
    email: String,
    /// 0 or 1.
    #[serde(rename = "acceptsMarketing")]
    accepts_marketing: Option<Value>,
}

/// `{"ecomCustomer": {...}}`.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct CustomerBody {
    #[serde(rename = "ecomCustomer")]
    ecom_customer: CustomerFields,
}

/// A customer, with aggregates of its placed orders.
#[derive(Serialize, ToSchema)]
pub struct Customer {
    pub(super) connectionid: String,
    pub(super) externalid: String,
    pub(super) email: String,
    #[serde(rename = "acceptsMarketing")]
    pub(super) accepts_marketing: String,
    #[serde(rename = "totalRevenue")]
    pub(super) total_revenue: i64,
    #[serde(rename = "totalOrders")]
    pub(super) total_orders: i64,
    #[serde(rename = "totalProducts")]
    pub(super) total_products: i64,
    #[serde(rename = "avgRevenuePerOrder")]
    pub(super) avg_revenue_per_order: i64,
    pub(super) tstamp: String,
    pub(super) links: CustomerLinks,
    pub(super) id: String,
    pub(super) connection: String,
}

/// A customer's links.
#[derive(Serialize, ToSchema)]
pub struct CustomerLinks {
    pub(super) connection: String,
    pub(super) orders: String,
}

/// One customer.
#[derive(Serialize, ToSchema)]
pub struct CustomerEnvelope {
    #[serde(rename = "ecomCustomer")]
    pub(super) ecom_customer: Customer,
}

/// A page of customers.
#[derive(Serialize, ToSchema)]
pub struct CustomerPage {
    #[serde(rename = "ecomCustomers")]
    pub(super) ecom_customers: Vec<Customer>,
    pub(super) meta: Meta,
}

/// A product of an order to write.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct ProductFields {
    #[schema(max_length = 4096)]
    name: String,
    /// Cents, 0 or more.
    price: Value,
    /// At least 1.
    quantity: Value,
    externalid: Option<String>,
    sku: Option<String>,
    description: Option<String>,
    category: Option<String>,
    #[serde(rename = "imageUrl")]
    image_url: Option<String>,
    #[serde(rename = "productUrl")]
    product_url: Option<String>,
}

/// A discount of an order to write.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct DiscountFields {
    name: Option<String>,
    /// `order` or `shipping`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Cents.
    #[serde(rename = "discountAmount")]
    discount_amount: Value,
}

/// An order (or an abandoned cart: no `externalid`, an `externalcheckoutid` and an
/// `abandonedDate`) to write. At most 500 products.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct OrderFields {
    #[schema(max_length = 255)]
    externalid: Option<String>,
    #[schema(max_length = 255)]
    externalcheckoutid: Option<String>,
    /// 1 (real time) or 0 (historical).
    source: Value,
    #[schema(max_length = 255)]
    email: String,
    /// Cents.
    #[serde(rename = "totalPrice")]
    total_price: Value,
    #[serde(rename = "shippingAmount")]
    shipping_amount: Option<Value>,
    #[serde(rename = "taxAmount")]
    tax_amount: Option<Value>,
    #[serde(rename = "discountAmount")]
    discount_amount: Option<Value>,
    /// ISO 4217, three letters.
    #[schema(min_length = 3, max_length = 3)]
    currency: String,
    #[serde(rename = "orderNumber")]
    order_number: Option<String>,
    connectionid: Value,
    customerid: Value,
    #[serde(rename = "orderUrl")]
    order_url: Option<String>,
    #[serde(rename = "shippingMethod")]
    shipping_method: Option<String>,
    #[serde(rename = "externalCreatedDate")]
    external_created_date: String,
    #[serde(rename = "externalUpdatedDate")]
    external_updated_date: Option<String>,
    #[serde(rename = "abandonedDate")]
    abandoned_date: Option<String>,
    #[serde(rename = "orderDate")]
    order_date: Option<String>,
    #[serde(rename = "orderProducts")]
    #[schema(max_items = 500)]
    order_products: Vec<ProductFields>,
    #[serde(rename = "orderDiscounts")]
    order_discounts: Option<Vec<DiscountFields>>,
}

/// `{"ecomOrder": {...}}`.
#[derive(ToSchema)]
#[allow(dead_code)] // described; wire.rs reads the members
pub struct OrderBody {
    #[serde(rename = "ecomOrder")]
    ecom_order: OrderFields,
}

/// An order's product.
#[derive(Serialize, ToSchema)]
pub struct OrderProduct {
    pub(super) orderid: String,
    pub(super) connectionid: String,
    pub(super) externalid: Option<String>,
    pub(super) sku: Option<String>,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) price: i64,
    pub(super) quantity: i64,
    pub(super) category: Option<String>,
    #[serde(rename = "imageUrl")]
    pub(super) image_url: Option<String>,
    #[serde(rename = "productUrl")]
    pub(super) product_url: Option<String>,
    #[serde(rename = "createdDate")]
    pub(super) created_date: String,
    #[serde(rename = "updatedDate")]
    pub(super) updated_date: String,
    pub(super) links: OrderProductLinks,
    pub(super) id: String,
    #[serde(rename = "ecomOrder")]
    pub(super) ecom_order: String,
}

/// An order product's links.
#[derive(Serialize, ToSchema)]
pub struct OrderProductLinks {
    #[serde(rename = "ecomOrder")]
    pub(super) ecom_order: String,
}

/// An order's discount.
#[derive(Serialize, ToSchema)]
pub struct OrderDiscount {
    pub(super) name: Option<String>,
    #[serde(rename = "type")]
    pub(super) kind: Option<String>,
    pub(super) orderid: String,
    #[serde(rename = "discountAmount")]
    pub(super) discount_amount: i64,
    pub(super) id: String,
    #[serde(rename = "createdDate")]
    pub(super) created_date: String,
    #[serde(rename = "updatedDate")]
    pub(super) updated_date: String,
}

/// An order.
#[derive(Serialize, ToSchema)]
pub struct Order {
    pub(super) externalid: Option<String>,
    pub(super) externalcheckoutid: Option<String>,
    pub(super) source: String,
    pub(super) email: String,
    pub(super) currency: String,
    pub(super) connectionid: String,
    pub(super) customerid: String,
    #[serde(rename = "orderUrl")]
    pub(super) order_url: Option<String>,
    #[serde(rename = "orderNumber")]
    pub(super) order_number: Option<String>,
    #[serde(rename = "shippingMethod")]
    pub(super) shipping_method: Option<String>,
    #[serde(rename = "totalPrice")]
    pub(super) total_price: i64,
    #[serde(rename = "shippingAmount")]
    pub(super) shipping_amount: Option<i64>,
    #[serde(rename = "taxAmount")]
    pub(super) tax_amount: Option<i64>,
    #[serde(rename = "discountAmount")]
    pub(super) discount_amount: Option<i64>,
    #[serde(rename = "totalProducts")]
    pub(super) total_products: i64,
    #[serde(rename = "externalCreatedDate")]
    pub(super) external_created_date: String,
    #[serde(rename = "externalUpdatedDate")]
    pub(super) external_updated_date: Option<String>,
    #[serde(rename = "abandonedDate")]
    pub(super) abandoned_date: Option<String>,
    #[serde(rename = "createdDate")]
    pub(super) created_date: String,
    #[serde(rename = "updatedDate")]
    pub(super) updated_date: String,
    #[serde(rename = "orderDate")]
    pub(super) order_date: String,
    /// 1 placed, 2 a cart, 3 a recovered abandoned cart.
    #[schema(minimum = 1, maximum = 3)]
    pub(super) state: i64,
    pub(super) connection: String,
    pub(super) customer: String,
    #[serde(rename = "orderProducts")]
    pub(super) order_products: Vec<String>,
    #[serde(rename = "orderDiscounts")]
    pub(super) order_discounts: Vec<String>,
    pub(super) tstamp: String,
    pub(super) links: OrderLinks,
    pub(super) id: String,
}

/// An order's links.
#[derive(Serialize, ToSchema)]
pub struct OrderLinks {
    pub(super) connection: String,
    pub(super) customer: String,
    #[serde(rename = "orderProducts")]
    pub(super) order_products: String,
}

/// A created order with what it brought.
#[derive(Serialize, ToSchema)]
pub struct OrderCreated {
    pub(super) connections: Vec<Connection>,
    #[serde(rename = "ecomOrderProducts")]
    pub(super) ecom_order_products: Vec<OrderProduct>,
    #[serde(rename = "ecomOrderDiscounts")]
    pub(super) ecom_order_discounts: Vec<OrderDiscount>,
    #[serde(rename = "ecomOrder")]
    pub(super) ecom_order: Order,
}

/// An updated order with its products and discounts.
#[derive(Serialize, ToSchema)]
pub struct OrderUpdated {
    #[serde(rename = "ecomOrderProducts")]
    pub(super) ecom_order_products: Vec<OrderProduct>,
    #[serde(rename = "ecomOrderDiscounts")]
    pub(super) ecom_order_discounts: Vec<OrderDiscount>,
    #[serde(rename = "ecomOrder")]
    pub(super) ecom_order: Order,
}

/// One order.
#[derive(Serialize, ToSchema)]
pub struct OrderEnvelope {
    #[serde(rename = "ecomOrder")]
    pub(super) ecom_order: Order,
}

/// A page of orders.
#[derive(Serialize, ToSchema)]
pub struct OrderPage {
    #[serde(rename = "ecomOrders")]
    pub(super) ecom_orders: Vec<Order>,
    pub(super) meta: Meta,
}

/// An order's products.
#[derive(Serialize, ToSchema)]
pub struct OrderProducts {
    #[serde(rename = "ecomOrderProducts")]
    pub(super) ecom_order_products: Vec<OrderProduct>,
}

/// A page of order products.
#[derive(Serialize, ToSchema)]
pub struct OrderProductPage {
    #[serde(rename = "ecomOrderProducts")]
    pub(super) ecom_order_products: Vec<OrderProduct>,
    pub(super) meta: Meta,
}

/// One order product.
#[derive(Serialize, ToSchema)]
pub struct OrderProductEnvelope {
    #[serde(rename = "ecomOrderProduct")]
    pub(super) ecom_order_product: OrderProduct,
}
