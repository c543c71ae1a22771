//! The minimum social value weighting, decimals and times on the wire, measures, the other entry
//! points (validate, evaluate), overflow and `inputs_sha256`.

use serde_json::{Value, json};

use super::ranking::ppqp_request;
use super::*;

#[test]
fn central_government_minimum_reads_the_framework_rule() {
    let mut v = worked();
    set(&mut v, "/scheme/criteria/0/weight", json!("65"));
    set(&mut v, "/scheme/criteria/2/weight", json!("5"));
    has_error(&v, "/scheme/criteria", ErrorCode::SocialValueBelowMinimum);
    set(
        &mut v,
        "/scheme/social_value_exemption",
        json!({"reason": "urgent", "approved_by": "CCO"}),
    );
    let r = ok(&v);
    assert_eq!(
        r.warnings[0].code,
        WarningCode::SocialValueBelowMinimumExempted
    );
    assert!(r.warnings[0].message.contains("urgent"));
    // At exactly 10% there is nothing to say, exemption or not.
    assert!(ok(&worked()).warnings.is_empty());
    let mut exempt = worked();
    set(
        &mut exempt,
        "/scheme/social_value_exemption",
        json!({"reason": "x", "approved_by": "y"}),
    );
    assert!(ok(&exempt).warnings.is_empty());
}

#[test]
fn other_authorities_below_the_minimum_get_a_warning_even_with_an_exemption() {
    let mut v = worked();
    set(&mut v, "/scheme/authority_type", json!("local_authority"));
    set(&mut v, "/scheme/criteria/0/weight", json!("65"));
    set(&mut v, "/scheme/criteria/2/weight", json!("5"));
    set(
        &mut v,
        "/scheme/social_value_exemption",
        json!({"reason": "x", "approved_by": "y"}),
    );
    let r = ok(&v);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(
        r.warnings[0].code,
        WarningCode::SocialValueBelowRecommendedMinimum
    );
}

#[test]
fn under_ppqp_the_minimum_is_a_share_of_the_non_price_weights() {
    let mut v = ppqp_request(&[("A", "100", "5", "5")]);
    set(&mut v, "/scheme/criteria/0/weight", json!("91"));
    set(&mut v, "/scheme/criteria/1/weight", json!("9"));
    has_error(&v, "/scheme/criteria", ErrorCode::SocialValueBelowMinimum);
}

/// A catalogue that demands 20%: the engine's rule is data, not code.
struct Strict;

impl Catalogue for Strict {
    fn outcome_framework(&self, outcome: &str) -> Option<&str> {
        builtin().outcome_framework(outcome).map(|_| "STRICT")
    }
    fn weighting_rules(&self, _framework: &str) -> &[WeightingRule] {
        static RULES: std::sync::LazyLock<Vec<WeightingRule>> = std::sync::LazyLock::new(|| {
            vec![WeightingRule {
                authority_types: vec![AuthorityType::CentralGovernment],
                min_social_value_percent: Decimal::from(20),
                basis: WeightingBasis {
                    weighted_sum: WeightBasis::AllWeights,
                    price_per_quality_point: WeightBasis::NonPriceWeights,
                },
                severity: RuleSeverity::Error,
                exemption_allowed: false,
                description: "20% or nothing".into(),
            }]
        });
        &RULES
    }
    fn default_framework(&self) -> &str {
        "STRICT"
    }
    fn default_measures(&self) -> &[Measure] {
        &[]
    }
}

#[test]
fn an_injected_catalogue_changes_the_minimum() {
    let req = parse(&worked());
    let r = preview(&req, &Strict).unwrap_err();
    assert_eq!(r.errors[0].code, ErrorCode::SocialValueBelowMinimum);
    assert!(r.errors[0].message.contains("20%"));
    let mut with_exemption = req.clone();
    with_exemption.scheme.social_value_exemption = Some(Exemption {
        reason: "r".into(),
        approved_by: "a".into(),
    });
    assert!(
        preview(&with_exemption, &Strict).is_err(),
        "this rule allows no exemption"
    );
}

