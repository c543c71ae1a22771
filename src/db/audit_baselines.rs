//! The record of each org's move to ledger v2: its old chain's verification and head, kept so an
//! auditor can see what the baseline rests on (migration `2026-12-02-000100_ledger_states`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_baselines;
use super::{DbConnection, DbError};

const PENDING: &str = "pending";
const DONE: &str = "done";

/// A completed baseline, as recorded.
#[derive(Debug, Clone, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = audit_baselines, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct BaselineRow {
    pub old_chain_valid: Option<bool>,
    pub old_events_checked: Option<i64>,
    pub old_head: Option<String>,
    pub old_first_invalid_seq: Option<i64>,
    pub old_first_invalid_reason: Option<String>,
    pub baseline_events: Option<i64>,
    pub migrated_at: Option<NaiveDateTime>,
}

/// The orgs whose baseline is still to be written.
pub fn pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(audit_baselines::table
        .filter(audit_baselines::status.eq(PENDING))
        .order(audit_baselines::org_id)
        .select(audit_baselines::org_id)
        .load(conn)?)
}

/// Takes the org's baseline for this transaction; `false` when another process completed it
/// meanwhile (PostgreSQL locks the row; SQLite's write transaction holds the database).
pub fn claim(conn: &mut DbConnection, org: &str) -> Result<bool, DbError> {
    macro_rules! query {
        () => {
            audit_baselines::table
                .filter(audit_baselines::org_id.eq(org))
                .select(audit_baselines::status)
        };
    }
    let status: Option<String> = match conn {
        DbConnection::Postgres(pg) => query!().for_update().first(pg),
        DbConnection::Sqlite(sqlite) => query!().first(sqlite),
    }
    .optional()?;
    Ok(status.as_deref() == Some(PENDING))
}

pub fn complete(conn: &mut DbConnection, org: &str, row: &BaselineRow) -> Result<(), DbError> {
    diesel::update(audit_baselines::table.filter(audit_baselines::org_id.eq(org)))
        .set((audit_baselines::status.eq(DONE), row))
        .execute(conn)?;
    Ok(())
}

/// The org's completed baseline, if its data predates ledger v2.
pub fn of(conn: &mut DbConnection, org: &str) -> Result<Option<BaselineRow>, DbError> {
    Ok(audit_baselines::table
        .filter(audit_baselines::org_id.eq(org))
        .filter(audit_baselines::status.eq(DONE))
        .select(BaselineRow::as_select())
        .first(conn)
        .optional()?)
}
