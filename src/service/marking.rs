//! Evaluators and their marks: assignment, declarations of interest, marks within the scheme's
//! scale, the moderation view and consensus marks, and the rule for the mark the engine uses.

use rust_decimal::Decimal;
use serde_json::Value;

use super::audit::Entity;

use super::bids::LotRef;
use super::idempotency::{self, Outcome, Recorded, RequestKey};
pub use super::mark_sets::{MarkSet, MarkStatus};
use super::mark_sets::{mark_sets, scored_criteria};
use super::now;
use super::{Actor, Code, Db, ServiceError, lots};
use crate::db::DbConnection;
use crate::db::bids as bid_repo;
use crate::db::evaluations as repo;
pub use crate::db::evaluations::{DeclarationRow, EvaluatorRow, MarkRow, ModeratedRow};
use crate::db::tenders::{self as tender_repo, LotLock, LotRow, TenderRow};
use crate::db::types::LotStatus;
use crate::scoring::Scheme;

/// The lot's current scheme.
pub(super) fn current_scheme(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<(i32, Scheme), ServiceError> {
    let row = tender_repo::latest_scheme(conn, org, lot_id)?
        .ok_or_else(|| ServiceError::conflict(Code::SchemeRequired, "the lot has no scheme"))?;
    Ok((row.version, row.scheme()?))
}

/// Assigns `sub` to evaluate the lot.
pub async fn assign(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    sub: String,
    key: Option<RequestKey>,
    render: impl FnOnce(&EvaluatorRow) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let work =
        move |conn: &mut DbConnection| assign_in(conn, &actor, &lot.tender_id, &lot.lot_id, &sub);
    idempotency::once(db, key, work, render).await
}

pub async fn evaluators(
    db: &Db,
    org: String,
    lot: LotRef,
) -> Result<Vec<EvaluatorRow>, ServiceError> {
    db.run(move |conn| {
        let (_, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        Ok(repo::evaluators_of(conn, &org, &lot.id)?)
    })
    .await
}

/// What an evaluator declares: a conflict of interest (with one bid, or the whole lot) or none.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub conflict: bool,
    pub bid_id: Option<String>,
    pub details: String,
}

/// An assigned evaluator declares a conflict of interest or none.
pub async fn declare(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    declaration: Declaration,
    key: Option<RequestKey>,
    render: impl FnOnce(&DeclarationRow) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let work = move |conn: &mut DbConnection| {
        declare_in(conn, &actor, &lot.tender_id, &lot.lot_id, declaration)
    };
    idempotency::once(db, key, work, render).await
}

/// The marks of a lot the caller may see.
pub async fn marks(db: &Db, actor: Actor, lot: LotRef) -> Result<Vec<MarkRow>, ServiceError> {
    db.run(move |conn| marks_in(conn, &actor, &lot.tender_id, &lot.lot_id))
        .await
}

/// The lot's mark sets, for moderation.
pub async fn moderation(db: &Db, org: String, lot: LotRef) -> Result<Vec<MarkSet>, ServiceError> {
    db.run(move |conn| {
        let (_, lot) = lots::get_in(conn, &org, &lot.tender_id, &lot.lot_id)?;
        mark_sets(conn, &org, &lot.id)
    })
    .await
}

/// A mark as given: the score and why.
#[derive(Debug, Clone)]
pub struct Mark {
    pub score: Decimal,
    pub rationale: String,
}

/// An evaluator's own mark for one bid and criterion.
pub async fn put_mark(
    db: &Db,
    actor: Actor,
    target: MarkTarget,
    mark: Mark,
) -> Result<MarkRow, ServiceError> {
    db.write(move |conn| put_mark_in(conn, &actor, &target, mark.score, mark.rationale))
        .await
}

/// The consensus mark agreed at moderation (commercial).
pub async fn put_moderated(
    db: &Db,
    actor: Actor,
    target: MarkTarget,
    mark: Mark,
) -> Result<ModeratedRow, ServiceError> {
    db.write(move |conn| put_moderated_in(conn, &actor, &target, mark.score, mark.rationale))
        .await
}

fn assign_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    sub: &str,
) -> Result<EvaluatorRow, ServiceError> {
    let (_, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Update)?;
    if repo::is_evaluator(conn, &actor.org, &lot.id, sub)? {
        return Err(ServiceError::conflict(
            Code::EvaluatorAssigned,
            format!("`{sub}` evaluates this lot already"),
        ));
    }
    let row = EvaluatorRow {
        lot_id: lot.id.clone(),
        sub: sub.to_string(),
        org_id: actor.org.clone(),
        assigned_by: actor.sub.clone(),
        assigned_at: now(),
    };
    repo::insert_evaluator(conn, &row)?;
    let id = format!("{}:{}", row.lot_id.as_str(), row.sub);
    actor.record(
        conn,
        "assign_evaluator",
        Entity::Evaluator,
        &[&id],
        &Value::Null,
    )?;
    Ok(row)
}

