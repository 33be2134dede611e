//! The shapes of ActiveCampaign's bodies as `/openapi/activecampaign.json` describes them.
//! The dialect reads members one by one (numbers or numeric strings alike) and renders with
//! `json!` (wire.rs); these types are the description, and every HTTP test checks each
//! response against it, so the two cannot drift. Ids render as strings; money (cents),
//! quantities and `state` as numbers.
#![allow(dead_code)] // described, never constructed

use serde_json::Value;
use utoipa::ToSchema;

/// ActiveCampaign's error body: `{"message"}` (400, 403, 404, 500, 503) or, for 422,
/// `{"errors": [...]}`.
#[derive(ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    #[schema(required = false)]
    message: String,
    #[schema(required = false)]
    errors: Vec<FieldError>,
}

/// A 422's field error.
#[derive(ToSchema)]
pub struct FieldError {
    title: String,
    detail: String,
    /// `field_missing`, `field_invalid`, `duplicate`, …
    code: String,
    source: Pointer,
}

/// The field at fault.
#[derive(ToSchema)]
pub struct Pointer {
    /// `/data/attributes/{field}`.
    pointer: String,
}

/// An empty object (what a delete answers).
#[derive(ToSchema)]
pub struct Empty {}

/// `{"total": "<n>"}`.
#[derive(ToSchema)]
pub struct Meta {
    total: String,
}

/// A connection to write (every member of a PUT is optional).
#[derive(ToSchema)]
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
pub struct ConnectionBody {
    connection: ConnectionFields,
}

/// A connection.
#[derive(ToSchema)]
pub struct Connection {
    service: String,
    externalid: String,
    name: String,
    #[serde(rename = "isInternal")]
    is_internal: String,
    #[serde(rename = "connectionType")]
    connection_type: String,
    status: String,
    #[serde(rename = "syncStatus")]
    sync_status: String,
    #[serde(rename = "listId")]
    list_id: Option<String>,
    #[serde(rename = "logoUrl")]
    logo_url: String,
    #[serde(rename = "linkUrl")]
    link_url: String,
    cdate: String,
    udate: String,
    links: ConnectionLinks,
    id: String,
}

/// A connection's links.
#[derive(ToSchema)]
pub struct ConnectionLinks {
    customers: String,
}

/// One connection.
#[derive(ToSchema)]
pub struct ConnectionEnvelope {
    connection: Connection,
}

/// A page of connections.
#[derive(ToSchema)]
pub struct ConnectionPage {
    connections: Vec<Connection>,
    meta: Meta,
}

/// A customer to write.
#[derive(ToSchema)]
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
pub struct CustomerBody {
    #[serde(rename = "ecomCustomer")]
    ecom_customer: CustomerFields,
}

/// A customer, with aggregates of its placed orders.
#[derive(ToSchema)]
pub struct Customer {
    connectionid: String,
    externalid: String,
    email: String,
    #[serde(rename = "acceptsMarketing")]
    accepts_marketing: String,
    #[serde(rename = "totalRevenue")]
    total_revenue: i64,
    #[serde(rename = "totalOrders")]
    total_orders: i64,
    #[serde(rename = "totalProducts")]
    total_products: i64,
    #[serde(rename = "avgRevenuePerOrder")]
    avg_revenue_per_order: i64,
    tstamp: String,
    links: CustomerLinks,
    id: String,
    connection: String,
}

/// A customer's links.
#[derive(ToSchema)]
pub struct CustomerLinks {
    connection: String,
    orders: String,
}

/// One customer.
#[derive(ToSchema)]
pub struct CustomerEnvelope {
    #[serde(rename = "ecomCustomer")]
    ecom_customer: Customer,
}

/// A page of customers.
#[derive(ToSchema)]
pub struct CustomerPage {
    #[serde(rename = "ecomCustomers")]
    ecom_customers: Vec<Customer>,
    meta: Meta,
}

/// A product of an order to write.
#[derive(ToSchema)]
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
pub struct OrderBody {
    #[serde(rename = "ecomOrder")]
    ecom_order: OrderFields,
}

/// An order's product.
#[derive(ToSchema)]
pub struct OrderProduct {
    orderid: String,
    connectionid: String,
    externalid: Option<String>,
    sku: Option<String>,
    name: String,
    description: Option<String>,
    price: i64,
    quantity: i64,
    category: Option<String>,
    #[serde(rename = "imageUrl")]
    image_url: Option<String>,
    #[serde(rename = "productUrl")]
    product_url: Option<String>,
    #[serde(rename = "createdDate")]
    created_date: String,
    #[serde(rename = "updatedDate")]
    updated_date: String,
    links: OrderProductLinks,
    id: String,
    #[serde(rename = "ecomOrder")]
    ecom_order: String,
}

