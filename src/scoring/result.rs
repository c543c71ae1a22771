//! The evaluation result, in exactly the shape of `scoring.md` "Result".
//!
//! Decimals serialise as normalised strings; `*_display` values as strings with exactly two places.
//! A result borrows ids and codes from the request (and the catalogue) it was computed from, so
//! scoring a large lot copies no strings; serialise it (or copy what you need) while they are alive.
//! Explanations and display values are written when the result is serialised or displayed.

use rust_decimal::Decimal;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::codes::{DisqualificationReason, Flag, Warning};
use super::decimal::{self, Display2};
use super::explain::{ExplanationText, Why};
use super::model::{CriterionType, Method};

/// The outcome of one evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResult<'a> {
    /// Version of the scoring rules that produced this result.
    #[schema(example = "1.1.0")]
    pub engine_version: &'static str,
    /// Hex SHA-256 of the canonical form of the parsed inputs.
    #[schema(example = "3f1c5b0e9a7d2c4b6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f")]
    pub inputs_sha256: String,
    /// The scheme's totalling method.
    pub method: Method,
    /// Id of the single rank-1 bid; `null` when no bid qualifies or several share rank 1.
    #[schema(value_type = Option<String>, example = "B")]
    pub winner: Option<&'a str>,
    /// Evaluation-wide warnings.
    pub warnings: Vec<Warning>,
    /// Qualified bids by rank (ties by id), then disqualified bids by id.
    pub results: Vec<BidResult<'a>>,
}

/// Whether a bid takes part in the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    /// Ranked.
    Qualified,
    /// Not ranked; see `disqualification_reasons`.
    Disqualified,
}

/// One bid's scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BidResult<'a> {
    /// The bid's id.
    #[schema(value_type = String, example = "B")]
    pub bid_id: &'a str,
    /// `qualified` or `disqualified`.
    pub status: BidStatus,
    /// Competition rank (1, 1, 3); `null` when disqualified.
    #[schema(example = 1)]
    pub rank: Option<u32>,
    /// Why the bid was disqualified (empty when qualified).
    pub disqualification_reasons: Vec<DisqualificationReason>,
    /// Exact total points (quality points under `price_per_quality_point`); `null` when disqualified.
    #[serde(serialize_with = "decimal::option::serialize")]
    #[schema(value_type = Option<String>, example = "87")]
    pub total: Option<Decimal>,
    /// `total` rounded once, half-up, to exactly 2 places.
    #[schema(value_type = Option<String>, example = "87.00")]
    pub total_display: Option<Display2>,
    /// Price per quality point (only under `price_per_quality_point`; `null` when disqualified).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "nested_decimal"
    )]
    #[schema(value_type = Option<String>, example = "857.14285714285714285714285714")]
    pub ppqp: Option<Option<Decimal>>,
    /// `ppqp` rounded once, half-up, to exactly 2 places.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "857.14")]
    pub ppqp_display: Option<Option<Display2>>,
    /// Points per criterion type.
    pub subtotals: Subtotals,
    /// The bid's social value in money.
    pub social_value: SocialValueSummary<'a>,
    /// Per-criterion scores, in scheme order.
    #[schema(value_type = Vec<CriterionResultDoc>)]
    pub criteria: Vec<CriterionResult<'a>>,
    /// Reasons for a person to look (never change a score); empty for disqualified bids.
    pub flags: Vec<Flag>,
}

fn nested_decimal<S: Serializer>(v: &Option<Option<Decimal>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(Some(d)) => decimal::write_normalized(d, s),
        _ => s.serialize_none(),
    }
}

/// Sums of points of the criteria of each type; `null` where a criterion of that type was not scored
/// (a disqualified bid's price or relative social value).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subtotals {
    /// Price points (`"0"` under `price_per_quality_point`).
    #[serde(serialize_with = "decimal::option::serialize")]
    #[schema(value_type = Option<String>, example = "60")]
    pub price: Option<Decimal>,
    /// Quality points (criteria of type `quality` only).
    #[serde(serialize_with = "decimal::option::serialize")]
    #[schema(value_type = Option<String>, example = "18")]
    pub quality: Option<Decimal>,
    /// Social value points (a mixed criterion counts wholly as social value).
    #[serde(serialize_with = "decimal::option::serialize")]
    #[schema(value_type = Option<String>, example = "9")]
    pub social_value: Option<Decimal>,
}

/// A bid's social value in money, from all its commitments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SocialValueSummary<'a> {
    /// SV£ of all the bid's commitments.
    #[serde(serialize_with = "decimal::exact::serialize")]
    #[schema(value_type = String, example = "6000")]
    pub value: Decimal,
    /// `value ÷ price × 100`.
    #[serde(serialize_with = "decimal::exact::serialize")]
    #[schema(value_type = String, example = "6.66666666666666666666666667")]
    pub percent_of_price: Decimal,
    /// Each commitment, in bid order (two commitments to one measure are both listed).
    pub by_measure: Vec<MeasureValue<'a>>,
    /// Sums per outcome code (byte-wise order). A measure mapped to several outcomes (e.g. one per
    /// framework) counts in full towards each of them.
    pub by_outcome: Vec<OutcomeValue<'a>>,
}

