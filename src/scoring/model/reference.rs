//! Reference data the engine reads through the [`Catalogue`] trait: outcome codes, weighting rules
//! and the default measure set.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bid::Measure;
use super::scheme::AuthorityType;
use crate::scoring::decimal;

/// Which basis a weighting rule's percentage is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeightBasis {
    /// All criterion weights.
    AllWeights,
    /// The weights of criteria that are not of type `price`.
    NonPriceWeights,
}

/// Basis of a weighting rule under each scoring method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightingBasis {
    /// Basis under `weighted_sum`.
    pub weighted_sum: WeightBasis,
    /// Basis under `price_per_quality_point`.
    pub price_per_quality_point: WeightBasis,
}

/// Whether breaking a weighting rule rejects the scheme or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleSeverity {
    /// `social_value_below_minimum` (or, with an allowed exemption, a warning).
    Error,
    /// `social_value_below_recommended_minimum`.
    Warning,
}

/// A minimum social value weighting, held as framework data so a new model is a data change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightingRule {
    /// Authority types the rule applies to.
    pub authority_types: Vec<AuthorityType>,
    /// Minimum social value weights as % of the basis.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = String, example = "10")]
    pub min_social_value_percent: Decimal,
    /// Basis of the percentage under each method.
    pub basis: WeightingBasis,
    /// `error` rejects the scheme; `warning` only warns.
    pub severity: RuleSeverity,
    /// Whether a recorded `social_value_exemption` turns the error into a warning.
    pub exemption_allowed: bool,
    /// What the rule says, in words.
    pub description: String,
}

/// Reference data the engine needs: frameworks (outcome codes, weighting rules) and the default
/// measure set. `crate::catalogue::Builtin` implements it; tests may inject their own.
pub trait Catalogue {
    /// The code of the framework that holds `outcome`, if any.
    fn outcome_framework(&self, outcome: &str) -> Option<&str>;
    /// The weighting rules of a framework (empty for an unknown framework).
    fn weighting_rules(&self, framework: &str) -> &[WeightingRule];
    /// The framework whose rules apply when a scheme names no outcome and none is pinned.
    fn default_framework(&self) -> &str;
    /// The measure set used by a preview or validate request without inline `measures`.
    fn default_measures(&self) -> &[Measure];
    /// The parent of an outcome code in its framework's hierarchy (an award criterion's policy
    /// outcome), if it has one. A measure mapped to `PPN002:1a` then counts towards a criterion
    /// whose outcome is the policy outcome `PPN002:O1`.
    fn outcome_parent(&self, _outcome: &str) -> Option<&str> {
        None
    }
}

/// Whether a measure mapped to `measure_outcome` counts towards a criterion on `criterion_outcome`:
/// the same code, or `criterion_outcome` is an ancestor of it.
pub(crate) fn outcome_covers(
    cat: &dyn Catalogue,
    criterion_outcome: &str,
    measure_outcome: &str,
) -> bool {
    let mut current = Some(measure_outcome);
    // Frameworks are shallow; the bound guards against a cyclic catalogue.
    for _ in 0..8 {
        match current {
            Some(code) if code == criterion_outcome => return true,
            Some(code) => current = cat.outcome_parent(code),
            None => return false,
        }
    }
    false
}
