//! A lot's award as the law runs it: the decision on the newest evaluation run, then under the
//! Procurement Act 2023 the assessment summaries and the contract award notice, whose publication
//! starts the standstill; under PCR 2015 the decision notices. Each step is an audited row of its
//! own, never edited: a mistaken step is corrected by a later one of its kind that gives a reason.
//! Every step locks the lot, so two clients recording steps at once are put in order.

use chrono::{Duration, NaiveDateTime};
use serde_json::{Value, json};

use super::audit::Entity;
use super::bids::LotRef;
use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::{Actor, Code, Db, ServiceError, lots, now};
use crate::catalogue::holidays::Calendar;
use crate::catalogue::standstill::{Exemption, Regime, Standstill};
use crate::db::DbConnection;
use crate::db::awards::{self as repo, StepDetails};
pub use crate::db::awards::{AwardRow, AwardStepRow};
use crate::db::evaluations as runs;
use crate::db::tenders::{LotLock, TenderRow};
use crate::db::types::{AwardStepKind, BidId, LotStatus};

/// How far ahead of our clock a stated time may be (clients' clocks drift).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The longest voluntary standstill an exempt award may record.
const MAX_VOLUNTARY_DAYS: u32 = 30;

/// What an award decides: the run it rests on, and why.
#[derive(Debug, Clone)]
pub struct AwardDecision {
    pub evaluation_id: String,
    pub note: String,
}

/// A step after the decision, as asked.
#[derive(Debug, Clone)]
pub enum StepRequest {
    /// The Act: assessment summaries sent to the suppliers of `bids` (all assessed bids when
    /// none are named).
    SummariesSent {
        sent_at: NaiveDateTime,
        bids: Option<Vec<String>>,
    },
    /// The Act: the contract award notice published, which starts the standstill.
    NoticePublished {
        published_at: NaiveDateTime,
        notice_id: Option<String>,
        exemption: Option<Exemption>,
    },
    /// PCR 2015: the decision notices sent (reg. 86), which start the standstill.
    NoticesSent {
        sent_at: NaiveDateTime,
        electronic: bool,
    },
}

/// A step and, when it corrects one recorded before, why.
#[derive(Debug, Clone)]
pub struct StepInput {
    pub request: StepRequest,
    pub correction_reason: Option<String>,
}

/// A step as recorded, with its details read.
#[derive(Debug, Clone)]
pub struct RecordedStep {
    pub row: AwardStepRow,
    pub details: StepDetails,
}

/// An award with everything that followed it.
#[derive(Debug, Clone)]
pub struct AwardRecord {
    pub award: AwardRow,
    /// The regime its standstill is counted under: the steps', or the tender's before any.
    pub regime: Regime,
    pub steps: Vec<RecordedStep>,
    /// The bids the run assessed: each supplier is owed an assessment summary.
    pub assessed: Vec<BidId>,
    pub standstill: Option<Standstill>,
}

impl AwardRecord {
    /// The step that is owed next, if any.
    pub fn next_step(&self) -> Option<AwardStepKind> {
        match self.regime {
            Regime::ProcurementAct2023 if !self.summaries_missing().is_empty() => {
                Some(AwardStepKind::AssessmentSummariesSent)
            }
            Regime::ProcurementAct2023 => self
                .latest(AwardStepKind::NoticePublished)
                .is_none()
                .then_some(AwardStepKind::NoticePublished),
            Regime::Pcr2015 => self
                .latest(AwardStepKind::NoticesSent)
                .is_none()
                .then_some(AwardStepKind::NoticesSent),
        }
        .filter(|_| self.award.standstill_ends.is_none())
    }

    /// When each assessed bid's summary was sent, as last recorded.
    pub fn summaries_sent(&self) -> Vec<(BidId, NaiveDateTime)> {
        self.assessed
            .iter()
            .filter_map(|bid| summary_of(&self.steps, bid).map(|at| (bid.clone(), at)))
            .collect()
    }

    /// Assessed bids whose supplier has had no summary.
    pub fn summaries_missing(&self) -> Vec<BidId> {
        self.assessed
            .iter()
            .filter(|bid| summary_of(&self.steps, bid).is_none())
            .cloned()
            .collect()
    }

