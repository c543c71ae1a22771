//! Bids: submitting one or a batch (all or nothing, every failure listed), withdrawing, and a
//! person confirming the measure of a free-text commitment. Bids are taken only while the lot is
//! `open`; prices must be in the tender's currency.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::audit::Entity;

use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::now;
use super::tenders::external_id_conflict;
use super::{Actor, Code, Db, ServiceError, lots};
use crate::db::DbConnection;
use crate::db::bids as repo;
pub use crate::db::bids::{BidRow, CommitmentRow};
use crate::db::tenders::{LotLock, LotRow, TenderRow};
use crate::violation::Violation;

pub use crate::db::types::BidStatus;
use crate::db::types::{BidId, LotStatus};

#[derive(Debug, Clone)]
pub struct NewBid {
    pub external_id: Option<String>,
    pub supplier_name: String,
    pub supplier_id: Option<String>,
    /// Whether the supplier says it is an SME / a VCSE; stored only when it says.
    pub supplier_sme: Option<bool>,
    pub supplier_vcse: Option<bool>,
    pub price: Decimal,
    pub currency: Option<String>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub commitments: Vec<NewCommitment>,
}

/// `{measure, quantity}`, or free text `{description, quantity?, unit?}` awaiting a mapping.
#[derive(Debug, Clone)]
pub struct NewCommitment {
    pub measure: Option<String>,
    pub quantity: Option<Decimal>,
    pub description: Option<String>,
    pub unit: Option<String>,
}

/// A stored bid with its commitments.
pub type StoredBid = (BidRow, Vec<CommitmentRow>);

/// Where bids go: a lot of a tender.
#[derive(Debug, Clone)]
pub struct LotRef {
    pub tender_id: String,
    pub lot_id: String,
}

/// From the path of a lot's resources: `(tender_id, lot_id)`.
impl From<(String, String)> for LotRef {
    fn from((tender_id, lot_id): (String, String)) -> Self {
        Self { tender_id, lot_id }
    }
}

/// A bid, named as its URL names it.
#[derive(Debug, Clone)]
pub struct BidRef {
    pub lot: LotRef,
    pub bid_id: String,
}

impl From<(String, String, String)> for BidRef {
    fn from((tender_id, lot_id, bid_id): (String, String, String)) -> Self {
        let lot = LotRef { tender_id, lot_id };
        Self { lot, bid_id }
    }
}

/// Submits `bids` to an open lot in one go (idempotent with `key`): all are stored, or none and
/// every failure is listed, under `/bids/{i}` for a batch and at the root for a single bid.
pub async fn submit(
    db: &Db,
    actor: Actor,
    lot: LotRef,
    bids: Vec<NewBid>,
    batch: bool,
    key: Option<RequestKey>,
    render: impl FnOnce(&Vec<StoredBid>) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let pointer = move |i: usize| {
        if batch {
            format!("/bids/{i}")
        } else {
            String::new()
        }
    };
    idempotency::once(
        db,
        key,
        move |conn| submit_in(conn, &actor, &lot.tender_id, &lot.lot_id, bids, pointer),
        render,
    )
    .await
}

pub async fn get(db: &Db, org: String, bid: BidRef) -> Result<StoredBid, ServiceError> {
    let BidRef { lot, bid_id } = bid;
    db.run(move |conn| get_in(conn, &org, &lot.tender_id, &lot.lot_id, &bid_id))
        .await
}

