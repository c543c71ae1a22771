//! Signed checkpoints of an org's chain, as socval wrote them (`service::audit::checkpoint`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_checkpoints;
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