/// One commitment, valued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasureValue<'a> {
    /// Measure code.
    #[schema(value_type = String, example = "JOBS")]
    pub measure: &'a str,
    /// Committed quantity.
    #[serde(serialize_with = "decimal::exact::serialize")]
    #[schema(value_type = String, example = "6")]
    pub quantity: Decimal,
    /// `quantity × proxy × (1 − deadweight) × (1 − attribution) × (1 − displacement)`.
    #[serde(serialize_with = "decimal::exact::serialize")]
    #[schema(value_type = String, example = "6000")]
    pub value: Decimal,
    /// Position of the measure in the measure list.
    #[serde(skip)]
    pub(crate) index: u32,
}

/// Social value towards one outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeValue<'a> {
    /// Outcome code.
    #[schema(value_type = String, example = "PPN06-20:MAC2.2")]
    pub outcome: &'a str,
    /// Sum of the values of the commitments to measures mapped to it.
    #[serde(serialize_with = "decimal::exact::serialize")]
    #[schema(value_type = String, example = "6000")]
    pub value: Decimal,
}

/// What a criterion's fraction was computed from.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct CriterionInput {
    /// The bid price (price criteria, and `percent_of_price_target`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal::option::serialize"
    )]
    #[schema(value_type = Option<String>, example = "100000")]
    pub price: Option<Decimal>,
    /// The mark (quality, qualitative and mixed social value).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal::option::serialize"
    )]
    #[schema(value_type = Option<String>, example = "80")]
    pub mark: Option<Decimal>,
    /// The criterion's SV£: commitments to its measures (quantitative and mixed).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "decimal::option::serialize"
    )]
    #[schema(value_type = Option<String>, example = "3000")]
    pub social_value: Option<Decimal>,
}

/// One criterion's score for one bid. Serialises as [`CriterionResultDoc`] describes, with
/// `points_display` and `explanation` written from the other fields.
#[derive(Debug, Clone)]
pub struct CriterionResult<'a> {
    /// The criterion's id.
    pub criterion_id: &'a str,
    /// The criterion's type.
    pub kind: CriterionType,
    /// The criterion's weight.
    pub weight: Decimal,
    /// Inputs of the formula.
    pub input: CriterionInput,
    /// Exact fraction in [0, 1]; `None` when not scored (a disqualified bid's relative criteria).
    pub fraction: Option<Decimal>,
    /// `weight × fraction`, exact.
    pub points: Option<Decimal>,
    pub(crate) why: Why<'a>,
}

impl CriterionResult<'_> {
    /// `points` rounded once, half-up, to exactly 2 places.
    pub fn points_display(&self) -> Option<Display2> {
        self.points.map(Display2)
    }

    /// One plain sentence a supplier can read: en-GB money, exact numbers where short, "≈" where
    /// rounded, and for a disqualified bid why a relative criterion was not scored.
    pub fn explanation(&self) -> impl std::fmt::Display + '_ {
        ExplanationText(self)
    }
}

impl Serialize for CriterionResult<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Opt(Option<Decimal>);
        impl Serialize for Opt {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                decimal::option::serialize(&self.0, s)
            }
        }
        struct Exact(Decimal);
        impl Serialize for Exact {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                decimal::write_normalized(&self.0, s)
            }
        }
        let mut st = s.serialize_struct("CriterionResult", 8)?;
        st.serialize_field("criterion_id", self.criterion_id)?;
        st.serialize_field("type", &self.kind)?;
        st.serialize_field("weight", &Exact(self.weight))?;
        st.serialize_field("input", &self.input)?;
        st.serialize_field("fraction", &Opt(self.fraction))?;
        st.serialize_field("points", &Opt(self.points))?;
        st.serialize_field("points_display", &self.points_display())?;
        st.serialize_field("explanation", &Collect(ExplanationText(self)))?;
        st.end()
    }
}

struct Collect<T>(T);

impl<T: std::fmt::Display> Serialize for Collect<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// One criterion's score for one bid (the JSON form of [`CriterionResult`]).
#[derive(Serialize, ToSchema)]
#[schema(as = CriterionResult)]
#[allow(dead_code)]
pub struct CriterionResultDoc {
    /// The criterion's id.
    #[schema(example = "price")]
    criterion_id: String,
    /// The criterion's type.
    #[serde(rename = "type")]
    kind: CriterionType,
    /// The criterion's weight.
    #[schema(example = "60")]
    weight: String,
    /// Inputs of the formula.
    input: CriterionInput,
    /// Exact fraction in [0, 1]; `null` when not scored (a disqualified bid's price and relative
    /// social value).
    #[schema(example = "0.9")]
    fraction: Option<String>,
    /// `weight × fraction`, exact.
    #[schema(example = "54")]
    points: Option<String>,
    /// `points` rounded once, half-up, to exactly 2 places.
    #[schema(example = "54.00")]
    points_display: Option<String>,
    /// One plain sentence a supplier can read.
    #[schema(
        example = "Lowest qualified price £90,000 ÷ your price £100,000 = 0.9 × 60 = 54 points"
    )]
    explanation: String,
}
