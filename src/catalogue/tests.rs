//! The built-in data parses and is consistent, and holds what our sources say (no more).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

#[test]
fn every_data_file_parses_and_is_consistent() {
    let b = Builtin::load().unwrap();
    assert!(builtin().check().is_ok());
    assert_eq!(b.frameworks().len(), 2);
    assert_eq!(b.sample_measures().len(), 15);
}

#[test]
fn ppn06_20_has_5_themes_8_outcomes_and_19_award_criteria() {
    let f = builtin().framework("PPN06-20").unwrap();
    assert_eq!(f.groups.len(), 5);
    assert_eq!(f.outcomes.len(), 8);
    let macs: Vec<&AwardCriterion> = f.outcomes.iter().flat_map(|o| &o.award_criteria).collect();
    assert_eq!(macs.len(), 19);
    assert_eq!(macs.first().unwrap().code, "PPN06-20:MAC1.1");
    assert_eq!(macs.last().unwrap().code, "PPN06-20:MAC8.1");
    // Only MAC 2.1 is confirmed.
    let confirmed: Vec<&str> = macs
        .iter()
        .filter(|m| m.confirmed)
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(confirmed, ["PPN06-20:MAC2.1"]);
    for o in &f.outcomes {
        assert!(
            o.award_criteria
                .iter()
                .all(|c| c.code.starts_with(&format!("PPN06-20:MAC{}.", o.number)))
        );
    }
    assert_eq!(f.licence.name, "Open Government Licence v3.0");
    assert!(f.licence.attribution.contains("Crown copyright"));
    assert_eq!(f.edition, "1.1");
}

#[test]
fn ppn002_holds_only_what_our_sources_give() {
    let f = builtin().framework("PPN002").unwrap();
    assert_eq!(f.groups.len(), 5);
    assert_eq!(f.outcomes.len(), 8);
    let five = f.outcomes.iter().find(|o| o.number == 5).unwrap();
    assert!(five.name.is_none() && !five.confirmed && five.note.is_some());
    assert!(f.outcomes.iter().all(|o| !o.confirmed && o.group.is_none()));
    let macs: Vec<&str> = f
        .outcomes
        .iter()
        .flat_map(|o| &o.award_criteria)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(
        macs,
        [
            "PPN002:1a",
            "PPN002:1b",
            "PPN002:1c",
            "PPN002:1d",
            "PPN002:1e"
        ]
    );
    assert!(f.licence.attribution.contains("Crown copyright"));
}

#[test]
fn weighting_rule_is_data_ten_percent_for_central_government() {
    for f in builtin().frameworks() {
        let rule = f
            .weighting_rules
            .iter()
            .find(|r| {
                r.authority_types
                    .contains(&crate::scoring::AuthorityType::CentralGovernment)
            })
            .unwrap();
        assert_eq!(rule.min_social_value_percent, Decimal::TEN);
        assert_eq!(rule.severity, crate::scoring::RuleSeverity::Error);
        assert_eq!(
            rule.basis.price_per_quality_point,
            crate::scoring::WeightBasis::NonPriceWeights
        );
    }
}

#[test]
fn outcome_lookups() {
    let b = builtin();
    assert!(b.has_outcome("PPN06-20:MAC3.1"));
    assert!(b.has_outcome("PPN002:1a"));
    assert!(b.has_outcome("PPN002:O4"));
    assert!(!b.has_outcome("PPN06-20:MAC9.9"));
    assert!(!b.has_outcome("NT1"));
    assert_eq!(b.framework_of_outcome("PPN002:1a").unwrap().code, "PPN002");
    assert_eq!(b.outcome_parent("PPN002:1a"), Some("PPN002:O1"));
    assert_eq!(b.outcome_parent("PPN002:O1"), None);
    let jobs: Vec<&str> = b
        .measures_for_outcome("PPN002:O1")
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    assert!(jobs.contains(&"SVS-JOBS-LOCAL") && jobs.contains(&"SVS-FAIR-PAY"));
    assert!(b.measures_for_outcome("PPN06-20:MAC1.1").is_empty());
}

#[test]
fn sample_set_is_labelled_illustrative_and_crosswalks_to_both_frameworks() {
    let b = builtin();
    let set = b.measure_set(SAMPLE_MEASURE_SET).unwrap();
    assert!(set.illustrative);
    assert!(set.notice.contains("not National TOMs"));
    assert_eq!(set.version, "2026.1");
    for m in &set.measures {
        assert!(m.code.starts_with("SVS-"), "{}", m.code);
        assert_eq!(m.proxy_value_basis, "illustrative");
        for fw in ["PPN06-20", "PPN002"] {
            assert!(
                m.outcomes
                    .iter()
                    .any(|o| b.framework_of_outcome(o).unwrap().code == fw),
                "{} has no {fw} outcome",
                m.code
            );
        }
    }
}

#[test]
fn frameworks_serialise_with_decimals_as_strings() {
    let json = serde_json::to_value(builtin().framework("PPN06-20").unwrap()).unwrap();
    assert_eq!(json["weighting_rules"][0]["min_social_value_percent"], "10");
    let set = serde_json::to_value(builtin().measure_set(SAMPLE_MEASURE_SET).unwrap()).unwrap();
    assert_eq!(set["measures"][0]["proxy_value"], "20000");
}
