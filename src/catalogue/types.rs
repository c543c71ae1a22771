//! Shapes of the built-in reference data (served as-is by `GET /v1/frameworks` and
//! `GET /v1/measure-sets`). Decimals are strings on the wire.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::scoring::{Measure, WeightingRule};

/// Licence under which reference data may be reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Licence name.
    #[schema(example = "Open Government Licence v3.0")]
    pub name: String,
    /// Where the licence text is published.
    #[schema(
        example = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )]
    pub url: Option<String>,
    /// The attribution statement to show with the data.
    #[schema(
        example = "Contains public sector information licensed under the Open Government Licence v3.0. © Crown copyright."
    )]
    pub attribution: String,
}

/// A Social Value Model: groups (themes or missions) → policy outcomes → award criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Framework code, the prefix of its outcome codes.
    #[schema(example = "PPN06-20")]
    pub code: String,
    /// Human name.
    #[schema(example = "Social Value Model (PPN 06/20)")]
    pub name: String,
    /// Edition or version of the model.
    #[schema(example = "1.1")]
    pub edition: String,
    /// When the model was published.
    #[schema(example = "2020")]
    pub published: String,
    /// The procurement law under which the model applies.
    #[schema(example = "Public Contracts Regulations 2015")]
    pub legal_regime: String,
    /// Which procurements the model applies to.
    pub applies_to: String,
    /// Where the model comes from.
    pub source: String,
    /// Reuse licence (Crown copyright, OGL v3.0 for both built-in models).
    pub licence: Licence,
    /// Name of the top level: `theme` (PPN 06/20) or `mission` (PPN 002).
    #[schema(example = "theme")]
    pub group_level: String,
    /// Name of the second level.
    #[schema(example = "policy_outcome")]
    pub outcome_level: String,
    /// Name of the third level.
    #[schema(example = "model_award_criterion")]
    pub criterion_level: String,
    /// What is and is not confirmed, in words.
    pub notes: Vec<String>,
    /// Themes or missions.
    pub groups: Vec<FrameworkGroup>,
    /// Policy outcomes with their award criteria.
    pub outcomes: Vec<PolicyOutcome>,
    /// Minimum social value weightings, applied by the scoring engine.
    pub weighting_rules: Vec<WeightingRule>,
}

/// A theme (PPN 06/20) or mission (PPN 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkGroup {
    /// Number within the framework.
    #[schema(example = 2)]
    pub number: u32,
    /// Short name.
    #[schema(example = "Tackling economic inequality")]
    pub name: String,
    /// Whether our sources confirm it.
    pub confirmed: bool,
}

/// A policy outcome; its `code` may be used as a criterion's `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyOutcome {
    /// Outcome code.
    #[schema(example = "PPN06-20:O2")]
    pub code: String,
    /// Number within the framework.
    #[schema(example = 2)]
    pub number: u32,
    /// Short name; `null` where our sources do not give it.
    #[schema(example = "Create new businesses, new jobs and new skills")]
    pub name: Option<String>,
    /// Whether our sources confirm it.
    pub confirmed: bool,
    /// Number of its theme or mission; `null` where not known.
    pub group: Option<u32>,
    /// What is uncertain about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its award criteria.
    pub award_criteria: Vec<AwardCriterion>,
}

/// A model award criterion; its `code` may be used as a criterion's `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardCriterion {
    /// Outcome code.
    #[schema(example = "PPN06-20:MAC2.1")]
    pub code: String,
    /// Label as the model numbers it.
    #[schema(example = "MAC 2.1")]
    pub label: String,
    /// socval's short title (not the official wording).
    #[schema(example = "Entrepreneurship and business creation")]
    pub title: String,
    /// Whether our sources confirm its number and wording.
    pub confirmed: bool,
    /// What is uncertain about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A versioned set of measures with proxy values and a crosswalk to outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSet {
    /// Set code.
    #[schema(example = "socval-sample")]
    pub code: String,
    /// Human name.
    pub name: String,
    /// Version; a changed set is a new version.
    #[schema(example = "2026.1")]
    pub version: String,
    /// First date the values apply to (`YYYY-MM-DD`).
    #[schema(example = "2026-01-01")]
    pub valid_from: String,
    /// Currency of the proxy values.
    #[schema(example = "GBP")]
    pub currency: String,
    /// `true` when the values are made up for demonstration and must not decide a contract.
    pub illustrative: bool,
    /// What the values are and are not.
    pub notice: String,
    /// Reuse licence.
    pub licence: Licence,
    /// Where the values come from.
    pub source: String,
    /// The measures.
    pub measures: Vec<SetMeasure>,
}

/// A measure of a measure set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetMeasure {
    /// Measure code (socval's own codes in the sample set).
    #[schema(example = "SVS-JOBS-LOCAL")]
    pub code: String,
    /// Human name.
    pub name: String,
    /// Unit of quantity.
    #[schema(example = "no. people FTE")]
    pub unit: String,
    /// Proxy value in the set's currency per unit.
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = String, example = "20000")]
    pub proxy_value: Decimal,
    /// `illustrative` in the sample set.
    #[schema(example = "illustrative")]
    pub proxy_value_basis: String,
    /// Default deadweight (fraction).
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = String, example = "0.2")]
    pub deadweight: Decimal,
    /// Default attribution (fraction).
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = String, example = "0")]
    pub attribution: Decimal,
    /// Default displacement (fraction).
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = String, example = "0")]
    pub displacement: Decimal,
    /// What counts.
    pub description: String,
    /// Crosswalk: outcome codes (of any framework) the measure counts towards.
    #[schema(example = json!(["PPN06-20:O2", "PPN002:1a"]))]
    pub outcomes: Vec<String>,
}

impl SetMeasure {
    /// The engine's view of this measure.
    pub fn to_measure(&self) -> Measure {
        Measure {
            code: self.code.clone(),
            name: self.name.clone(),
            unit: Some(self.unit.clone()),
            proxy_value: self.proxy_value,
            deadweight: self.deadweight,
            attribution: self.attribution,
            displacement: self.displacement,
            outcomes: self.outcomes.clone(),
        }
    }
}
