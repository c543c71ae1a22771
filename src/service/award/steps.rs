//! Recording a step after the decision: in order, in its regime, once; a repeat with the same
//! time is no new row, another time is 409 unless it corrects the step with a reason.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::{AwardRecord, RecordedStep, StepInput, StepRequest, record_in, standstill_of};
use crate::catalogue::holidays::Calendar;
use crate::catalogue::standstill::Regime;
use crate::db::DbConnection;
use crate::db::awards::{self as repo, AwardStepRow, StepDetails};
use crate::db::tenders::LotLock;
use crate::db::types::{AwardStepKind, BidId};
use crate::service::audit::Entity;
use crate::service::bids::LotRef;
use crate::service::{Actor, Code, ServiceError, lots, now};

/// How far ahead of our clock a stated time may be (clients' clocks drift).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The longest voluntary standstill an exempt award may record.
const MAX_VOLUNTARY_DAYS: u32 = 30;

pub(super) fn step_in(
    conn: &mut DbConnection,
    actor: &Actor,
    lot_ref: &LotRef,
    input: StepInput,
    calendar: &Calendar,
) -> Result<(AwardRecord, bool), ServiceError> {
    let (tender, lot) = lots::lock(
        conn,
        &actor.org,
        &lot_ref.tender_id,
        &lot_ref.lot_id,
        LotLock::Update,
    )?;
    let Some(award) = repo::award_of(conn, &actor.org, &lot.id)? else {
        return Err(out_of_order(
            "decision",
            "the lot has no award decision yet: POST …/award first",
        ));
    };
    let record = record_in(conn, &actor.org, award, &tender, calendar)?;
    if record.award.standstill_ends.is_some() {
        return Err(ServiceError::conflict(
            Code::AwardStepRecorded,
            "this award was made before award steps were recorded: its standstill was counted from the decision and stays as stored",
        ));
    }
    let (kind, occurred_at, details) = check_step(&record, &input)?;
    if is_repeat(&record, kind, occurred_at, &details, &input)? {
        return Ok((record, false));
    }
    let now = now();
    if occurred_at > now + CLOCK_SKEW {
        return Err(ServiceError::invalid(
            time_field(kind),
            "not_in_future",
            format!("{occurred_at} UTC is in the future (it is {now} UTC)"),
        ));
    }
    let row = AwardStepRow {
        lot_id: lot.id.clone(),
        seq: record.steps.last().map_or(1, |s| s.row.seq + 1),
        tender_id: lot.tender_id.clone(),
        org_id: actor.org.clone(),
        step: kind,
        occurred_at,
        regime: record.regime,
        details: serde_json::to_string(&details).map_err(|e| ServiceError::Internal(e.into()))?,
        correction_reason: input.correction_reason.clone(),
        recorded_by: actor.sub.clone(),
        recorded_at: now,
    };
    repo::insert_step(conn, &row)?;
    let action = match &input.correction_reason {
        Some(_) => format!("correct_{kind}"),
        None => kind.to_string(),
    };
    let id = format!("{}:{}", row.lot_id, row.seq);
    actor.record(conn, &action, Entity::AwardStep, &[&id], &json!({}))?;
    let mut record = record;
    record.steps.push(RecordedStep { row, details });
    record.standstill = standstill_of(&record, calendar)?;
    Ok((record, true))
}

/// The step's kind, time and details, once it is known to be in order and in its regime.
fn check_step(
    record: &AwardRecord,
    input: &StepInput,
) -> Result<(AwardStepKind, NaiveDateTime, StepDetails), ServiceError> {
    let (kind, at, details) = match &input.request {
        StepRequest::SummariesSent { sent_at, bids } => {
            let bids = summary_bids(record, bids.as_deref())?;
            let details = StepDetails {
                bids,
                ..StepDetails::default()
            };
            (AwardStepKind::AssessmentSummariesSent, *sent_at, details)
        }
        StepRequest::NoticePublished {
            published_at,
            notice_id,
            exemption,
        } => {
            if let Some(days) = exemption.as_ref().and_then(|e| e.voluntary_working_days)
                && !(1..=MAX_VOLUNTARY_DAYS).contains(&days)
            {
                return Err(ServiceError::invalid(
                    "/exemption/voluntary_working_days",
                    "range",
                    format!("a voluntary standstill is 1 to {MAX_VOLUNTARY_DAYS} working days"),
                ));
            }
            let details = StepDetails {
                notice_id: notice_id.clone(),
                exemption: exemption.clone(),
                ..StepDetails::default()
            };
            (AwardStepKind::NoticePublished, *published_at, details)
        }
        StepRequest::NoticesSent {
            sent_at,
            electronic,
        } => {
            let details = StepDetails {
                electronic: Some(*electronic),
                ..StepDetails::default()
            };
            (AwardStepKind::NoticesSent, *sent_at, details)
        }
    };
    let regime_of_step = match kind {
        AwardStepKind::NoticesSent => Regime::Pcr2015,
        _ => Regime::ProcurementAct2023,
    };
    if regime_of_step != record.regime {
        let instead = match record.regime {
            Regime::Pcr2015 => "the decision notices (POST …/award/notices-sent)",
            Regime::ProcurementAct2023 => {
                "the assessment summaries and the contract award notice (POST …/award/assessment-summaries-sent, …/award/notice-published)"
            }
        };
        return Err(ServiceError::conflict(
            Code::StepNotInRegime,
            format!(
                "the tender runs under {}: `{kind}` is not one of its steps; it records {instead}",
                record.regime
            ),
        ));
    }
    if at < record.award.decided_at {
        return Err(ServiceError::invalid(
            time_field(kind),
            "after_decision",
            format!(
                "{at} UTC is before the award decision ({} UTC)",
                record.award.decided_at
            ),
        ));
    }
    if kind == AwardStepKind::NoticePublished {
        let missing = record.summaries_missing();
        if !missing.is_empty() {
            let missing: Vec<&str> = missing.iter().map(|b| b.as_str()).collect();
            return Err(out_of_order(
                "assessment_summaries_sent",
                format!(
                    "the contract award notice follows the assessment summaries (s.50): none is recorded for bid(s) {}",
                    missing.join(", ")
                ),
            ));
        }
        if let Some((bid, last)) = record
            .summaries_sent()
            .into_iter()
            .max_by_key(|(_, at)| *at)
            && at < last
        {
            return Err(ServiceError::invalid(
                "/published_at",
                "after_summaries",
                format!("{at} UTC is before the assessment summary of bid {bid} ({last} UTC)"),
            ));
        }
    }
    if kind == AwardStepKind::AssessmentSummariesSent
        && input.correction_reason.is_none()
        && record.latest(AwardStepKind::NoticePublished).is_some()
    {
        return Err(ServiceError::conflict(
            Code::AwardStepRecorded,
            "the contract award notice is published: a summary recorded now corrects the steps and needs `correction_reason`",
        ));
    }
    Ok((kind, at, details))
}

