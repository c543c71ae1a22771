//! The whole-tender release package, built from a tender's record (see the parent module for what
//! it holds and how amounts are written), and the pieces every release is made of.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::api::problem::ApiError;
use crate::service::lots::LotStatus;
use crate::service::ocds::BidRow;
use crate::service::ocds::{LotRecord, TenderRecord};
use crate::service::stored_run::RunResult;

use super::award::{award, final_stage_statistics};
use super::criteria::{lot_json, uk4_document};
use super::{EXTENSIONS, OUR_EXTENSION_PATH};

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
    number(decimal)
}

/// A decimal as a JSON number with exactly its (normalised) digits.
pub fn number(decimal: Decimal) -> Option<Value> {
    let number: serde_json::Number = serde_json::from_str(&decimal.normalize().to_string()).ok()?;
    Some(Value::Number(number))
}

/// A stored decimal, or `null` when there is none.
fn optional_amount(text: Option<&str>) -> Value {
    text.and_then(amount).unwrap_or(Value::Null)
}

pub fn money(text: Option<&str>, currency: &str) -> Option<Value> {
    text.and_then(amount)
        .map(|amount| json!({"amount": amount, "currency": currency}))
}

/// A stored moment (UTC) as RFC 3339.
pub fn date(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable party id for an organisation known only by name.
fn party_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(name.trim().to_lowercase().as_bytes());
    let hex = hex::encode(digest);
    format!("socval-{kind}-{}", hex.get(..16).unwrap_or(&hex))
}

/// OCDS tenderStatus of a lot.
pub fn lot_status(status: LotStatus) -> &'static str {
    match status {
        LotStatus::Draft => "planning",
        LotStatus::Awarded => "complete",
        LotStatus::Cancelled => "cancelled",
        _ => "active",
    }
}

/// OCDS tenderStatus of the tender, from its lots.
pub fn tender_status(record: &TenderRecord) -> &'static str {
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

pub struct Supplier {
    pub id: String,
    pub name: String,
}

