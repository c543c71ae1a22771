//! What the tender notice (UK4) says of a lot: its award criteria (`ext-awardCriteria`) with their
//! weights and knockout minimums, the UK extension's `awardCriteria.description` of the social
//! value weighting, a `weightingDescription` when the weighting is a formula, and the notice's
//! document.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::api::problem::ApiError;
use crate::catalogue::builtin;
use crate::scoring::{
    AuthorityType, Catalogue, CriterionType, Method, RuleSeverity, Scheme, WeightBasis,
};
use crate::service::lots::LotStatus;
use crate::service::ocds::{LotRecord, TenderRecord};

use super::release::{lot_status, money, number};

/// A lot of `tender.lots`: id, title, status, value and award criteria.
pub fn lot_json(record: &TenderRecord, lot: &LotRecord) -> Result<Value, ApiError> {
    let mut out = Map::new();
    out.insert("id".into(), json!(lot.lot.id));
    out.insert("title".into(), json!(lot.lot.title));
    out.insert("status".into(), json!(lot_status(lot.lot.status)));
    if let Some(value) = money(lot.lot.value.as_deref(), &record.tender.currency) {
        out.insert("value".into(), value);
    }
    if let Some(criteria) = award_criteria(record, lot)? {
        out.insert("awardCriteria".into(), criteria);
    }
    Ok(Value::Object(out))
}

/// The tender notice (UK4) of a lot that has been opened with a scheme: a document of
/// `tender.documents`.
pub fn uk4_document(lot: &LotRecord) -> Option<Value> {
    (lot.scheme.is_some() && lot.lot.status != LotStatus::Draft).then(|| {
        json!({
            "id": format!("{}-UK4", lot.lot.id),
            "documentType": "tenderNotice",
            "noticeType": "UK4",
            "title": format!("Tender notice: {}", lot.lot.title),
            "relatedLots": [lot.lot.id],
        })
    })
}

fn award_criteria(record: &TenderRecord, lot: &LotRecord) -> Result<Option<Value>, ApiError> {
    let Some(row) = &lot.scheme else {
        return Ok(None);
    };
    let scheme = row.scheme().map_err(crate::service::ServiceError::from)?;
    if scheme.criteria.is_empty() {
        return Ok(None);
    }
    let criteria: Vec<Value> = scheme.criteria.iter().map(criterion).collect();
    let mut out = Map::new();
    out.insert("criteria".into(), json!(criteria));
    out.insert(
        "description".into(),
        json!(weighting(&scheme, &record.tender.framework)),
    );
    if scheme.method == Method::PricePerQualityPoint {
        out.insert(
            "weightingDescription".into(),
            json!(price_per_quality_point(&scheme)),
        );
    }
    Ok(Some(Value::Object(out)))
}

fn criterion(c: &crate::scoring::Criterion) -> Value {
    let mut out = Map::new();
    let kind = if c.kind == CriterionType::Price {
        "price"
    } else {
        "quality"
    };
    out.insert("type".into(), json!(kind));
    let name = c.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&c.id);
    out.insert("name".into(), json!(name));
    if c.kind == CriterionType::SocialValue {
        let description = match &c.outcome {
            Some(outcome) => format!("Social value ({outcome})"),
            None => "Social value".to_string(),
        };
        out.insert("description".into(), json!(description));
    }
    let mut numbers = vec![
        json!({"number": number(c.weight).unwrap_or(Value::Null), "weight": "percentageExact"}),
    ];
    // A knockout criterion's pass mark (in its scale's units): a lower mark disqualifies.
    if c.knockout
        && let Some(minimum) = c.pass_mark.and_then(number)
    {
        numbers.push(json!({"number": minimum, "threshold": "minimumScore"}));
    }
    out.insert("numbers".into(), json!(numbers));
    Value::Object(out)
}

fn percent(weight: Decimal) -> String {
    format!("{}%", weight.normalize())
}

