//! "Version 1.1", one formula at a time: every case below is one where dividing first (engine
//! 1.0) left a last-digit error, and where multiplying first and dividing once is exact.

use serde_json::{Value, json};

use super::*;

const JOBS: &str = "PPN06-20:MAC2.2";

/// A request of `criteria` (weights summing to 100) and bids `(id, price, marks, jobs)`.
fn request(method: &str, criteria: Value, bids: &[(&str, &str, Value, &str)]) -> Value {
    json!({
        "scheme": {"method": method, "authority_type": "other", "criteria": criteria},
        "measures": [{"code": "JOBS", "name": "Jobs", "outcome": JOBS, "unit": "FTE", "proxy_value": "1"}],
        "bids": bids.iter().map(|(id, price, marks, jobs)| json!({
            "id": id, "price": price, "submitted_at": "2026-03-01T12:00:00Z", "marks": marks,
            "commitments": [{"measure": "JOBS", "quantity": jobs}]
        })).collect::<Vec<_>>()
    })
}

fn points(v: &Value, bid_id: &str, criterion: &str) -> String {
    let r = ok(v);
    crit(bid(&r, bid_id), criterion)
        .points
        .unwrap()
        .normalize()
        .to_string()
}

fn price(method: &str) -> Value {
    json!({"id": "p", "type": "price", "weight": "60", "price_method": method})
}

fn filler(weight: &str) -> Value {
    json!({"id": "f", "type": "quality", "weight": weight, "scale": {"min": "0", "max": "1"}})
}

#[test]
fn lowest_relative_multiplies_before_dividing() {
    let v = request(
        "weighted_sum",
        json!([price("lowest_relative"), filler("40")]),
        &[
            ("A", "300000", json!({"f": "0"}), "0"),
            ("B", "900000", json!({"f": "0"}), "0"),
        ],
    );
    assert_eq!(points(&v, "B", "p"), "20");
}

#[test]
fn linear_min_max_multiplies_before_dividing() {
    // 60 × (400 − 200) ÷ (400 − 100) = 40; 1.0: 60 × 0.666…7.
    let v = request(
        "weighted_sum",
        json!([price("linear_min_max"), filler("40")]),
        &[
            ("A", "100", json!({"f": "0"}), "0"),
            ("B", "200", json!({"f": "0"}), "0"),
            ("C", "400", json!({"f": "0"}), "0"),
        ],
    );
    assert_eq!(points(&v, "B", "p"), "40");
}

#[test]
fn banded_relative_multiplies_its_band_fraction() {
    // 20% above the lowest: the 25% band, 0.8 × 60 = 48.
    let v = request(
        "weighted_sum",
        json!([price("banded_relative"), filler("40")]),
        &[
            ("A", "100", json!({"f": "0"}), "0"),
            ("B", "120", json!({"f": "0"}), "0"),
        ],
    );
    assert_eq!(points(&v, "B", "p"), "48");
}

#[test]
fn quality_multiplies_before_dividing() {
    // 30 × (1 − 0) ÷ (3 − 0) = 10; 1.0: 30 × 0.333…3 = 9.999…9.
    let quality =
        json!({"id": "q", "type": "quality", "weight": "30", "scale": {"min": "0", "max": "3"}});
    let v = request(
        "weighted_sum",
        json!([quality, filler("70")]),
        &[("A", "100", json!({"q": "1", "f": "0"}), "0")],
    );
    assert_eq!(points(&v, "A", "q"), "10");
}

fn quantitative(basis: &str) -> Value {
    let mut c = json!({"id": "sv", "type": "social_value", "weight": "30", "outcome": JOBS,
        "method": "quantitative", "measures": ["JOBS"], "quantitative_basis": basis});
    if basis == "percent_of_price_target" {
        c["target_percent"] = json!("1");
    }
    c
}

#[test]
fn relative_to_highest_multiplies_before_dividing() {
    // 30 × 3 ÷ 9 = 10.
    let v = request(
        "weighted_sum",
        json!([quantitative("relative_to_highest"), filler("70")]),
        &[
            ("A", "100", json!({"f": "0"}), "3"),
            ("B", "100", json!({"f": "0"}), "9"),
        ],
    );
    assert_eq!(points(&v, "A", "sv"), "10");
}

#[test]
fn percent_of_price_target_multiplies_before_dividing() {
    // min(30, 30 × 1 × 100 ÷ (300 × 1)) = 10; 1.0: 30 × (0.333…3 % ÷ 1).
    let v = request(
        "weighted_sum",
        json!([quantitative("percent_of_price_target"), filler("70")]),
        &[("A", "300", json!({"f": "0"}), "1")],
    );
    assert_eq!(points(&v, "A", "sv"), "10");
    // At or above the target: the whole weight.
    let v = request(
        "weighted_sum",
        json!([quantitative("percent_of_price_target"), filler("70")]),
        &[("A", "300", json!({"f": "0"}), "7")],
    );
    assert_eq!(points(&v, "A", "sv"), "30");
}

#[test]
fn mixed_folds_the_split_into_each_part() {
    // 30 × 50 × 1 ÷ (100 × 3) + 30 × 50 × 3 ÷ (100 × 9) = 5 + 5.
    let mixed = json!({"id": "sv", "type": "social_value", "weight": "30", "outcome": JOBS, "method": "mixed",
        "scale": {"min": "0", "max": "3"}, "measures": ["JOBS"], "quantitative_basis": "relative_to_highest",
        "split": {"qualitative": "50", "quantitative": "50"}});
    let v = request(
        "weighted_sum",
        json!([mixed, filler("70")]),
        &[
            ("A", "100", json!({"sv": "1", "f": "0"}), "3"),
            ("B", "100", json!({"sv": "3", "f": "0"}), "9"),
        ],
    );
    assert_eq!(points(&v, "A", "sv"), "10");
    // The fraction is the same two parts without the weight: 1/6 + 1/6, each divided once and
    // rounded at the 28th place, so it shows where the thirds do not terminate.
    let r = ok(&v);
    assert_eq!(
        crit(bid(&r, "A"), "sv")
            .fraction
            .unwrap()
            .normalize()
            .to_string(),
        "0.3333333333333333333333333334"
    );
}

#[test]
fn price_per_quality_point_divides_an_exact_total() {
    // Quality points 60 × 1 ÷ 3 + 40 = 60 exactly, so ppqp = 1200 ÷ 60 = 20.
    let criteria = json!([
        {"id": "q1", "type": "quality", "weight": "60", "scale": {"min": "0", "max": "3"}},
        {"id": "q2", "type": "quality", "weight": "40", "scale": {"min": "0", "max": "1"}}
    ]);
    let v = request(
        "price_per_quality_point",
        criteria,
        &[("A", "1200", json!({"q1": "1", "q2": "1"}), "0")],
    );
    let r = ok(&v);
    assert_eq!(bid(&r, "A").total.unwrap().normalize().to_string(), "60");
    assert_eq!(
        bid(&r, "A").ppqp.flatten().unwrap().normalize().to_string(),
        "20"
    );
}
