//! One test per computation rule of scoring.md: price, quality, social value, totals, ties, winner.

use serde_json::json;

use super::*;

fn fraction(r: &EvaluationResult<'_>, bid_id: &str, crit_id: &str) -> Option<Decimal> {
    crit(bid(r, bid_id), crit_id).fraction
}

#[test]
fn worked_example_scores_as_the_spec_says() {
    let r = ok(&worked());
    assert_eq!(r.winner, Some("B"));
    let (a, b, c) = (bid(&r, "A"), bid(&r, "B"), bid(&r, "C"));
    assert_eq!((a.rank, b.rank, c.rank), (Some(2), Some(1), None));
    assert_eq!(a.total, Some(d("83.5")));
    assert_eq!(a.total_display.unwrap().to_string(), "83.50");
    assert_eq!(b.total, Some(d("87")));
    assert_eq!(b.total_display.unwrap().to_string(), "87.00");
    for (bid_id, price, q, sv) in [("A", "54", "24", "5.5"), ("B", "60", "18", "9")] {
        let x = bid(&r, bid_id);
        assert_eq!(crit(x, "price").points, Some(d(price)), "{bid_id}");
        assert_eq!(crit(x, "q1").points, Some(d(q)), "{bid_id}");
        assert_eq!(crit(x, "sv").points, Some(d(sv)), "{bid_id}");
    }
    assert_eq!(fraction(&r, "A", "sv"), Some(d("0.55")));
    assert_eq!(c.status, BidStatus::Disqualified);
    assert_eq!(
        c.disqualification_reasons[0].code,
        ReasonCode::KnockoutFailed
    );
    assert_eq!(
        c.disqualification_reasons[0].criterion_id.as_deref(),
        Some("q1")
    );
    assert_eq!(
        crit(a, "price").explanation().to_string(),
        "Lowest qualified price £90,000 ÷ your price £100,000 = 0.9 × 60 = 54 points"
    );
}

#[test]
fn lowest_relative_divides_the_lowest_qualified_price_by_the_bid() {
    let r = ok(&simple(
        "lowest_relative",
        &[
            ("A", "100000", "50"),
            ("B", "90000", "50"),
            ("C", "120000", "50"),
        ],
    ));
    assert_eq!(fraction(&r, "A", "p"), Some(d("0.9")));
    assert_eq!(fraction(&r, "B", "p"), Some(d("1")));
    assert_eq!(fraction(&r, "C", "p"), Some(d("0.75")));
}

#[test]
fn linear_min_max_interpolates_and_is_one_when_all_prices_are_equal() {
    let r = ok(&simple(
        "linear_min_max",
        &[("A", "100", "50"), ("B", "150", "50"), ("C", "200", "50")],
    ));
    assert_eq!(fraction(&r, "A", "p"), Some(d("1")));
    assert_eq!(fraction(&r, "B", "p"), Some(d("0.5")));
    assert_eq!(fraction(&r, "C", "p"), Some(d("0")));
    assert_eq!(
        crit(bid(&r, "B"), "p").explanation().to_string(),
        "(Highest qualified price £200 − your price £150) ÷ (highest £200 − lowest £100) = 0.5 × 60 = 30 points"
    );
    let r = ok(&simple(
        "linear_min_max",
        &[("A", "100", "50"), ("B", "100", "60")],
    ));
    assert_eq!(fraction(&r, "A", "p"), Some(d("1")));
    assert_eq!(fraction(&r, "B", "p"), Some(d("1")));
}

#[test]
fn banded_relative_uses_the_default_bands() {
    let bids = [
        ("a0", "100", "50"),
        ("a20", "120", "50"),
        ("a25", "125", "50"),
        ("a50", "150", "50"),
        ("a75", "175", "50"),
        ("a100", "200", "50"),
        ("a101", "201", "50"),
    ];
    let r = ok(&simple("banded_relative", &bids));
    let got: Vec<Decimal> = bids
        .iter()
        .map(|(id, _, _)| fraction(&r, id, "p").unwrap())
        .collect();
    assert_eq!(got, ["1", "0.8", "0.8", "0.6", "0.4", "0.4", "0.2"].map(d));
    assert_eq!(
        crit(bid(&r, "a20"), "p").explanation().to_string(),
        "Your price £120 is 20% above the lowest qualified price £100, in the band up to 25%: 0.8 × 60 = 48 points"
    );
    assert_eq!(
        crit(bid(&r, "a101"), "p").explanation().to_string(),
        "Your price £201 is 101% above the lowest qualified price £100, in the band above 100%: 0.2 × 60 = 12 points"
    );
}

