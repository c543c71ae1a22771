//! The release package itself, built from a tender's record (see the parent module for what it
//! holds and how amounts are written).

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::api::problem::ApiError;
use crate::catalogue::standstill::uk_date;
use crate::service::ocds::BidRow;
use crate::service::ocds::{LotRecord, TenderRecord};
use crate::service::stored_run::RunResult;

use super::{OFFICIAL_EXTENSIONS, OUR_EXTENSION_PATH};
use crate::service::lots::LotStatus;

fn corrupt(what: &str, error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored {what} is not valid: {error}"))
}

/// The ocid a tender is published under: its own, else one under our (unregistered) prefix.
pub fn ocid(tender_id: &str, ocid: Option<&str>) -> String {
    match ocid {
        Some(ocid) if !ocid.trim().is_empty() => ocid.to_string(),
        _ => format!("ocds-socval-{tender_id}"),
    }
}

/// A decimal as a JSON number with exactly its digits (see the module note).
pub fn amount(text: &str) -> Option<Value> {
    let decimal: Decimal = text.trim().parse().ok()?;
    let number: serde_json::Number = serde_json::from_str(&decimal.normalize().to_string()).ok()?;
    Some(Value::Number(number))
}

/// A stored decimal, or `null` when there is none.
fn optional_amount(text: Option<&str>) -> Value {
    text.and_then(amount).unwrap_or(Value::Null)
}

fn money(text: Option<&str>, currency: &str) -> Option<Value> {
    text.and_then(amount)
        .map(|amount| json!({"amount": amount, "currency": currency}))
}

fn date(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable party id for an organisation known only by name.
fn party_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(name.trim().to_lowercase().as_bytes());
    let hex = hex::encode(digest);
    format!("socval-{kind}-{}", hex.get(..16).unwrap_or(&hex))
}

/// OCDS tenderStatus of a lot.
fn lot_status(status: LotStatus) -> &'static str {
    match status {
        LotStatus::Draft => "planning",
        LotStatus::Awarded => "complete",
        LotStatus::Cancelled => "cancelled",
        _ => "active",
    }
}

/// OCDS tenderStatus of the tender, from its lots.
fn tender_status(record: &TenderRecord) -> &'static str {
    let statuses: Vec<LotStatus> = record.lots.iter().map(|l| l.lot.status).collect();
    if statuses.is_empty() || statuses.iter().all(|s| *s == LotStatus::Draft) {
        "planning"
    } else if statuses.iter().all(|s| *s == LotStatus::Cancelled) {
        "cancelled"
    } else if statuses
        .iter()
        .all(|s| *s == LotStatus::Awarded || *s == LotStatus::Cancelled)
    {
        "complete"
    } else {
        "active"
    }
}

struct Supplier {
    id: String,
    name: String,
}

fn supplier_of(bid: &BidRow) -> Result<Supplier, ApiError> {
    let declared = bid.supplier().map_err(crate::service::ServiceError::from)?;
    let id = match declared.id {
        Some(id) if !id.is_empty() => id,
        _ => party_id("supplier", &declared.name),
    };
    Ok(Supplier {
        id,
        name: declared.name,
    })
}

fn award_criteria(lot: &LotRecord) -> Result<Option<Value>, ApiError> {
    let Some(scheme) = &lot.scheme else {
        return Ok(None);
    };
    let body: Value = serde_json::from_str(&scheme.body).map_err(|e| corrupt("scheme", e))?;
    let criteria: Vec<Value> = body
        .get("criteria")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let id = c.get("id").and_then(Value::as_str).unwrap_or_default();
            let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
            let mut criterion = Map::new();
            criterion.insert(
                "type".into(),
                json!(if kind == "price" { "price" } else { "quality" }),
            );
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or(id);
            criterion.insert("name".into(), json!(name));
            let description = c
                .get("description")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .or_else(|| {
                    (kind == "social_value").then(|| {
                        match c.get("outcome").and_then(Value::as_str) {
                            Some(outcome) => format!("Social value ({outcome})"),
                            None => "Social value".to_string(),
                        }
                    })
                });
            if let Some(description) = description {
                criterion.insert("description".into(), json!(description));
            }
            criterion.insert(
                "numbers".into(),
                json!([{"number": optional_amount(c.get("weight").and_then(Value::as_str)), "weight": "percentageExact"}]),
            );
            Value::Object(criterion)
        })
        .collect();
    Ok((!criteria.is_empty()).then(|| json!({"criteria": criteria})))
}

/// The latest run's result and the moment it was made, per bid id.
struct RunScores {
    by_bid: std::collections::HashMap<String, (Value, Value)>,
}