    /// The step of `kind` that stands: the last recorded (a correction supersedes).
    pub fn latest(&self, kind: AwardStepKind) -> Option<&RecordedStep> {
        self.steps.iter().rev().find(|s| s.row.step == kind)
    }

    /// Whether a later step corrected `step`: for summaries, one naming each of its bids.
    pub fn superseded(&self, step: &RecordedStep) -> bool {
        match step.row.step {
            AwardStepKind::AssessmentSummariesSent => step.details.bids.iter().all(|bid| {
                self.steps.iter().any(|later| {
                    later.row.seq > step.row.seq
                        && later.row.step == AwardStepKind::AssessmentSummariesSent
                        && later.details.bids.contains(bid)
                })
            }),
            kind => self
                .latest(kind)
                .is_some_and(|last| last.row.seq != step.row.seq),
        }
    }
}

/// Awards the lot on the strength of its newest evaluation run, whose single rank-1 bid wins.
pub async fn award(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    decision: AwardDecision,
    calendar: Calendar,
    key: Option<RequestKey>,
    render: impl FnOnce(&AwardRecord) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let work = move |conn: &mut DbConnection| {
        let row = decide_in(conn, &actor, &lot, decision)?;
        record_of(conn, &actor.org, row, &calendar)
    };
    idempotency::once(db, key, work, render).await
}

/// Records a step after the decision. `render` is told whether the step was new: the same step
/// posted again with the same time changes nothing.
pub async fn record_step(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    input: StepInput,
    calendar: Calendar,
    key: Option<RequestKey>,
    render: impl FnOnce(&(AwardRecord, bool)) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let work = move |conn: &mut DbConnection| step_in(conn, &actor, &lot, input, &calendar);
    idempotency::once(db, key, work, render).await
}

