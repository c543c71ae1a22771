//! What the contract award notice (UK6) says of a lot: its award with the UK extension's
//! `standstillPeriod` and `assessmentSummariesDateSent`, the notice's document once published, and
//! the statistics of the bids assessed in the final stage.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::api::problem::ApiError;
use crate::catalogue::standstill::uk_date;

use crate::service::award::{AwardRecord, AwardStepKind};
use crate::service::ocds::LotRecord;

use super::release::{Parties, date, money, statistic, supplier_of};

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// When the contract award notice was published, if it is.
pub fn notice_published(record: &AwardRecord) -> Option<NaiveDateTime> {
    record
        .latest(AwardStepKind::NoticePublished)
        .map(|step| step.row.occurred_at)
}

/// The award of `lot` (`awards[]`). Its winner's supplier is a `supplier` of `parties`.
pub fn award(
    lot: &LotRecord,
    record: &AwardRecord,
    now: NaiveDateTime,
    parties: &mut Parties,
) -> Result<Value, ApiError> {
    let award = &record.award;
    let mut out = Map::new();
    out.insert("id".into(), json!(format!("{}-award", lot.lot.id)));
    out.insert("title".into(), json!(lot.lot.title));
    // Until the standstill period ends the award is proposed, not yet in force.
    let standstill_over = record
        .standstill
        .as_ref()
        .is_some_and(|s| s.is_over(uk_date(now)));
    out.insert(
        "status".into(),
        json!(if standstill_over { "active" } else { "pending" }),
    );
    let published = notice_published(record);
    out.insert(
        "date".into(),
        json!(date(published.unwrap_or(award.decided_at))),
    );
    if !award.note.is_empty() {
        out.insert("description".into(), json!(award.note));
    }
    if let Some(bid) = lot.bids.iter().find(|b| b.id == award.winner_bid_id) {
        if let Some(value) = money(Some(&bid.price), &bid.currency) {
            out.insert("value".into(), value);
        }
        let supplier = supplier_of(bid)?;
        parties.add(&supplier, "supplier");
        out.insert(
            "suppliers".into(),
            json!([{"id": supplier.id, "name": supplier.name}]),
        );
    }
    if let Some(standstill) = &record.standstill {
        let mut period = Map::new();
        if let Some(starts) = standstill.starts_at() {
            period.insert("startDate".into(), json!(rfc3339(starts)));
        }
        if let Some(ends) = standstill.ends_at() {
            period.insert("endDate".into(), json!(rfc3339(ends)));
        }
        if !period.is_empty() {
            out.insert("standstillPeriod".into(), Value::Object(period));
        }
    }
    if let Some(sent) = record.summaries_sent().into_iter().map(|(_, at)| at).max() {
        out.insert("assessmentSummariesDateSent".into(), json!(date(sent)));
    }
    if let Some(published) = published {
        out.insert(
            "documents".into(),
            json!([{
                "id": format!("{}-UK6", lot.lot.id),
                "documentType": "awardNotice",
                "noticeType": "UK6",
                "title": format!("Contract award notice: {}", lot.lot.title),
                "datePublished": date(published),
                "relatedLots": [lot.lot.id],
            }]),
        );
    }
    out.insert("relatedLots".into(), json!([lot.lot.id]));
    Ok(Value::Object(out))
}

/// `finalStageBids` (the bids the award's run assessed), and `smeFinalStageBids` and
/// `vcseFinalStageBids` (those whose supplier says it is one). A count whose inputs are not all
/// known, because some assessed bid's supplier does not say, is left out rather than guessed.
pub fn final_stage_statistics(
    lot: &LotRecord,
    record: &AwardRecord,
) -> Result<Vec<Value>, ApiError> {
    let mut statistics = vec![statistic(
        lot,
        "finalStageBids",
        record.assessed.len() as u64,
    )];
    let mut sme = Some(0_u64);
    let mut vcse = Some(0_u64);
    for id in &record.assessed {
        let supplier = match lot.bids.iter().find(|b| b.id == *id) {
            Some(bid) => Some(bid.supplier().map_err(crate::service::ServiceError::from)?),
            None => None,
        };
        let count = |total: Option<u64>, says: Option<bool>| match says {
            Some(true) => total.map(|n| n + 1),
            Some(false) => total,
            None => None,
        };
        sme = count(sme, supplier.as_ref().and_then(|s| s.sme));
        vcse = count(vcse, supplier.as_ref().and_then(|s| s.vcse));
    }
    if let Some(sme) = sme {
        statistics.push(statistic(lot, "smeFinalStageBids", sme));
    }
    if let Some(vcse) = vcse {
        statistics.push(statistic(lot, "vcseFinalStageBids", vcse));
    }
    Ok(statistics)
}
