//! Rejections list every failure at once, each at its exact JSON Pointer.

use serde_json::json;

use super::*;

#[test]
fn a_rejection_lists_every_failure_at_once_in_request_order() {
    let mut v = worked();
    set(&mut v, "/scheme/criteria/1/weight", json!("-5"));
    set(&mut v, "/scheme/tie_break", json!(["quality", "dice"]));
    set(&mut v, "/bids/0/price", json!("-1"));
    remove(&mut v, "/bids/2/marks/sv");
    set(&mut v, "/bids/1/commitments/0/quantity", json!("-2"));
    let got = errors(&v);
    let want: Vec<(String, ErrorCode)> = [
        ("/scheme/criteria/1/weight", ErrorCode::WeightNotPositive),
        ("/scheme/criteria", ErrorCode::WeightsSumNot100),
        ("/scheme/tie_break/1", ErrorCode::InvalidTieBreak),
        ("/bids/0/price", ErrorCode::PriceNotPositive),
        (
            "/bids/1/commitments/0/quantity",
            ErrorCode::QuantityNegative,
        ),
        ("/bids/2/marks/sv", ErrorCode::MissingMark),
    ]
    .into_iter()
    .map(|(p, c)| (p.to_string(), c))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn every_missing_mark_pair_is_listed() {
    let mut v = worked();
    for i in 0..3 {
        set(&mut v, &format!("/bids/{i}/marks"), json!({}));
    }
    let missing: Vec<String> = errors(&v)
        .into_iter()
        .filter(|(_, c)| *c == ErrorCode::MissingMark)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        missing,
        [
            "/bids/0/marks/q1",
            "/bids/0/marks/sv",
            "/bids/1/marks/q1",
            "/bids/1/marks/sv",
            "/bids/2/marks/q1",
            "/bids/2/marks/sv"
        ]
    );
}

#[test]
fn pointers_escape_slash_and_tilde_in_criterion_ids() {
    let mut v = worked();
    set(&mut v, "/scheme/criteria/1/id", json!("q/1~a"));
    let got = errors(&v);
    assert!(
        got.contains(&("/bids/0/marks/q~11~0a".to_string(), ErrorCode::MissingMark)),
        "{got:?}"
    );
    assert!(
        got.contains(&("/bids/0/marks/q1".to_string(), ErrorCode::MarkNotExpected)),
        "{got:?}"
    );
}

#[test]
fn a_mark_for_an_unknown_criterion_is_not_expected() {
    let mut v = worked();
    set(&mut v, "/bids/2/marks/zzz", json!("1"));
    assert_eq!(
        errors(&v),
        [("/bids/2/marks/zzz".to_string(), ErrorCode::MarkNotExpected)]
    );
}

#[test]
fn marks_are_not_checked_against_an_invalid_scale() {
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/1/scale",
        json!({"min": "50", "max": "50"}),
    );
    set(&mut v, "/bids/0/marks/q1", json!("1000"));
    assert_eq!(
        errors(&v),
        [(
            "/scheme/criteria/1/scale".to_string(),
            ErrorCode::InvalidScale
        )]
    );
}

#[test]
fn a_mark_must_be_one_of_the_levels() {
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/1/scale/levels",
        json!(["0", "20", "30", "40", "60", "80", "100"]),
    );
    set(&mut v, "/bids/0/marks/q1", json!("70"));
    assert_eq!(
        errors(&v),
        [("/bids/0/marks/q1".to_string(), ErrorCode::MarkOutOfScale)]
    );
    // A pass mark need not be one of the levels (it is 40 here, which is; make it 45).
    set(&mut v, "/bids/0/marks/q1", json!("80"));
    set(&mut v, "/scheme/criteria/1/pass_mark", json!("45"));
    assert!(run(&v).is_ok());
}

#[test]
fn scale_rules_each_have_their_pointer() {
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/1/scale/levels",
        json!(["0", "120"]),
    );
    set(&mut v, "/scheme/criteria/1/pass_mark", json!("-1"));
    let got = errors(&v);
    assert!(got.contains(&(
        "/scheme/criteria/1/scale/levels/1".into(),
        ErrorCode::InvalidScale
    )));
    assert!(got.contains(&(
        "/scheme/criteria/1/pass_mark".into(),
        ErrorCode::InvalidScale
    )));
    let mut v = worked();
    remove(&mut v, "/scheme/criteria/1/pass_mark");
    has_error(&v, "/scheme/criteria/1/knockout", ErrorCode::InvalidScale);
}

