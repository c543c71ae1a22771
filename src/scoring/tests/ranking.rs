//! Rules of scoring.md, continued: price per quality point, ties, winner and flags.

use serde_json::{Value, json};

use super::*;

pub(super) fn ppqp_request(bids: &[(&str, &str, &str, &str)]) -> Value {
    json!({
        "scheme": {
            "method": "price_per_quality_point",
            "authority_type": "central_government",
            "criteria": [
                {"id": "q", "type": "quality", "weight": "70", "scale": {"min": "0", "max": "10"}},
                {"id": "sv", "type": "social_value", "weight": "30", "outcome": "PPN002:O4",
                 "method": "qualitative", "scale": {"min": "0", "max": "10"}}
            ]
        },
        "bids": bids.iter().map(|(id, price, q, sv)| json!({
            "id": id, "price": price, "submitted_at": "2026-03-01T12:00:00Z", "marks": {"q": q, "sv": sv}
        })).collect::<Vec<_>>()
    })
}

#[test]
fn price_per_quality_point_ranks_the_lowest_price_per_point_first() {
    let r = ok(&ppqp_request(&[
        ("A", "70000", "10", "10"),
        ("B", "30000", "5", "0"),
        ("C", "50000", "0", "0"),
    ]));
    let a = bid(&r, "A");
    let b = bid(&r, "B");
    assert_eq!(a.total, Some(d("100")));
    assert_eq!(a.ppqp, Some(Some(d("700"))));
    assert_eq!(b.total, Some(d("35")));
    assert_eq!(b.ppqp, Some(Some(d("857.14285714285714285714285714"))));
    assert_eq!(b.ppqp_display.unwrap().unwrap().to_string(), "857.14");
    assert_eq!(a.subtotals.price, Some(d("0")));
    assert_eq!((a.rank, b.rank), (Some(1), Some(2)));
    let c = bid(&r, "C");
    assert_eq!(c.status, BidStatus::Disqualified);
    assert_eq!(
        c.disqualification_reasons[0].code,
        ReasonCode::NoQualityPoints
    );
    assert_eq!(c.ppqp, Some(None));
    let json = to_json(&r);
    assert_eq!(json["results"][2]["ppqp"], Value::Null);
    // Under weighted_sum there is no ppqp field at all.
    assert!(to_json(&ok(&worked()))["results"][0].get("ppqp").is_none());
}

#[test]
fn a_knocked_out_bid_gets_no_no_quality_points_reason() {
    let mut v = ppqp_request(&[("A", "70000", "10", "10"), ("C", "50000", "0", "0")]);
    set(&mut v, "/scheme/criteria/0/pass_mark", json!("1"));
    set(&mut v, "/scheme/criteria/0/knockout", json!(true));
    let r = ok(&v);
    let codes: Vec<ReasonCode> = bid(&r, "C")
        .disqualification_reasons
        .iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(codes, [ReasonCode::KnockoutFailed]);
}

#[test]
fn competition_ranking_shares_ranks_and_flags_unresolved_ties() {
    let mut v = simple(
        "lowest_relative",
        &[("A", "100", "50"), ("B", "100", "50"), ("C", "200", "50")],
    );
    set(&mut v, "/scheme/tie_break", json!([]));
    let r = ok(&v);
    let ranks: Vec<(&str, Option<u32>)> = r.results.iter().map(|b| (b.bid_id, b.rank)).collect();
    assert_eq!(ranks, [("A", Some(1)), ("B", Some(1)), ("C", Some(3))]);
    assert_eq!(r.winner, None);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == WarningCode::WinnerUndetermined)
    );
    assert_eq!(bid(&r, "A").flags[0].code, FlagCode::TieUnresolved);
    assert!(bid(&r, "A").flags[0].message.contains("with B"));
    assert!(bid(&r, "C").flags.is_empty());
}

