//! The scheme: method, authority type, criteria and their options.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::scoring::decimal;

/// How bids are totalled and ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Total = sum of points of every criterion; highest total wins.
    #[default]
    WeightedSum,
    /// Price ÷ quality points (sum of the non-price points); lowest wins. No `price` criterion.
    PricePerQualityPoint,
}

/// Kind of contracting authority; decides which weighting rule of the framework applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityType {
    /// Departments, executive agencies, non-departmental public bodies (10% minimum applies).
    CentralGovernment,
    /// Councils (10% is recommended, not required).
    LocalAuthority,
    /// Any other buyer.
    Other,
}

/// The three kinds of award criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionType {
    /// Scored by formula from the bid price.
    Price,
    /// Scored from an evaluator's (consensus) mark.
    Quality,
    /// Social value: qualitative (mark), quantitative (commitments) or mixed.
    SocialValue,
}

/// Price scoring formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceMethod {
    /// `f = lowest qualified price ÷ bid price`.
    #[default]
    LowestRelative,
    /// `f = (highest − bid) ÷ (highest − lowest)`, 1 when all prices are equal.
    LinearMinMax,
    /// `f` from the band that holds the bid's % above the lowest qualified price.
    BandedRelative,
}

/// How a social value criterion is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SocialValueMethod {
    /// From a mark on `scale`, like quality.
    Qualitative,
    /// From the bid's social value in money (commitments × proxy values).
    Quantitative,
    /// `split.qualitative` % qualitative + `split.quantitative` % quantitative.
    Mixed,
}

/// How the quantitative part of a social value criterion turns money into a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuantitativeBasis {
    /// `f = SV£ ÷ highest SV£ among qualified bids` (0 for all when the highest is 0).
    #[default]
    RelativeToHighest,
    /// `f = min(1, (SV£ ÷ price × 100) ÷ target_percent)`.
    PercentOfPriceTarget,
}

/// One step of the tie-break chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TieBreakStep {
    /// Higher social value points first.
    SocialValue,
    /// Higher quality points (criteria of type `quality` only) first.
    Quality,
    /// Lower price first.
    Price,
    /// Earlier `submitted_at` first.
    SubmittedAt,
}

impl TieBreakStep {
    /// The wire name of the step.
    pub fn as_str(self) -> &'static str {
        match self {
            TieBreakStep::SocialValue => "social_value",
            TieBreakStep::Quality => "quality",
            TieBreakStep::Price => "price",
            TieBreakStep::SubmittedAt => "submitted_at",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            Self::SocialValue,
            Self::Quality,
            Self::Price,
            Self::SubmittedAt,
        ]
        .into_iter()
        .find(|step| step.as_str() == s)
    }
}

fn default_tie_break() -> Vec<String> {
    ["social_value", "quality", "price", "submitted_at"]
        .map(String::from)
        .to_vec()
}

fn default_alt_threshold() -> Decimal {
    Decimal::new(4, 1)
}

fn default_sv_outlier_percent() -> Decimal {
    Decimal::from(50)
}

/// The scoring scheme of one lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Totalling method; default `weighted_sum`.
    #[serde(default)]
    pub method: Method,
    /// Kind of buyer: decides the minimum social value weighting rule.
    pub authority_type: AuthorityType,
    /// The award criteria (at most 100); weights must sum to exactly 100.
    #[serde(deserialize_with = "criteria")]
    #[schema(max_items = 100)]
    pub criteria: Vec<Criterion>,
    /// Ordered tie-break steps from `social_value`, `quality`, `price`, `submitted_at`;
    /// default all four in that order; `[]` means no tie-breaking.
    #[serde(default = "default_tie_break")]
    #[schema(example = json!(["social_value", "quality", "price", "submitted_at"]))]
    pub tie_break: Vec<String>,
    /// Abnormally-low-price threshold as a fraction in [0, 1); default `"0.4"`.
    #[serde(default = "default_alt_threshold", with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0.4")]
    pub alt_threshold: Decimal,
    /// Flag a bid whose social value exceeds this % of its price; default `"50"`.
    #[serde(default = "default_sv_outlier_percent", with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "50")]
    pub sv_outlier_percent: Decimal,
    /// Allows a central-government scheme below the minimum; recorded and reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_value_exemption: Option<Exemption>,
}

