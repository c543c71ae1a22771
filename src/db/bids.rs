//! Rows and queries of bids and their commitments, always scoped to an org.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::insert_rows;
use super::schema::{bids, commitments};
use super::types::{BidId, BidStatus, LotId, stored_decimal};
use super::{DbConnection, DbError};

/// Rows per multi-row INSERT (eleven columns × 1,000 fits both backends' bind limits).
const INSERT_CHUNK: usize = 1_000;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = bids, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct BidRow {
    pub id: BidId,
    pub lot_id: LotId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub external_id: Option<String>,
    /// The supplier as JSON (`{name, id?}`).
    pub supplier: String,
    pub price: String,
    pub currency: String,
    pub submitted_at: String,
    pub status: BidStatus,
    pub created_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
    /// The lot's scheme version when the bid was submitted.
    pub scheme_version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = commitments, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct CommitmentRow {
    pub bid_id: BidId,
    pub position: i32,
    pub measure: Option<String>,
    pub quantity: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    rows: &[BidRow],
    commitments: &[CommitmentRow],
) -> Result<(), DbError> {
    insert_rows!(conn, bids::table, rows, INSERT_CHUNK);
    insert_rows!(conn, commitments::table, commitments, INSERT_CHUNK);
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
    id: &str,
) -> Result<Option<BidRow>, DbError> {
    Ok(bids::table
        .filter(bids::org_id.eq(org))
        .filter(bids::lot_id.eq(lot_id))
        .filter(bids::id.eq(id))
        .select(BidRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the lot has any bid (withdrawn ones included).
pub fn any_in_lot(conn: &mut DbConnection, org: &str, lot_id: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        bids::table
            .filter(bids::org_id.eq(org))
            .filter(bids::lot_id.eq(lot_id)),
    ))
    .get_result(conn)?)
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<BidRow>, DbError> {
    Ok(bids::table
        .filter(bids::org_id.eq(org))
        .filter(bids::lot_id.eq(lot_id))
        .filter(bids::id.gt(after_id.unwrap_or_default()))
        .order(bids::id)
        .limit(limit)
        .select(BidRow::as_select())
        .load(conn)?)
}

/// The commitments of the given bids, in bid then position order.
pub fn commitments_of(
    conn: &mut DbConnection,
    bid_ids: &[BidId],
) -> Result<Vec<CommitmentRow>, DbError> {
    Ok(commitments::table
        .filter(commitments::bid_id.eq_any(bid_ids))
        .order((commitments::bid_id, commitments::position))
        .select(CommitmentRow::as_select())
        .load(conn)?)
}

pub fn external_ids_taken(
    conn: &mut DbConnection,
    org: &str,
    external_ids: &[String],
) -> Result<Vec<String>, DbError> {
    Ok(bids::table
        .filter(bids::org_id.eq(org))
        .filter(bids::external_id.eq_any(external_ids))
        .select(bids::external_id.assume_not_null())
        .load(conn)?)
}

pub fn withdraw(conn: &mut DbConnection, bid: &BidRow, at: NaiveDateTime) -> Result<bool, DbError> {
    let updated = diesel::update(
        bids::table
            .filter(bids::org_id.eq(&bid.org_id))
            .filter(bids::id.eq(&bid.id))
            .filter(bids::status.eq(BidStatus::Submitted)),
    )
    .set((
        bids::status.eq(BidStatus::Withdrawn),
        bids::withdrawn_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// What a person confirmed of a free-text commitment.
pub struct Confirmed<'a> {
    pub measure: &'a str,
    /// Set only where the supplier stated none (else left as stated).
    pub quantity: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub by: &'a str,
    pub at: NaiveDateTime,
}

pub fn confirm_measure(
    conn: &mut DbConnection,
    bid_id: &str,
    position: i32,
    confirmed: &Confirmed<'_>,
) -> Result<bool, DbError> {
    let target = commitments::table
        .filter(commitments::bid_id.eq(bid_id))
        .filter(commitments::position.eq(position));
    let updated = diesel::update(target)
        .set((
            commitments::measure.eq(Some(confirmed.measure)),
            commitments::confirmed_by.eq(Some(confirmed.by)),
            commitments::confirmed_at.eq(Some(confirmed.at)),
        ))
        .execute(conn)?;
    if let Some(quantity) = confirmed.quantity {
        diesel::update(target)
            .set(commitments::quantity.eq(Some(quantity)))
            .execute(conn)?;
    }
    if let Some(unit) = confirmed.unit {
        diesel::update(target)
            .set(commitments::unit.eq(Some(unit)))
            .execute(conn)?;
    }
    Ok(updated == 1)
}

impl BidRow {
    pub fn price(&self) -> Result<rust_decimal::Decimal, DbError> {
        stored_decimal(&self.price, "bids", &self.id, "price")
    }

    /// The supplier as declared (a JSON object `{name, id}` in the row).
    pub fn supplier(&self) -> Result<crate::scoring::Supplier, DbError> {
        serde_json::from_str(&self.supplier)
            .map_err(|e| DbError::Corrupt(format!("bids row {}: column supplier: {e}", self.id)))
    }
}

impl CommitmentRow {
    /// The quantity, if the commitment states one.
    pub fn quantity(&self) -> Result<Option<rust_decimal::Decimal>, DbError> {
        let row = format_args!("(bid {}, position {})", self.bid_id, self.position);
        self.quantity
            .as_deref()
            .map(|text| stored_decimal(text, "commitments", row, "quantity"))
            .transpose()
    }
}

/// Every bid of the given lots, withdrawn ones included, in lot then id order.
pub fn of_lots(
    conn: &mut DbConnection,
    org: &str,
    lot_ids: &[LotId],
) -> Result<Vec<BidRow>, DbError> {
    Ok(bids::table
        .filter(bids::org_id.eq(org))
        .filter(bids::lot_id.eq_any(lot_ids))
        .order((bids::lot_id, bids::id))
        .select(BidRow::as_select())
        .load(conn)?)
}
