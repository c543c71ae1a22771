//! Checks of the scheme as a whole: ids, weights, price criteria, outcomes and frameworks,
//! tie-break, threshold, and the minimum social value weighting read from the framework's data.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::scoring::codes::{ErrorCode, Issue, Warning, WarningCode};
use crate::scoring::model::{
    AuthorityType, Catalogue, CriterionType, Method, RuleSeverity, Scheme, SocialValueMethod,
    TieBreakStep, WeightBasis,
};
use crate::scoring::plan::{Ctx, PlanCriterion};

use super::criterion::{CritCheck, CritRules, check_applicable, check_price, check_scale};
use super::measures::MeasureCheck;
use super::social_value::{check_quant, check_split};

/// What the scheme checks found.
pub(crate) struct SchemeCheck<'a> {
    pub crits: Vec<CritCheck<'a>>,
    /// Every criterion resolved, or `None` when any is invalid.
    pub plan: Option<Vec<PlanCriterion<'a>>>,
    pub tie_break: Vec<TieBreakStep>,
    pub warnings: Vec<Warning>,
}

pub(crate) fn check<'a>(
    ctx: &Ctx<'a>,
    cat: &dyn Catalogue,
    measures: &MeasureCheck<'_>,
    errors: &mut Vec<Issue>,
) -> SchemeCheck<'a> {
    let scheme: &'a Scheme = ctx.scheme;
    let mut crits = Vec::with_capacity(scheme.criteria.len());
    let mut plan = Some(Vec::with_capacity(scheme.criteria.len()));
    let mut ids = BTreeSet::new();
    let mut weight_sum = Some(Decimal::ZERO);
    let mut price_count = 0usize;
    // (framework, criterion index) of the first social value outcome seen.
    let mut first_framework: Option<(&str, usize)> = None;

    for (i, c) in scheme.criteria.iter().enumerate() {
        let p = format!("/scheme/criteria/{i}");
        let errors_before = errors.len();
        if !ids.insert(c.id.as_str()) {
            errors.push(Issue::new(
                format!("{p}/id"),
                ErrorCode::DuplicateCriterionId,
                format!("criterion id `{}` appears more than once", c.id),
            ));
        }
        if c.weight <= Decimal::ZERO {
            errors.push(Issue::new(
                format!("{p}/weight"),
                ErrorCode::WeightNotPositive,
                format!(
                    "weight must be greater than 0, got {}",
                    c.weight.normalize()
                ),
            ));
        }
        weight_sum = weight_sum.and_then(|s| s.checked_add(c.weight));
        check_applicable(c, &p, errors);

        let mut check = CritCheck {
            id: c.id.as_str(),
            expects_mark: false,
            scale: None,
        };
        let mut rules = CritRules::default();
        match c.kind {
            CriterionType::Price => {
                price_count += 1;
                rules.price = check_price(c, &p, scheme.method, errors);
            }
            CriterionType::Quality => {
                check.expects_mark = true;
                rules.mark = check_scale(c, &p, errors, &mut check);
            }
            CriterionType::SocialValue => {
                let outcome = check_outcome(ctx, cat, c.outcome.as_deref(), &p, errors);
                if let (Some((outcome, framework)), true) = (outcome, c.outcome.is_some()) {
                    match first_framework {
                        None => first_framework = Some((framework, i)),
                        Some((first, at)) if first != framework => errors.push(Issue::new(
                            format!("{p}/outcome"),
                            ErrorCode::MixedFrameworks,
                            format!(
                                "outcome `{outcome}` is from {framework}, but criterion {at} uses {first}: \
                                 one scheme uses one framework"
                            ),
                        )),
                        Some(_) => {}
                    }
                }
                let outcome = outcome.map(|(o, _)| o);
                match c.method {
                    None => errors.push(Issue::new(
                        format!("{p}/method"),
                        ErrorCode::InvalidBody,
                        "`method` (qualitative, quantitative or mixed) is required for a social value criterion",
                    )),
                    Some(method) => {
                        if method != SocialValueMethod::Quantitative {
                            check.expects_mark = true;
                            rules.mark = check_scale(c, &p, errors, &mut check);
                        }
                        if method != SocialValueMethod::Qualitative {
                            rules.quant = check_quant(
                                c,
                                &p,
                                outcome,
                                &ctx.measures,
                                &measures.index,
                                cat,
                                errors,
                            );
                        }
                        if method == SocialValueMethod::Mixed {
                            rules.split = check_split(c, &p, errors);
                        }
                    }
                }
            }
        }
        if errors.len() > errors_before {
            plan = None;
        }
        if let Some(plan) = plan.as_mut() {
            plan.push(PlanCriterion {
                id: c.id.as_str(),
                kind: c.kind,
                weight: c.weight,
                price: rules.price,
                mark: rules.mark,
                quant: rules.quant,
                split: rules.split,
            });
        }
        crits.push(check);
    }

    if scheme.method == Method::WeightedSum && price_count > 1 {
        errors.push(Issue::new(
            "/scheme/criteria",
            ErrorCode::MultiplePriceCriteria,
            format!("weighted_sum allows at most one price criterion, found {price_count}"),
        ));
    }
    if weight_sum != Some(Decimal::ONE_HUNDRED) {
        let got = weight_sum.map_or("more than can be computed".to_string(), |s| {
            s.normalize().to_string()
        });
        errors.push(Issue::new(
            "/scheme/criteria",
            ErrorCode::WeightsSumNot100,
            format!("criterion weights must sum to exactly 100, got {got}"),
        ));
    }
    let tie_break = check_tie_break(&scheme.tie_break, errors);
    if scheme.alt_threshold < Decimal::ZERO || scheme.alt_threshold >= Decimal::ONE {
        errors.push(Issue::new(
            "/scheme/alt_threshold",
            ErrorCode::InvalidFraction,
            format!(
                "alt_threshold must be a fraction in [0, 1), got {}",
                scheme.alt_threshold.normalize()
            ),
        ));
    }
    let framework = ctx
        .framework
        .or(first_framework.map(|(f, _)| f))
        .unwrap_or_else(|| cat.default_framework());
    let warnings = check_minimum(scheme, cat, framework, errors);
    SchemeCheck {
        crits,
        plan,
        tie_break,
        warnings,
    }
}