#[test]
fn bands_rules_each_have_their_pointer() {
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/0/price_method",
        json!("banded_relative"),
    );
    set(
        &mut v,
        "/scheme/criteria/0/bands",
        json!([
            {"up_to_percent_above_lowest": null, "fraction": "1"},
            {"up_to_percent_above_lowest": "10", "fraction": "1.5"}
        ]),
    );
    let got = errors(&v);
    assert!(got.contains(&(
        "/scheme/criteria/0/bands/0/up_to_percent_above_lowest".into(),
        ErrorCode::InvalidBands
    )));
    assert!(got.contains(&(
        "/scheme/criteria/0/bands/1/fraction".into(),
        ErrorCode::InvalidBands
    )));
    set(&mut v, "/scheme/criteria/0/bands", json!([]));
    has_error(&v, "/scheme/criteria/0/bands", ErrorCode::InvalidBands);
}

#[test]
fn split_target_and_shape_rules() {
    let mut v = worked();
    remove(&mut v, "/scheme/criteria/2/split");
    has_error(&v, "/scheme/criteria/2/split", ErrorCode::SplitNot100);
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/2/split",
        json!({"qualitative": "-10", "quantitative": "110"}),
    );
    has_error(
        &v,
        "/scheme/criteria/2/split/qualitative",
        ErrorCode::SplitNot100,
    );
    let mut v = worked();
    set(
        &mut v,
        "/scheme/criteria/2/quantitative_basis",
        json!("percent_of_price_target"),
    );
    set(&mut v, "/scheme/criteria/2/target_percent", json!("0"));
    has_error(
        &v,
        "/scheme/criteria/2/target_percent",
        ErrorCode::InvalidTarget,
    );
    let mut v = worked();
    set(&mut v, "/scheme/criteria/2/target_percent", json!("5"));
    has_error(
        &v,
        "/scheme/criteria/2/target_percent",
        ErrorCode::InvalidBody,
    );
    let mut v = worked();
    remove(&mut v, "/scheme/criteria/2/outcome");
    has_error(&v, "/scheme/criteria/2/outcome", ErrorCode::InvalidBody);
    let mut v = worked();
    remove(&mut v, "/scheme/criteria/2/method");
    has_error(&v, "/scheme/criteria/2/method", ErrorCode::InvalidBody);
}

#[test]
fn serde_shape_errors_are_left_to_the_http_layer() {
    // An unknown field, unknown enum value or missing required field fails to deserialise; the HTTP
    // layer reports it as invalid_body with serde's path.
    for (pointer, value) in [
        ("/scheme/criteria/0/colour", json!("red")),
        ("/scheme/authority_type", json!("parish_council")),
        ("/bids/0/supplier/vat", json!("1")),
        ("/bids/0/price", json!(true)),
        ("/bids/0/price", json!("1,000")),
        ("/bids/0/submitted_at", json!("yesterday")),
    ] {
        let mut v = worked();
        set(&mut v, pointer, value);
        assert!(
            serde_json::from_str::<PreviewRequest>(&v.to_string()).is_err(),
            "{pointer}"
        );
    }
    let mut v = worked();
    remove(&mut v, "/scheme/criteria/0/weight");
    assert!(serde_json::from_str::<PreviewRequest>(&v.to_string()).is_err());
}

#[test]
fn warnings_ride_along_on_a_rejection() {
    let mut v = worked();
    set(&mut v, "/scheme/authority_type", json!("local_authority"));
    set(&mut v, "/scheme/criteria/0/weight", json!("65"));
    set(&mut v, "/scheme/criteria/2/weight", json!("5"));
    set(&mut v, "/bids/0/price", json!("0"));
    let r = run(&v).unwrap_err();
    assert_eq!(
        r.warnings[0].code,
        WarningCode::SocialValueBelowRecommendedMinimum
    );
    assert_eq!(r.errors[0].code, ErrorCode::PriceNotPositive);
}
