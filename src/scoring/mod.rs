//! The scoring engine: `shared/design/scoring.md` as a pure function.
//!
//! No I/O, no clock, no randomness, no environment, no floats: the same inputs give the same bytes.
//! Reference data (frameworks, weighting rules, the default measure set) comes in through the
//! [`Catalogue`] trait, so tests can inject their own; `crate::catalogue::builtin()` is the real one.
//!
//! # Entry points
//! - [`preview`]: the body of `POST /v1/evaluations/preview` → [`EvaluationResult`] or [`Rejection`].
//!   Without inline `measures`, the catalogue's default measure set (`socval-sample`) is used.
//! - [`validate`]: the body of `POST /v1/schemes/validate` → [`ValidationReport`] (always a report).
//! - [`evaluate`]: an [`EvaluationInput`] whose measures are already resolved (a stored tender's
//!   measure set, its pinned framework, the moderated marks and the evaluators' individual marks).
//!
//! A [`Rejection`] lists every failure at once, each an [`Issue`] with a JSON Pointer into the body
//! and an [`ErrorCode`]. The HTTP layer maps a serde failure to [`ErrorCode::InvalidBody`] itself.
//!
//! # Using it from the HTTP layer
//! - Deserialise request bodies from JSON **text** (`serde_json::from_slice`, actix `web::Json`):
//!   numbers then reach the engine as their exact text. A `serde_json::Value` hands some
//!   non-integers over as binary floats, which are refused (`invalid_body`), never rounded.
//! - An [`EvaluationResult`] borrows ids and codes from the request (and the catalogue) instead of
//!   copying them; serialise it (or copy what you store) while the request is alive, e.g. inside
//!   the `web::block` closure that runs the engine. `CriterionResult::explanation()` and
//!   `points_display()` are written on demand, and serialised with the result.
//! - OpenAPI: every type derives `utoipa::ToSchema`; decimals are documented as strings.
//!   `CriterionResult` is documented through [`CriterionResultDoc`] (same JSON).
//!
//! # Modules
//! `model` (inputs: scheme, bids, reference data), `validate` (every rule, every pointer), `plan`
//! (the resolved request), `price`, `social_value` (fractions), `engine` (the computation), `rank`
//! (tie-break chain and competition ranking), `flags`, `assemble` (the result document), `explain`
//! (sentences), `canonical` (`inputs_sha256`), `decimal` (exact decimals on the wire, rounding),
//! `format` (decimals to text without allocating), `sum` (exact running sums), `strkey` (cheap
//! comparison of ids and codes), `codes`, `result`.
//!
//! # Decisions beyond the letter of scoring.md
//! - A computation that would exceed `rust_decimal`'s range (about 7.9 × 10^28; e.g. an absurd
//!   quantity × proxy value) is refused with [`ErrorCode::ValueOutOfRange`] at the input's pointer,
//!   never a panic. Where the exact answer is still known it is used instead: a banded price beyond
//!   the range is beyond every edge; a percent-of-price share beyond the range meets any target.
//! - A commitment's value is `quantity × (proxy × (1 − deadweight) × (1 − attribution) × (1 −
//!   displacement))`: the net proxy is multiplied out once per measure. It equals the left-to-right
//!   product of scoring.md whenever that fits 28 significant digits.
//! - Sums (SV£, subtotals) are kept exact in 128 bits and rounded at most once, at the end; a total
//!   is the sum of its three subtotals (equal to the sum of all points in exact arithmetic).
//! - Under `price_per_quality_point`, quality points that round to 0 at 20 places count as none
//!   (`no_quality_points`), since ppqp divides by the rounded value.
//! - A field that does not apply to a criterion's type (e.g. `bands` on a quality criterion) is
//!   refused as `invalid_body`; `outcome` and `method` are required on social value criteria.
//! - `by_outcome` lists every outcome code a commitment's measure maps to, so a measure of the
//!   sample set (mapped to one outcome of each framework) appears under both frameworks.
//! - `inputs_sha256` hashes a compact binary canonical form (see `canonical`), with bids sorted by
//!   id: the result does not depend on bid order, so neither does the hash.

mod assemble;
mod canonical;
mod codes;
pub(crate) mod decimal;
mod engine;
mod explain;
mod flags;
mod format;
mod model;
mod plan;
mod price;
mod rank;
mod ratio;
mod result;
mod social_value;
mod strkey;
mod sum;
mod validate;

#[cfg(test)]
mod tests;

pub use codes::{
    DisqualificationReason, ErrorCode, Flag, FlagCode, Issue, ReasonCode, Rejection,
    ValidationReport, Warning, WarningCode,
};
pub use decimal::{DecimalInput, Display2, parse_exact};
pub use flags::{MARKS_DISCREPANCY_PERCENT, marks_spread_exceeds};
pub use model::{
    AuthorityType, Band, Bid, Catalogue, Commitment, Criterion, CriterionType, EvaluationInput,
    EvaluatorMarks, Exemption, InlineMeasure, MAX_CRITERIA, Measure, Method, PreviewRequest,
    PriceMethod, QuantitativeBasis, RuleSeverity, Scale, Scheme, SocialValueMethod, Split,
    Supplier, TieBreakStep, ValidateRequest, WeightBasis, WeightingBasis, WeightingRule,
};
pub use result::{
    BidResult, BidStatus, CriterionInput, CriterionResult, CriterionResultDoc, EvaluationResult,
    MeasureValue, OutcomeValue, SocialValueSummary, Subtotals,
};