fn declare_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    Declaration {
        conflict,
        bid_id,
        details,
    }: Declaration,
) -> Result<DeclarationRow, ServiceError> {
    let (_, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Share)?;
    require_assigned(conn, actor, &lot.id)?;
    if let Some(bid) = &bid_id
        && bid_repo::find(conn, &actor.org, &lot.id, bid)?.is_none()
    {
        return Err(ServiceError::invalid(
            "/bid_id",
            "unknown_bid",
            format!("no bid `{bid}` in this lot"),
        ));
    }
    let row = DeclarationRow {
        id: uuid::Uuid::now_v7().to_string(),
        lot_id: lot.id.clone(),
        org_id: actor.org.clone(),
        evaluator_sub: actor.sub.clone(),
        conflict,
        bid_id: bid_id.map(Into::into),
        details,
        declared_at: now(),
    };
    repo::insert_declaration(conn, &row)?;
    actor.record(
        conn,
        "declare",
        Entity::Declaration,
        &[&row.id],
        &Value::Null,
    )?;
    Ok(row)
}

fn require_assigned(
    conn: &mut DbConnection,
    actor: &Actor,
    lot_id: &str,
) -> Result<(), ServiceError> {
    if repo::is_evaluator(conn, &actor.org, lot_id, &actor.sub)? {
        Ok(())
    } else {
        Err(ServiceError::denied(
            Code::NotAssigned,
            "you are not an evaluator of this lot",
        ))
    }
}

/// An evaluator's own only (until moderation the others' are not its to see), or everyone's for
/// those who moderate or audit.
fn marks_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
) -> Result<Vec<MarkRow>, ServiceError> {
    let (_, lot) = lots::get_in(conn, &actor.org, tender_id, lot_id)?;
    let all = repo::marks_of_lot(conn, &actor.org, &lot.id)?;
    if actor.role != crate::auth::Role::Evaluator {
        return Ok(all);
    }
    require_assigned(conn, actor, &lot.id)?;
    Ok(all
        .into_iter()
        .filter(|m| m.evaluator_sub == actor.sub)
        .collect())
}

/// What a mark is given to: one bid of a lot, on one criterion.
pub struct MarkTarget {
    pub tender_id: String,
    pub lot_id: String,
    pub bid_id: String,
    pub criterion_id: String,
}

fn put_mark_in(
    conn: &mut DbConnection,
    actor: &Actor,
    target: &MarkTarget,
    score: Decimal,
    rationale: String,
) -> Result<MarkRow, ServiceError> {
    let (_, lot) = lock_for_marking(conn, &actor.org, target)?;
    require_assigned(conn, actor, &lot.id)?;
    let declarations = repo::declarations_of(conn, &actor.org, &lot.id, &actor.sub)?;
    if declarations.is_empty() {
        return Err(ServiceError::denied(
            Code::ConflictDeclarationRequired,
            "declare your conflicts of interest (or none) for this lot before marking",
        ));
    }
    if declarations
        .iter()
        .any(|d| d.conflict && d.bid_id.as_deref().is_none_or(|b| b == target.bid_id))
    {
        return Err(ServiceError::denied(
            Code::ConflictOfInterest,
            "you declared a conflict of interest with this bid",
        ));
    }
    let bid = markable_bid(conn, &actor.org, &lot, target, score, &rationale)?;
    let row = MarkRow {
        lot_id: lot.id.clone(),
        bid_id: bid.id.clone(),
        criterion_id: target.criterion_id.clone(),
        evaluator_sub: actor.sub.clone(),
        org_id: actor.org.clone(),
        score: score.normalize().to_string(),
        rationale,
        updated_at: now(),
    };
    repo::put_mark(conn, &row)?;
    let id = format!(
        "{}:{}:{}",
        row.bid_id.as_str(),
        row.criterion_id,
        row.evaluator_sub
    );
    actor.record(conn, "mark", Entity::Mark, &[&id], &Value::Null)?;
    Ok(row)
}