#[test]
fn decimals_are_read_exactly_from_strings_and_numbers() {
    let text = r#"{"id": "A", "price": 12345678901.123456789, "submitted_at": "2026-03-01T12:00:00Z",
                   "marks": {"q": 0.1, "r": "0.1"}, "commitments": [{"measure": "M", "quantity": 1e2}]}"#;
    let b: Bid = serde_json::from_str(text).unwrap();
    assert_eq!(b.price.to_string(), "12345678901.123456789");
    assert_eq!(b.marks["q"], d("0.1"));
    assert_eq!(b.marks["r"], d("0.1"));
    assert_eq!(b.commitments[0].quantity, d("100"));
    let too_precise = r#"{"id": "A", "price": 0.12345678901234567890123456789, "submitted_at": "2026-03-01T12:00:00Z"}"#;
    assert!(serde_json::from_str::<Bid>(too_precise).is_err());
    let repeated = r#"{"id": "A", "price": 1, "submitted_at": "2026-03-01T12:00:00Z", "marks": {"q": 1, "q": 2}}"#;
    assert!(serde_json::from_str::<Bid>(repeated).is_err());
}

#[test]
fn requests_are_read_from_text_not_from_a_value_holding_binary_floats() {
    // From text every number is exact; a `serde_json::Value` may hand a non-integer over as a
    // binary float, which the engine refuses rather than round.
    let text = r#"{"id": "A", "price": 0.1, "submitted_at": "2026-03-01T12:00:00Z"}"#;
    assert_eq!(serde_json::from_str::<Bid>(text).unwrap().price, d("0.1"));
    let value: Value = serde_json::from_str(text).unwrap();
    let err = serde_json::from_value::<Bid>(value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("floating point"), "{err}");
    // Integers are fine either way, up to the decimal range.
    let big: Value = serde_json::from_str(r#"{"id": "A", "price": 79228162514264337593543950335, "submitted_at": "2026-03-01T12:00:00Z"}"#).unwrap();
    assert_eq!(
        serde_json::from_value::<Bid>(big).unwrap().price,
        Decimal::MAX
    );
}

#[test]
fn responses_carry_decimals_as_normalised_strings() {
    let mut v = worked();
    set(&mut v, "/bids/0/price", num("100000.00"));
    let json = to_json(&ok(&v));
    let a = &json["results"][1];
    assert_eq!(a["bid_id"], "A");
    assert_eq!(a["total"], "83.5");
    assert_eq!(a["criteria"][0]["input"]["price"], "100000");
    assert_eq!(a["criteria"][0]["weight"], "60");
    assert_eq!(a["criteria"][2]["points_display"], "5.50");
}

#[test]
fn commitments_to_one_measure_are_listed_twice_and_summed() {
    let mut v = worked();
    set(
        &mut v,
        "/bids/0/commitments/-",
        json!({"measure": "JOBS", "quantity": "1.5"}),
    );
    let r = ok(&v);
    let a = bid(&r, "A");
    assert_eq!(a.social_value.by_measure.len(), 2);
    assert_eq!(a.social_value.value, d("4500"));
    assert_eq!(a.social_value.by_outcome[0].value, d("4500"));
    assert_eq!(crit(a, "sv").input.social_value, Some(d("4500")));
}

#[test]
fn without_inline_measures_the_sample_set_is_used_and_outcomes_roll_up() {
    let v = json!({
        "scheme": {
            "authority_type": "central_government",
            "criteria": [
                {"id": "p", "type": "price", "weight": "80"},
                {"id": "sv", "type": "social_value", "weight": "20", "outcome": "PPN002:O1", "method": "quantitative"}
            ]
        },
        "bids": [
            {"id": "A", "price": "1000000", "submitted_at": "2026-03-01T12:00:00Z",
             "commitments": [{"measure": "SVS-JOBS-LOCAL", "quantity": "2"}, {"measure": "SVS-CARBON-SAVED", "quantity": "10"}]},
            {"id": "B", "price": "1000000", "submitted_at": "2026-03-01T12:00:00Z",
             "commitments": [{"measure": "SVS-FAIR-PAY", "quantity": "10"}]}
        ]
    });
    let r = ok(&v);
    let a = bid(&r, "A");
    // 2 × 20,000 × (1 − 0.2) counts towards O1 (through 1a); carbon (O4) does not.
    assert_eq!(crit(a, "sv").input.social_value, Some(d("32000")));
    // 10 × 1,200 × 0.75 = 9,000 for B.
    assert_eq!(crit(bid(&r, "B"), "sv").input.social_value, Some(d("9000")));
    let outcomes: Vec<&str> = a
        .social_value
        .by_outcome
        .iter()
        .map(|o| o.outcome)
        .collect();
    assert_eq!(
        outcomes,
        ["PPN002:1a", "PPN002:O4", "PPN06-20:MAC4.1", "PPN06-20:O2"]
    );
}

#[test]
fn validate_reports_without_bids() {
    let scheme = worked()["scheme"].clone();
    let measures = worked()["measures"].clone();
    let req: ValidateRequest =
        serde_json::from_str(&json!({"scheme": scheme, "measures": measures}).to_string()).unwrap();
    let report = validate(&req, builtin());
    assert!(report.valid && report.errors.is_empty() && report.warnings.is_empty());
    let mut bad = req.clone();
    bad.scheme.criteria[2].outcome = Some("PPN06-20:MAC1.1".into());
    bad.scheme.authority_type = AuthorityType::Other;
    bad.scheme.criteria[0].weight = d("65");
    bad.scheme.criteria[2].weight = d("5");
    let report = validate(&bad, builtin());
    assert!(!report.valid);
    assert_eq!(report.errors[0].pointer, "/scheme/criteria/2/measures/0");
    assert_eq!(report.errors[0].code, ErrorCode::MeasureOutcomeMismatch);
    assert_eq!(
        report.warnings[0].code,
        WarningCode::SocialValueBelowRecommendedMinimum
    );
}

#[test]
fn evaluate_checks_outcomes_against_the_pinned_framework() {
    let req = parse(&worked());
    let mut input = EvaluationInput {
        currency: "GBP".into(),
        scheme: req.scheme.clone(),
        measures: builtin().sample_measures().to_vec(),
        bids: req.bids.clone(),
        framework: Some("PPN002".into()),
        evaluator_marks: vec![],
    };
    for b in &mut input.bids {
        b.commitments.clear();
    }
    input.scheme.criteria[2].measures = None;
    let r = evaluate(&input, builtin()).unwrap_err();
    assert_eq!(r.errors[0].pointer, "/scheme/criteria/2/outcome");
    assert_eq!(r.errors[0].code, ErrorCode::UnknownOutcome);
    input.measures[1].outcomes.push("NT7".into());
    input.framework = Some("PPN06-20".into());
    let r = evaluate(&input, builtin()).unwrap_err();
    assert_eq!(r.errors[0].pointer, "/measures/1/outcomes/2");
}

#[test]
fn overflow_is_a_validation_error_not_a_panic() {
    let mut v = worked();
    set(&mut v, "/bids/0/price", json!("0.00000000000000000001"));
    set(
        &mut v,
        "/bids/0/commitments/0/quantity",
        json!("100000000000000000000"),
    );
    let got = errors(&v);
    assert!(
        got.contains(&("/bids/0/price".into(), ErrorCode::ValueOutOfRange)),
        "{got:?}"
    );
    let mut v = worked();
    set(
        &mut v,
        "/measures/0/proxy_value",
        json!("79228162514264337593543950335"),
    );
    set(
        &mut v,
        "/bids/2/commitments",
        json!([{"measure": "JOBS", "quantity": "0.6"}, {"measure": "JOBS", "quantity": "0.6"}]),
    );
    has_error(
        &v,
        "/bids/0/commitments/0/quantity",
        ErrorCode::ValueOutOfRange,
    );
    has_error(&v, "/bids/2/commitments", ErrorCode::ValueOutOfRange);
}

#[test]
fn inputs_sha256_ignores_spelling_and_defaults_but_not_values() {
    let base = ok(&worked()).inputs_sha256;
    assert_eq!(base.len(), 64);
    let mut v = worked();
    set(&mut v, "/bids/0/price", num("100000.000"));
    set(
        &mut v,
        "/scheme/tie_break",
        json!(["social_value", "quality", "price", "submitted_at"]),
    );
    set(&mut v, "/scheme/alt_threshold", json!("0.40"));
    set(
        &mut v,
        "/bids/0/submitted_at",
        json!("2026-03-01T11:00:00+01:00"),
    );
    remove(&mut v, "/scheme/method");
    let bids = v["bids"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .cloned()
        .collect::<Vec<_>>();
    set(&mut v, "/bids", Value::Array(bids));
    assert_eq!(ok(&v).inputs_sha256, base);
    set(&mut v, "/bids/0/price", json!("70000.01"));
    assert_ne!(ok(&v).inputs_sha256, base);
}
