//! The OpenAPI schemas derived from the engine's types (served by the HTTP layer) say what the JSON
//! says: decimals are strings, field names match, private fields stay out.

use serde_json::Value;
use utoipa::OpenApi;

use super::*;
use crate::catalogue::{Framework, MeasureSet};

#[derive(OpenApi)]
#[openapi(components(schemas(
    PreviewRequest,
    ValidateRequest,
    EvaluationResult,
    ValidationReport,
    Rejection,
    Framework,
    MeasureSet
)))]
struct Doc;

fn schemas() -> Value {
    let doc = serde_json::to_value(Doc::openapi()).unwrap();
    doc["components"]["schemas"].clone()
}

fn properties(schemas: &Value, name: &str) -> Vec<String> {
    let mut keys: Vec<String> = schemas[name]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {name}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

#[test]
fn result_schemas_match_the_json() {
    let s = schemas();
    let json = to_json(&ok(&worked()));
    let mut want: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
    want.sort();
    assert_eq!(properties(&s, "EvaluationResult"), want);
    let bid = &json["results"][0];
    let mut want: Vec<String> = bid.as_object().unwrap().keys().cloned().collect();
    want.extend(["ppqp".to_string(), "ppqp_display".to_string()]);
    want.sort();
    assert_eq!(properties(&s, "BidResult"), want);
    let mut want: Vec<String> = bid["criteria"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    want.sort();
    assert_eq!(properties(&s, "CriterionResult"), want);
    assert_eq!(
        properties(&s, "MeasureValue"),
        ["measure", "quantity", "value"]
    );
}

#[test]
fn request_decimals_are_documented_as_string_or_number() {
    let s = schemas();
    for (schema, field) in [
        ("Criterion", "weight"),
        ("Bid", "price"),
        ("Commitment", "quantity"),
        ("Scheme", "alt_threshold"),
    ] {
        let prop = &s[schema]["properties"][field];
        assert_eq!(
            prop["$ref"], "#/components/schemas/DecimalInput",
            "{schema}.{field}: {prop}"
        );
    }
    let input =
        serde_json::to_value(<crate::scoring::DecimalInput as utoipa::PartialSchema>::schema())
            .unwrap();
    assert_eq!(input["type"], json!(["string", "number"]));
    assert!(input.get("examples").is_some(), "{input}");
}

#[test]
fn response_decimals_are_documented_as_strings_with_examples() {
    let s = schemas();
    for (schema, field) in [
        ("BidResult", "total"),
        ("BidResult", "total_display"),
        ("CriterionResult", "points_display"),
        ("SocialValueSummary", "percent_of_price"),
        ("WeightingRule", "min_social_value_percent"),
        ("SetMeasure", "proxy_value"),
    ] {
        let prop = &s[schema]["properties"][field];
        let text = prop.to_string();
        assert!(
            text.contains("\"string\""),
            "{schema}.{field} is not a string: {text}"
        );
        assert!(
            prop.get("example").is_some() || prop.get("examples").is_some(),
            "{schema}.{field}: {text}"
        );
    }
    // Error codes are an enum of the exact wire names.
    let codes = s["ErrorCode"].to_string();
    assert!(
        codes.contains("weights_sum_not_100") && codes.contains("invalid_body"),
        "{codes}"
    );
}
