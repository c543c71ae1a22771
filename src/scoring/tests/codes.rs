//! One test input per error code, with its exact pointer; every code is produced by some input;
//! every code's JSON name is the one scoring.md lists.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;

/// `(name, request, pointer, code)`: each request differs from the worked example by one change.
fn cases() -> Vec<(&'static str, Value, &'static str, ErrorCode)> {
    use ErrorCode::*;
    let w = worked;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = w();
        f(&mut v);
        v
    };
    vec![
        (
            "duplicate criterion id",
            with(&|v| set(v, "/scheme/criteria/2/id", json!("q1"))),
            "/scheme/criteria/2/id",
            DuplicateCriterionId,
        ),
        (
            "duplicate bid id",
            with(&|v| set(v, "/bids/2/id", json!("A"))),
            "/bids/2/id",
            DuplicateBidId,
        ),
        (
            "duplicate inline measure",
            with(&|v| {
                set(
                    v,
                    "/measures/-",
                    json!({"code": "JOBS", "name": "again", "outcome": "PPN06-20:MAC2.2", "proxy_value": "1"}),
                )
            }),
            "/measures/1/code",
            DuplicateMeasureCode,
        ),
        (
            "duplicate measure in a criterion",
            with(&|v| set(v, "/scheme/criteria/2/measures", json!(["JOBS", "JOBS"]))),
            "/scheme/criteria/2/measures/1",
            DuplicateMeasureCode,
        ),
        (
            "zero weight",
            with(&|v| set(v, "/scheme/criteria/1/weight", json!("0"))),
            "/scheme/criteria/1/weight",
            WeightNotPositive,
        ),
        (
            "weights sum to 101",
            with(&|v| set(v, "/scheme/criteria/1/weight", json!("31"))),
            "/scheme/criteria",
            WeightsSumNot100,
        ),
        (
            "two price criteria",
            with(&|v| {
                set(v, "/scheme/criteria/0/weight", json!("30"));
                set(
                    v,
                    "/scheme/criteria/-",
                    json!({"id": "p2", "type": "price", "weight": "30"}),
                );
            }),
            "/scheme/criteria",
            MultiplePriceCriteria,
        ),
        (
            "price criterion under ppqp",
            with(&|v| set(v, "/scheme/method", json!("price_per_quality_point"))),
            "/scheme/criteria/0/type",
            PriceCriterionNotAllowed,
        ),
        (
            "scale min above max",
            with(&|v| {
                set(
                    v,
                    "/scheme/criteria/1/scale",
                    json!({"min": "100", "max": "0"}),
                )
            }),
            "/scheme/criteria/1/scale",
            InvalidScale,
        ),
        (
            "split of 60 + 50",
            with(&|v| set(v, "/scheme/criteria/2/split/qualitative", json!("60"))),
            "/scheme/criteria/2/split",
            SplitNot100,
        ),
        (
            "central government at 5%",
            with(&|v| {
                set(v, "/scheme/criteria/0/weight", json!("65"));
                set(v, "/scheme/criteria/2/weight", json!("5"));
            }),
            "/scheme/criteria",
            SocialValueBelowMinimum,
        ),
        (
            "unknown outcome",
            with(&|v| set(v, "/scheme/criteria/2/outcome", json!("PPN06-20:MAC9.9"))),
            "/scheme/criteria/2/outcome",
            UnknownOutcome,
        ),
        (
            "unknown inline measure outcome",
            with(&|v| set(v, "/measures/0/outcome", json!("NT1"))),
            "/measures/0/outcome",
            UnknownOutcome,
        ),
        (
            "unknown measure in a criterion",
            with(&|v| set(v, "/scheme/criteria/2/measures", json!(["JOBS", "NOPE"]))),
            "/scheme/criteria/2/measures/1",
            UnknownMeasure,
        ),
        (
            "commitment to an unknown measure",
            with(&|v| set(v, "/bids/1/commitments/0/measure", json!("NOPE"))),
            "/bids/1/commitments/0/measure",
            UnknownMeasure,
        ),
        (
            "measure of another outcome",
            with(&|v| {
                set(
                    v,
                    "/measures/-",
                    json!({"code": "CO2", "name": "CO2e saved", "outcome": "PPN06-20:MAC4.1", "proxy_value": "100"}),
                );
                set(v, "/scheme/criteria/2/measures", json!(["JOBS", "CO2"]));
            }),
            "/scheme/criteria/2/measures/1",
            MeasureOutcomeMismatch,
        ),
        (
            "deadweight of 1",
            with(&|v| set(v, "/measures/0/deadweight", json!("1"))),
            "/measures/0/deadweight",
            InvalidFraction,
        ),
        (
            "negative proxy value",
            with(&|v| set(v, "/measures/0/proxy_value", json!("-1"))),
            "/measures/0/proxy_value",
            InvalidFraction,
        ),
        (
            "alt_threshold of 1",
            with(&|v| set(v, "/scheme/alt_threshold", json!(1))),
            "/scheme/alt_threshold",
            InvalidFraction,
        ),
        (
            "zero price",
            with(&|v| set(v, "/bids/0/price", json!("0"))),
            "/bids/0/price",
            PriceNotPositive,
        ),
        (
            "bid in euros",
            with(&|v| set(v, "/bids/0/currency", json!("EUR"))),
            "/bids/0/currency",
            CurrencyMismatch,
        ),
        (
            "missing mark",
            with(&|v| remove(v, "/bids/1/marks/q1")),
            "/bids/1/marks/q1",
            MissingMark,
        ),
        (
            "mark above the scale",
            with(&|v| set(v, "/bids/0/marks/q1", json!("101"))),
            "/bids/0/marks/q1",
            MarkOutOfScale,
        ),
        (
            "negative quantity",
            with(&|v| set(v, "/bids/0/commitments/0/quantity", json!("-1"))),
            "/bids/0/commitments/0/quantity",
            QuantityNegative,
        ),
        (
            "no bids",
            with(&|v| set(v, "/bids", json!([]))),
            "/bids",
            NoBids,
        ),
        (
            "mark for the price criterion",
            with(&|v| set(v, "/bids/0/marks/price", json!("5"))),
            "/bids/0/marks/price",
            MarkNotExpected,
        ),
        (
            "two frameworks",
            with(&|v| {
                set(v, "/scheme/criteria/2/weight", json!("5"));
                set(v, "/scheme/criteria/0/weight", json!("60"));
                set(
                    v,
                    "/scheme/criteria/-",
                    json!({"id": "sv2", "type": "social_value", "weight": "5",
                "outcome": "PPN002:1a", "method": "qualitative", "scale": {"min": "0", "max": "10"}}),
                );
                for i in 0..3 {
                    set(v, &format!("/bids/{i}/marks/sv2"), json!("5"));
                }
            }),
            "/scheme/criteria/3/outcome",
            MixedFrameworks,
        ),
        (
            "repeated tie-break step",
            with(&|v| set(v, "/scheme/tie_break", json!(["price", "price"]))),
            "/scheme/tie_break/1",
            InvalidTieBreak,
        ),
        (
            "unknown tie-break step",
            with(&|v| set(v, "/scheme/tie_break", json!(["coin_toss"]))),
            "/scheme/tie_break/0",
            InvalidTieBreak,
        ),
        (
            "band edges decreasing",
            with(&|v| {
                set(
                    v,
                    "/scheme/criteria/0/price_method",
                    json!("banded_relative"),
                );
                set(
                    v,
                    "/scheme/criteria/0/bands",
                    json!([
                {"up_to_percent_above_lowest": "10", "fraction": "1"},
                {"up_to_percent_above_lowest": "5", "fraction": "0.5"}]),
                );
            }),
            "/scheme/criteria/0/bands/1/up_to_percent_above_lowest",
            InvalidBands,
        ),
        (
            "percent target without target",
            with(&|v| {
                set(
                    v,
                    "/scheme/criteria/2/quantitative_basis",
                    json!("percent_of_price_target"),
                )
            }),
            "/scheme/criteria/2/target_percent",
            InvalidTarget,
        ),
        (
            "quality without scale",
            with(&|v| remove(v, "/scheme/criteria/1/scale")),
            "/scheme/criteria/1/scale",
            InvalidBody,
        ),
        (
            "bands on a quality criterion",
            with(&|v| set(v, "/scheme/criteria/1/bands", json!([]))),
            "/scheme/criteria/1/bands",
            InvalidBody,
        ),
        (
            "absurd quantity",
            with(&|v| {
                set(
                    v,
                    "/bids/0/commitments/0/quantity",
                    json!("1000000000000000000000000000"),
                )
            }),
            "/bids/0/commitments/0/quantity",
            ValueOutOfRange,
        ),
    ]
}

