//! Bids, measures and the request bodies; [`EvaluationInput`] for stored tenders.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::scheme::Scheme;
use crate::scoring::decimal;

fn default_currency() -> String {
    "GBP".to_string()
}

/// The supplier behind a bid (an OCDS organisation reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    /// Supplier's name.
    #[schema(example = "Acme Facilities Ltd")]
    pub name: String,
    /// Optional identifier, e.g. a Companies House number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "GB-COH-01234567")]
    pub id: Option<String>,
    /// Whether the supplier says it is a small or medium-sized enterprise (fewer than 250 staff,
    /// and turnover under £44 million or balance sheet under £38 million). Descriptive only: never
    /// scored; counted in the OCDS export's `smeFinalStageBids`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = true)]
    pub sme: Option<bool>,
    /// Whether the supplier says it is a voluntary, community or social enterprise. Descriptive
    /// only: never scored; counted in the OCDS export's `vcseFinalStageBids`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = false)]
    pub vcse: Option<bool>,
}

/// A bid's commitment to deliver a quantity of a measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// Measure code in the measure set.
    #[schema(example = "SVS-JOBS-LOCAL")]
    pub measure: String,
    /// Quantity in the measure's unit (≥ 0).
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "3")]
    pub quantity: Decimal,
}

/// A bid for the lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bid {
    /// Unique id within the request.
    #[schema(example = "A")]
    pub id: String,
    /// Who bids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Supplier>,
    /// Bid price (> 0) in the request's currency.
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "100000")]
    pub price: Decimal,
    /// When present, must equal the request's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "GBP")]
    pub currency: Option<String>,
    /// RFC 3339 with any offset; compared as instants.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T12:00:00Z")]
    pub submitted_at: DateTime<FixedOffset>,
    /// Mark per scored criterion id (the consensus mark in a stored tender).
    #[serde(default, with = "decimal::map")]
    #[schema(value_type = BTreeMap<String, String>, example = json!({"q1": "80", "sv": "60"}))]
    pub marks: BTreeMap<String, Decimal>,
    /// Social value commitments.
    #[serde(default)]
    pub commitments: Vec<Commitment>,
}

/// A measure given inline in a preview or validate request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineMeasure {
    /// Unique code within the request.
    #[schema(example = "JOBS")]
    pub code: String,
    /// Human name.
    #[schema(example = "Local jobs created (FTE)")]
    pub name: String,
    /// Outcome code of a built-in (or imported) framework.
    #[schema(example = "PPN06-20:MAC2.2")]
    pub outcome: String,
    /// Unit of quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "FTE")]
    pub unit: Option<String>,
    /// Proxy value in currency per unit (≥ 0).
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "1000")]
    pub proxy_value: Decimal,
    /// Fraction in [0, 1) that would have happened anyway; default 0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option"
    )]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0.1")]
    pub deadweight: Option<Decimal>,
    /// Fraction in [0, 1) owed to others; default 0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option"
    )]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0")]
    pub attribution: Option<Decimal>,
    /// Fraction in [0, 1) moved from elsewhere; default 0.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "decimal::option"
    )]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0.05")]
    pub displacement: Option<Decimal>,
}

impl InlineMeasure {
    /// The engine's view of this measure (one outcome).
    pub fn to_measure(&self) -> Measure {
        Measure {
            code: self.code.clone(),
            name: self.name.clone(),
            unit: self.unit.clone(),
            proxy_value: self.proxy_value,
            deadweight: self.deadweight.unwrap_or_default(),
            attribution: self.attribution.unwrap_or_default(),
            displacement: self.displacement.unwrap_or_default(),
            outcomes: vec![self.outcome.clone()],
        }
    }
}

/// A measure as the engine uses it: inline (one outcome) or from a measure set (crosswalk to several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Code, unique in its set.
    #[schema(example = "SVS-JOBS-LOCAL")]
    pub code: String,
    /// Human name.
    #[schema(example = "Local people employed (FTE)")]
    pub name: String,
    /// Unit of quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "no. people FTE")]
    pub unit: Option<String>,
    /// Proxy value in currency per unit (≥ 0).
    #[serde(with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "1000")]
    pub proxy_value: Decimal,
    /// Fraction in [0, 1).
    #[serde(default, with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0")]
    pub deadweight: Decimal,
    /// Fraction in [0, 1).
    #[serde(default, with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0")]
    pub attribution: Decimal,
    /// Fraction in [0, 1).
    #[serde(default, with = "decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "0")]
    pub displacement: Decimal,
    /// Outcome codes this measure counts towards (any framework).
    #[schema(example = json!(["PPN06-20:MAC2.2", "PPN002:1a"]))]
    pub outcomes: Vec<String>,
}

/// Body of `POST /v1/evaluations/preview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// ISO 4217 currency of every price; default `GBP`.
    #[serde(default = "default_currency")]
    #[schema(example = "GBP")]
    pub currency: String,
    /// The scoring scheme.
    pub scheme: Scheme,
    /// Inline measures; when absent the built-in `socval-sample` measure set is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<Vec<InlineMeasure>>,
    /// The bids to score (at least one).
    pub bids: Vec<Bid>,
}

/// Body of `POST /v1/schemes/validate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    /// The scheme to check.
    pub scheme: Scheme,
    /// Inline measures; when absent the built-in `socval-sample` measure set is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<Vec<InlineMeasure>>,
}

/// Every evaluator's mark for one bid and criterion (stored tenders; drives `marks_discrepancy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluatorMarks {
    /// The bid.
    pub bid_id: String,
    /// The criterion.
    pub criterion_id: String,
    /// Each evaluator's individual mark.
    #[serde(with = "decimal_vec")]
    #[schema(value_type = Vec<String>)]
    pub marks: Vec<Decimal>,
}

mod decimal_vec {
    use crate::scoring::decimal::ExactDecimal;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        let n: Vec<Decimal> = v.iter().map(|d| d.normalize()).collect();
        n.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        Ok(Vec::<ExactDecimal>::deserialize(d)?
            .into_iter()
            .map(|x| x.0)
            .collect())
    }
}

/// Everything `evaluate` needs, with measures already resolved (e.g. a stored tender's measure set).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationInput {
    /// ISO 4217 currency of the tender.
    pub currency: String,
    /// The lot's scheme.
    pub scheme: Scheme,
    /// The measure set (all of it: commitments and criteria are checked against it).
    pub measures: Vec<Measure>,
    /// The bids (withdrawn bids already left out); marks are the moderated marks.
    pub bids: Vec<Bid>,
    /// The tender's pinned framework code; `None` accepts any framework the catalogue holds.
    pub framework: Option<String>,
    /// Individual evaluators' marks, for the `marks_discrepancy` flag; may be empty.
    pub evaluator_marks: Vec<EvaluatorMarks>,
}

/// serde for `DateTime<FixedOffset>` as strict RFC 3339.
pub(crate) mod rfc3339 {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map_err(|e| de::Error::custom(format!("`{text}` is not an RFC 3339 date-time: {e}")))
    }
}
