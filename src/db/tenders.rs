//! Rows and queries of tenders, lots and scheme versions. Every query takes the caller's org:
//! another org's rows are simply not found.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{lots, schemes, tenders};
use super::types::{EvaluationId, LotId, LotStatus, TenderId};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = tenders, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct TenderRow {
    pub id: TenderId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub external_id: Option<String>,
    pub ocid: Option<String>,
    pub title: String,
    pub buyer: String,
    pub authority_type: String,
    pub framework: String,
    pub measure_set: String,
    pub currency: String,
    pub value: Option<String>,
    pub procurement_regime: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = lots, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct LotRow {
    pub id: LotId,
    pub tender_id: TenderId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub external_id: Option<String>,
    pub title: String,
    pub value: Option<String>,
    pub status: LotStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The current scheme's version (0 before the first `PUT …/scheme`).
    pub scheme_version: i32,
    /// The lot's newest evaluation run.
    pub latest_evaluation_id: Option<EvaluationId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = schemes, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SchemeRow {
    pub lot_id: LotId,
    pub version: i32,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub body: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl SchemeRow {
    /// The scheme as stored (a JSON column).
    pub fn scheme(&self) -> Result<crate::scoring::Scheme, DbError> {
        serde_json::from_str(&self.body).map_err(|e| {
            DbError::Corrupt(format!(
                "schemes row (lot {}, version {}): column body: {e}",
                self.lot_id, self.version
            ))
        })
    }
}

pub fn insert_tender(conn: &mut DbConnection, row: &TenderRow) -> Result<(), DbError> {
    diesel::insert_into(tenders::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_lot(conn: &mut DbConnection, row: &LotRow) -> Result<(), DbError> {
    diesel::insert_into(lots::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_tender(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<Option<TenderRow>, DbError> {
    Ok(tenders::table
        .filter(tenders::org_id.eq(org))
        .filter(tenders::id.eq(id))
        .select(TenderRow::as_select())
        .first(conn)
        .optional()?)
}

/// Tenders of an org in creation order, optionally those with a lot in `status` or with an
/// `external_id`.
pub fn list_tenders(
    conn: &mut DbConnection,
    org: &str,
    status: Option<LotStatus>,
    external_id: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<TenderRow>, DbError> {
    let mut query = tenders::table
        .filter(tenders::org_id.eq(org))
        .select(TenderRow::as_select())
        .order(tenders::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(tenders::id.gt(after.to_string()));
    }
    if let Some(external_id) = external_id {
        query = query.filter(tenders::external_id.eq(external_id.to_string()));
    }
    if let Some(status) = status {
        query = query.filter(
            tenders::id.eq_any(
                lots::table
                    .filter(lots::org_id.eq(org.to_string()))
                    .filter(lots::status.eq(status))
                    .select(lots::tender_id),
            ),
        );
    }
    Ok(query.load(conn)?)
}

/// Replaces a tender's row when its version is still `expected_version`; false when it moved on.
pub fn update_tender(
    conn: &mut DbConnection,
    row: &TenderRow,
    expected_version: i32,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        tenders::table
            .filter(tenders::org_id.eq(&row.org_id))
            .filter(tenders::id.eq(&row.id))
            .filter(tenders::version.eq(expected_version)),
    )
    .set((
        tenders::external_id.eq(&row.external_id),
        tenders::ocid.eq(&row.ocid),
        tenders::title.eq(&row.title),
        tenders::buyer.eq(&row.buyer),
        tenders::authority_type.eq(&row.authority_type),
        tenders::framework.eq(&row.framework),
        tenders::measure_set.eq(&row.measure_set),
        tenders::currency.eq(&row.currency),
        tenders::value.eq(&row.value),
        tenders::procurement_regime.eq(&row.procurement_regime),
        tenders::version.eq(row.version),
        tenders::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn lots_of(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
) -> Result<Vec<LotRow>, DbError> {
    Ok(lots::table
        .filter(lots::org_id.eq(org))
        .filter(lots::tender_id.eq(tender_id))
        .order(lots::id)
        .select(LotRow::as_select())
        .load(conn)?)
}

pub fn find_lot(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
) -> Result<Option<LotRow>, DbError> {
    Ok(lots::table
        .filter(lots::org_id.eq(org))
        .filter(lots::tender_id.eq(tender_id))
        .filter(lots::id.eq(lot_id))
        .select(LotRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_lot_by_id(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Option<LotRow>, DbError> {
    Ok(lots::table
        .filter(lots::org_id.eq(org))
        .filter(lots::id.eq(lot_id))
        .select(LotRow::as_select())
        .first(conn)
        .optional()?)
}

/// How a write holds the lot it depends on until it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotLock {
    /// Writes that need the lot's state to stay as read (a bid needs `open`, a mark
    /// `evaluating`) but do not change the lot: many may hold it at once.
    Share,
    /// Writes that change the lot or must see every write that holds it shared (close, award,
    /// a scheme version, an evaluation run): one at a time, after the shared holders commit.
    Update,
}

/// Reads a lot and locks its row until the transaction ends, so its status (and scheme version)
/// cannot change before the caller commits. PostgreSQL: `FOR SHARE` / `FOR UPDATE`, which under
/// READ COMMITTED waits for a concurrent holder and then reads the row as it committed. SQLite:
/// a plain read, because [`super::write_transaction`] already holds the database's write lock.
pub fn lock_lot(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
    lock: LotLock,
) -> Result<Option<LotRow>, DbError> {
    // A macro, not a variable: the selection's type names its backend.
    macro_rules! query {
        () => {
            lots::table
                .filter(lots::org_id.eq(org))
                .filter(lots::tender_id.eq(tender_id))
                .filter(lots::id.eq(lot_id))
                .select(LotRow::as_select())
        };
    }
    Ok(match conn {
        DbConnection::Postgres(pg) => match lock {
            LotLock::Share => query!().for_share().first(pg),
            LotLock::Update => query!().for_update().first(pg),
        },
        DbConnection::Sqlite(sqlite) => query!().first(sqlite),
    }
    .optional()?)
}

/// Reads a tender and locks its row (`FOR UPDATE` on PostgreSQL; SQLite's write transaction
/// holds the database) until the transaction ends: its version cannot move before the commit.
pub fn lock_tender(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<Option<TenderRow>, DbError> {
    macro_rules! query {
        () => {
            tenders::table
                .filter(tenders::org_id.eq(org))
                .filter(tenders::id.eq(id))
                .select(TenderRow::as_select())
        };
    }
    Ok(match conn {
        DbConnection::Postgres(pg) => query!().for_update().first(pg),
        DbConnection::Sqlite(sqlite) => query!().first(sqlite),
    }
    .optional()?)
}

/// A tender's lots, each locked [`LotLock::Share`]: none changes status before the commit.
pub fn lock_lots_of(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
) -> Result<Vec<LotRow>, DbError> {
    macro_rules! query {
        () => {
            lots::table
                .filter(lots::org_id.eq(org))
                .filter(lots::tender_id.eq(tender_id))
                .order(lots::id)
                .select(LotRow::as_select())
        };
    }
    Ok(match conn {
        DbConnection::Postgres(pg) => query!().for_share().load(pg),
        DbConnection::Sqlite(sqlite) => query!().load(sqlite),
    }?)
}

/// Records a new current scheme version on a lot locked with [`LotLock::Update`].
pub fn set_scheme_version(
    conn: &mut DbConnection,
    lot: &LotRow,
    version: i32,
) -> Result<(), DbError> {
    diesel::update(
        lots::table
            .filter(lots::org_id.eq(&lot.org_id))
            .filter(lots::id.eq(&lot.id)),
    )
    .set(lots::scheme_version.eq(version))
    .execute(conn)?;
    Ok(())
}

/// Records the newest evaluation run on a lot locked with [`LotLock::Update`].
pub fn set_latest_evaluation(
    conn: &mut DbConnection,
    lot: &LotRow,
    evaluation_id: &str,
) -> Result<(), DbError> {
    diesel::update(
        lots::table
            .filter(lots::org_id.eq(&lot.org_id))
            .filter(lots::id.eq(&lot.id)),
    )
    .set(lots::latest_evaluation_id.eq(evaluation_id))
    .execute(conn)?;
    Ok(())
}

/// Moves a lot from `from` to `to`; false when its status was no longer `from`.
pub fn set_lot_status(
    conn: &mut DbConnection,
    lot: &LotRow,
    from: LotStatus,
    to: LotStatus,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        lots::table
            .filter(lots::org_id.eq(&lot.org_id))
            .filter(lots::id.eq(&lot.id))
            .filter(lots::status.eq(from)),
    )
    .set((
        lots::status.eq(to),
        lots::version.eq(lots::version + 1),
        lots::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn latest_scheme(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Option<SchemeRow>, DbError> {
    Ok(schemes::table
        .filter(schemes::org_id.eq(org))
        .filter(schemes::lot_id.eq(lot_id))
        .order(schemes::version.desc())
        .select(SchemeRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_scheme(conn: &mut DbConnection, row: &SchemeRow) -> Result<(), DbError> {
    diesel::insert_into(schemes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Whether `external_id` names another tender of this org than `except`.
pub fn external_id_taken(
    conn: &mut DbConnection,
    org: &str,
    external_id: &str,
    except: Option<&str>,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        tenders::table
            .filter(tenders::org_id.eq(org))
            .filter(tenders::external_id.eq(external_id))
            .filter(tenders::id.ne(except.unwrap_or_default())),
    ))
    .get_result(conn)?)
}

pub fn lot_external_id_taken(
    conn: &mut DbConnection,
    org: &str,
    external_id: &str,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        lots::table
            .filter(lots::org_id.eq(org))
            .filter(lots::external_id.eq(external_id)),
    ))
    .get_result(conn)?)
}
