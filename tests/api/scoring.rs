//! The stateless scoring endpoints over real HTTP: the worked example of scoring.md as a golden
//! test, and every way a body can be refused.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::{Backend, TestApp, spawn_app};

const WORKED_EXAMPLE: &str = include_str!("../golden/worked_example.json");
const WORKED_EXAMPLE_RESULT: &str = include_str!("../golden/worked_example.result.json");

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite).await.unwrap()
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(&[Role::Evaluator]))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(&[Role::Platform]))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn worked_example() -> Value {
    serde_json::from_str(WORKED_EXAMPLE).unwrap()
}

async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.unwrap()
}

fn has_error(problem: &Value, pointer: &str, code: &str) -> bool {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["pointer"] == pointer && e["code"] == code)
}

#[tokio::test]
async fn the_worked_example_scores_b_first_a_second_and_disqualifies_c() {
    let app = app().await;
    let response = post_json(&app, "/v1/evaluations/preview", &worked_example()).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();

    assert_eq!(result["winner"], "B");
    let by_id = |id: &str| {
        result["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["bid_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("B")["rank"], 1);
    assert_eq!(by_id("B")["total_display"], "87.00");
    assert_eq!(by_id("A")["rank"], 2);
    assert_eq!(by_id("A")["total_display"], "83.50");
    assert_eq!(by_id("C")["status"], "disqualified");
    assert_eq!(
        by_id("C")["disqualification_reasons"][0]["code"],
        "knockout_failed"
    );
    assert_eq!(by_id("C")["rank"], Value::Null);

    let golden: Value = serde_json::from_str(WORKED_EXAMPLE_RESULT).unwrap();
    assert_eq!(result, golden, "the whole result is the golden file");
}

#[tokio::test]
async fn the_same_inputs_in_another_key_order_give_the_same_inputs_hash() {
    let app = app().await;
    let first: Value = post_json(&app, "/v1/evaluations/preview", &worked_example())
        .await
        .json()
        .await
        .unwrap();
    // serde_json::Value keeps keys sorted; re-serialise by hand in reverse key order.
    let reversed = reverse_keys(&worked_example()).into_bytes();
    let second: Value = post_raw(
        &app,
        "/v1/evaluations/preview",
        "application/json",
        reversed,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(first["inputs_sha256"], second["inputs_sha256"]);
    assert_eq!(first["inputs_sha256"].as_str().unwrap().len(), 64);
}

fn reverse_keys(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), reverse_keys(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(reverse_keys).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn decimals_sent_as_numbers_are_exact_and_come_back_as_strings() {
    let app = app().await;
    // 0.1 is not a binary fraction: through f64, 0.1 × 3 would not be 0.3.
    let body = r#"{
      "currency": "GBP",
      "scheme": {"authority_type": "other", "criteria": [
        {"id": "price", "type": "price", "weight": 90},
        {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN06-20:MAC2.1",
         "method": "quantitative", "measures": ["M"]}]},
      "measures": [{"code": "M", "name": "m", "outcome": "PPN06-20:MAC2.1", "proxy_value": 3}],
      "bids": [{"id": "A", "price": 12345678901.123456789, "submitted_at": "2026-01-01T00:00:00Z",
                "commitments": [{"measure": "M", "quantity": 0.1}]}]
    }"#;
    let response = post_raw(
        &app,
        "/v1/evaluations/preview",
        "application/json",
        body.into(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["results"][0]["social_value"]["value"], "0.3");
    assert_eq!(
        result["results"][0]["social_value"]["by_measure"][0]["quantity"],
        "0.1"
    );
}

#[tokio::test]
async fn a_scheme_that_breaks_rules_is_422_with_every_failure_pointed_at() {
    let app = app().await;
    let mut body = worked_example();
    body["scheme"]["criteria"][0]["weight"] = json!(0);
    body["scheme"]["criteria"][1]["scale"]["min"] = json!(100);
    let problem = problem(post_json(&app, "/v1/evaluations/preview", &body).await, 422).await;
    assert_eq!(problem["type"], "https://socval.dev/problems/validation");
    assert!(
        has_error(&problem, "/scheme/criteria/0/weight", "weight_not_positive"),
        "{problem}"
    );
    assert!(
        has_error(&problem, "/scheme/criteria", "weights_sum_not_100"),
        "{problem}"
    );
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "invalid_scale"),
        "{problem}"
    );
}

#[tokio::test]
async fn an_unknown_field_is_invalid_body_with_its_pointer() {
    let app = app().await;
    let mut body = worked_example();
    body["scheme"]["criteria"][0]["wieght"] = json!(60);
    let problem = problem(post_json(&app, "/v1/evaluations/preview", &body).await, 422).await;
    let error = &problem["errors"][0];
    assert_eq!(error["code"], "invalid_body");
    assert!(
        error["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/scheme/criteria/0"),
        "{problem}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("wieght"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_missing_field_is_invalid_body_at_the_field_itself() {
    let app = app().await;
    let mut body = worked_example();
    body["bids"][1].as_object_mut().unwrap().remove("price");
    let refused = problem(post_json(&app, "/v1/evaluations/preview", &body).await, 422).await;
    assert_eq!(refused["errors"][0]["code"], "invalid_body", "{refused}");
    assert_eq!(
        refused["errors"][0]["pointer"], "/bids/1/price",
        "{refused}"
    );
    let mut body = worked_example();
    body["scheme"]["criteria"][0]
        .as_object_mut()
        .unwrap()
        .remove("weight");
    let refused = problem(post_json(&app, "/v1/evaluations/preview", &body).await, 422).await;
    assert_eq!(
        refused["errors"][0]["pointer"], "/scheme/criteria/0/weight",
        "{refused}"
    );
}

/// Issue 20's example, as a client sends it: the dearer bid's price points are exactly 20, both
/// totals are "60", and both bids are told that the social value step, not the total, ranked them.
#[tokio::test]
async fn equal_totals_are_exact_and_the_tie_break_is_flagged() {
    let app = app().await;
    let body = json!({
        "scheme": {
            "authority_type": "central_government",
            "criteria": [
                {"id": "price", "type": "price", "weight": 60, "price_method": "lowest_relative"},
                {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 10}},
                {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
                 "method": "qualitative", "scale": {"min": 0, "max": 10}}
            ]
        },
        "bids": [
            {"id": "cheap", "price": "300000", "submitted_at": "2026-03-01T10:00:00Z", "marks": {"q1": 0, "sv": 0}},
            {"id": "dear", "price": "900000", "submitted_at": "2026-03-01T10:00:00Z", "marks": {"q1": 10, "sv": 10}}
        ]
    });
    let response = post_json(&app, "/v1/evaluations/preview", &body).await;
    assert_eq!(response.status(), 200);
    let result: serde_json::Value = response.json().await.unwrap();
    assert_eq!(result["engine_version"], "1.1.0");
    let results = result["results"].as_array().unwrap();
    assert_eq!(
        (results[0]["bid_id"].as_str(), results[1]["bid_id"].as_str()),
        (Some("dear"), Some("cheap"))
    );
    assert_eq!(results[0]["criteria"][0]["points"], "20");
    assert_eq!(
        (results[0]["total"].as_str(), results[1]["total"].as_str()),
        (Some("60"), Some("60"))
    );
    for (bid, words) in [
        (
            &results[0],
            "the social value step ranked this bid above cheap",
        ),
        (
            &results[1],
            "the social value step ranked dear above this bid",
        ),
    ] {
        let flags = bid["flags"].as_array().unwrap();
        let broken: Vec<&str> = flags
            .iter()
            .filter(|f| f["code"] == "tie_broken")
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(broken.len(), 1, "{bid}");
        assert!(broken[0].starts_with("equal total 60 with "), "{bid}");
        assert!(broken[0].ends_with(words), "{bid}");
    }
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = app().await;
    let response = post_raw(
        &app,
        "/v1/schemes/validate",
        "application/json",
        b"{\"scheme\": ".to_vec(),
    )
    .await;
    let problem = problem(response, 400).await;
    assert_eq!(
        problem["type"],
        "https://socval.dev/problems/malformed-request"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = app().await;
    let response = post_raw(
        &app,
        "/v1/schemes/validate",
        "text/plain",
        WORKED_EXAMPLE.into(),
    )
    .await;
    problem(response, 415).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_but_preview_takes_larger_bodies() {
    let app = app().await;
    let padding = " ".repeat(1024 * 1024);
    let oversized = format!("{WORKED_EXAMPLE}{padding}");
    let response = post_raw(
        &app,
        "/v1/schemes/validate",
        "application/json",
        oversized.clone().into(),
    )
    .await;
    problem(response, 413).await;

    let response = post_raw(
        &app,
        "/v1/evaluations/preview",
        "application/json",
        oversized.into(),
    )
    .await;
    assert_eq!(
        response.status(),
        200,
        "the preview route has a raised limit"
    );
}

#[tokio::test]
async fn five_thousand_bids_are_scored_and_one_more_is_refused() {
    let app = app().await;
    let bids_of = |count: usize| {
        let template = worked_example()["bids"][0].clone();
        (0..count)
            .map(|i| {
                let mut bid = template.clone();
                bid["id"] = json!(format!("bid-{i:05}"));
                bid["price"] = json!(format!("{}", 90_000 + i));
                bid
            })
            .collect::<Vec<_>>()
    };
    let mut body = worked_example();
    body["bids"] = json!(bids_of(5_000));
    let response = post_json(&app, "/v1/evaluations/preview", &body).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["results"].as_array().unwrap().len(), 5_000);
    assert_eq!(
        result["winner"], "bid-00000",
        "the lowest price wins equal marks"
    );

    body["bids"] = json!(bids_of(5_001));
    let problem = problem(post_json(&app, "/v1/evaluations/preview", &body).await, 422).await;
    assert!(has_error(&problem, "/bids", "too_many_bids"), "{problem}");
}

#[tokio::test]
async fn validate_reports_errors_and_warnings_with_200() {
    let app = app().await;
    let mut body =
        json!({"scheme": worked_example()["scheme"], "measures": worked_example()["measures"]});
    let response = post_json(&app, "/v1/schemes/validate", &body).await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], true, "{report}");

    // Central government at 5% social value: below the framework's 10% minimum.
    body["scheme"]["criteria"][0]["weight"] = json!(65);
    body["scheme"]["criteria"][2]["weight"] = json!(5);
    let report: Value = post_json(&app, "/v1/schemes/validate", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    assert!(
        has_error(&report, "/scheme/criteria", "social_value_below_minimum"),
        "{report}"
    );
}

#[tokio::test]
async fn scoring_needs_a_token() {
    let app = app().await;
    for path in ["/v1/schemes/validate", "/v1/evaluations/preview"] {
        let response = app
            .client
            .post(app.url(path))
            .json(&worked_example())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn previews_are_counted_in_the_metrics() {
    let app = app().await;
    post_json(&app, "/v1/evaluations/preview", &worked_example()).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(r#"socval_evaluations_total{kind="preview",outcome="scored"} 1"#),
        "{text}"
    );
}
