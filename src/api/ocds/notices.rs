//! A release per UK notice (`?notice=`): the tender notice (UK4) of the tender, and the contract
//! award notice (UK6) of one lot.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::api::problem::ApiError;
use crate::service::ocds::TenderRecord;

use super::award::award;
use super::criteria::{lot_json, uk4_document};
use super::release::{Parties, lot_bids, lot_status, package, release_head, tender_head};

/// A notice the export publishes a release for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// UK4, the tender notice: the tender and its lots with their award criteria.
    Tender,
    /// UK6, the contract award notice of a lot.
    ContractAward { lot: String },
}

/// The tender notice (UK4): tag `tender`, the tender, its lots and their award criteria, and the
/// notice's documents; no bids and no awards.
pub fn uk4_package(
    record: &TenderRecord,
    base: &str,
    now: NaiveDateTime,
) -> Result<Value, ApiError> {
    let mut lots = Vec::new();
    let mut documents = Vec::new();
    let mut changed = record.tender.updated_at;
    for lot in &record.lots {
        lots.push(lot_json(record, lot)?);
        documents.extend(uk4_document(lot));
        changed = changed.max(lot.lot.updated_at);
        if let Some(scheme) = &lot.scheme {
            changed = changed.max(scheme.created_at);
        }
    }
    let mut tender = tender_head(record);
    tender.insert("lots".into(), json!(lots));
    if !documents.is_empty() {
        tender.insert("documents".into(), json!(documents));
    }
    let mut release = release_head(record, Some("UK4"), changed, &["tender"]);
    Parties::of(record).insert_into(&mut release);
    release.insert("tender".into(), Value::Object(tender));
    let uri = format!("/v1/tenders/{}/ocds?notice=UK4", record.tender.id);
    Ok(package(record, base, &uri, now, release))
}

/// The contract award notice (UK6) of `lot_id`: tag `award`, the award with its standstill,
/// assessment summaries and notice document, and the lot's bid statistics (the final stage's
/// among them). Not found
/// when the tender has no such lot or the lot no award.
pub fn uk6_package(
    record: &TenderRecord,
    lot_id: &str,
    base: &str,
    now: NaiveDateTime,
) -> Result<Value, ApiError> {
    let lot = record
        .lots
        .iter()
        .find(|l| l.lot.id.as_str() == lot_id)
        .ok_or(ApiError::NotFound)?;
    let award_record = lot.award.as_ref().ok_or(ApiError::NotFound)?;
    let mut parties = Parties::of(record);
    let award_out = award(lot, award_record, now, &mut parties)?;
    // The lot's statistics, final stage included; its tenderers are not parties of the notice.
    let (_, statistics) = lot_bids(lot, &mut Parties::of(record))?;
    let mut changed = award_record.award.decided_at;
    for step in &award_record.steps {
        changed = changed.max(step.row.recorded_at);
    }
    let tender = json!({
        "id": record.tender.id,
        "lots": [{"id": lot.lot.id, "title": lot.lot.title, "status": lot_status(lot.lot.status)}],
    });
    let kind = format!("UK6-{}", lot.lot.id);
    let mut release = release_head(record, Some(&kind), changed, &["award"]);
    parties.insert_into(&mut release);
    release.insert("tender".into(), tender);
    release.insert("bids".into(), json!({"statistics": statistics}));
    release.insert("awards".into(), json!([award_out]));
    let uri = format!(
        "/v1/tenders/{}/ocds?notice=UK6&lot={}",
        record.tender.id, lot.lot.id
    );
    Ok(package(record, base, &uri, now, release))
}