/// The outcome of a social value criterion: required and held by the (pinned) framework.
/// Returns `(outcome, framework)` when known.
fn check_outcome<'a, 'c>(
    ctx: &Ctx<'a>,
    cat: &'c dyn Catalogue,
    outcome: Option<&'a str>,
    p: &str,
    errors: &mut Vec<Issue>,
) -> Option<(&'a str, &'c str)> {
    let Some(outcome) = outcome else {
        errors.push(Issue::new(
            format!("{p}/outcome"),
            ErrorCode::InvalidBody,
            "`outcome` (a Social Value Model outcome code) is required for a social value criterion",
        ));
        return None;
    };
    match (cat.outcome_framework(outcome), ctx.framework) {
        (Some(found), Some(pinned)) if found != pinned => {
            errors.push(Issue::new(
                format!("{p}/outcome"),
                ErrorCode::UnknownOutcome,
                format!(
                    "outcome `{outcome}` is from {found}, not from the tender's framework {pinned}"
                ),
            ));
            None
        }
        (Some(found), _) => Some((outcome, found)),
        (None, _) => {
            errors.push(Issue::new(
                format!("{p}/outcome"),
                ErrorCode::UnknownOutcome,
                format!("outcome `{outcome}` is not held by any framework"),
            ));
            None
        }
    }
}