pub fn supplier_of(bid: &BidRow) -> Result<Supplier, ApiError> {
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

/// The parties of a release in first-seen order; a supplier bidding on several lots is one party.
pub struct Parties {
    buyer: Value,
    parties: Vec<(String, String, Vec<&'static str>)>,
}

impl Parties {
    /// The tender's buyer, the first party.
    pub fn of(record: &TenderRecord) -> Self {
        let name = record.tender.buyer.clone();
        let id = party_id("buyer", &name);
        Self {
            buyer: json!({"id": id, "name": name}),
            parties: vec![(id, name, vec!["buyer"])],
        }
    }

    pub fn add(&mut self, supplier: &Supplier, role: &'static str) {
        match self.parties.iter_mut().find(|p| p.0 == supplier.id) {
            Some(party) if !party.2.contains(&role) => party.2.push(role),
            Some(_) => {}
            None => self
                .parties
                .push((supplier.id.clone(), supplier.name.clone(), vec![role])),
        }
    }

    /// `parties` and `buyer` of the release.
    pub fn insert_into(self, release: &mut Map<String, Value>) {
        let parties = self
            .parties
            .into_iter()
            .map(|(id, name, roles)| json!({"id": id, "name": name, "roles": roles}))
            .collect();
        release.insert("parties".into(), Value::Array(parties));
        release.insert("buyer".into(), self.buyer);
    }
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

/// A bid statistic of a lot.
pub fn statistic(lot: &LotRecord, measure: &str, value: u64) -> Value {
    json!({
        "id": format!("{}-{measure}", lot.lot.id),
        "measure": measure,
        "value": value,
        "relatedLot": lot.lot.id,
    })
}

/// A lot's bids (`bids.details`) and its statistics: the counts of its bids, then of its
/// award's final stage. Each bid's supplier is a `tenderer` of `parties`.
pub fn lot_bids(
    lot: &LotRecord,
    parties: &mut Parties,
) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
    let scores = run_scores(lot)?;
    let mut details = Vec::new();
    let (mut received, mut valid, mut disqualified) = (0_u64, 0_u64, 0_u64);
    for bid in &lot.bids {
        let supplier = supplier_of(bid)?;
        parties.add(&supplier, "tenderer");
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
    let mut statistics = Vec::new();
    if !lot.bids.is_empty() {
        statistics.push(statistic(lot, "bids", received));
        if lot.latest_run.is_some() {
            statistics.push(statistic(lot, "validBids", valid));
            statistics.push(statistic(lot, "disqualifiedBids", disqualified));
        }
    }
    if let Some(record) = &lot.award {
        statistics.extend(final_stage_statistics(lot, record)?);
    }
    Ok((details, statistics))
}

/// The moment of the last change the whole-tender release reflects.
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

/// A release's opening fields: `ocid`, an `id` that names what it is (`kind`) and when its data
/// last changed, `date`, `tag` and `initiationType`.
pub fn release_head(
    record: &TenderRecord,
    kind: Option<&str>,
    changed: NaiveDateTime,
    tag: &[&str],
) -> Map<String, Value> {
    let ocid = ocid(&record.tender.id, record.tender.ocid.as_deref());
    let stamp = changed.format("%Y%m%dT%H%M%S%6f");
    let id = match kind {
        Some(kind) => format!("{ocid}-{kind}-{stamp}"),
        None => format!("{ocid}-{stamp}"),
    };
    let mut release = Map::new();
    release.insert("ocid".into(), json!(ocid));
    release.insert("id".into(), json!(id));
    release.insert("date".into(), json!(date(changed)));
    release.insert("tag".into(), json!(tag));
    release.insert("initiationType".into(), json!("tender"));
    release
}

/// The package around `release`, published at `now` from `uri` (the path and query it is served
/// at, after `base`).
pub fn package(
    record: &TenderRecord,
    base: &str,
    uri: &str,
    now: NaiveDateTime,
    release: Map<String, Value>,
) -> Value {
    let mut extensions: Vec<String> = EXTENSIONS.iter().map(|e| e.to_string()).collect();
    extensions.push(format!("{base}{OUR_EXTENSION_PATH}"));
    json!({
        "uri": format!("{base}{uri}"),
        "version": "1.1",
        "extensions": extensions,
        "publishedDate": date(now),
        "publisher": {"name": record.tender.buyer},
        "releases": [Value::Object(release)],
    })
}

/// The tender's `id`, `title`, `status` and `value`.
pub fn tender_head(record: &TenderRecord) -> Map<String, Value> {
    let tender = &record.tender;
    let mut out = Map::new();
    out.insert("id".into(), json!(tender.id));
    out.insert("title".into(), json!(tender.title));
    out.insert("status".into(), json!(tender_status(record)));
    if let Some(value) = money(tender.value.as_deref(), &tender.currency) {
        out.insert("value".into(), value);
    }
    out
}

/// Builds the whole-tender package. `base` is the scheme and host the request came to; `now` is
/// when it is published.
pub fn release_package(
    record: &TenderRecord,
    base: &str,
    now: NaiveDateTime,
) -> Result<Value, ApiError> {
    let tender = &record.tender;
    let mut parties = Parties::of(record);
    let mut lots_out = Vec::new();
    let mut documents = Vec::new();
    let mut details = Vec::new();
    let mut statistics = Vec::new();
    let mut awards = Vec::new();
    for lot in &record.lots {
        lots_out.push(lot_json(record, lot)?);
        documents.extend(uk4_document(lot));
        let (lot_details, lot_statistics) = lot_bids(lot, &mut parties)?;
        details.extend(lot_details);
        statistics.extend(lot_statistics);
        if let Some(award_record) = &lot.award {
            awards.push(award(lot, award_record, now, &mut parties)?);
        }
    }

    let mut tender_out = tender_head(record);
    tender_out.insert("lots".into(), json!(lots_out));
    if !documents.is_empty() {
        tender_out.insert("documents".into(), json!(documents));
    }

    let mut tag = vec!["tender"];
    if !awards.is_empty() {
        tag.push("award");
    }
    let mut release = release_head(record, None, release_date(record), &tag);
    parties.insert_into(&mut release);
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
    let uri = format!("/v1/tenders/{}/ocds", tender.id);
    Ok(package(record, base, &uri, now, release))
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