/// The same step again: with the same time and details it is the step already recorded (no new
/// row); with others it is 409, unless it gives a reason and so corrects the earlier one.
fn is_repeat(
    record: &AwardRecord,
    kind: AwardStepKind,
    at: NaiveDateTime,
    details: &StepDetails,
    input: &StepInput,
) -> Result<bool, ServiceError> {
    // What is recorded of this step: (what, when, whether its details are these).
    let recorded: Vec<(String, NaiveDateTime, bool)> = match kind {
        AwardStepKind::AssessmentSummariesSent => record
            .summaries_sent()
            .into_iter()
            .filter(|(bid, _)| details.bids.contains(bid))
            .map(|(bid, sent)| (format!("the summary of bid {bid}"), sent, true))
            .collect(),
        _ => match record.latest(kind) {
            Some(step) => vec![(
                format!("`{kind}`"),
                step.row.occurred_at,
                step.details == *details,
            )],
            None => Vec::new(),
        },
    };
    if input.correction_reason.is_some() {
        if recorded.is_empty() {
            return Err(ServiceError::invalid(
                "/correction_reason",
                "nothing_to_correct",
                format!("no `{kind}` step is recorded that this would correct"),
            ));
        }
        return Ok(false);
    }
    let differing: Vec<&str> = recorded
        .iter()
        .filter(|(_, when, same)| *when != at || !same)
        .map(|(what, _, _)| what.as_str())
        .collect();
    if !differing.is_empty() {
        return Err(ServiceError::conflict(
            Code::AwardStepRecorded,
            format!(
                "{} is already recorded with another time or details; a mistaken step is corrected by posting it again with `correction_reason`",
                differing.join(", ")
            ),
        ));
    }
    Ok(match kind {
        AwardStepKind::AssessmentSummariesSent => recorded.len() == details.bids.len(),
        _ => !recorded.is_empty(),
    })
}

/// The bids a summary step names: those asked for, each one the run assessed; all of them when
/// none are named.
fn summary_bids(
    record: &AwardRecord,
    asked: Option<&[String]>,
) -> Result<Vec<BidId>, ServiceError> {
    let Some(asked) = asked else {
        return Ok(record.assessed.clone());
    };
    let mut violations = Vec::new();
    let mut bids: Vec<BidId> = Vec::new();
    for (i, bid) in asked.iter().enumerate() {
        if !record.assessed.iter().any(|b| b == bid) {
            violations.push(crate::violation::Violation::new(
                format!("/bids/{i}"),
                "assessed_bid",
                format!("`{bid}` is not a bid the award's evaluation run assessed"),
            ));
        } else if !bids.iter().any(|b| b == bid) {
            bids.push(BidId::from(bid.clone()));
        }
    }
    if asked.is_empty() {
        violations.push(crate::violation::Violation::new(
            "/bids",
            "not_empty",
            "name at least one bid, or leave `bids` out for all of them",
        ));
    }
    if !violations.is_empty() {
        return Err(ServiceError::Invalid(violations));
    }
    Ok(bids)
}

fn time_field(kind: AwardStepKind) -> &'static str {
    match kind {
        AwardStepKind::NoticePublished => "/published_at",
        _ => "/sent_at",
    }
}

/// 409 naming the step that must come first.
fn out_of_order(missing: &str, detail: impl std::fmt::Display) -> ServiceError {
    ServiceError::conflict(
        Code::AwardStepOutOfOrder,
        format!("missing step `{missing}`: {detail}"),
    )
}
