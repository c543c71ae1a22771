//! Validation: every rule of `scoring.md` checked at once, every failure listed with its JSON Pointer.
//!
//! Errors come out in request order: scheme, then measures, then bids. A request with no error is
//! resolved into a [`Plan`] and [`PreparedBid`]s for the computation.

mod bids;
mod criterion;
mod measures;
mod scheme;
mod social_value;

use crate::scoring::codes::{Issue, Warning};
use crate::scoring::model::Catalogue;
use crate::scoring::plan::{Ctx, Plan, PlanMeasure, PreparedBid};

/// Result of checking a request.
pub(crate) struct Checked<'a> {
    /// `Some` exactly when `errors` is empty.
    pub plan: Option<Plan<'a>>,
    pub bids: Vec<PreparedBid<'a>>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Warning>,
}

pub(crate) fn check<'a>(ctx: &Ctx<'a>, cat: &dyn Catalogue) -> Checked<'a> {
    let mut measure_errors = Vec::new();
    let measures = measures::check(ctx, cat, &mut measure_errors);
    let mut errors = Vec::new();
    let scheme = scheme::check(ctx, cat, &measures, &mut errors);
    errors.append(&mut measure_errors);
    let prepared = match ctx.bids {
        Some(bids) => bids::check(ctx, bids, &scheme.crits, &measures, &mut errors),
        None => Vec::new(),
    };
    let warnings = scheme.warnings;
    let plan = match (errors.is_empty(), scheme.plan) {
        (true, Some(criteria)) => {
            let mut outcomes: Vec<&'a str> = ctx
                .measures
                .iter()
                .flat_map(|m| m.outcomes.iter())
                .collect();
            outcomes.sort_unstable();
            outcomes.dedup();
            let mut plan_measures: Vec<PlanMeasure> = ctx
                .measures
                .iter()
                .map(|m| PlanMeasure {
                    outcomes: m
                        .outcomes
                        .iter()
                        .filter_map(|o| outcomes.binary_search(&o).ok())
                        .filter_map(|i| u32::try_from(i).ok())
                        .collect(),
                    criteria: Vec::new(),
                })
                .collect();
            // From each criterion to its measures, not from each measure through every criterion:
            // linear in what the scheme lists, where asking each measure was measures² × criteria
            // (seconds of CPU for one request listing thousands of measures). Criteria are visited
            // in order, so each measure's list comes out ascending.
            for (c, ci) in criteria.iter().zip(0u32..) {
                for &at in c.quant.iter().flat_map(|q| &q.measures) {
                    if let Some(measure) = usize::try_from(at)
                        .ok()
                        .and_then(|at| plan_measures.get_mut(at))
                    {
                        measure.criteria.push(ci);
                    }
                }
            }
            Some(Plan {
                method: ctx.scheme.method,
                criteria,
                tie_break: scheme.tie_break,
                alt_threshold: ctx.scheme.alt_threshold,
                sv_outlier_percent: ctx.scheme.sv_outlier_percent,
                measures: plan_measures,
                outcomes,
                warnings: warnings.clone(),
            })
        }
        _ => None,
    };
    Checked {
        plan,
        bids: prepared,
        errors,
        warnings,
    }
}