fn run_scores(lot: &LotRecord) -> Result<RunScores, ApiError> {
    let mut by_bid = std::collections::HashMap::new();
    if let Some(run) = &lot.latest_run {
        for bid in RunResult::of(run)?.results {
            let criteria: Vec<Value> = bid
                .criteria
                .iter()
                .map(|c| {
                    json!({
                        "criterionId": c.criterion_id,
                        "points": optional_amount(c.points.as_deref()),
                        "explanation": c.explanation,
                    })
                })
                .collect();
            let scores = json!({
                "evaluationId": run.id,
                "evaluatedAt": date(run.created_at),
                "engineVersion": run.engine_version,
                "inputsSha256": run.inputs_sha256,
                "status": bid.status,
                "rank": bid.rank,
                "total": optional_amount(bid.total.as_deref()),
                "criteria": criteria,
            });
            by_bid.insert(bid.bid_id, (Value::String(bid.status), scores));
        }
    }
    Ok(RunScores { by_bid })
}

/// The moment of the last change the release reflects.
fn release_date(record: &TenderRecord) -> NaiveDateTime {
    let mut at = record.tender.updated_at;
    for lot in &record.lots {
        at = at.max(lot.lot.updated_at);
        for bid in &lot.bids {
            at = at.max(bid.withdrawn_at.unwrap_or(bid.created_at));
        }
        if let Some(run) = &lot.latest_run {
            at = at.max(run.created_at);
        }
        if let Some(award) = &lot.award {
            at = at.max(award.award.decided_at);
            for step in &award.steps {
                at = at.max(step.row.recorded_at);
            }
        }
    }
    at
}

