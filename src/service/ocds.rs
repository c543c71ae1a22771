//! What an OCDS export of a tender is made of: the tender, each lot with its current scheme, its
//! bids (withdrawn ones included), its latest evaluation run and its award. Read in one go so the
//! release describes one consistent moment; turning it into OCDS is `api::ocds`'s job.

use super::award::{AwardRecord, assemble, assessed_by};
use super::stored_run::RunResult;
use super::{Db, ServiceError};
use crate::catalogue::holidays::Calendar;
use crate::db::DbConnection;
use crate::db::awards as award_repo;
use crate::db::bids as bid_repo;
pub use crate::db::bids::BidRow;
use crate::db::evaluations::{self as evaluation_repo, EvaluationRow};
use crate::db::tenders::{self as tender_repo, LotRow, SchemeRow, TenderRow};

pub struct TenderRecord {
    pub tender: TenderRow,
    pub lots: Vec<LotRecord>,
}

pub struct LotRecord {
    pub lot: LotRow,
    pub scheme: Option<SchemeRow>,
    pub bids: Vec<BidRow>,
    /// The newest evaluation run: the one whose scores stand.
    pub latest_run: Option<EvaluationRow>,
    /// The award with its steps and standstill.
    pub award: Option<AwardRecord>,
}

/// The tender `id` of `org` with everything its OCDS release needs; another org's is not found.
pub async fn record(
    db: &Db,
    org: String,
    id: String,
    calendar: &Calendar,
) -> Result<TenderRecord, ServiceError> {
    let calendar = calendar.clone();
    db.run(move |conn| record_in(conn, &org, &id, &calendar))
        .await
}

fn record_in(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    calendar: &Calendar,
) -> Result<TenderRecord, ServiceError> {
    let tender = tender_repo::find_tender(conn, org, id)?.ok_or(ServiceError::NotFound)?;
    let lot_rows = tender_repo::lots_of(conn, org, id)?;
    let lot_ids: Vec<_> = lot_rows.iter().map(|l| l.id.clone()).collect();
    let mut bids = bid_repo::of_lots(conn, org, &lot_ids)?;
    let mut awards = award_repo::awards_of_tender(conn, org, id)?;
    let mut steps = award_repo::steps_of_tender(conn, org, id)?;
    let runs = evaluation_repo::evaluations_of_tender(conn, org, id)?;
    super::audit::runs::check(conn, org, &runs)?;
    // The bids each awarded run assessed: every supplier owed an assessment summary.
    let mut assessed = std::collections::HashMap::new();
    for award in &awards {
        if let Some(run) = runs.iter().find(|r| r.id == award.evaluation_id) {
            assessed.insert(award.lot_id.clone(), assessed_by(&RunResult::of(run)?));
        }
    }
    // Runs come oldest first (time-ordered ids): the last one of a lot is its latest.
    let mut latest_runs = std::collections::HashMap::new();
    for run in runs {
        latest_runs.insert(run.lot_id.clone(), run);
    }
    let mut lots = Vec::with_capacity(lot_rows.len());
    for lot in lot_rows {
        let scheme = tender_repo::latest_scheme(conn, org, &lot.id)?;
        let (own, rest): (Vec<_>, Vec<_>) = bids.into_iter().partition(|b| b.lot_id == lot.id);
        bids = rest;
        let award = match awards.iter().position(|a| a.lot_id == lot.id) {
            Some(i) => {
                let award = awards.swap_remove(i);
                let (own_steps, rest): (Vec<_>, Vec<_>) =
                    steps.into_iter().partition(|s| s.lot_id == lot.id);
                steps = rest;
                let bids = assessed.remove(&lot.id).unwrap_or_default();
                Some(assemble(award, &tender, own_steps, bids, calendar)?)
            }
            None => None,
        };
        lots.push(LotRecord {
            latest_run: latest_runs.remove(&lot.id),
            scheme,
            bids: own,
            award,
            lot,
        });
    }
    Ok(TenderRecord { tender, lots })
}