/// The weights in words, and the minimum social value weighting the framework sets for the
/// scheme's kind of buyer, with any exemption the scheme records.
fn weighting(scheme: &Scheme, framework: &str) -> String {
    let sum = |kind: CriterionType| -> Option<Decimal> {
        let weights: Vec<Decimal> = scheme
            .criteria
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.weight)
            .collect();
        (!weights.is_empty()).then(|| weights.iter().copied().sum())
    };
    let parts: Vec<String> = [
        (CriterionType::Price, "price"),
        (CriterionType::Quality, "quality"),
        (CriterionType::SocialValue, "social value"),
    ]
    .into_iter()
    .filter_map(|(kind, name)| sum(kind).map(|w| format!("{name} {}", percent(w))))
    .collect();
    let mut text = capitalise(&parts.join(", "));
    if scheme.method == Method::PricePerQualityPoint {
        text.push_str(" of the quality points (price per quality point)");
    }
    text.push('.');
    let rule = builtin()
        .weighting_rules(framework)
        .iter()
        .find(|r| r.authority_types.contains(&scheme.authority_type));
    if let Some(rule) = rule {
        let basis = match scheme.method {
            Method::WeightedSum => rule.basis.weighted_sum,
            Method::PricePerQualityPoint => rule.basis.price_per_quality_point,
        };
        let of_what = match basis {
            WeightBasis::AllWeights => "the total weight",
            WeightBasis::NonPriceWeights => "the non-price weight",
        };
        let force = match (rule.severity, rule.exemption_allowed) {
            (RuleSeverity::Error, true) => "required unless an exemption is recorded",
            (RuleSeverity::Error, false) => "required",
            (RuleSeverity::Warning, _) => "recommended",
        };
        text.push_str(&format!(
            " {framework} minimum social value weighting for {}: {} of {of_what} ({force}).",
            buyer(scheme.authority_type),
            percent(rule.min_social_value_percent),
        ));
    }
    if let Some(exemption) = &scheme.social_value_exemption {
        text.push_str(&format!(
            " Exemption from the minimum recorded: {} (approved by {}).",
            exemption.reason.trim_end_matches('.'),
            exemption.approved_by
        ));
    }
    text
}

fn buyer(authority: AuthorityType) -> &'static str {
    match authority {
        AuthorityType::CentralGovernment => "central government",
        AuthorityType::LocalAuthority => "a local authority",
        AuthorityType::Other => "this kind of buyer",
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The formula of the price per quality point method, naming the criteria whose points count.
fn price_per_quality_point(scheme: &Scheme) -> String {
    let counted: Vec<&str> = scheme
        .criteria
        .iter()
        .filter(|c| c.kind != CriterionType::Price)
        .map(|c| c.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&c.id))
        .collect();
    format!(
        "Price per quality point: each qualified bid's price is divided by its quality points \
         (the sum of its points on {}); the lowest price per quality point wins.",
        counted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn scheme(body: Value) -> Scheme {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn the_weighting_is_described_in_words_with_the_minimum_and_any_exemption() {
        let s = scheme(json!({
            "authority_type": "central_government",
            "criteria": [
                {"id": "price", "type": "price", "weight": 60},
                {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 100}},
                {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
                 "method": "qualitative", "scale": {"min": 0, "max": 100}}
            ]
        }));
        assert_eq!(
            weighting(&s, "PPN002"),
            "Price 60%, quality 30%, social value 10%. PPN002 minimum social value weighting for \
             central government: 10% of the total weight (required unless an exemption is recorded)."
        );
        let mut exempt = s.clone();
        exempt.social_value_exemption = Some(crate::scoring::Exemption {
            reason: "Emergency procurement.".into(),
            approved_by: "Commercial Director".into(),
        });
        assert!(
            weighting(&exempt, "PPN002").ends_with(
                " Exemption from the minimum recorded: Emergency procurement (approved by Commercial Director)."
            ),
            "{}",
            weighting(&exempt, "PPN002")
        );
        // A framework socval does not hold: the weights alone.
        assert_eq!(
            weighting(&s, "LOCAL-1"),
            "Price 60%, quality 30%, social value 10%."
        );
    }

    #[test]
    fn a_knockout_criterion_carries_its_pass_mark_as_a_minimum_score() {
        let s = scheme(json!({
            "authority_type": "local_authority",
            "method": "price_per_quality_point",
            "criteria": [
                {"id": "q1", "name": "Approach", "type": "quality", "weight": 90,
                 "scale": {"min": 0, "max": 100}, "pass_mark": 40, "knockout": true},
                {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
                 "method": "qualitative", "scale": {"min": 0, "max": 100}, "pass_mark": 20}
            ]
        }));
        let knockout = criterion(&s.criteria[0]);
        assert_eq!(
            knockout["numbers"],
            json!([{"number": 90, "weight": "percentageExact"}, {"number": 40, "threshold": "minimumScore"}])
        );
        // A pass mark without knockout disqualifies no one: no threshold.
        assert_eq!(
            criterion(&s.criteria[1])["numbers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(weighting(&s, "PPN002").starts_with(
            "Quality 90%, social value 10% of the quality points (price per quality point). PPN002 \
             minimum social value weighting for a local authority: 10% of the non-price weight (recommended)."
        ));
        assert!(price_per_quality_point(&s).contains("the sum of its points on Approach, sv"));
    }
}
