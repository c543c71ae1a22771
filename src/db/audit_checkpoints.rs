//! Signed checkpoints of an org's chain, as socval wrote them (`service::audit::checkpoint`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{audit_checkpoints, audit_events};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct CheckpointRow {
    pub org_id: String,
    pub seq: i64,
    pub head: String,
    pub at: NaiveDateTime,
    pub key_id: String,
    pub signature: String,
    pub kind: String,
}

pub fn insert(conn: &mut DbConnection, row: &CheckpointRow) -> Result<(), DbError> {
    diesel::insert_into(audit_checkpoints::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The org's first checkpoint of `kind`.
pub fn first_of_kind(
    conn: &mut DbConnection,
    org: &str,
    kind: &str,
) -> Result<Option<CheckpointRow>, DbError> {
    Ok(audit_checkpoints::table
        .filter(audit_checkpoints::org_id.eq(org))
        .filter(audit_checkpoints::kind.eq(kind))
        .order(audit_checkpoints::seq)
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()?)
}

/// The org's newest checkpoint, of any kind.
pub fn latest(conn: &mut DbConnection, org: &str) -> Result<Option<CheckpointRow>, DbError> {
    Ok(audit_checkpoints::table
        .filter(audit_checkpoints::org_id.eq(org))
        .order((audit_checkpoints::seq.desc(), audit_checkpoints::at.desc()))
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()?)
}

/// `(seq, hash)` of the org's last event.
pub fn head(conn: &mut DbConnection, org: &str) -> Result<Option<(i64, String)>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::org_id.eq(org))
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hash))
        .first(conn)
        .optional()?)
}

/// The hash of the org's event `seq`, if it is still there.
pub fn hash_at(conn: &mut DbConnection, org: &str, seq: i64) -> Result<Option<String>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::seq.eq(seq))
        .select(audit_events::hash)
        .first(conn)
        .optional()?)
}