fn put_moderated_in(
    conn: &mut DbConnection,
    actor: &Actor,
    target: &MarkTarget,
    score: Decimal,
    rationale: String,
) -> Result<ModeratedRow, ServiceError> {
    let (_, lot) = lock_for_marking(conn, &actor.org, target)?;
    let bid = markable_bid(conn, &actor.org, &lot, target, score, &rationale)?;
    let row = ModeratedRow {
        lot_id: lot.id.clone(),
        bid_id: bid.id.clone(),
        criterion_id: target.criterion_id.clone(),
        org_id: actor.org.clone(),
        score: score.normalize().to_string(),
        rationale,
        moderated_by: actor.sub.clone(),
        moderated_at: now(),
    };
    repo::put_moderated(conn, &row)?;
    let id = format!("{}:{}", row.bid_id.as_str(), row.criterion_id);
    actor.record(
        conn,
        "moderate",
        Entity::ModeratedMark,
        &[&id],
        &Value::Null,
    )?;
    Ok(row)
}

/// Marks and moderated marks are upserts (update, else insert) of one key, so two at once on one
/// lot are serialised rather than both inserting; they are written at the pace of people.
fn lock_for_marking(
    conn: &mut DbConnection,
    org: &str,
    target: &MarkTarget,
) -> Result<(TenderRow, LotRow), ServiceError> {
    lots::lock(
        conn,
        org,
        &target.tender_id,
        &target.lot_id,
        LotLock::Update,
    )
}

/// The bid a mark (an evaluator's or the consensus) is given to, once everything a mark needs holds:
/// the bid exists, the lot is being evaluated, the criterion is marked and the score in its scale,
/// and a rationale is given.
fn markable_bid(
    conn: &mut DbConnection,
    org: &str,
    lot: &LotRow,
    target: &MarkTarget,
    score: Decimal,
    rationale: &str,
) -> Result<crate::db::bids::BidRow, ServiceError> {
    let bid = bid_repo::find(conn, org, &lot.id, &target.bid_id)?.ok_or(ServiceError::NotFound)?;
    require_evaluating(lot.status)?;
    super::bids::require_in(&bid)?;
    let (_, scheme) = current_scheme(conn, org, &lot.id)?;
    check_score(&scheme, &target.criterion_id, score)?;
    if rationale.trim().is_empty() {
        return Err(ServiceError::invalid(
            "/rationale",
            "required",
            "a mark needs its rationale",
        ));
    }
    Ok(bid)
}

fn require_evaluating(status: LotStatus) -> Result<(), ServiceError> {
    if status == LotStatus::Evaluating {
        Ok(())
    } else {
        Err(ServiceError::conflict(
            Code::LotNotEvaluating,
            format!("the lot is `{status}`: marks are given only while it is `evaluating`"),
        ))
    }
}

fn check_score(scheme: &Scheme, criterion_id: &str, score: Decimal) -> Result<(), ServiceError> {
    let scored = scored_criteria(scheme);
    let Some((_, scale)) = scored.iter().find(|(id, _)| *id == criterion_id) else {
        return Err(ServiceError::invalid(
            "/criterion",
            "mark_not_expected",
            format!("`{criterion_id}` is not a criterion people mark in this scheme"),
        ));
    };
    let in_levels = scale
        .levels
        .as_ref()
        .is_none_or(|levels| levels.contains(&score));
    if score < scale.min || score > scale.max || !in_levels {
        return Err(ServiceError::invalid(
            "/score",
            "mark_out_of_scale",
            format!(
                "the scale runs from {} to {}{}",
                scale.min,
                scale.max,
                if scale.levels.is_some() {
                    " in its levels"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}
