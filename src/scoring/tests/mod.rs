//! Tests of the scoring engine. They live inside the library (not `tests/`) so they can be copied
//! with `src/scoring/` and see crate-private items.
//!
//! Most tests start from the worked example of scoring.md (`tests/golden/worked_example.json`) and
//! change one thing with a JSON Pointer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod codes;
mod exact;
mod golden;
mod inputs;
mod pointers;
mod properties;
mod ranking;
mod rules;
mod schema;

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::*;
use crate::catalogue::builtin;

pub(crate) const WORKED_EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/worked_example.json"
));

/// The worked example request as JSON.
pub(crate) fn worked() -> Value {
    serde_json::from_str(WORKED_EXAMPLE).unwrap()
}

/// A JSON number written as text (kept exact by `arbitrary_precision`; no float involved).
pub(crate) fn num(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Set (or add) the value at a JSON Pointer; `-` appends to an array.
pub(crate) fn set(v: &mut Value, pointer: &str, new: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let target = v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match target {
        Value::Object(map) => {
            map.insert(last.replace("~1", "/").replace("~0", "~"), new);
        }
        Value::Array(items) if last == "-" => items.push(new),
        Value::Array(items) => items[last.parse::<usize>().unwrap()] = new,
        other => panic!("cannot set into {other}"),
    }
}

/// Remove the value at a JSON Pointer.
pub(crate) fn remove(v: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    match v.pointer_mut(parent).unwrap() {
        Value::Object(map) => {
            map.remove(last);
        }
        Value::Array(items) => {
            items.remove(last.parse::<usize>().unwrap());
        }
        other => panic!("cannot remove from {other}"),
    }
}

/// Parse a request the way the HTTP layer does: from JSON text.
pub(crate) fn parse(v: &Value) -> PreviewRequest {
    serde_json::from_str(&v.to_string()).unwrap_or_else(|e| panic!("request does not parse: {e}"))
}

/// Results borrow from their request; tests leak the (small) parsed request to keep them simple.
pub(crate) fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

pub(crate) fn run(v: &Value) -> Result<EvaluationResult<'static>, Rejection> {
    preview(leak(parse(v)), builtin())
}

pub(crate) fn ok(v: &Value) -> EvaluationResult<'static> {
    run(v).unwrap_or_else(|r| panic!("rejected: {:#?}", r.errors))
}

/// `(pointer, code)` of every error.
pub(crate) fn errors(v: &Value) -> Vec<(String, ErrorCode)> {
    match run(v) {
        Ok(_) => panic!("expected a rejection"),
        Err(r) => r.errors.into_iter().map(|i| (i.pointer, i.code)).collect(),
    }
}

pub(crate) fn has_error(v: &Value, pointer: &str, code: ErrorCode) {
    let found = errors(v);
    assert!(
        found.iter().any(|(p, c)| p == pointer && *c == code),
        "expected {code} at {pointer}, got {found:?}"
    );
}

pub(crate) fn bid<'r, 'a>(r: &'r EvaluationResult<'a>, id: &str) -> &'r BidResult<'a> {
    r.results.iter().find(|b| b.bid_id == id).unwrap()
}

pub(crate) fn crit<'r, 'a>(b: &'r BidResult<'a>, id: &str) -> &'r CriterionResult<'a> {
    b.criteria.iter().find(|c| c.criterion_id == id).unwrap()
}

/// JSON of a result (what the HTTP layer sends).
pub(crate) fn to_json(r: &EvaluationResult<'_>) -> Value {
    serde_json::to_value(r).unwrap()
}

/// A minimal valid request: one price criterion (weight `100 − quality`) and one quality criterion,
/// local authority (so the 10% rule only warns), bids `(id, price, mark)`.
pub(crate) fn simple(price_method: &str, bids: &[(&str, &str, &str)]) -> Value {
    json!({
        "scheme": {
            "authority_type": "other",
            "criteria": [
                {"id": "p", "type": "price", "weight": "60", "price_method": price_method},
                {"id": "q", "type": "quality", "weight": "40", "scale": {"min": "0", "max": "100"}}
            ]
        },
        "measures": [],
        "bids": bids.iter().map(|(id, price, mark)| json!({
            "id": id, "price": price, "submitted_at": "2026-03-01T12:00:00Z", "marks": {"q": mark}
        })).collect::<Vec<_>>()
    })
}
