//! Evaluation runs: the engine applied to a lot's stored scheme, pinned measures, active bids,
//! confirmed commitment mappings and effective marks. Each run is stored immutably with its inputs,
//! their SHA-256 and the engine version, so it can be reproduced and audited years later.

use chrono::DateTime;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::audit::{self, Entity};

use super::bids::LotRef;
use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::mark_sets::{MarkStatus, mark_sets};
use super::marking;
use super::now;
use super::{Actor, Code, Db, ServiceError, bids, lots};
use crate::catalogue;
use crate::db::DbConnection;
use crate::db::evaluations as repo;
pub use crate::db::evaluations::EvaluationRow;
use crate::db::tenders::{LotLock, LotRow, TenderRow};
use crate::db::types::BidStatus;
use crate::db::types::LotStatus;
use crate::db::types::{EvaluationId, LotId};
use crate::scoring::{self, Bid, Commitment, EvaluationInput, EvaluatorMarks};
use crate::violation::Violation;

/// Runs the engine on the lot as it stands and stores the run; 422 lists every mark that is
/// missing or awaits moderation, or every failure the engine finds.
/// Bids submitted against an earlier version of the lot's scheme are refused by a run unless a
/// person who decides for the buyer accepts them, by id, into that run.
pub async fn run(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    accepted: Vec<String>,
    key: Option<RequestKey>,
    render: impl FnOnce(&EvaluationRow) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let work = move |conn: &mut DbConnection| {
        run_in(conn, &actor, (&lot.tender_id, &lot.lot_id), &accepted)
    };
    idempotency::once(db, key, work, render).await
}