#[test]
fn banded_relative_with_custom_bands_takes_the_last_band_beyond_the_last_edge() {
    let mut v = simple(
        "banded_relative",
        &[("A", "100", "50"), ("B", "105", "50"), ("C", "150", "50")],
    );
    set(
        &mut v,
        "/scheme/criteria/0/bands",
        json!([
            {"up_to_percent_above_lowest": "10", "fraction": "1"},
            {"up_to_percent_above_lowest": 30, "fraction": num("0.5")}
        ]),
    );
    let r = ok(&v);
    assert_eq!(fraction(&r, "A", "p"), Some(d("1")));
    assert_eq!(fraction(&r, "B", "p"), Some(d("1")));
    assert_eq!(fraction(&r, "C", "p"), Some(d("0.5")));
    assert!(
        crit(bid(&r, "C"), "p")
            .explanation()
            .to_string()
            .contains("beyond the last band edge of 30%")
    );
}

#[test]
fn band_edges_are_compared_at_20_places() {
    // 100 × 1/3 above the lowest is 33.33…; an edge of 33.333333333333333333334 is ≥ it only after
    // rounding both to 20 places.
    let mut v = simple("banded_relative", &[("A", "3", "50"), ("B", "4", "50")]);
    set(
        &mut v,
        "/scheme/criteria/0/bands",
        json!([
            {"up_to_percent_above_lowest": "33.333333333333333333330", "fraction": "0.9"},
            {"up_to_percent_above_lowest": null, "fraction": "0.1"}
        ]),
    );
    assert_eq!(fraction(&ok(&v), "B", "p"), Some(d("0.9")));
}

#[test]
fn quality_fraction_is_the_mark_within_the_scale() {
    let mut v = simple("lowest_relative", &[("A", "100", "4"), ("B", "100", "1")]);
    set(
        &mut v,
        "/scheme/criteria/1/scale",
        json!({"min": 1, "max": 5, "levels": [1, 2, 3, 4, 5]}),
    );
    let r = ok(&v);
    assert_eq!(fraction(&r, "A", "q"), Some(d("0.75")));
    assert_eq!(crit(bid(&r, "A"), "q").points, Some(d("30")));
    assert_eq!(fraction(&r, "B", "q"), Some(d("0")));
}

#[test]
fn a_pass_mark_without_knockout_only_shows_in_the_explanation() {
    let mut v = simple("lowest_relative", &[("A", "100", "30"), ("B", "100", "60")]);
    set(&mut v, "/scheme/criteria/1/pass_mark", json!("40"));
    let r = ok(&v);
    assert_eq!(bid(&r, "A").status, BidStatus::Qualified);
    assert!(
        crit(bid(&r, "A"), "q")
            .explanation()
            .to_string()
            .contains("below the pass mark of 40 (shown for information")
    );
}

#[test]
fn several_failed_knockouts_give_one_reason_each() {
    let mut v = worked();
    set(&mut v, "/scheme/criteria/2/pass_mark", json!("70"));
    set(&mut v, "/scheme/criteria/2/knockout", json!(true));
    let r = ok(&v);
    let a = bid(&r, "A");
    assert_eq!(a.status, BidStatus::Disqualified);
    let reasons: Vec<_> = a
        .disqualification_reasons
        .iter()
        .map(|r| r.criterion_id.clone().unwrap())
        .collect();
    assert_eq!(reasons, ["sv"]);
    let c = bid(&r, "C");
    let reasons: Vec<_> = c
        .disqualification_reasons
        .iter()
        .map(|r| r.criterion_id.clone().unwrap())
        .collect();
    assert_eq!(reasons, ["q1"]);
    // B is the only qualified bid and wins.
    assert_eq!(r.winner, Some("B"));
    assert_eq!(fraction(&r, "B", "price"), Some(d("1")));
}

fn sv_request(
    basis: &str,
    target: Option<&str>,
    quantities: &[(&str, &str, &str)],
) -> serde_json::Value {
    let mut v = json!({
        "scheme": {
            "authority_type": "central_government",
            "criteria": [
                {"id": "p", "type": "price", "weight": "80"},
                {"id": "sv", "type": "social_value", "weight": "20", "outcome": "PPN06-20:MAC2.2",
                 "method": "quantitative", "quantitative_basis": basis}
            ]
        },
        "measures": [
            {"code": "JOBS", "name": "Jobs", "outcome": "PPN06-20:MAC2.2", "proxy_value": "1000"},
            {"code": "CO2", "name": "CO2e", "outcome": "PPN06-20:MAC4.1", "proxy_value": "100"}
        ],
        "bids": quantities.iter().map(|(id, price, jobs)| json!({
            "id": id, "price": price, "submitted_at": "2026-03-01T12:00:00Z",
            "commitments": [{"measure": "JOBS", "quantity": jobs}, {"measure": "CO2", "quantity": "10"}]
        })).collect::<Vec<_>>()
    });
    if let Some(t) = target {
        set(&mut v, "/scheme/criteria/1/target_percent", json!(t));
    }
    v
}