/// A page of a lot's bids, oldest first.
pub async fn list(
    db: &Db,
    org: String,
    lot: LotRef,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<StoredBid>, ServiceError> {
    db.run(move |conn| {
        list_in(
            conn,
            &org,
            &lot.tender_id,
            &lot.lot_id,
            after_id.as_deref(),
            limit,
        )
    })
    .await
}

/// Withdraws a bid while the lot is open; it stays stored and takes no part in evaluation.
pub async fn withdraw(db: &Db, actor: Actor, bid: BidRef) -> Result<StoredBid, ServiceError> {
    let BidRef { lot, bid_id } = bid;
    db.write(move |conn| withdraw_in(conn, &actor, &lot.tender_id, &lot.lot_id, &bid_id))
        .await
}

fn submit_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    bids: Vec<NewBid>,
    pointer: impl Fn(usize) -> String,
) -> Result<Vec<StoredBid>, ServiceError> {
    // Shared: bids go in side by side, and `close` waits for them (or they see it closed).
    let (tender, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Share)?;
    require_open(&lot)?;
    let measures: HashSet<String> = lots::resolve_measures(conn, &actor.org, &tender.measure_set)?
        .into_iter()
        .map(|m| m.code)
        .collect();
    let mut errors = Vec::new();
    for (index, bid) in bids.iter().enumerate() {
        check(bid, &tender, &measures, &pointer(index), &mut errors);
    }
    let mut seen = BTreeSet::new();
    for (index, bid) in bids.iter().enumerate() {
        if let Some(external_id) = &bid.external_id
            && !seen.insert(external_id.clone())
        {
            errors.push(error(
                &pointer(index),
                "/external_id",
                "duplicate_external_id",
                "appears twice in this request",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let external_ids: Vec<String> = seen.into_iter().collect();
    if let Some(taken) = repo::external_ids_taken(conn, &actor.org, &external_ids)?.first() {
        return Err(external_id_conflict("bid", taken));
    }

    let at = now();
    let mut stored = Vec::with_capacity(bids.len());
    for bid in bids {
        let id = BidId::generate();
        let supplier = supplier_json(&bid);
        let commitments: Vec<CommitmentRow> = bid
            .commitments
            .into_iter()
            .zip(0..)
            .map(|(c, position)| CommitmentRow {
                bid_id: id.clone(),
                position,
                measure: c.measure,
                quantity: c.quantity.map(|q| q.normalize().to_string()),
                description: c.description,
                unit: c.unit,
                confirmed_by: None,
                confirmed_at: None,
            })
            .collect();
        let row = BidRow {
            id,
            lot_id: lot.id.clone(),
            org_id: actor.org.clone(),
            external_id: bid.external_id,
            supplier,
            price: bid.price.normalize().to_string(),
            currency: tender.currency.clone(),
            submitted_at: bid
                .submitted_at
                .unwrap_or_else(|| Utc::now().fixed_offset())
                .to_rfc3339(),
            status: BidStatus::Submitted,
            created_at: at,
            withdrawn_at: None,
            scheme_version: lot.scheme_version,
        };
        stored.push((row, commitments));
    }
    let rows: Vec<BidRow> = stored.iter().map(|(b, _)| b.clone()).collect();
    let commitments: Vec<CommitmentRow> =
        stored.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    repo::insert(conn, &rows, &commitments)?;
    let ids: Vec<&str> = stored.iter().map(|(bid, _)| bid.id.as_str()).collect();
    actor.record(conn, "submit", Entity::Bid, &ids, &Value::Null)?;
    Ok(stored)
}

/// The supplier as stored: `{name, id}`, with `sme` and `vcse` only when the supplier said (so a
/// bid that says neither is stored, and hashed into runs, exactly as before).
fn supplier_json(bid: &NewBid) -> String {
    let mut supplier = serde_json::Map::new();
    supplier.insert("name".into(), json!(bid.supplier_name));
    supplier.insert("id".into(), json!(bid.supplier_id));
    if let Some(sme) = bid.supplier_sme {
        supplier.insert("sme".into(), json!(sme));
    }
    if let Some(vcse) = bid.supplier_vcse {
        supplier.insert("vcse".into(), json!(vcse));
    }
    Value::Object(supplier).to_string()
}

fn check(
    bid: &NewBid,
    tender: &TenderRow,
    measures: &HashSet<String>,
    at: &str,
    errors: &mut Vec<Violation>,
) {
    if bid.supplier_name.trim().is_empty() {
        errors.push(error(
            at,
            "/supplier/name",
            "required",
            "the supplier's name is required",
        ));
    }
    if bid.price <= Decimal::ZERO {
        errors.push(error(
            at,
            "/price",
            "price_not_positive",
            "the price must be greater than 0",
        ));
    }
    if let Some(currency) = &bid.currency
        && currency != &tender.currency
    {
        errors.push(error(
            at,
            "/currency",
            "currency_mismatch",
            &format!("the tender is priced in {}", tender.currency),
        ));
    }
    for (k, c) in bid.commitments.iter().enumerate() {
        let here = format!("{at}/commitments/{k}");
        if c.quantity.is_some_and(|q| q < Decimal::ZERO) {
            errors.push(error(
                &here,
                "/quantity",
                "quantity_negative",
                "a quantity is never negative",
            ));
        }
        match (&c.measure, &c.description) {
            (Some(measure), _) if !measures.contains(measure) => {
                errors.push(error(
                    &here,
                    "/measure",
                    "unknown_measure",
                    &format!("`{measure}` is not in the tender's measure set"),
                ));
            }
            (Some(_), _) if c.quantity.is_none() => {
                errors.push(error(
                    &here,
                    "/quantity",
                    "required",
                    "a commitment to a measure needs a quantity",
                ));
            }
            (None, None) => errors.push(error(
                &here,
                "",
                "invalid_commitment",
                "give a `measure` or a free-text `description`",
            )),
            (None, Some(text)) if text.trim().is_empty() => {
                errors.push(error(
                    &here,
                    "/description",
                    "required",
                    "the description must not be empty",
                ));
            }
            _ => {}
        }
    }
}

fn require_open(lot: &LotRow) -> Result<(), ServiceError> {
    if lot.status == LotStatus::Open {
        Ok(())
    } else {
        Err(ServiceError::conflict(
            Code::LotNotOpen,
            format!(
                "the lot is `{}`: bids are taken only while it is `open`",
                lot.status
            ),
        ))
    }
}

pub(super) fn get_in(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
    bid_id: &str,
) -> Result<StoredBid, ServiceError> {
    let (_, lot) = lots::get_in(conn, org, tender_id, lot_id)?;
    let bid = repo::find(conn, org, &lot.id, bid_id)?.ok_or(ServiceError::NotFound)?;
    let commitments = repo::commitments_of(conn, std::slice::from_ref(&bid.id))?;
    Ok((bid, commitments))
}

pub(super) fn list_in(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredBid>, ServiceError> {
    let (_, lot) = lots::get_in(conn, org, tender_id, lot_id)?;
    let bids = repo::list(conn, org, &lot.id, after_id, limit)?;
    let ids: Vec<BidId> = bids.iter().map(|b| b.id.clone()).collect();
    let mut commitments = repo::commitments_of(conn, &ids)?;
    Ok(bids
        .into_iter()
        .map(|bid| {
            let (own, rest): (Vec<_>, Vec<_>) =
                commitments.drain(..).partition(|c| c.bid_id == bid.id);
            commitments = rest;
            (bid, own)
        })
        .collect())
}

fn withdraw_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    bid_id: &str,
) -> Result<StoredBid, ServiceError> {
    let (_, lot) = lots::lock(conn, &actor.org, tender_id, lot_id, LotLock::Share)?;
    require_open(&lot)?;
    let (mut bid, commitments) = get_in(conn, &actor.org, tender_id, lot_id, bid_id)?;
    let at = now();
    if !repo::withdraw(conn, &bid, at)? {
        return Err(ServiceError::conflict(
            Code::BidWithdrawn,
            "the bid is withdrawn already",
        ));
    }
    bid.status = BidStatus::Withdrawn;
    bid.withdrawn_at = Some(at);
    actor.record(conn, "withdraw", Entity::Bid, &[&bid.id], &Value::Null)?;
    Ok((bid, commitments))
}

/// A withdrawn bid is out: no mark, moderation or mapping touches it.
pub(super) fn require_in(bid: &BidRow) -> Result<(), ServiceError> {
    if bid.status == BidStatus::Withdrawn {
        return Err(ServiceError::conflict(
            Code::BidWithdrawn,
            "the bid is withdrawn: it takes no part in evaluation",
        ));
    }
    Ok(())
}

fn error(prefix: &str, field: &str, code: &'static str, message: &str) -> Violation {
    Violation::new(format!("{prefix}{field}"), code, message)
}
