//! The resolved form of a valid request: what validation hands to the computation.
//!
//! Everything the hot path needs is precomputed here once: measure lookups become indices, each
//! measure's net proxy factor is multiplied out, and each quantitative criterion knows its measures.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use super::codes::Warning;
use super::model::{
    Bid, CriterionType, EvaluatorMarks, InlineMeasure, Measure, Method, QuantitativeBasis, Scheme,
    TieBreakStep,
};
use super::result::MeasureValue;

/// The outcome codes of a measure: one (inline) or a crosswalk (measure set).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcomes<'a> {
    One(&'a str),
    Many(&'a [String]),
}

impl<'a> Outcomes<'a> {
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Outcomes::One(o) => (Some(o), &[][..]),
            Outcomes::Many(list) => (None, list),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }
}

/// A measure as validation and computation see it, borrowed from the request or the catalogue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MeasureView<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub unit: Option<&'a str>,
    pub proxy_value: Decimal,
    pub deadweight: Decimal,
    pub attribution: Decimal,
    pub displacement: Decimal,
    pub outcomes: Outcomes<'a>,
}

impl<'a> MeasureView<'a> {
    pub fn inline(m: &'a InlineMeasure) -> Self {
        MeasureView {
            code: &m.code,
            name: &m.name,
            unit: m.unit.as_deref(),
            proxy_value: m.proxy_value,
            deadweight: m.deadweight.unwrap_or_default(),
            attribution: m.attribution.unwrap_or_default(),
            displacement: m.displacement.unwrap_or_default(),
            outcomes: Outcomes::One(&m.outcome),
        }
    }

    pub fn stored(m: &'a Measure) -> Self {
        MeasureView {
            code: &m.code,
            name: &m.name,
            unit: m.unit.as_deref(),
            proxy_value: m.proxy_value,
            deadweight: m.deadweight,
            attribution: m.attribution,
            displacement: m.displacement,
            outcomes: Outcomes::Many(&m.outcomes),
        }
    }
}

/// How pointers to measure fields are spelled, depending on where the measures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeasureOrigin {
    /// `measures[]` of a preview/validate body: `/measures/k/outcome`.
    Inline,
    /// `EvaluationInput::measures`: `/measures/k/outcomes/j`.
    Stored,
    /// The catalogue's default set (validated by the catalogue's own tests).
    Builtin,
}

/// Everything one call looks at, borrowed from the request.
pub(crate) struct Ctx<'a> {
    pub currency: &'a str,
    pub scheme: &'a Scheme,
    pub measures: Vec<MeasureView<'a>>,
    pub origin: MeasureOrigin,
    /// `None` for `validate` (a scheme without bids).
    pub bids: Option<&'a [Bid]>,
    pub framework: Option<&'a str>,
    pub evaluator_marks: &'a [EvaluatorMarks],
}

/// Escape one JSON Pointer reference token (RFC 6901).
pub(crate) fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

#[derive(Debug, Clone)]
pub(crate) enum PriceRule {
    Lowest,
    Linear,
    /// `(edge rounded to 20 places, fraction)`; `None` edge = "above".
    Banded(Vec<(Option<Decimal>, Decimal)>),
}

#[derive(Debug, Clone)]
pub(crate) struct MarkRule {
    pub min: Decimal,
    pub max: Decimal,
    pub range: Decimal,
    pub pass_mark: Option<Decimal>,
    pub knockout: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct QuantRule {
    pub basis: QuantitativeBasis,
    /// `target_percent` for `percent_of_price_target`.
    pub target: Decimal,
    /// Indices into the measure list.
    pub measures: Vec<u32>,
}

impl QuantRule {
    pub fn is_relative(&self) -> bool {
        self.basis == QuantitativeBasis::RelativeToHighest
    }
}

/// A criterion, resolved.
#[derive(Debug, Clone)]
pub(crate) struct PlanCriterion<'a> {
    pub id: &'a str,
    pub kind: CriterionType,
    pub weight: Decimal,
    pub price: Option<PriceRule>,
    pub mark: Option<MarkRule>,
    pub quant: Option<QuantRule>,
    /// `(qualitative %, quantitative %)` for mixed criteria.
    pub split: Option<(Decimal, Decimal)>,
}

/// A measure, resolved.
#[derive(Debug, Clone)]
pub(crate) struct PlanMeasure {
    /// Indices into [`Plan::outcomes`].
    pub outcomes: Vec<u32>,
    /// Quantitative criteria (indices) whose SV£ this measure counts towards.
    pub criteria: Vec<u32>,
}

/// A valid scheme and measure list, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'a> {
    pub method: Method,
    pub criteria: Vec<PlanCriterion<'a>>,
    pub tie_break: Vec<TieBreakStep>,
    pub alt_threshold: Decimal,
    pub sv_outlier_percent: Decimal,
    pub measures: Vec<PlanMeasure>,
    /// Every outcome code of every measure, sorted byte-wise.
    pub outcomes: Vec<&'a str>,
    pub warnings: Vec<Warning>,
}

/// A bid after validation: marks aligned with the criteria, commitments resolved and valued.
#[derive(Debug, Clone)]
pub(crate) struct PreparedBid<'a> {
    pub marks: Vec<Option<Decimal>>,
    /// Each commitment valued, in bid order (moved into the result's `by_measure`).
    pub commitments: Vec<MeasureValue<'a>>,
    pub sv_total: Decimal,
    pub sv_percent: Decimal,
    pub price: Decimal,
    pub submitted_at: DateTime<FixedOffset>,
}