/// A: 60 + 20 = 80 at price 100; B: 48 + 32 = 80 at price 125.
fn quality_tie(steps: Value) -> EvaluationResult<'static> {
    let mut v = simple("lowest_relative", &[("A", "100", "50"), ("B", "125", "80")]);
    set(&mut v, "/scheme/tie_break", steps);
    set(
        &mut v,
        "/bids/0/submitted_at",
        json!("2026-03-01T12:00:00+01:00"),
    );
    set(
        &mut v,
        "/bids/1/submitted_at",
        json!("2026-03-01T11:30:00Z"),
    );
    ok(&v)
}

#[test]
fn the_tie_break_chain_applies_in_order() {
    let winner = |steps: Value| quality_tie(steps).winner.unwrap();
    assert_eq!(winner(json!(["quality"])), "B");
    assert_eq!(winner(json!(["social_value", "price"])), "A");
    // A was submitted at 11:00Z (written as 12:00+01:00), before B at 11:30Z.
    assert_eq!(winner(json!(["submitted_at"])), "A");
    // Default chain: social_value ties (0 each), then quality decides.
    let r = quality_tie(json!(["social_value", "quality", "price", "submitted_at"]));
    assert_eq!(r.winner, Some("B"));
    // Engine 1.1: both are told that the chain, not the total, ranked them.
    let flag = |id: &str| {
        let flags = &bid(&r, id).flags;
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0].code, FlagCode::TieBroken);
        flags[0].message.clone()
    };
    let total = bid(&r, "A").total.unwrap().normalize();
    assert_eq!(bid(&r, "B").total.unwrap().normalize(), total);
    assert_eq!(
        flag("B"),
        format!("equal total {total} with A; the quality step ranked this bid above A")
    );
    assert_eq!(
        flag("A"),
        format!("equal total {total} with B; the quality step ranked B above this bid")
    );
}

#[test]
fn points_divide_once_so_terminating_totals_are_exact() {
    // X: 60 × 100 ÷ 300 + 40 × 25 ÷ 100 = 20 + 10; Y: 60 × 100 ÷ 200 + 0 = 30 (engine 1.0 gave X
    // 29.999999999999999999999999998, dividing first); Z holds the lowest price.
    let mut v = simple(
        "lowest_relative",
        &[("X", "300", "25"), ("Y", "200", "0"), ("Z", "100", "0")],
    );
    set(&mut v, "/scheme/tie_break", json!([]));
    let r = ok(&v);
    assert_eq!(bid(&r, "X").total, Some(Decimal::from(30)));
    assert_eq!(bid(&r, "X").total, bid(&r, "Y").total);
    assert_eq!((bid(&r, "X").rank, bid(&r, "Y").rank), (Some(2), Some(2)));
    assert_eq!(crit(bid(&r, "X"), "p").points.unwrap().to_string(), "20");
    let explanation = crit(bid(&r, "X"), "p").explanation().to_string();
    assert!(
        explanation.contains("≈ 0.3333 × 60 = 20 points"),
        "{explanation}"
    );
}

#[test]
fn non_terminating_points_are_not_rounded_and_their_sum_rounds_once() {
    // Three thirds of 10 points do not terminate: each is 3.333…3 to 28 places; X's exact total,
    // 79.999…9 to 28 places, has 30 digits, so it is rounded once, to 28, and ties Y's 80.
    let quality = |id: &str| json!({"id": id, "type": "quality", "weight": "10", "scale": {"min": "0", "max": "3"}});
    let bid_with = |id: &str, marks: [&str; 3]| {
        json!({
            "id": id, "price": "100", "submitted_at": "2026-03-01T12:00:00Z",
            "marks": {"q1": marks[0], "q2": marks[1], "q3": marks[2]}
        })
    };
    let v = json!({
        "scheme": {
            "authority_type": "other",
            "tie_break": [],
            "criteria": [
                {"id": "p", "type": "price", "weight": "70", "price_method": "lowest_relative"},
                quality("q1"), quality("q2"), quality("q3")
            ]
        },
        "measures": [],
        "bids": [bid_with("X", ["1", "1", "1"]), bid_with("Y", ["3", "0", "0"])]
    });
    let r = ok(&v);
    let third = "3.3333333333333333333333333333";
    assert_eq!(crit(bid(&r, "X"), "q1").points.unwrap().to_string(), third);
    assert_eq!(
        bid(&r, "X").total.unwrap().to_string(),
        "80.00000000000000000000000000"
    );
    assert_eq!(bid(&r, "Y").total, Some(Decimal::from(80)));
    assert_eq!((bid(&r, "X").rank, bid(&r, "Y").rank), (Some(1), Some(1)));
    assert_eq!(bid(&r, "X").total_display.unwrap().to_string(), "80.00");
}

