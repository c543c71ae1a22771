//! Stable machine-readable codes: validation errors, warnings, flags and disqualification reasons.
//!
//! Every code serialises in `snake_case` exactly as `shared/design/scoring.md` spells it. The HTTP layer
//! builds its RFC 9457 problem documents from [`Rejection`] and reuses [`ErrorCode::InvalidBody`] for
//! serde failures, so there is one list of codes in the whole service.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a request (or part of it) was rejected. One code per rule of `scoring.md`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A criterion id appears twice (reported at the second occurrence).
    DuplicateCriterionId,
    /// A bid id appears twice (reported at the second occurrence).
    DuplicateBidId,
    /// A measure code appears twice in a measure list (reported at the second occurrence).
    DuplicateMeasureCode,
    /// A criterion weight is zero or negative.
    WeightNotPositive,
    /// Criterion weights do not sum to exactly 100.
    #[serde(rename = "weights_sum_not_100")]
    WeightsSumNot100,
    /// `weighted_sum` with more than one `price` criterion.
    MultiplePriceCriteria,
    /// `price_per_quality_point` with a `price` criterion.
    PriceCriterionNotAllowed,
    /// `min >= max`, a level or `pass_mark` outside the scale, empty `levels`, `knockout` without `pass_mark`.
    InvalidScale,
    /// A mixed criterion's split is missing, has a negative part or does not sum to 100.
    #[serde(rename = "split_not_100")]
    SplitNot100,
    /// Central government below the minimum social value weighting, without an exemption.
    SocialValueBelowMinimum,
    /// An outcome code that the framework does not hold.
    UnknownOutcome,
    /// A measure code that the measure set does not hold.
    UnknownMeasure,
    /// A criterion lists a measure that the crosswalk maps to another outcome.
    MeasureOutcomeMismatch,
    /// `deadweight`, `attribution`, `displacement` or `alt_threshold` outside [0, 1); a proxy value < 0.
    InvalidFraction,
    /// A bid price is zero or negative.
    PriceNotPositive,
    /// A bid in another currency than the request's (or tender's).
    CurrencyMismatch,
    /// A scored criterion has no mark for a bid.
    MissingMark,
    /// A mark outside the criterion's scale or not one of its `levels`.
    MarkOutOfScale,
    /// A commitment quantity is negative.
    QuantityNegative,
    /// An evaluation with no bids.
    NoBids,
    /// A mark for an unknown criterion, or for a price or quantitative criterion.
    MarkNotExpected,
    /// The outcome codes of one scheme come from more than one framework.
    MixedFrameworks,
    /// A `tie_break` entry is unknown or repeated.
    InvalidTieBreak,
    /// Custom price bands are empty, not strictly increasing, or have a fraction outside [0, 1].
    InvalidBands,
    /// `percent_of_price_target` without a `target_percent` > 0.
    InvalidTarget,
    /// The body has a missing required field, a wrong type, an unknown field or an unknown enum value.
    InvalidBody,
    /// A computed amount exceeds the range of exact decimal arithmetic (about 7.9 × 10^28).
    /// Not in `scoring.md` v1: proposed addition, see the engine's module documentation.
    ValueOutOfRange,
}

