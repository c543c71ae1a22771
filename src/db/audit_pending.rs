//! Events committed but not yet chained (architecture.md, "Audit chain", "Sequencing"). A write
//! inserts its events here inside its own transaction, without taking any lock; the org's
//! sequencer moves them, oldest first, into `audit_events` and deletes them here in one
//! transaction, so each committed event is in exactly one of the two tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit_events::EventFacts;
use super::connection::insert_rows;
use super::schema::audit_pending;
use super::{DbConnection, DbError};

/// An event waiting for its org's sequencer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_pending, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct PendingRow {
    pub id: i64,
    // What the event is about, then who did what and when.
    pub org_id: String,
    pub entity: String,
    pub entity_id: String,
    pub at: NaiveDateTime,
    pub actor_sub: String,
    pub actor_role: String,
    pub action: String,
    pub payload_sha256: String,
    pub change: String,
}

super::audit_events::borrow_facts!(PendingRow);

/// An event as a write leaves it.
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = audit_pending)]
pub struct NewPending<'a> {
    #[diesel(embed)]
    pub facts: EventFacts<'a>,
    pub change: &'a str,
}

/// Inserts `rows` in order.
pub fn insert(conn: &mut DbConnection, rows: &[NewPending<'_>]) -> Result<(), DbError> {
    // SQLite binds at most 32,766 parameters per statement; an event takes 9.
    insert_rows!(conn, audit_pending::table, rows, 3_000);
    Ok(())
}

/// The orgs that have events waiting, in name order.
pub fn orgs(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(audit_pending::table
        .select(audit_pending::org_id)
        .distinct()
        .order(audit_pending::org_id)
        .load(conn)?)
}

/// The org's `limit` oldest waiting events, in the order they were inserted.
pub fn oldest(conn: &mut DbConnection, org: &str, limit: i64) -> Result<Vec<PendingRow>, DbError> {
    Ok(audit_pending::table
        .filter(audit_pending::org_id.eq(org))
        .order(audit_pending::id)
        .limit(limit)
        .select(PendingRow::as_select())
        .load(conn)?)
}

/// Removes events that are chained now.
pub fn delete(conn: &mut DbConnection, ids: &[i64]) -> Result<usize, DbError> {
    let mut deleted = 0;
    for chunk in ids.chunks(10_000) {
        deleted += diesel::delete(audit_pending::table.filter(audit_pending::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(deleted)
}

/// How many of the org's events wait.
pub fn count(conn: &mut DbConnection, org: &str) -> Result<i64, DbError> {
    Ok(audit_pending::table
        .filter(audit_pending::org_id.eq(org))
        .count()
        .get_result(conn)?)
}

/// Which of `ids` (of one kind of entity) have a recorded change, chained or pending (both
/// tables in one statement).
pub fn recorded_among(
    conn: &mut DbConnection,
    org: &str,
    entity: &str,
    ids: &[String],
) -> Result<Vec<String>, DbError> {
    use super::schema::audit_events;
    let chained = audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::entity.eq(entity))
        .filter(audit_events::entity_id.eq_any(ids))
        .filter(audit_events::change.is_not_null())
        .select(audit_events::entity_id);
    let waiting = audit_pending::table
        .filter(audit_pending::org_id.eq(org))
        .filter(audit_pending::entity.eq(entity))
        .filter(audit_pending::entity_id.eq_any(ids))
        .select(audit_pending::entity_id);
    let both = chained.union(waiting);
    Ok(match conn {
        DbConnection::Postgres(pg) => both.load(pg)?,
        DbConnection::Sqlite(sqlite) => both.load(sqlite)?,
    })
}

/// The ids of one kind of entity with a recorded change, chained or pending, after `after` in
/// id order: both tables in one statement, so one collation orders the page and its cursor.
pub fn recorded_ids_page(
    conn: &mut DbConnection,
    org: &str,
    entity: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    use super::schema::audit_events;
    use diesel::query_dsl::positional_order_dsl::PositionalOrderDsl;
    let after = after.unwrap_or("");
    let chained = audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::entity.eq(entity))
        .filter(audit_events::entity_id.gt(after))
        .filter(audit_events::change.is_not_null())
        .select(audit_events::entity_id);
    let waiting = audit_pending::table
        .filter(audit_pending::org_id.eq(org))
        .filter(audit_pending::entity.eq(entity))
        .filter(audit_pending::entity_id.gt(after))
        .select(audit_pending::entity_id);
    // UNION, not UNION ALL: an id with many events is listed once.
    let page = chained.union(waiting).positional_order_by(1).limit(limit);
    Ok(match conn {
        DbConnection::Postgres(pg) => page.load(pg)?,
        DbConnection::Sqlite(sqlite) => page.load(sqlite)?,
    })
}

/// A recorded change of an entity, chained (`pending: false`, `position` its `seq`) or still
/// waiting (`pending: true`, `position` its place in the queue).
#[derive(Debug, Clone, Queryable)]
pub struct RecordedChange {
    pub entity_id: String,
    pub position: i64,
    pub pending: bool,
    pub change: Option<String>,
}

/// Every recorded change of these entities of one kind, chained or pending, read in **one**
/// statement: under READ COMMITTED two reads would each see their own moment, and an event the
/// sequencer moves between them would be in neither.
pub fn recorded_changes(
    conn: &mut DbConnection,
    org: &str,
    entity: &str,
    ids: &[String],
) -> Result<Vec<RecordedChange>, DbError> {
    use super::schema::audit_events;
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let chained = audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::entity.eq(entity))
        .filter(audit_events::entity_id.eq_any(ids))
        .filter(audit_events::change.is_not_null())
        .select((
            audit_events::entity_id,
            audit_events::seq,
            sql::<Bool>("1 = 0"),
            audit_events::change,
        ));
    let waiting = audit_pending::table
        .filter(audit_pending::org_id.eq(org))
        .filter(audit_pending::entity.eq(entity))
        .filter(audit_pending::entity_id.eq_any(ids))
        .select((
            audit_pending::entity_id,
            audit_pending::id,
            sql::<Bool>("1 = 1"),
            audit_pending::change.nullable(),
        ));
    let both = chained.union_all(waiting);
    let mut changes: Vec<RecordedChange> = match conn {
        DbConnection::Postgres(pg) => both.load(pg)?,
        DbConnection::Sqlite(sqlite) => both.load(sqlite)?,
    };
    // Chained in chain order, then pending in queue order: oldest to newest.
    changes.sort_by_key(|c| (c.pending, c.position));
    Ok(changes)
}