/// The lot's award, once it is awarded, with its steps and standstill.
pub async fn get(
    db: &Db,
    org: String,
    lot: LotRef,
    calendar: Calendar,
) -> Result<AwardRecord, ServiceError> {
    db.run(move |conn| {
        let (_, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        let award = repo::award_of(conn, &org, &lot.id)?.ok_or(ServiceError::NotFound)?;
        record_of(conn, &org, award, &calendar)
    })
    .await
}

/// An award's record from its rows; `tender` gives the regime while no step has fixed it.
pub(super) fn record_of(
    conn: &mut DbConnection,
    org: &str,
    award: AwardRow,
    calendar: &Calendar,
) -> Result<AwardRecord, ServiceError> {
    let tender = crate::db::tenders::find_tender(conn, org, &award.tender_id)?
        .ok_or(ServiceError::NotFound)?;
    let steps = repo::steps_of(conn, org, &award.lot_id)?;
    let run = runs::find_evaluation(conn, org, &award.lot_id, &award.evaluation_id)?
        .ok_or_else(|| ServiceError::corrupt(format!("award {}: its run", award.lot_id)))?;
    let assessed = super::stored_run::RunResult::of(&run)?
        .results
        .into_iter()
        .map(|bid| BidId::from(bid.bid_id))
        .collect();
    assemble(award, &tender, steps, assessed, calendar)
}

/// The record of rows already read (the OCDS export reads a whole tender's at once).
pub(super) fn assemble(
    award: AwardRow,
    tender: &TenderRow,
    steps: Vec<AwardStepRow>,
    assessed: Vec<BidId>,
    calendar: &Calendar,
) -> Result<AwardRecord, ServiceError> {
    let steps = steps
        .into_iter()
        .map(|row| {
            let details = row.details()?;
            Ok(RecordedStep { row, details })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let regime = match steps.last() {
        Some(step) => step.row.regime,
        None => regime_of(tender)?,
    };
    let mut record = AwardRecord {
        award,
        regime,
        steps,
        assessed,
        standstill: None,
    };
    record.standstill = standstill_of(&record, calendar)?;
    Ok(record)
}

fn standstill_of(
    record: &AwardRecord,
    calendar: &Calendar,
) -> Result<Option<Standstill>, ServiceError> {
    if let Some(stored) = &record.award.standstill_ends {
        let last_day = chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d").map_err(|e| {
            ServiceError::corrupt(format!(
                "awards row {}: column standstill_ends holds `{stored}`: {e}",
                record.award.lot_id
            ))
        })?;
        return Ok(Some(Standstill::as_stored(record.regime, last_day)));
    }
    let step = match record.regime {
        Regime::ProcurementAct2023 => record.latest(AwardStepKind::NoticePublished),
        Regime::Pcr2015 => record.latest(AwardStepKind::NoticesSent),
    };
    let Some(RecordedStep { row, details }) = step else {
        return Ok(None);
    };
    Ok(Some(match row.step {
        AwardStepKind::NoticesSent => Standstill::after_decision_notices(
            calendar,
            row.occurred_at,
            details.electronic.unwrap_or(true),
        ),
        _ => Standstill::after_notice(calendar, row.occurred_at, details.exemption.clone()),
    }))
}

fn regime_of(tender: &TenderRow) -> Result<Regime, ServiceError> {
    tender.procurement_regime.parse().map_err(|e| {
        ServiceError::corrupt(format!(
            "tenders row {}: column procurement_regime: {e}",
            tender.id
        ))
    })
}

fn summary_of(steps: &[RecordedStep], bid: &BidId) -> Option<NaiveDateTime> {
    steps
        .iter()
        .rev()
        .filter(|s| s.row.step == AwardStepKind::AssessmentSummariesSent)
        .find(|s| s.details.bids.contains(bid))
        .map(|s| s.row.occurred_at)
}

fn decide_in(
    conn: &mut DbConnection,
    actor: &Actor,
    lot: &LotRef,
    decision: AwardDecision,
) -> Result<AwardRow, ServiceError> {
    let (_, lot) = lots::lock(
        conn,
        &actor.org,
        &lot.tender_id,
        &lot.lot_id,
        LotLock::Update,
    )?;
    if lot.status != LotStatus::Evaluating {
        return Err(ServiceError::conflict(
            Code::LotNotEvaluating,
            format!(
                "the lot is `{}`: only a lot under evaluation is awarded",
                lot.status
            ),
        ));
    }
    let run = runs::find_evaluation(conn, &actor.org, &lot.id, &decision.evaluation_id)?
        .ok_or(ServiceError::NotFound)?;
    super::audit::runs::check(conn, &actor.org, std::slice::from_ref(&run))?;
    if lot.latest_evaluation_id.as_deref() != Some(run.id.as_str()) {
        return Err(ServiceError::conflict(
            Code::EvaluationSuperseded,
            "a newer evaluation of this lot exists: award on the latest one",
        ));
    }
    let Some(winner) = super::stored_run::RunResult::of(&run)?.winner else {
        return Err(ServiceError::conflict(
            Code::WinnerUndetermined,
            "the evaluation names no single winner (no qualified bid, or a tie at rank 1): a person must decide and re-run",
        ));
    };
    let decided_at = now();
    if !crate::db::tenders::set_lot_status(
        conn,
        &lot,
        LotStatus::Evaluating,
        LotStatus::Awarded,
        decided_at,
    )? {
        return Err(ServiceError::conflict(
            Code::LotNotEvaluating,
            "the lot's status changed meanwhile",
        ));
    }
    let row = AwardRow {
        lot_id: lot.id.clone(),
        tender_id: lot.tender_id.clone(),
        org_id: actor.org.clone(),
        evaluation_id: run.id.clone(),
        winner_bid_id: winner.into(),
        note: decision.note,
        decided_at,
        // Counted from the step that starts the standstill, once it is taken.
        standstill_ends: None,
        awarded_by: actor.sub.clone(),
    };
    repo::insert_award(conn, &row)?;
    actor.record(conn, "award", Entity::Award, &[&lot.id], &Value::Null)?;
    actor.record(conn, "award", Entity::Lot, &[&lot.id], &Value::Null)?;
    Ok(row)
}

fn step_in(
    conn: &mut DbConnection,
    actor: &Actor,
    lot_ref: &LotRef,
    input: StepInput,
    calendar: &Calendar,
) -> Result<(AwardRecord, bool), ServiceError> {
    let (_, lot) = lots::lock(
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
    let record = record_of(conn, &actor.org, award, calendar)?;
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