use plan::{Ctx, MeasureOrigin, MeasureView};
use rust_decimal::Decimal;

/// Version of the scoring rules. Bump it with any change that can change a result's bytes.
pub const ENGINE_VERSION: &str = "1.1.0";

/// The measures of a preview or validate body: inline ones, or the catalogue's default set.
fn request_measures<'a>(
    inline: Option<&'a [InlineMeasure]>,
    catalogue: &'a dyn Catalogue,
) -> (Vec<MeasureView<'a>>, MeasureOrigin) {
    match inline {
        Some(list) => (
            list.iter().map(MeasureView::inline).collect(),
            MeasureOrigin::Inline,
        ),
        None => (
            catalogue
                .default_measures()
                .iter()
                .map(MeasureView::stored)
                .collect(),
            MeasureOrigin::Builtin,
        ),
    }
}

/// Score the bids of a preview request (`POST /v1/evaluations/preview`).
///
/// The result borrows ids and codes from `req` and `catalogue`.
pub fn preview<'a>(
    req: &'a PreviewRequest,
    catalogue: &'a dyn Catalogue,
) -> Result<EvaluationResult<'a>, Rejection> {
    let (measures, origin) = request_measures(req.measures.as_deref(), catalogue);
    run(
        Ctx {
            currency: &req.currency,
            scheme: &req.scheme,
            measures,
            origin,
            bids: Some(&req.bids),
            framework: None,
            evaluator_marks: &[],
        },
        catalogue,
    )
}

/// Check a scheme (`POST /v1/schemes/validate`): every rule that does not need bids.
pub fn validate(req: &ValidateRequest, catalogue: &dyn Catalogue) -> ValidationReport {
    let (measures, origin) = request_measures(req.measures.as_deref(), catalogue);
    let ctx = Ctx {
        currency: "GBP",
        scheme: &req.scheme,
        measures,
        origin,
        bids: None,
        framework: None,
        evaluator_marks: &[],
    };
    report(&ctx, catalogue)
}

/// Every rule of a scheme that does not need bids, as a report.
fn report(ctx: &Ctx<'_>, catalogue: &dyn Catalogue) -> ValidationReport {
    let checked = validate::check(ctx, catalogue);
    ValidationReport {
        valid: checked.errors.is_empty(),
        errors: checked.errors,
        warnings: checked.warnings,
    }
}

/// The social value of one unit of a measure: `proxy × (1 − deadweight) × (1 − attribution) ×
/// (1 − displacement)`, skipping factors of exactly 1; `None` beyond exact decimal range.
pub fn net_proxy_value(proxy_value: Decimal, reductions: [Decimal; 3]) -> Option<Decimal> {
    let mut value = proxy_value;
    for reduction in reductions {
        if !reduction.is_zero() {
            value = value.checked_mul(Decimal::ONE.checked_sub(reduction)?)?;
        }
    }
    Some(value)
}

/// Check a stored lot's scheme against its tender's measures and pinned framework: every rule that
/// does not need bids. Pointers start at `/scheme`.
pub fn validate_stored(
    scheme: &Scheme,
    measures: &[Measure],
    framework: Option<&str>,
    catalogue: &dyn Catalogue,
) -> ValidationReport {
    let ctx = Ctx {
        currency: "GBP",
        scheme,
        measures: measures.iter().map(MeasureView::stored).collect(),
        origin: MeasureOrigin::Stored,
        bids: None,
        framework,
        evaluator_marks: &[],
    };
    report(&ctx, catalogue)
}

/// Score stored bids against a resolved measure set (and the tender's pinned framework, if any).
/// Pointers refer to the JSON form of [`EvaluationInput`] (`/scheme/...`, `/measures/k/outcomes/j`,
/// `/bids/i/...`). The result borrows ids and codes from `input`.
pub fn evaluate<'a>(
    input: &'a EvaluationInput,
    catalogue: &dyn Catalogue,
) -> Result<EvaluationResult<'a>, Rejection> {
    run(
        Ctx {
            currency: &input.currency,
            scheme: &input.scheme,
            measures: input.measures.iter().map(MeasureView::stored).collect(),
            origin: MeasureOrigin::Stored,
            bids: Some(&input.bids),
            framework: input.framework.as_deref(),
            evaluator_marks: &input.evaluator_marks,
        },
        catalogue,
    )
}

fn run<'a>(ctx: Ctx<'a>, catalogue: &dyn Catalogue) -> Result<EvaluationResult<'a>, Rejection> {
    let checked = validate::check(&ctx, catalogue);
    match checked.plan {
        Some(plan) => engine::compute(&ctx, &plan, checked.bids),
        None => Err(Rejection {
            errors: checked.errors,
            warnings: checked.warnings,
        }),
    }
}
