//! The rows behind each audited entity, read in bulk for the ledger (`service::audit::state`):
//! by their own keys when a write records what it changed, or a whole tender at a time when
//! verification looks for rows that no event recorded. Always within one org.

use std::collections::HashMap;

use diesel::prelude::*;

use super::awards::{AwardRow, AwardStepRow};
use super::bids::{BidRow, CommitmentRow};
use super::evaluations::{DeclarationRow, EvaluationRow, EvaluatorRow, MarkRow, ModeratedRow};
use super::measure_sets::{MeasureRow, MeasureSetRow};
use super::schema::{
    award_steps, awards, bids, commitments, conflict_declarations, evaluations, evaluators, lots,
    marks, measure_sets, measures, moderated_marks, schemes, tenders,
};
use super::tenders::{LotRow, SchemeRow, TenderRow};
use super::types::BidId;
use super::{DbConnection, DbError};

/// Which rows to read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Rows whose key is one of these: the row's own id, or for rows keyed under a parent (a
    /// scheme, an evaluator under its lot; a mark under its bid), the parent's id.
    Keys(&'a [String]),
    /// Every row of one tender.
    Tender(&'a str),
}

fn lot_ids_of(conn: &mut DbConnection, org: &str, tender: &str) -> Result<Vec<String>, DbError> {
    Ok(lots::table
        .filter(lots::org_id.eq(org))
        .filter(lots::tender_id.eq(tender))
        .select(lots::id)
        .load(conn)?)
}

/// The keys a scope means for rows keyed by lot: the given keys, or the tender's lots.
fn lot_keys(conn: &mut DbConnection, org: &str, scope: Scope<'_>) -> Result<Vec<String>, DbError> {
    match scope {
        Scope::Keys(keys) => Ok(keys.to_vec()),
        Scope::Tender(tender) => lot_ids_of(conn, org, tender),
    }
}

pub fn tenders(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<TenderRow>, DbError> {
    let keys = match scope {
        Scope::Keys(keys) => keys.to_vec(),
        Scope::Tender(tender) => vec![tender.to_string()],
    };
    Ok(tenders::table
        .filter(tenders::org_id.eq(org))
        .filter(tenders::id.eq_any(keys))
        .select(TenderRow::as_select())
        .load(conn)?)
}

pub fn lots(conn: &mut DbConnection, org: &str, scope: Scope<'_>) -> Result<Vec<LotRow>, DbError> {
    let query = lots::table
        .filter(lots::org_id.eq(org))
        .select(LotRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(keys) => query.filter(lots::id.eq_any(keys.to_vec())),
        Scope::Tender(tender) => query.filter(lots::tender_id.eq(tender.to_string())),
    }
    .load(conn)?)
}

/// Scheme versions, keyed by lot.
pub fn schemes(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<SchemeRow>, DbError> {
    let lots = lot_keys(conn, org, scope)?;
    Ok(schemes::table
        .filter(schemes::org_id.eq(org))
        .filter(schemes::lot_id.eq_any(lots))
        .select(SchemeRow::as_select())
        .load(conn)?)
}

/// Bids with their commitments in position order.
pub fn bids(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<(BidRow, Vec<CommitmentRow>)>, DbError> {
    let query = bids::table
        .filter(bids::org_id.eq(org))
        .select(BidRow::as_select())
        .into_boxed();
    let rows: Vec<BidRow> = match scope {
        Scope::Keys(keys) => query.filter(bids::id.eq_any(keys.to_vec())),
        Scope::Tender(tender) => query.filter(bids::lot_id.eq_any(lot_ids_of(conn, org, tender)?)),
    }
    .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|bid| bid.id.as_str()).collect();
    let mut by_bid: HashMap<BidId, Vec<CommitmentRow>> = HashMap::new();
    for commitment in commitments::table
        .filter(commitments::bid_id.eq_any(ids))
        .order((commitments::bid_id, commitments::position))
        .select(CommitmentRow::as_select())
        .load::<CommitmentRow>(conn)?
    {
        by_bid
            .entry(commitment.bid_id.clone())
            .or_default()
            .push(commitment);
    }
    Ok(rows
        .into_iter()
        .map(|bid| {
            let own = by_bid.remove(&bid.id).unwrap_or_default();
            (bid, own)
        })
        .collect())
}

/// Evaluators' marks, keyed by bid.
pub fn marks(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<MarkRow>, DbError> {
    let query = marks::table
        .filter(marks::org_id.eq(org))
        .select(MarkRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(bids) => query.filter(marks::bid_id.eq_any(bids.to_vec())),
        Scope::Tender(tender) => query.filter(marks::lot_id.eq_any(lot_ids_of(conn, org, tender)?)),
    }
    .load(conn)?)
}

/// Moderated marks, keyed by bid.
pub fn moderated(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<ModeratedRow>, DbError> {
    let query = moderated_marks::table
        .filter(moderated_marks::org_id.eq(org))
        .select(ModeratedRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(bids) => query.filter(moderated_marks::bid_id.eq_any(bids.to_vec())),
        Scope::Tender(tender) => {
            query.filter(moderated_marks::lot_id.eq_any(lot_ids_of(conn, org, tender)?))
        }
    }
    .load(conn)?)
}

pub fn runs(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<EvaluationRow>, DbError> {
    let query = evaluations::table
        .filter(evaluations::org_id.eq(org))
        .select(EvaluationRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(keys) => query.filter(evaluations::id.eq_any(keys.to_vec())),
        Scope::Tender(tender) => query.filter(evaluations::tender_id.eq(tender.to_string())),
    }
    .load(conn)?)
}

/// Awards, keyed by lot (a lot has at most one).
pub fn awards(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<AwardRow>, DbError> {
    let query = awards::table
        .filter(awards::org_id.eq(org))
        .select(AwardRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(lots) => query.filter(awards::lot_id.eq_any(lots.to_vec())),
        Scope::Tender(tender) => query.filter(awards::tender_id.eq(tender.to_string())),
    }
    .load(conn)?)
}

/// The steps of awards, keyed by lot.
pub fn award_steps(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<AwardStepRow>, DbError> {
    let query = award_steps::table
        .filter(award_steps::org_id.eq(org))
        .order((award_steps::lot_id, award_steps::seq))
        .select(AwardStepRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(lots) => query.filter(award_steps::lot_id.eq_any(lots.to_vec())),
        Scope::Tender(tender) => query.filter(award_steps::tender_id.eq(tender.to_string())),
    }
    .load(conn)?)
}

/// Evaluator assignments, keyed by lot.
pub fn evaluators(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<EvaluatorRow>, DbError> {
    let lots = lot_keys(conn, org, scope)?;
    Ok(evaluators::table
        .filter(evaluators::org_id.eq(org))
        .filter(evaluators::lot_id.eq_any(lots))
        .select(EvaluatorRow::as_select())
        .load(conn)?)
}

pub fn declarations(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<DeclarationRow>, DbError> {
    let query = conflict_declarations::table
        .filter(conflict_declarations::org_id.eq(org))
        .select(DeclarationRow::as_select())
        .into_boxed();
    Ok(match scope {
        Scope::Keys(keys) => query.filter(conflict_declarations::id.eq_any(keys.to_vec())),
        Scope::Tender(tender) => {
            query.filter(conflict_declarations::lot_id.eq_any(lot_ids_of(conn, org, tender)?))
        }
    }
    .load(conn)?)
}

/// Measure sets the org imported, with their measures in position order. A set belongs to no
/// tender, so a tender scope reads none.
pub fn measure_sets(
    conn: &mut DbConnection,
    org: &str,
    scope: Scope<'_>,
) -> Result<Vec<(MeasureSetRow, Vec<MeasureRow>)>, DbError> {
    let Scope::Keys(keys) = scope else {
        return Ok(Vec::new());
    };
    let sets: Vec<MeasureSetRow> = measure_sets::table
        .filter(measure_sets::owner_org.eq(org))
        .filter(measure_sets::id.eq_any(keys.to_vec()))
        .select(MeasureSetRow::as_select())
        .load(conn)?;
    sets.into_iter()
        .map(|set| {
            let rows = measures::table
                .filter(measures::measure_set_id.eq(&set.id))
                .order(measures::position)
                .select(MeasureRow::as_select())
                .load(conn)?;
            Ok((set, rows))
        })
        .collect()
}

/// The tenders of an org after `after`, in id order, `limit` at a time.
pub fn tender_ids_page(
    conn: &mut DbConnection,
    org: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    Ok(tenders::table
        .filter(tenders::org_id.eq(org))
        .filter(tenders::id.gt(after.unwrap_or("")))
        .order(tenders::id)
        .limit(limit)
        .select(tenders::id)
        .load(conn)?)
}

/// The ids of the measure sets an org imported.
pub fn measure_set_ids(conn: &mut DbConnection, org: &str) -> Result<Vec<String>, DbError> {
    Ok(measure_sets::table
        .filter(measure_sets::owner_org.eq(org))
        .order(measure_sets::id)
        .select(measure_sets::id)
        .load(conn)?)
}
