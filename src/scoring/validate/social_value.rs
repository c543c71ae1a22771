//! Checks of the social value parts of a criterion: measures, basis, target and split.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::scoring::codes::{ErrorCode, Issue};
use crate::scoring::model::{Catalogue, Criterion, QuantitativeBasis, outcome_covers};
use crate::scoring::plan::{MeasureView, QuantRule};

use super::measures::MeasureIndex;

/// Measures, basis and target of a quantitative or mixed criterion.
pub(crate) fn check_quant(
    c: &Criterion,
    p: &str,
    outcome: Option<&str>,
    measures: &[MeasureView<'_>],
    index: &MeasureIndex<'_>,
    cat: &dyn Catalogue,
    errors: &mut Vec<Issue>,
) -> Option<QuantRule> {
    let mut ok = true;
    let basis = c.quantitative_basis.unwrap_or_default();
    let mut target = Decimal::ZERO;
    if basis == QuantitativeBasis::PercentOfPriceTarget {
        match c.target_percent {
            Some(t) if t > Decimal::ZERO => target = t,
            other => {
                let got = other.map_or("nothing".to_string(), |t| t.normalize().to_string());
                errors.push(Issue::new(
                    format!("{p}/target_percent"),
                    ErrorCode::InvalidTarget,
                    format!(
                        "percent_of_price_target needs a target_percent greater than 0, got {got}"
                    ),
                ));
                ok = false;
            }
        }
    }
    let mut chosen = Vec::new();
    match c.measures.as_deref() {
        Some(codes) if !codes.is_empty() => {
            let mut seen = BTreeSet::new();
            for (j, code) in codes.iter().enumerate() {
                let mp = format!("{p}/measures/{j}");
                if !seen.insert(code.as_str()) {
                    errors.push(Issue::new(
                        mp,
                        ErrorCode::DuplicateMeasureCode,
                        format!("measure `{code}` is listed twice"),
                    ));
                    ok = false;
                    continue;
                }
                let Some(at) = index.get(code) else {
                    errors.push(Issue::new(
                        mp,
                        ErrorCode::UnknownMeasure,
                        format!("measure `{code}` is not in the measure set"),
                    ));
                    ok = false;
                    continue;
                };
                if let (Some(outcome), Some(m)) = (outcome, measures.get(at as usize))
                    && !m.outcomes.iter().any(|o| outcome_covers(cat, outcome, o))
                {
                    errors.push(Issue::new(
                        mp,
                        ErrorCode::MeasureOutcomeMismatch,
                        format!(
                            "measure `{code}` counts towards {}, not towards {outcome}",
                            m.outcomes.iter().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    ok = false;
                    continue;
                }
                chosen.push(at);
            }
        }
        _ => {
            if let Some(outcome) = outcome {
                chosen = measures
                    .iter()
                    .zip(0u32..)
                    .filter(|(m, _)| m.outcomes.iter().any(|o| outcome_covers(cat, outcome, o)))
                    .map(|(_, i)| i)
                    .collect();
            }
        }
    }
    ok.then_some(QuantRule {
        basis,
        target,
        measures: chosen,
    })
}

/// The split of a mixed criterion: required, parts ≥ 0, summing to 100.
pub(crate) fn check_split(
    c: &Criterion,
    p: &str,
    errors: &mut Vec<Issue>,
) -> Option<(Decimal, Decimal)> {
    let Some(split) = &c.split else {
        errors.push(Issue::new(
            format!("{p}/split"),
            ErrorCode::SplitNot100,
            "a mixed criterion needs a split {qualitative, quantitative} summing to 100",
        ));
        return None;
    };
    let mut ok = true;
    for (name, part) in [
        ("qualitative", split.qualitative),
        ("quantitative", split.quantitative),
    ] {
        if part < Decimal::ZERO {
            errors.push(Issue::new(
                format!("{p}/split/{name}"),
                ErrorCode::SplitNot100,
                format!("split parts must not be negative, got {}", part.normalize()),
            ));
            ok = false;
        }
    }
    if ok && split.qualitative.checked_add(split.quantitative) != Some(Decimal::ONE_HUNDRED) {
        errors.push(Issue::new(
            format!("{p}/split"),
            ErrorCode::SplitNot100,
            format!(
                "split parts must sum to 100, got {} + {}",
                split.qualitative.normalize(),
                split.quantitative.normalize()
            ),
        ));
        ok = false;
    }
    ok.then_some((split.qualitative, split.quantitative))
}
