//! The worked example of scoring.md, end to end: request file in, result file out.
//!
//! `tests/golden/worked_example.json` is the exact body of `POST /v1/evaluations/preview`;
//! `tests/golden/worked_example.result.json` is the exact response body. The HTTP tests and the
//! OpenAPI example reuse both. After a deliberate change, regenerate the result with
//! `cargo test --lib bless_worked_example -- --ignored` and review the diff by hand.

use serde_json::Value;

use super::*;

const RESULT_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/worked_example.result.json"
);

fn actual() -> Value {
    let req: PreviewRequest = serde_json::from_str(WORKED_EXAMPLE).unwrap();
    to_json(&preview(&req, builtin()).unwrap())
}

#[test]
fn worked_example_matches_the_golden_result() {
    let want: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/worked_example.result.json"
    )))
    .unwrap();
    let got = actual();
    assert!(
        got == want,
        "result differs from {RESULT_PATH}\n--- got ---\n{}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    // The figures of scoring.md, read off the golden file itself.
    assert_eq!(want["winner"], "B");
    let results = want["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["bid_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["B", "A", "C"]);
    assert_eq!(results[0]["total_display"], "87.00");
    assert_eq!(results[1]["total_display"], "83.50");
    assert_eq!(results[2]["status"], "disqualified");
    assert_eq!(
        results[2]["disqualification_reasons"][0]["code"],
        "knockout_failed"
    );
    assert_eq!(
        results[2]["disqualification_reasons"][0]["criterion_id"],
        "q1"
    );
    let points = |r: &Value| -> Vec<Value> {
        r["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["points"].clone())
            .collect()
    };
    assert_eq!(points(&results[0]), ["60", "18", "9"]);
    assert_eq!(points(&results[1]), ["54", "24", "5.5"]);
    assert_eq!(points(&results[2]), [Value::Null, "9".into(), Value::Null]);
}

#[test]
#[ignore = "writes the golden file; run by hand after a deliberate change"]
fn bless_worked_example() {
    let req: PreviewRequest = serde_json::from_str(WORKED_EXAMPLE).unwrap();
    let result = preview(&req, builtin()).unwrap();
    // Written in field order (not through `Value`, which would sort the keys) so it reads well.
    let text = serde_json::to_string_pretty(&result).unwrap() + "\n";
    std::fs::write(RESULT_PATH, text).unwrap();
}