#[test]
fn each_error_code_is_reported_at_its_pointer() {
    for (name, request, pointer, code) in cases() {
        let found = errors(&request);
        assert!(
            found.iter().any(|(p, c)| p == pointer && *c == code),
            "{name}: expected {code} at {pointer}, got {found:?}"
        );
    }
}

/// Like Lemmy's `test_errors_used`: a code no input produces is dead or untested.
#[test]
fn every_error_code_is_produced_by_some_input() {
    let produced: BTreeSet<ErrorCode> = cases()
        .into_iter()
        .flat_map(|(_, request, _, _)| errors(&request).into_iter().map(|(_, c)| c))
        .collect();
    let all: BTreeSet<ErrorCode> = ErrorCode::ALL.into_iter().collect();
    let unused: Vec<&ErrorCode> = all.difference(&produced).collect();
    assert!(unused.is_empty(), "codes never produced: {unused:?}");
}

/// The codes of scoring.md's "Error and reason codes" section, read from the spec itself.
/// `None` when the design documents are not beside the repository (a lone clone).
fn spec_error_codes() -> Option<BTreeSet<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/design/scoring.md");
    let Ok(spec) = std::fs::read_to_string(path) else {
        eprintln!("NOTE: {path} not found; the code-name check against scoring.md is skipped");
        return None;
    };
    let start = spec.find("## Error and reason codes").expect("section");
    let section = &spec[start..];
    let end = section
        .find("Disqualification reasons")
        .expect("end of table");
    let table = &section[..end];
    table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(|cell| {
            cell.split(',')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .collect::<BTreeSet<_>>()
        .into()
}

#[test]
fn error_code_names_match_scoring_md() {
    let ours: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|c| {
            serde_json::to_value(c)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for c in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
        assert_eq!(
            serde_json::from_value::<ErrorCode>(json!(c.as_str())).unwrap(),
            c
        );
    }
    let Some(spec) = spec_error_codes() else {
        return;
    };
    assert!(
        spec.len() >= 26,
        "scoring.md lists at least 26 error codes: {spec:?}"
    );
    let missing: Vec<&String> = spec.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "in scoring.md but not in ErrorCode: {missing:?}"
    );
    let extra: Vec<&String> = ours.difference(&spec).collect();
    assert!(
        extra.iter().all(|c| c.as_str() == "value_out_of_range"),
        "codes missing from scoring.md: {extra:?}"
    );
}

