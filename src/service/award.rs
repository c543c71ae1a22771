//! A lot's award as the law runs it: the decision on the newest evaluation run, then under the
//! Procurement Act 2023 the assessment summaries and the contract award notice, whose publication
//! starts the standstill; under PCR 2015 the decision notices. Each step is an audited row of its
//! own, never edited: a mistaken step is corrected by a later one of its kind that gives a reason.
//! Every step locks the lot, so two clients recording steps at once are put in order.

use chrono::NaiveDateTime;
use serde_json::Value;

use super::audit::Entity;
use super::bids::LotRef;
use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::stored_run::RunResult;
use super::{Actor, Code, Db, ServiceError, lots, now};
use crate::catalogue::holidays::Calendar;
use crate::catalogue::standstill::{Exemption, Regime, Standstill};
use crate::db::DbConnection;
use crate::db::awards::{self as repo, StepDetails};
pub use crate::db::awards::{AwardRow, AwardStepRow};
use crate::db::evaluations as runs;
use crate::db::tenders::{LotLock, TenderRow};
pub use crate::db::types::AwardStepKind;
use crate::db::types::{BidId, LotStatus};

mod steps;

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
    calendar: &Calendar,
    key: Option<RequestKey>,
    render: impl FnOnce(&AwardRecord) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let calendar = calendar.clone();
    let work = move |conn: &mut DbConnection| {
        let (row, tender, assessed) = decide_in(conn, &actor, &lot, decision)?;
        // Just made: no step follows it yet.
        assemble(row, &tender, Vec::new(), assessed, &calendar)
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
    calendar: &Calendar,
    key: Option<RequestKey>,
    render: impl FnOnce(&(AwardRecord, bool)) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let calendar = calendar.clone();
    let work = move |conn: &mut DbConnection| steps::step_in(conn, &actor, &lot, input, &calendar);
    idempotency::once(db, key, work, render).await
}

/// The lot's award, once it is awarded, with its steps and standstill.
pub async fn get(
    db: &Db,
    org: String,
    lot: LotRef,
    calendar: &Calendar,
) -> Result<AwardRecord, ServiceError> {
    let calendar = calendar.clone();
    db.run(move |conn| {
        let (tender, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        let award = repo::award_of(conn, &org, &lot.id)?.ok_or(ServiceError::NotFound)?;
        record_in(conn, &org, award, &tender, &calendar)
    })
    .await
}

/// An award's record: its steps and the bids its run assessed, read here; `tender` (already read
/// by the caller) gives the regime while no step has fixed it.
pub(super) fn record_in(
    conn: &mut DbConnection,
    org: &str,
    award: AwardRow,
    tender: &TenderRow,
    calendar: &Calendar,
) -> Result<AwardRecord, ServiceError> {
    let steps = repo::steps_of(conn, org, &award.lot_id)?;
    let run = runs::find_evaluation(conn, org, &award.lot_id, &award.evaluation_id)?
        .ok_or_else(|| ServiceError::corrupt(format!("award {}: its run", award.lot_id)))?;
    let assessed = assessed_by(&RunResult::of(&run)?);
    assemble(award, tender, steps, assessed, calendar)
}

/// The bids a run assessed, each of whose suppliers is owed an assessment summary.
pub(super) fn assessed_by(result: &RunResult) -> Vec<BidId> {
    result
        .results
        .iter()
        .map(|bid| BidId::from(bid.bid_id.clone()))
        .collect()
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
        AwardStepKind::NoticesSent => {
            // Every notices-sent step is stored saying how the notices went; a row that does not
            // is corrupt, never read as electronic (the shorter standstill).
            let electronic = details.electronic.ok_or_else(|| {
                ServiceError::corrupt(format!(
                    "award_steps row {}:{}: column details has no `electronic`",
                    row.lot_id, row.seq
                ))
            })?;
            Standstill::after_decision_notices(calendar, row.occurred_at, electronic)
        }
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

/// The award row as stored, with the tender and the bids its run assessed (read on the way).
fn decide_in(
    conn: &mut DbConnection,
    actor: &Actor,
    lot: &LotRef,
    decision: AwardDecision,
) -> Result<(AwardRow, TenderRow, Vec<BidId>), ServiceError> {
    let (tender, lot) = lots::lock(
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
    let result = RunResult::of(&run)?;
    let Some(winner) = result.winner.clone() else {
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
    Ok((row, tender, assessed_by(&result)))
}