/// An order product's links.
#[derive(ToSchema)]
pub struct OrderProductLinks {
    #[serde(rename = "ecomOrder")]
    ecom_order: String,
}

/// An order's discount.
#[derive(ToSchema)]
pub struct OrderDiscount {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    orderid: String,
    #[serde(rename = "discountAmount")]
    discount_amount: i64,
    id: String,
    #[serde(rename = "createdDate")]
    created_date: String,
    #[serde(rename = "updatedDate")]
    updated_date: String,
}

/// An order.
#[derive(ToSchema)]
pub struct Order {
    externalid: Option<String>,
    externalcheckoutid: Option<String>,
    source: String,
    email: String,
    currency: String,
    connectionid: String,
    customerid: String,
    #[serde(rename = "orderUrl")]
    order_url: Option<String>,
    #[serde(rename = "orderNumber")]
    order_number: Option<String>,
    #[serde(rename = "shippingMethod")]
    shipping_method: Option<String>,
    #[serde(rename = "totalPrice")]
    total_price: i64,
    #[serde(rename = "shippingAmount")]
    shipping_amount: Option<i64>,
    #[serde(rename = "taxAmount")]
    tax_amount: Option<i64>,
    #[serde(rename = "discountAmount")]
    discount_amount: Option<i64>,
    #[serde(rename = "totalProducts")]
    total_products: i64,
    #[serde(rename = "externalCreatedDate")]
    external_created_date: String,
    #[serde(rename = "externalUpdatedDate")]
    external_updated_date: Option<String>,
    #[serde(rename = "abandonedDate")]
    abandoned_date: Option<String>,
    #[serde(rename = "createdDate")]
    created_date: String,
    #[serde(rename = "updatedDate")]
    updated_date: String,
    #[serde(rename = "orderDate")]
    order_date: String,
    /// 1 placed, 2 a cart, 3 a recovered abandoned cart.
    #[schema(minimum = 1, maximum = 3)]
    state: i64,
    connection: String,
    customer: String,
    #[serde(rename = "orderProducts")]
    order_products: Vec<String>,
    #[serde(rename = "orderDiscounts")]
    order_discounts: Vec<String>,
    tstamp: String,
    links: OrderLinks,
    id: String,
}

/// An order's links.
#[derive(ToSchema)]
pub struct OrderLinks {
    connection: String,
    customer: String,
    #[serde(rename = "orderProducts")]
    order_products: String,
}

/// A created order with what it brought.
#[derive(ToSchema)]
pub struct OrderCreated {
    connections: Vec<Connection>,
    #[serde(rename = "ecomOrderProducts")]
    ecom_order_products: Vec<OrderProduct>,
    #[serde(rename = "ecomOrderDiscounts")]
    ecom_order_discounts: Vec<OrderDiscount>,
    #[serde(rename = "ecomOrder")]
    ecom_order: Order,
}

/// An updated order with its products and discounts.
#[derive(ToSchema)]
pub struct OrderUpdated {
    #[serde(rename = "ecomOrderProducts")]
    ecom_order_products: Vec<OrderProduct>,
    #[serde(rename = "ecomOrderDiscounts")]
    ecom_order_discounts: Vec<OrderDiscount>,
    #[serde(rename = "ecomOrder")]
    ecom_order: Order,
}

/// One order.
#[derive(ToSchema)]
pub struct OrderEnvelope {
    #[serde(rename = "ecomOrder")]
    ecom_order: Order,
}

/// A page of orders.
#[derive(ToSchema)]
pub struct OrderPage {
    #[serde(rename = "ecomOrders")]
    ecom_orders: Vec<Order>,
    meta: Meta,
}

/// An order's products.
#[derive(ToSchema)]
pub struct OrderProducts {
    #[serde(rename = "ecomOrderProducts")]
    ecom_order_products: Vec<OrderProduct>,
}

/// A page of order products.
#[derive(ToSchema)]
pub struct OrderProductPage {
    #[serde(rename = "ecomOrderProducts")]
    ecom_order_products: Vec<OrderProduct>,
    meta: Meta,
}

/// One order product.
#[derive(ToSchema)]
pub struct OrderProductEnvelope {
    #[serde(rename = "ecomOrderProduct")]
    ecom_order_product: OrderProduct,
}
