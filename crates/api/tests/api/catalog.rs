//! The minimal catalog: `/v1/priceschedules` (prices by quantity, money converted exactly) and
//! `/v1/products`.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

#[tokio::test]
async fn price_schedules_and_products_round_trip_with_exact_money() {
    let s = TestServer::start().await;
    let r = s
        .post("/v1/priceschedules", json!({"ID": "ps1", "Name": "Chairs", "Currency": "USD",
               "PriceBreaks": [{"Quantity": 10, "Price": 8.5}, {"Quantity": 1, "Price": 9.99}], "xp": {"season": "fall"}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/priceschedules/ps1", s.base).as_str());
    assert_eq!(r.body["PriceBreaks"], json!([{"Quantity": 1, "Price": 9.99}, {"Quantity": 10, "Price": 8.5}]));
    assert_eq!(r.body["MinQuantity"], 1);
    let r = s
        .post(
            "/v1/priceschedules",
            json!({"ID": "yen", "Name": "Yen", "Currency": "JPY", "PriceBreaks": [{"Quantity": 1, "Price": 500}]}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["PriceBreaks"][0]["Price"], 500.0);

    let r = s.post("/v1/products", json!({"ID": "chair", "Name": "Chair", "Description": "Sits one", "Active": true, "DefaultPriceScheduleID": "ps1"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["DefaultPriceScheduleID"], "ps1");
    let r = s.patch("/v1/products/chair", json!({"xp": {"color": "red"}, "Name": "Red chair"})).await;
    assert_eq!(r.status, 200);
    assert_eq!((r.body["Name"].as_str(), r.body["Description"].as_str()), (Some("Red chair"), Some("Sits one")));
    assert_eq!(s.get("/v1/products?search=red").await.body["Meta"]["TotalCount"], 1);
    assert_eq!(s.get("/v1/Products?DefaultPriceScheduleID=ps1").await.body["Meta"]["TotalCount"], 1);
    let r = s
        .put("/v1/priceschedules/ps1", json!({"Name": "Chairs 2", "PriceBreaks": [{"Quantity": 1, "Price": "1"}]}))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "prices are numbers");
    let r = s.patch("/v1/priceschedules/ps1", json!({"PriceBreaks": [{"Quantity": 1, "Price": 12}]})).await;
    assert_eq!(r.body["PriceBreaks"], json!([{"Quantity": 1, "Price": 12.0}]));
    // Deleting a schedule leaves its products unpriced.
    assert_eq!(s.delete("/v1/priceschedules/ps1").await.status, 204);
    assert_eq!(s.get("/v1/products/chair").await.body["DefaultPriceScheduleID"], Value::Null);
    assert_eq!(s.delete("/v1/products/chair").await.status, 204);
    assert_eq!(s.get("/v1/products/chair").await.status, 404);
}

#[tokio::test]
async fn bad_catalog_input_is_rejected_and_nothing_is_written() {
    let s = TestServer::start().await;
    assert_eq!(
        s.post("/v1/priceschedules", json!({"ID": "ps", "Name": "P", "PriceBreaks": [{"Quantity": 1, "Price": 1}]}))
            .await
            .status,
        201
    );
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/v1/priceschedules",
            json!({"Name": "x", "PriceBreaks": [{"Quantity": 1, "Price": 9.999}]}),
            400,
            "ValidationFailure",
        ),
        (
            "/v1/priceschedules",
            json!({"Name": "x", "Currency": "JPY", "PriceBreaks": [{"Quantity": 1, "Price": 1.5}]}),
            400,
            "ValidationFailure",
        ),
        (
            "/v1/priceschedules",
            json!({"Name": "x", "PriceBreaks": [{"Quantity": 1, "Price": -1}]}),
            400,
            "ValidationFailure",
        ),
        ("/v1/priceschedules", json!({"Name": "x", "Currency": "usd"}), 400, "ValidationFailure"),
        (
            "/v1/priceschedules",
            json!({"Name": "x", "PriceBreaks": [{"Quantity": 1, "Price": 1}, {"Quantity": 1, "Price": 2}]}),
            400,
            "ValidationFailure",
        ),
        ("/v1/priceschedules", json!({"Name": "x", "MinQuantity": 5, "MaxQuantity": 2}), 400, "ValidationFailure"),
        ("/v1/priceschedules", json!({"PriceBreaks": []}), 400, "ValidationFailure"),
        ("/v1/priceschedules", json!({"ID": "ps", "Name": "dup"}), 409, "IdExists"),
        ("/v1/products", json!({"Name": "x", "DefaultPriceScheduleID": "missing"}), 404, "NotFound"),
        ("/v1/products", json!({"Name": "x".repeat(101)}), 400, "ValidationFailure"),
        ("/v1/products", json!({"ID": "bad id", "Name": "x"}), 400, "ValidationFailure"),
        ("/v1/products", json!({"Name": "x", "Active": "yes"}), 400, "ValidationFailure"),
    ];
    for (path, body, status, code) in cases {
        let r = s.post(path, body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{path} {body}: {}", r.body);
    }
    assert_eq!(s.get("/v1/priceschedules").await.body["Meta"]["TotalCount"], 1);
    assert_eq!(s.get("/v1/products").await.body["Meta"]["TotalCount"], 0);
}

#[tokio::test]
async fn catalog_roles() {
    let s = TestServer::start().await;
    let reader = s.token_with_roles(&["ProductReader", "PriceScheduleReader"]).await;
    let writer = s.token_with_roles(&["ProductAdmin", "PriceScheduleAdmin"]).await;
    let shopper = s.token_with_roles(&["Shopper"]).await;
    let ps = json!({"ID": "ps", "Name": "P"});
    assert_eq!(s.send(Method::POST, "/v1/priceschedules", Some(&reader), Some(ps.clone())).await.status, 403);
    assert_eq!(s.send(Method::POST, "/v1/priceschedules", Some(&writer), Some(ps)).await.status, 201);
    assert_eq!(s.send(Method::GET, "/v1/priceschedules/ps", Some(&reader), None).await.status, 200);
    assert_eq!(
        s.send(Method::POST, "/v1/products", Some(&writer), Some(json!({"ID": "p", "Name": "P"}))).await.status,
        201
    );
    assert_eq!(s.send(Method::GET, "/v1/products", Some(&reader), None).await.status, 200);
    let r = s.send(Method::GET, "/v1/products", Some(&shopper), None).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["Errors"][0]["Data"]["SufficientRoles"], json!(["FullAccess", "ProductAdmin", "ProductReader"]));
    assert_eq!(s.send(Method::DELETE, "/v1/products/p", Some(&reader), None).await.status, 403);
    assert_eq!(s.send(Method::GET, "/v1/products", None, None).await.status, 401);
}
