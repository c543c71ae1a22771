//! A person confirming the measure of a supplier's free-text commitment: the supplier's words stay
//! theirs (a commitment declared against a measure is not remapped, a stated quantity or unit not
//! changed), the confirmer says why, and it is audited.

use rust_decimal::Decimal;
use serde_json::json;

use super::audit::Entity;

use super::bids::{BidRef, StoredBid, get_in, require_in};
use super::{Actor, Code, Db, ServiceError, lots, now};
use crate::db::DbConnection;
use crate::db::bids::{self as repo, CommitmentRow};
use crate::db::tenders::LotLock;
use crate::db::types::LotStatus;
use crate::violation::Violation;

/// A person confirms the measure of the free-text commitment at `index` (its supplier's words are
/// kept: a commitment declared against a measure is not remapped, a stated quantity not changed).
pub async fn confirm_measure(
    db: &Db,
    actor: Actor,
    bid: BidRef,
    index: usize,
    confirmation: Confirmation,
) -> Result<StoredBid, ServiceError> {
    db.write(move |conn| {
        let BidRef { lot, bid_id } = &bid;
        let at = (lot.tender_id.as_str(), lot.lot_id.as_str(), bid_id.as_str());
        confirm_measure_in(conn, &actor, at, index, confirmation)
    })
    .await
}

/// What a person confirms of a free-text commitment: the measure it counts towards and why, and
/// the quantity and unit when the text gave none.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub measure: String,
    pub reason: String,
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
}

/// While the lot is open or being evaluated, on a bid still in.
fn confirm_measure_in(
    conn: &mut DbConnection,
    actor: &Actor,
    (tender_id, lot_id, bid_id): (&str, &str, &str),
    index: usize,
    confirmation: Confirmation,
) -> Result<StoredBid, ServiceError> {
    let measure = confirmation.measure.as_str();
    let (tender, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Share)?;
    if lot.status != LotStatus::Open && lot.status != LotStatus::Evaluating {
        return Err(ServiceError::conflict(
            Code::MappingFrozen,
            format!(
                "the lot is `{}`: mappings change only while it is open or being evaluated",
                lot.status
            ),
        ));
    }
    let (bid, commitments) = get_in(conn, &actor.org, tender_id, lot_id, bid_id)?;
    require_in(&bid)?;
    let position = i32::try_from(index).map_err(|_| ServiceError::NotFound)?;
    let commitment = commitments
        .iter()
        .find(|c| c.position == position)
        .ok_or(ServiceError::NotFound)?;
    if commitment.description.is_none() {
        return Err(ServiceError::conflict(
            Code::CommitmentDeclared,
            "the supplier declared this commitment against a measure: it keeps it",
        ));
    }
    check_confirmation(&confirmation, commitment)?;
    let known = lots::resolve_measures(conn, &actor.org, &tender.measure_set)?
        .iter()
        .any(|m| m.code == measure);
    if !known {
        return Err(ServiceError::invalid(
            "/measure",
            "unknown_measure",
            format!("`{measure}` is not in the tender's measure set"),
        ));
    }
    let quantity = confirmation.quantity.map(|q| q.normalize().to_string());
    let confirmed = repo::Confirmed {
        measure,
        quantity: quantity.as_deref(),
        unit: confirmation.unit.as_deref(),
        by: &actor.sub,
        at: now(),
    };
    if !repo::confirm_measure(conn, &bid.id, position, &confirmed)? {
        return Err(ServiceError::NotFound);
    }
    let why = json!({"commitment": index, "reason": confirmation.reason});
    actor.record(conn, "confirm_mapping", Entity::Bid, &[&bid.id], &why)?;
    get_in(conn, &actor.org, tender_id, lot_id, bid_id)
}

/// The confirmer's reason is required; a quantity and unit come from the person only where the
/// supplier's text gave none.
fn check_confirmation(
    confirmation: &Confirmation,
    commitment: &CommitmentRow,
) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    if confirmation.reason.trim().is_empty() {
        errors.push(Violation::new(
            "/reason",
            "required",
            "say why this measure (it is audited)",
        ));
    }
    match (&commitment.quantity, confirmation.quantity) {
        (Some(stated), Some(_)) => errors.push(Violation::new(
            "/quantity",
            "quantity_declared",
            format!("the supplier stated the quantity ({stated}): it is kept"),
        )),
        (None, None) => errors.push(Violation::new(
            "/quantity",
            "required",
            "the supplier's text gave no quantity: give the one it commits to",
        )),
        (None, Some(q)) if q < Decimal::ZERO => errors.push(Violation::new(
            "/quantity",
            "quantity_negative",
            "a quantity is never negative",
        )),
        _ => {}
    }
    if let (Some(stated), Some(_)) = (&commitment.unit, &confirmation.unit) {
        errors.push(Violation::new(
            "/unit",
            "unit_declared",
            format!("the supplier stated the unit ({stated}): it is kept"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}