#[test]
fn no_qualified_bid_means_no_winner() {
    let mut v = worked();
    for i in 0..3 {
        set(&mut v, &format!("/bids/{i}/marks/q1"), json!("0"));
    }
    let r = ok(&v);
    assert_eq!(r.winner, None);
    assert_eq!(r.warnings[0].code, WarningCode::NoQualifiedBids);
    assert!(
        r.results
            .iter()
            .all(|b| b.status == BidStatus::Disqualified)
    );
}

#[test]
fn abnormally_low_price_compares_with_the_other_qualified_bids() {
    let mut v = simple(
        "lowest_relative",
        &[
            ("A", "100", "50"),
            ("B", "100", "60"),
            ("L", "59", "50"),
            ("X", "1000000", "0"),
        ],
    );
    set(&mut v, "/scheme/criteria/1/pass_mark", json!("10"));
    set(&mut v, "/scheme/criteria/1/knockout", json!(true));
    let r = ok(&v);
    // Mean of A, B and L for L's check is (100 + 100) / 2; X is disqualified and left out.
    assert_eq!(bid(&r, "L").flags[0].code, FlagCode::AbnormallyLowPrice);
    assert!(bid(&r, "A").flags.is_empty());
    set(&mut v, "/bids/2/price", json!("60"));
    assert!(
        bid(&ok(&v), "L").flags.is_empty(),
        "60 is not below 0.6 × 100"
    );
    set(&mut v, "/scheme/alt_threshold", json!("0.3"));
    assert_eq!(
        bid(&ok(&v), "L").flags[0].code,
        FlagCode::AbnormallyLowPrice
    );
}

#[test]
fn social_value_unusually_high_is_flagged_above_the_threshold() {
    let mut v = worked();
    set(&mut v, "/bids/0/commitments/0/quantity", json!("51"));
    let r = ok(&v);
    assert_eq!(
        bid(&r, "A").flags[0].code,
        FlagCode::SocialValueUnusuallyHigh
    );
    set(&mut v, "/bids/0/commitments/0/quantity", json!("50"));
    assert!(
        bid(&ok(&v), "A").flags.is_empty(),
        "exactly 50% is not above 50%"
    );
}

#[test]
fn marks_discrepancy_flags_a_spread_over_40_percent_of_the_scale() {
    let req = parse(&worked());
    let input = EvaluationInput {
        currency: req.currency.clone(),
        scheme: req.scheme.clone(),
        measures: req
            .measures
            .clone()
            .unwrap()
            .iter()
            .map(InlineMeasure::to_measure)
            .collect(),
        bids: req.bids.clone(),
        framework: Some("PPN06-20".to_string()),
        evaluator_marks: vec![
            EvaluatorMarks {
                bid_id: "A".into(),
                criterion_id: "q1".into(),
                marks: vec![d("50"), d("91")],
            },
            EvaluatorMarks {
                bid_id: "B".into(),
                criterion_id: "q1".into(),
                marks: vec![d("40"), d("80")],
            },
        ],
    };
    let r = evaluate(&input, builtin()).unwrap();
    assert_eq!(bid(&r, "A").flags[0].code, FlagCode::MarksDiscrepancy);
    assert!(
        bid(&r, "B").flags.is_empty(),
        "a spread of exactly 40% is not more than 40%"
    );
    assert!(marks_spread_exceeds(d("0"), d("10"), &[d("1"), d("5.1")]));
}