fn check_tie_break(steps: &[String], errors: &mut Vec<Issue>) -> Vec<TieBreakStep> {
    let mut out: Vec<TieBreakStep> = Vec::with_capacity(steps.len());
    for (k, step) in steps.iter().enumerate() {
        let pointer = format!("/scheme/tie_break/{k}");
        match TieBreakStep::parse(step) {
            None => errors.push(Issue::new(
                pointer,
                ErrorCode::InvalidTieBreak,
                format!("unknown tie-break step `{step}` (use social_value, quality, price, submitted_at)"),
            )),
            Some(s) if out.contains(&s) => errors.push(Issue::new(
                pointer,
                ErrorCode::InvalidTieBreak,
                format!("tie-break step `{step}` is repeated"),
            )),
            Some(s) => out.push(s),
        }
    }
    out
}

fn authority_name(a: AuthorityType) -> &'static str {
    match a {
        AuthorityType::CentralGovernment => "central government",
        AuthorityType::LocalAuthority => "a local authority",
        AuthorityType::Other => "this authority type",
    }
}

/// The minimum social value weighting, as the framework's data states it.
fn check_minimum(
    scheme: &Scheme,
    cat: &dyn Catalogue,
    framework: &str,
    errors: &mut Vec<Issue>,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(rule) = cat
        .weighting_rules(framework)
        .iter()
        .find(|r| r.authority_types.contains(&scheme.authority_type))
    else {
        return warnings;
    };
    let basis = match scheme.method {
        Method::WeightedSum => rule.basis.weighted_sum,
        Method::PricePerQualityPoint => rule.basis.price_per_quality_point,
    };
    let mut sv = Some(Decimal::ZERO);
    let mut base = Some(Decimal::ZERO);
    for c in &scheme.criteria {
        if c.kind == CriterionType::SocialValue {
            sv = sv.and_then(|s| s.checked_add(c.weight));
        }
        if basis == WeightBasis::AllWeights || c.kind != CriterionType::Price {
            base = base.and_then(|b| b.checked_add(c.weight));
        }
    }
    let (Some(sv), Some(base)) = (sv, base) else {
        return warnings;
    };
    if base <= Decimal::ZERO {
        return warnings;
    }
    // sv / base × 100 < min, without dividing: sv × 100 < min × base.
    let below = match (
        sv.checked_mul(Decimal::ONE_HUNDRED),
        rule.min_social_value_percent.checked_mul(base),
    ) {
        (Some(lhs), Some(rhs)) => lhs < rhs,
        _ => false,
    };
    if !below {
        return warnings;
    }
    let share = sv
        .checked_div(base)
        .and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED))
        .map_or("?".to_string(), |s| crate::scoring::decimal::approx(s, 2).0);
    let of_what = match basis {
        WeightBasis::AllWeights => "of the total weight",
        WeightBasis::NonPriceWeights => "of the non-price weight",
    };
    let min = rule.min_social_value_percent.normalize();
    let who = authority_name(scheme.authority_type);
    match (rule.severity, &scheme.social_value_exemption) {
        (RuleSeverity::Error, Some(ex)) if rule.exemption_allowed => warnings.push(Warning {
            code: WarningCode::SocialValueBelowMinimumExempted,
            message: format!(
                "social value has {share}% {of_what}, below the {min}% minimum for {who} ({framework}); \
                 exemption recorded: \"{}\", approved by {}",
                ex.reason, ex.approved_by
            ),
        }),
        (RuleSeverity::Error, _) => errors.push(Issue::new(
            "/scheme/criteria",
            ErrorCode::SocialValueBelowMinimum,
            format!(
                "social value has {share}% {of_what}, below the {min}% minimum for {who} ({framework}); \
                 raise it or record a social_value_exemption"
            ),
        )),
        (RuleSeverity::Warning, _) => warnings.push(Warning {
            code: WarningCode::SocialValueBelowRecommendedMinimum,
            message: format!(
                "social value has {share}% {of_what}, below the recommended {min}% for {who} ({framework})"
            ),
        }),
    }
    warnings
}