/// Builds the package. `base` is the scheme and host the request came to; `now` is when it is
/// published.
pub fn release_package(
    record: &TenderRecord,
    base: &str,
    now: NaiveDateTime,
) -> Result<Value, ApiError> {
    let tender = &record.tender;
    let currency = tender.currency.as_str();
    let ocid = ocid(&tender.id, tender.ocid.as_deref());
    let changed = release_date(record);
    let buyer_id = party_id("buyer", &tender.buyer);

    // Parties in first-seen order; a supplier bidding on several lots is one party.
    let mut parties: Vec<(String, String, Vec<&str>)> =
        vec![(buyer_id.clone(), tender.buyer.clone(), vec!["buyer"])];
    let mut add_role =
        |id: &str, name: &str, role: &'static str| match parties.iter_mut().find(|p| p.0 == id) {
            Some(party) if !party.2.contains(&role) => party.2.push(role),
            Some(_) => {}
            None => parties.push((id.to_string(), name.to_string(), vec![role])),
        };

    let mut lots_out = Vec::new();
    let mut details = Vec::new();
    let mut statistics = Vec::new();
    let mut awards = Vec::new();
    for lot in &record.lots {
        let mut lot_out = Map::new();
        lot_out.insert("id".into(), json!(lot.lot.id));
        lot_out.insert("title".into(), json!(lot.lot.title));
        lot_out.insert("status".into(), json!(lot_status(lot.lot.status)));
        if let Some(value) = money(lot.lot.value.as_deref(), currency) {
            lot_out.insert("value".into(), value);
        }
        if let Some(criteria) = award_criteria(lot)? {
            lot_out.insert("awardCriteria".into(), criteria);
        }
        lots_out.push(Value::Object(lot_out));

        let scores = run_scores(lot)?;
        let (mut received, mut valid, mut disqualified) = (0_u64, 0_u64, 0_u64);
        for bid in &lot.bids {
            let supplier = supplier_of(bid)?;
            add_role(&supplier.id, &supplier.name, "tenderer");
            let scored = scores.by_bid.get(bid.id.as_str());
            let status = if bid.withdrawn_at.is_some() {
                "withdrawn"
            } else {
                received += 1;
                match scored.and_then(|(status, _)| status.as_str()) {
                    Some("qualified") => {
                        valid += 1;
                        "valid"
                    }
                    Some("disqualified") => {
                        disqualified += 1;
                        "disqualified"
                    }
                    _ => "pending",
                }
            };
            let mut detail = Map::new();
            detail.insert("id".into(), json!(bid.id));
            detail.insert("date".into(), json!(bid.submitted_at));
            detail.insert("status".into(), json!(status));
            if let Some(value) = money(Some(&bid.price), &bid.currency) {
                detail.insert("value".into(), value);
            }
            detail.insert(
                "tenderers".into(),
                json!([{"id": supplier.id, "name": supplier.name}]),
            );
            detail.insert("relatedLots".into(), json!([lot.lot.id]));
            if let Some((_, scores)) = scored.filter(|_| bid.withdrawn_at.is_none()) {
                if let Some(rank) = scores.get("rank").and_then(Value::as_u64) {
                    detail.insert("hasRank".into(), json!(true));
                    detail.insert("rank".into(), json!(rank));
                }
                detail.insert("socvalScores".into(), scores.clone());
            }
            details.push(Value::Object(detail));
        }
        if !lot.bids.is_empty() {
            let mut stat = |measure: &str, value: u64| {
                statistics.push(json!({
                    "id": format!("{}-{measure}", lot.lot.id),
                    "measure": measure,
                    "value": value,
                    "relatedLot": lot.lot.id,
                }));
            };
            stat("bids", received);
            if lot.latest_run.is_some() {
                stat("validBids", valid);
                stat("disqualifiedBids", disqualified);
            }
        }

        if let Some(record) = &lot.award {
            let award = &record.award;
            let winner = lot.bids.iter().find(|b| b.id == award.winner_bid_id);
            let mut award_out = Map::new();
            award_out.insert("id".into(), json!(format!("{}-award", lot.lot.id)));
            award_out.insert("title".into(), json!(lot.lot.title));
            // Until the standstill period ends the award is proposed, not yet in force.
            let standstill_over = record
                .standstill
                .as_ref()
                .is_some_and(|s| s.is_over(uk_date(now)));
            award_out.insert(
                "status".into(),
                json!(if standstill_over { "active" } else { "pending" }),
            );
            award_out.insert("date".into(), json!(date(award.decided_at)));
            if !award.note.is_empty() {
                award_out.insert("description".into(), json!(award.note));
            }
            if let Some(bid) = winner {
                if let Some(value) = money(Some(&bid.price), &bid.currency) {
                    award_out.insert("value".into(), value);
                }
                let supplier = supplier_of(bid)?;
                add_role(&supplier.id, &supplier.name, "supplier");
                award_out.insert(
                    "suppliers".into(),
                    json!([{"id": supplier.id, "name": supplier.name}]),
                );
            }
            award_out.insert("relatedLots".into(), json!([lot.lot.id]));
            awards.push(Value::Object(award_out));
        }
    }

    let mut tender_out = Map::new();
    tender_out.insert("id".into(), json!(tender.id));
    tender_out.insert("title".into(), json!(tender.title));
    tender_out.insert("status".into(), json!(tender_status(record)));
    if let Some(value) = money(tender.value.as_deref(), currency) {
        tender_out.insert("value".into(), value);
    }
    tender_out.insert("lots".into(), json!(lots_out));

    let mut tag = vec!["tender"];
    if !awards.is_empty() {
        tag.push("award");
    }
    let mut release = Map::new();
    release.insert("ocid".into(), json!(ocid));
    release.insert(
        "id".into(),
        json!(format!("{ocid}-{}", changed.format("%Y%m%dT%H%M%S%6f"))),
    );
    release.insert("date".into(), json!(date(changed)));
    release.insert("tag".into(), json!(tag));
    release.insert("initiationType".into(), json!("tender"));
    release.insert(
        "parties".into(),
        Value::Array(
            parties
                .into_iter()
                .map(|(id, name, roles)| json!({"id": id, "name": name, "roles": roles}))
                .collect(),
        ),
    );
    release.insert(
        "buyer".into(),
        json!({"id": buyer_id, "name": tender.buyer}),
    );
    release.insert("tender".into(), Value::Object(tender_out));
    let mut bids = Map::new();
    if !statistics.is_empty() {
        bids.insert("statistics".into(), json!(statistics));
    }
    bids.insert("details".into(), json!(details));
    release.insert("bids".into(), Value::Object(bids));
    if !awards.is_empty() {
        release.insert("awards".into(), json!(awards));
    }

    let mut extensions: Vec<String> = OFFICIAL_EXTENSIONS.iter().map(|e| e.to_string()).collect();
    extensions.push(format!("{base}{OUR_EXTENSION_PATH}"));
    Ok(json!({
        "uri": format!("{base}/v1/tenders/{}/ocds", tender.id),
        "version": "1.1",
        "extensions": extensions,
        "publishedDate": date(now),
        "publisher": {"name": tender.buyer},
        "releases": [Value::Object(release)],
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn amounts_keep_their_exact_digits_and_round_trip_through_doubles_up_to_15_digits() {
        let written = serde_json::to_string(&amount("1234567890123.450").unwrap()).unwrap();
        assert_eq!(written, "1234567890123.45");
        let read: f64 = written.parse().unwrap();
        assert_eq!(read.to_string(), "1234567890123.45");
        assert_eq!(
            serde_json::to_string(&amount("0.1").unwrap()).unwrap(),
            "0.1"
        );
        // Beyond what a double holds the digits are still exact in the document.
        assert_eq!(
            serde_json::to_string(&amount("12345678901234567.89").unwrap()).unwrap(),
            "12345678901234567.89"
        );
        assert!(amount("ten").is_none());
    }

    #[test]
    fn a_tender_without_an_ocid_is_published_under_the_socval_prefix() {
        assert_eq!(ocid("abc", None), "ocds-socval-abc");
        assert_eq!(ocid("abc", Some(" ")), "ocds-socval-abc");
        assert_eq!(ocid("abc", Some("ocds-b5fd17-1")), "ocds-b5fd17-1");
    }

    #[test]
    fn a_party_id_is_stable_for_a_name() {
        assert_eq!(party_id("supplier", "Acme "), party_id("supplier", "acme"));
        assert_ne!(party_id("supplier", "Acme"), party_id("supplier", "Zenith"));
    }
}
