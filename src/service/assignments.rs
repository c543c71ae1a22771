//! What an evaluator sees (least privilege that works): the lots they are assigned to, and, once
//! they have declared no conflict with a lot, its scheme and its bids without prices (supplier,
//! commitments, and the marks they gave), nothing else. Before the declaration, only the
//! assignment; a bid they declared a conflict with stays out of sight.

use super::bids::{BidStatus, LotRef};
use super::{Actor, Code, Db, ServiceError, lots};
use crate::db::DbConnection;
use crate::db::bids::{self as bid_repo, BidRow, CommitmentRow};
use crate::db::evaluations::{self as repo, DeclarationRow, EvaluatorRow, MarkRow};
use crate::db::tenders::{self as tender_repo, LotRow, SchemeRow, TenderRow};

/// One lot an evaluator is assigned to, and where their declaration stands.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub tender: TenderRow,
    pub lot: LotRow,
    pub evaluator: EvaluatorRow,
    pub declared: bool,
    /// A conflict declared with the whole lot: nothing of it is theirs to see.
    pub conflicted: bool,
}

/// A bid as its evaluator sees it: no price.
#[derive(Debug, Clone)]
pub struct BidToMark {
    pub bid: BidRow,
    pub commitments: Vec<CommitmentRow>,
    pub marks: Vec<MarkRow>,
}

/// The caller's assignments, oldest first.
pub async fn mine(db: &Db, actor: Actor) -> Result<Vec<Assignment>, ServiceError> {
    db.run(move |conn| {
        let mut assignments = Vec::new();
        for evaluator in repo::assignments_of(conn, &actor.org, &actor.sub)? {
            let Some(lot) = tender_repo::find_lot_by_id(conn, &actor.org, &evaluator.lot_id)?
            else {
                continue;
            };
            let tender = tender_repo::find_tender(conn, &actor.org, &lot.tender_id)?
                .ok_or(ServiceError::NotFound)?;
            let declarations = repo::declarations_of(conn, &actor.org, &lot.id, &actor.sub)?;
            assignments.push(Assignment {
                declared: !declarations.is_empty(),
                conflicted: conflicted_with_lot(&declarations),
                tender,
                lot,
                evaluator,
            });
        }
        Ok(assignments)
    })
    .await
}

/// The lot's current scheme, for an evaluator who may see the lot.
pub async fn scheme(db: &Db, actor: Actor, lot: LotRef) -> Result<SchemeRow, ServiceError> {
    db.run(move |conn| {
        let (lot, _) = visible_lot(conn, &actor, &lot)?;
        tender_repo::latest_scheme(conn, &actor.org, &lot.id)?.ok_or(ServiceError::NotFound)
    })
    .await
}

/// The bids an evaluator marks: those still in and not declared a conflict with, each with the
/// marks this evaluator gave.
pub async fn bids_to_mark(
    db: &Db,
    actor: Actor,
    lot: LotRef,
) -> Result<Vec<BidToMark>, ServiceError> {
    db.run(move |conn| {
        let (lot, declarations) = visible_lot(conn, &actor, &lot)?;
        let excluded: Vec<&str> = declarations
            .iter()
            .filter(|d| d.conflict)
            .filter_map(|d| d.bid_id.as_deref())
            .collect();
        let bids: Vec<BidRow> = bid_repo::list(conn, &actor.org, &lot.id, None, i64::MAX)?
            .into_iter()
            .filter(|b| b.status == BidStatus::Submitted && !excluded.contains(&b.id.as_str()))
            .collect();
        let ids: Vec<_> = bids.iter().map(|b| b.id.clone()).collect();
        let mut commitments = bid_repo::commitments_of(conn, &ids)?;
        let mut marks: Vec<MarkRow> = repo::marks_of_lot(conn, &actor.org, &lot.id)?
            .into_iter()
            .filter(|m| m.evaluator_sub == actor.sub)
            .collect();
        Ok(bids
            .into_iter()
            .map(|bid| {
                let (own, rest) = commitments.drain(..).partition(|c| c.bid_id == bid.id);
                commitments = rest;
                let (given, others) = marks.drain(..).partition(|m| m.bid_id == bid.id);
                marks = others;
                BidToMark {
                    bid,
                    commitments: own,
                    marks: given,
                }
            })
            .collect())
    })
    .await
}

/// The lot, when the caller is assigned to it and has declared no conflict with all of it.
fn visible_lot(
    conn: &mut DbConnection,
    actor: &Actor,
    lot: &LotRef,
) -> Result<(LotRow, Vec<DeclarationRow>), ServiceError> {
    let (_, lot) = lots::get_in(conn, &actor.org, &lot.tender_id, &lot.lot_id)?;
    if !repo::is_evaluator(conn, &actor.org, &lot.id, &actor.sub)? {
        return Err(ServiceError::denied(
            Code::NotAssigned,
            "you are not an evaluator of this lot",
        ));
    }
    let declarations = repo::declarations_of(conn, &actor.org, &lot.id, &actor.sub)?;
    if declarations.is_empty() {
        return Err(ServiceError::denied(
            Code::ConflictDeclarationRequired,
            "declare your conflicts of interest (or none) for this lot to see it",
        ));
    }
    if conflicted_with_lot(&declarations) {
        return Err(ServiceError::denied(
            Code::ConflictOfInterest,
            "you declared a conflict of interest with this lot",
        ));
    }
    Ok((lot, declarations))
}

fn conflicted_with_lot(declarations: &[DeclarationRow]) -> bool {
    declarations
        .iter()
        .any(|d| d.conflict && d.bid_id.is_none())
}