/// The runs of a lot, oldest first.
pub async fn list(db: &Db, org: String, lot: LotRef) -> Result<Vec<EvaluationRow>, ServiceError> {
    db.run(move |conn| {
        let (_, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        let runs = repo::evaluations_of(conn, &org, &lot.id)?;
        audit::runs::check(conn, &org, &runs)?;
        Ok(runs)
    })
    .await
}

/// One run, with the tender and lot it belongs to.
pub async fn get(
    db: &Db,
    org: String,
    lot: LotRef,
    id: String,
) -> Result<(TenderRow, LotRow, EvaluationRow), ServiceError> {
    db.run(move |conn| {
        let (tender, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        let run = repo::find_evaluation(conn, &org, &lot.id, &id)?.ok_or(ServiceError::NotFound)?;
        audit::runs::check(conn, &org, std::slice::from_ref(&run))?;
        Ok((tender, lot, run))
    })
    .await
}

/// The runs of a tender (optionally one lot's) in time order; with `as_of`, only what each lot's
/// latest run at that moment said.
pub async fn history(
    db: &Db,
    org: String,
    tender_id: String,
    lot_id: Option<String>,
    as_of: Option<chrono::NaiveDateTime>,
) -> Result<Vec<EvaluationRow>, ServiceError> {
    db.run(move |conn| history_in(conn, &org, &tender_id, lot_id.as_deref(), as_of))
        .await
}

fn run_in(
    conn: &mut DbConnection,
    actor: &Actor,
    (tender_id, lot_id): (&str, &str),
    accepted: &[String],
) -> Result<EvaluationRow, ServiceError> {
    // Exclusive: runs of one lot are stored one at a time, so the newest by id is the newest
    // committed, and an award (also exclusive) sees every run that committed before it.
    let (tender, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Update)?;
    if lot.status != LotStatus::Evaluating {
        return Err(ServiceError::conflict(
            Code::LotNotEvaluating,
            format!(
                "the lot is `{}`: it is evaluated once closed (`evaluating`)",
                lot.status
            ),
        ));
    }
    let (scheme_version, scheme) = marking::current_scheme(conn, &actor.org, &lot.id)?;
    let measures = lots::resolve_measures(conn, &actor.org, &tender.measure_set)?;
    let sets = mark_sets(conn, &actor.org, &lot.id)?;

    let mut missing = Vec::new();
    let mut evaluator_marks = Vec::new();
    let mut effective: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, Decimal>,
    > = Default::default();
    for set in &sets {
        match set.effective() {
            (_, Some(score)) => {
                effective
                    .entry(set.bid_id.to_string())
                    .or_default()
                    .insert(set.criterion_id.clone(), score);
            }
            (status, None) => missing.push(Violation {
                pointer: format!("/bids/{}/marks/{}", set.bid_id, set.criterion_id),
                code: status.as_str().into(),
                message: match status {
                    MarkStatus::Unmoderated => format!(
                        "{} evaluators' marks await a moderated mark",
                        set.marks.len()
                    ),
                    _ => "no evaluator has marked it".into(),
                },
            }),
        }
        if set.marks.len() > 1 {
            evaluator_marks.push(EvaluatorMarks {
                bid_id: set.bid_id.to_string(),
                criterion_id: set.criterion_id.clone(),
                marks: set.scores(),
            });
        }
    }
    if !missing.is_empty() {
        return Err(ServiceError::Invalid(missing));
    }

    let active: Vec<_> = bids::list_in(conn, &actor.org, tender_id, lot_id, None, i64::MAX)?
        .into_iter()
        .filter(|(bid, _)| bid.status == BidStatus::Submitted) // withdrawn bids take no part
        .collect();
    let earlier: Vec<String> = active
        .iter()
        .filter(|(bid, _)| bid.scheme_version < lot.scheme_version)
        .filter(|(bid, _)| !accepted.iter().any(|a| bid.id == *a))
        .map(|(bid, _)| format!("{} (version {})", bid.id, bid.scheme_version))
        .collect();
    if !earlier.is_empty() {
        return Err(ServiceError::conflict(
            Code::BidsOnEarlierScheme,
            format!(
                "bids submitted against an earlier version of the scheme (now version {}): {}; a commercial user may accept them into the run (`accept_earlier_scheme`)",
                lot.scheme_version,
                earlier.join(", ")
            ),
        ));
    }
    let scheme_versions: std::collections::BTreeMap<String, i32> = active
        .iter()
        .map(|(bid, _)| (bid.id.to_string(), bid.scheme_version))
        .collect();
    let mut engine_bids = Vec::new();
    for (bid, commitments) in active {
        let supplier = bid.supplier()?;
        let price = bid.price()?;
        engine_bids.push(Bid {
            marks: effective.remove(bid.id.as_str()).unwrap_or_default(),
            id: bid.id.into(),
            supplier: Some(supplier),
            price,
            currency: Some(bid.currency),
            submitted_at: DateTime::parse_from_rfc3339(&bid.submitted_at).map_err(corrupt)?,
            // Free text counts once a person has confirmed its measure.
            commitments: commitments
                .into_iter()
                .filter_map(|c| {
                    let quantity = c.quantity().transpose()?;
                    let measure = c.measure?;
                    Some(quantity.map(|quantity| Commitment { measure, quantity }))
                })
                .collect::<Result<_, _>>()?,
        });
    }
    let input = EvaluationInput {
        currency: tender.currency.clone(),
        scheme,
        measures,
        bids: engine_bids,
        framework: Some(tender.framework.clone()),
        evaluator_marks,
    };
    let result = scoring::evaluate(&input, catalogue::builtin()).map_err(|rejection| {
        ServiceError::Invalid(rejection.errors.into_iter().map(Violation::from).collect())
    })?;
    let inputs = json!({
        "currency": input.currency, "framework": input.framework, "scheme": input.scheme,
        "measures": input.measures, "bids": input.bids, "evaluator_marks": input.evaluator_marks,
        "bid_scheme_versions": scheme_versions, "accepted_earlier_scheme": accepted,
    });
    let row = EvaluationRow {
        id: EvaluationId::generate(),
        lot_id: lot.id.clone(),
        tender_id: tender.id.clone(),
        org_id: actor.org.clone(),
        scheme_version,
        inputs: inputs.to_string(),
        inputs_sha256: result.inputs_sha256.clone(),
        engine_version: scoring::ENGINE_VERSION.into(),
        result: serde_json::to_string(&result).map_err(corrupt)?,
        created_by: actor.sub.clone(),
        created_at: now(),
    };
    repo::insert_evaluation(conn, &row)?;
    crate::db::tenders::set_latest_evaluation(conn, &lot, &row.id)?;
    actor.record(conn, "evaluate", Entity::Run, &[&row.id], &Value::Null)?;
    actor.record(conn, "evaluate", Entity::Lot, &[&lot.id], &Value::Null)?;
    Ok(row)
}

fn corrupt(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::corrupt(error)
}

fn history_in(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: Option<&str>,
    as_of: Option<chrono::NaiveDateTime>,
) -> Result<Vec<EvaluationRow>, ServiceError> {
    crate::db::tenders::find_tender(conn, org, tender_id)?.ok_or(ServiceError::NotFound)?;
    let runs: Vec<EvaluationRow> = repo::evaluations_of_tender(conn, org, tender_id)?
        .into_iter()
        .filter(|run| lot_id.is_none_or(|lot| run.lot_id == lot))
        .filter(|run| as_of.is_none_or(|moment| run.created_at <= moment))
        .collect();
    audit::runs::check(conn, org, &runs)?;
    if as_of.is_none() {
        return Ok(runs);
    }
    // Runs are oldest first: the last one seen for each lot is what stood at that moment.
    let mut latest: std::collections::BTreeMap<LotId, EvaluationRow> = Default::default();
    for run in runs {
        latest.insert(run.lot_id.clone(), run);
    }
    let mut standing: Vec<EvaluationRow> = latest.into_values().collect();
    standing.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(standing)
}