#[test]
fn relative_to_highest_divides_by_the_highest_qualified_sv() {
    let r = ok(&sv_request(
        "relative_to_highest",
        None,
        &[("A", "100000", "3"), ("B", "100000", "6")],
    ));
    assert_eq!(fraction(&r, "A", "sv"), Some(d("0.5")));
    assert_eq!(fraction(&r, "B", "sv"), Some(d("1")));
    // Only the criterion's measures (JOBS, by outcome) count towards its SV£; the total counts all.
    assert_eq!(crit(bid(&r, "A"), "sv").input.social_value, Some(d("3000")));
    assert_eq!(bid(&r, "A").social_value.value, d("4000"));
    assert_eq!(bid(&r, "A").social_value.percent_of_price, d("4"));
}

#[test]
fn relative_to_highest_is_zero_for_all_when_the_highest_is_zero() {
    let r = ok(&sv_request(
        "relative_to_highest",
        None,
        &[("A", "100", "0"), ("B", "100", "0")],
    ));
    assert_eq!(fraction(&r, "A", "sv"), Some(d("0")));
    assert_eq!(fraction(&r, "B", "sv"), Some(d("0")));
    assert!(
        crit(bid(&r, "A"), "sv")
            .explanation()
            .to_string()
            .starts_with("No qualified bid committed social value")
    );
}

#[test]
fn percent_of_price_target_is_capped_at_one() {
    let r = ok(&sv_request(
        "percent_of_price_target",
        Some("5"),
        &[("A", "100000", "3"), ("B", "100000", "6")],
    ));
    assert_eq!(fraction(&r, "A", "sv"), Some(d("0.6")));
    assert_eq!(fraction(&r, "B", "sv"), Some(d("1")));
    assert_eq!(crit(bid(&r, "A"), "sv").input.price, Some(d("100000")));
    assert_eq!(
        crit(bid(&r, "A"), "sv").explanation().to_string(),
        "Your social value £3,000 is 3% of your price £100,000, against a target of 5% = 0.6 × 20 = 12 points"
    );
}

#[test]
fn deadweight_attribution_and_displacement_reduce_the_value() {
    let mut v = sv_request("relative_to_highest", None, &[("A", "100000", "3")]);
    set(&mut v, "/measures/0/deadweight", json!("0.1"));
    set(&mut v, "/measures/0/attribution", json!("0.2"));
    set(&mut v, "/measures/0/displacement", json!("0.5"));
    let r = ok(&v);
    // 3 × 1000 × 0.9 × 0.8 × 0.5
    assert_eq!(bid(&r, "A").social_value.by_measure[0].value, d("1080"));
}

#[test]
fn mixed_combines_the_two_parts_by_the_split() {
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/2/split",
        json!({"qualitative": "25", "quantitative": "75"}),
    );
    let r = ok(&v);
    // A: 0.25 × 0.6 + 0.75 × 0.5 = 0.525
    assert_eq!(fraction(&r, "A", "sv"), Some(d("0.525")));
    assert_eq!(crit(bid(&r, "A"), "sv").points, Some(d("5.25")));
}

#[test]
fn disqualified_bids_keep_absolute_scores_only() {
    let r = ok(&worked());
    let c = bid(&r, "C");
    assert_eq!((c.rank, c.total, c.total_display), (None, None, None));
    assert_eq!(crit(c, "price").fraction, None);
    assert_eq!(crit(c, "sv").points, None);
    assert_eq!(crit(c, "q1").fraction, Some(d("0.3")));
    assert_eq!(crit(c, "q1").points, Some(d("9")));
    assert!(c.flags.is_empty());
    assert_eq!(c.subtotals.quality, Some(d("9")));
    assert_eq!(c.subtotals.price, None);
    assert!(
        crit(c, "price")
            .explanation()
            .to_string()
            .contains("failing the knockout criterion q1")
    );
    // percent_of_price_target is absolute: kept for a disqualified bid.
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/2/quantitative_basis",
        json!("percent_of_price_target"),
    );
    set(&mut v, "/scheme/criteria/2/target_percent", json!("10"));
    let r = ok(&v);
    // C: 9,000 / 70,000 × 100 = 12.86% ≥ 10% → 1; mixed = 0.5 × 1 + 0.5 × 1.
    assert_eq!(fraction(&r, "C", "sv"), Some(d("1")));
}

#[test]
fn disqualified_bids_come_last_in_byte_wise_id_order() {
    let mut v = worked();
    set(&mut v, "/bids/0/marks/q1", json!("10"));
    set(&mut v, "/bids/0/id", json!("b"));
    set(&mut v, "/bids/2/id", json!("B2"));
    set(&mut v, "/bids/1/id", json!("a"));
    let r = ok(&v);
    let order: Vec<&str> = r.results.iter().map(|b| b.bid_id).collect();
    assert_eq!(order, ["a", "B2", "b"]);
}
