//! Input types: the JSON bodies of `POST /v1/evaluations/preview` and `POST /v1/schemes/validate`,
//! the engine's resolved [`Measure`], [`EvaluationInput`] for stored tenders, and the [`Catalogue`]
//! trait through which the engine sees reference data.
//!
//! Request types are `deny_unknown_fields`; defaults are those of `scoring.md`. Shape-level rules that
//! serde cannot express (a `scale` required for a quality criterion, a field that does not apply to a
//! criterion's type) are checked by the validator and reported as `invalid_body` with their pointer.

mod bid;
mod reference;
mod scheme;

pub use bid::{
    Bid, Commitment, EvaluationInput, EvaluatorMarks, InlineMeasure, Measure, PreviewRequest,
    Supplier, ValidateRequest,
};
pub(crate) use reference::outcome_covers;
pub use reference::{Catalogue, RuleSeverity, WeightBasis, WeightingBasis, WeightingRule};
pub use scheme::{
    AuthorityType, Band, Criterion, CriterionType, Exemption, MAX_CRITERIA, Method, PriceMethod,
    QuantitativeBasis, Scale, Scheme, SocialValueMethod, Split, TieBreakStep,
};