#[test]
fn warning_flag_and_reason_codes_match_scoring_md() {
    let names = |v: Vec<Value>| -> Vec<String> {
        v.into_iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    use WarningCode::*;
    for code in [
        SocialValueBelowMinimumExempted,
        SocialValueBelowRecommendedMinimum,
        NoQualifiedBids,
        WinnerUndetermined,
    ] {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
    }
    assert_eq!(
        names(vec![
            serde_json::to_value(SocialValueBelowMinimumExempted).unwrap(),
            serde_json::to_value(SocialValueBelowRecommendedMinimum).unwrap(),
            serde_json::to_value(NoQualifiedBids).unwrap(),
            serde_json::to_value(WinnerUndetermined).unwrap(),
        ]),
        [
            "social_value_below_minimum_exempted",
            "social_value_below_recommended_minimum",
            "no_qualified_bids",
            "winner_undetermined"
        ]
    );
    use FlagCode::*;
    assert_eq!(
        names(vec![
            serde_json::to_value(AbnormallyLowPrice).unwrap(),
            serde_json::to_value(SocialValueUnusuallyHigh).unwrap(),
            serde_json::to_value(TieUnresolved).unwrap(),
            serde_json::to_value(MarksDiscrepancy).unwrap(),
        ]),
        [
            "abnormally_low_price",
            "social_value_unusually_high",
            "tie_unresolved",
            "marks_discrepancy"
        ]
    );
    assert_eq!(
        names(vec![
            serde_json::to_value(ReasonCode::KnockoutFailed).unwrap(),
            serde_json::to_value(ReasonCode::NoQualityPoints).unwrap(),
        ]),
        ["knockout_failed", "no_quality_points"]
    );
}