/// Most criteria one scheme may have. Every bid is scored on every criterion, so an evaluation's
/// result grows with bids × criteria (about 300 bytes each) while a body grows with their sum; real
/// schemes have a few dozen at most.
pub const MAX_CRITERIA: usize = 100;

fn criteria<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Criterion>, D::Error> {
    deserializer.deserialize_seq(AtMost {
        max: MAX_CRITERIA,
        what: "criteria",
        items: std::marker::PhantomData,
    })
}

/// A list of at most `max` items, refused (`invalid_body` at the list's pointer) as soon as one
/// more arrives rather than after all of them are parsed.
struct AtMost<T> {
    max: usize,
    what: &'static str,
    items: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for AtMost<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
        while let Some(item) = seq.next_element()? {
            if items.len() == self.max {
                return Err(serde::de::Error::custom(format_args!(
                    "more than {max} {what}: at most {max} are allowed",
                    max = self.max,
                    what = self.what
                )));
            }
            items.push(item);
        }
        Ok(items)
    }
}

/// A recorded exemption from the minimum social value weighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Why the minimum does not apply.
    #[schema(example = "Emergency procurement under regulation 32")]
    pub reason: String,
    /// Who approved it.
    #[schema(example = "Commercial Director")]
    pub approved_by: String,
}

/// An award criterion. Which optional fields apply depends on `type` (and `method` for social value);
/// a field that does not apply is refused (`invalid_body`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Unique id within the scheme; marks refer to it.
    #[schema(example = "q1")]
    pub id: String,
    /// Human name, shown in summaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Technical approach")]
    pub name: Option<String>,
    /// `price`, `quality` or `social_value`.
    #[serde(rename = "type")]
    pub kind: CriterionType,
    /// Weight in points (> 0); all weights sum to exactly 100.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "30")]
    pub weight: Decimal,
    /// Price only: scoring formula, default `lowest_relative`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_method: Option<PriceMethod>,
    /// Price with `banded_relative` only: custom bands (default 0 → 1, 25 → 0.8, 50 → 0.6, 100 → 0.4, above → 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<Band>>,
    /// Quality, qualitative and mixed social value: the marking scale (required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Pass mark in scale units; disqualifies only with `knockout: true`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option"
    )]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "40")]
    pub pass_mark: Option<Decimal>,
    /// A mark below `pass_mark` disqualifies the bid.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub knockout: bool,
    /// Social value only (required): outcome code of the Social Value Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "PPN06-20:MAC2.1")]
    pub outcome: Option<String>,
    /// Social value only (required): `qualitative`, `quantitative` or `mixed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<SocialValueMethod>,
    /// Quantitative and mixed: measure codes; absent or empty = every measure mapped to `outcome`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["SVS-JOBS-LOCAL"]))]
    pub measures: Option<Vec<String>>,
    /// Quantitative and mixed: default `relative_to_highest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantitative_basis: Option<QuantitativeBasis>,
    /// With `percent_of_price_target` (required there, > 0): target SV as % of price.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option"
    )]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "5")]
    pub target_percent: Option<Decimal>,
    /// Mixed only (required): the split between qualitative and quantitative parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
}

/// A price band: bids at most `up_to_percent_above_lowest` % above the lowest score `fraction`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Upper edge in % above the lowest qualified price; `null` on the last band means "above".
    #[serde(default, with = "decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "25")]
    pub up_to_percent_above_lowest: Option<Decimal>,
    /// Fraction in [0, 1] scored in this band.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0.8")]
    pub fraction: Decimal,
}

/// A marking scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest mark.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0")]
    pub min: Decimal,
    /// Highest mark (> `min`).
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "100")]
    pub max: Decimal,
    /// When given, the only marks allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option_vec"
    )]
    #[schema(value_type = Option<Vec<crate::scoring::DecimalInput>>, example = json!(["0", "25", "50", "75", "100"]))]
    pub levels: Option<Vec<Decimal>>,
}

/// Split of a mixed social value criterion, in % (sums to 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// % of the criterion scored from the mark.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "50")]
    pub qualitative: Decimal,
    /// % of the criterion scored from commitments.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "50")]
    pub quantitative: Decimal,
}