impl ErrorCode {
    /// Every code, in declaration order (used by tests and documentation).
    pub const ALL: [ErrorCode; 27] = [
        ErrorCode::DuplicateCriterionId,
        ErrorCode::DuplicateBidId,
        ErrorCode::DuplicateMeasureCode,
        ErrorCode::WeightNotPositive,
        ErrorCode::WeightsSumNot100,
        ErrorCode::MultiplePriceCriteria,
        ErrorCode::PriceCriterionNotAllowed,
        ErrorCode::InvalidScale,
        ErrorCode::SplitNot100,
        ErrorCode::SocialValueBelowMinimum,
        ErrorCode::UnknownOutcome,
        ErrorCode::UnknownMeasure,
        ErrorCode::MeasureOutcomeMismatch,
        ErrorCode::InvalidFraction,
        ErrorCode::PriceNotPositive,
        ErrorCode::CurrencyMismatch,
        ErrorCode::MissingMark,
        ErrorCode::MarkOutOfScale,
        ErrorCode::QuantityNegative,
        ErrorCode::NoBids,
        ErrorCode::MarkNotExpected,
        ErrorCode::MixedFrameworks,
        ErrorCode::InvalidTieBreak,
        ErrorCode::InvalidBands,
        ErrorCode::InvalidTarget,
        ErrorCode::InvalidBody,
        ErrorCode::ValueOutOfRange,
    ];

    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::DuplicateCriterionId => "duplicate_criterion_id",
            ErrorCode::DuplicateBidId => "duplicate_bid_id",
            ErrorCode::DuplicateMeasureCode => "duplicate_measure_code",
            ErrorCode::WeightNotPositive => "weight_not_positive",
            ErrorCode::WeightsSumNot100 => "weights_sum_not_100",
            ErrorCode::MultiplePriceCriteria => "multiple_price_criteria",
            ErrorCode::PriceCriterionNotAllowed => "price_criterion_not_allowed",
            ErrorCode::InvalidScale => "invalid_scale",
            ErrorCode::SplitNot100 => "split_not_100",
            ErrorCode::SocialValueBelowMinimum => "social_value_below_minimum",
            ErrorCode::UnknownOutcome => "unknown_outcome",
            ErrorCode::UnknownMeasure => "unknown_measure",
            ErrorCode::MeasureOutcomeMismatch => "measure_outcome_mismatch",
            ErrorCode::InvalidFraction => "invalid_fraction",
            ErrorCode::PriceNotPositive => "price_not_positive",
            ErrorCode::CurrencyMismatch => "currency_mismatch",
            ErrorCode::MissingMark => "missing_mark",
            ErrorCode::MarkOutOfScale => "mark_out_of_scale",
            ErrorCode::QuantityNegative => "quantity_negative",
            ErrorCode::NoBids => "no_bids",
            ErrorCode::MarkNotExpected => "mark_not_expected",
            ErrorCode::MixedFrameworks => "mixed_frameworks",
            ErrorCode::InvalidTieBreak => "invalid_tie_break",
            ErrorCode::InvalidBands => "invalid_bands",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::ValueOutOfRange => "value_out_of_range",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validation failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Issue {
    /// JSON Pointer (RFC 6901) into the request body.
    #[schema(example = "/scheme/criteria/2/weight")]
    pub pointer: String,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Plain-English explanation for a person.
    #[schema(example = "weight must be greater than 0, got -5")]
    pub message: String,
}

impl Issue {
    /// An issue at `pointer` (the HTTP layer builds `invalid_body` issues from serde errors with it).
    pub fn new(pointer: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Issue {
            pointer: pointer.into(),
            code,
            message: message.into(),
        }
    }
}

/// Code of a [`Warning`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// Central government below the minimum, allowed by a recorded `social_value_exemption`.
    SocialValueBelowMinimumExempted,
    /// Another authority type below the recommended minimum social value weighting.
    SocialValueBelowRecommendedMinimum,
    /// No bid qualified, so there is no winner.
    NoQualifiedBids,
    /// Two or more bids share rank 1: a person must decide.
    WinnerUndetermined,
}

impl WarningCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::SocialValueBelowMinimumExempted => "social_value_below_minimum_exempted",
            WarningCode::SocialValueBelowRecommendedMinimum => {
                "social_value_below_recommended_minimum"
            }
            WarningCode::NoQualifiedBids => "no_qualified_bids",
            WarningCode::WinnerUndetermined => "winner_undetermined",
        }
    }
}

/// Something a person should know; never blocks an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    /// Stable machine-readable code.
    pub code: WarningCode,
    /// Plain-English explanation.
    #[schema(example = "no bid qualified: there is no winner")]
    pub message: String,
}

/// Code of a [`Flag`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// Price below `(1 − alt_threshold) ×` the mean price of the other qualified bids.
    AbnormallyLowPrice,
    /// Social value above `sv_outlier_percent` % of the bid's price.
    SocialValueUnusuallyHigh,
    /// Still tied after every tie-break step.
    TieUnresolved,
    /// Its ranking key (total or ppqp) equals another qualified bid's, and a tie-break step gave
    /// the two different ranks (engine 1.1).
    TieBroken,
    /// Evaluators' marks for one criterion spread by more than 40% of the scale range (stored tenders).
    MarksDiscrepancy,
}

/// Asks a person to look at a bid; never changes a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Flag {
    /// Stable machine-readable code.
    pub code: FlagCode,
    /// Plain-English explanation.
    #[schema(
        example = "price £50,000 is below 60% of the mean of the other qualified bids (£95,000)"
    )]
    pub message: String,
}

/// Code of a [`DisqualificationReason`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// A knockout criterion's mark is below its pass mark.
    KnockoutFailed,
    /// Under `price_per_quality_point`, the bid has no quality points.
    NoQualityPoints,
}

/// Why a bid was disqualified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DisqualificationReason {
    /// Stable machine-readable code.
    pub code: ReasonCode,
    /// The failed criterion, for `knockout_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "q1")]
    pub criterion_id: Option<String>,
    /// Plain-English explanation.
    #[schema(example = "mark 30 on q1 is below the pass mark of 40 (knockout)")]
    pub message: String,
}

/// A request the engine refuses: every failure at once, plus any warnings.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, thiserror::Error,
)]
#[error("request rejected with {} error(s)", errors.len())]
pub struct Rejection {
    /// Every failure found, in request order.
    pub errors: Vec<Issue>,
    /// Warnings found on the way (the problem document carries them too).
    pub warnings: Vec<Warning>,
}

/// Answer of `POST /v1/schemes/validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValidationReport {
    /// `true` when `errors` is empty.
    pub valid: bool,
    /// Every failure found.
    pub errors: Vec<Issue>,
    /// Warnings (e.g. `social_value_below_recommended_minimum`).
    pub warnings: Vec<Warning>,
}
