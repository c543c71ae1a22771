//! What an OCDS export of a tender is made of: the tender, each lot with its current scheme, its
//! bids (withdrawn ones included), its latest evaluation run and its award. Read in one go so the
//! release describes one consistent moment; turning it into OCDS is `api::ocds`'s job.

use super::{Db, ServiceError};
use crate::db::DbConnection;
use crate::db::bids as bid_repo;
pub use crate::db::bids::BidRow;
use crate::db::evaluations::{self as evaluation_repo, AwardRow, EvaluationRow};
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
    pub award: Option<AwardRow>,
}

/// The tender `id` of `org` with everything its OCDS release needs; another org's is not found.
pub async fn record(db: &Db, org: String, id: String) -> Result<TenderRecord, ServiceError> {
    db.run(move |conn| record_in(conn, &org, &id)).await
}

fn record_in(conn: &mut DbConnection, org: &str, id: &str) -> Result<TenderRecord, ServiceError> {
    let tender = tender_repo::find_tender(conn, org, id)?.ok_or(ServiceError::NotFound)?;
    let lot_rows = tender_repo::lots_of(conn, org, id)?;
    let lot_ids: Vec<_> = lot_rows.iter().map(|l| l.id.clone()).collect();
    let mut bids = bid_repo::of_lots(conn, org, &lot_ids)?;
    let mut awards = evaluation_repo::awards_of_tender(conn, org, id)?;
    // Runs come oldest first (time-ordered ids): the last one of a lot is its latest.
    let mut latest_runs = std::collections::HashMap::new();
    let runs = evaluation_repo::evaluations_of_tender(conn, org, id)?;
    super::audit::runs::check(conn, org, &runs)?;
    for run in runs {
        latest_runs.insert(run.lot_id.clone(), run);
    }
    let mut lots = Vec::with_capacity(lot_rows.len());
    for lot in lot_rows {
        let scheme = tender_repo::latest_scheme(conn, org, &lot.id)?;
        let (own, rest): (Vec<_>, Vec<_>) = bids.into_iter().partition(|b| b.lot_id == lot.id);
        bids = rest;
        let award = awards
            .iter()
            .position(|a| a.lot_id == lot.id)
            .map(|i| awards.swap_remove(i));
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
