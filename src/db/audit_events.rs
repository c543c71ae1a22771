//! Rows and queries of the audit chain. Hashing lives in `service::audit`; this module only
//! stores and reads events, always within one org and in `seq` order (the chain's order).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::MultiBackend;
use super::connection::insert_rows;
use super::schema::{audit_events, bids, conflict_declarations, evaluations, lots};
use super::{DbConnection, DbError};

/// A stored event, as read back.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AuditEventRow {
    pub seq: i64,
    pub org_id: String,
    pub at: NaiveDateTime,
    pub actor_sub: String,
    pub actor_role: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub payload_sha256: String,
    pub prev_hash: String,
    pub hash: String,
    /// The change as canonical JSON (`{"state": …, "context"?: …}`); `None` for events written
    /// before ledger v2, which kept only the payload's hash.
    pub change: Option<String>,
    /// The key that signed `hash`, and its Ed25519 signature (hex); `None` before signing.
    pub key_id: Option<String>,
    pub signature: Option<String>,
}

/// What an event records, i.e. everything its hash covers besides the previous hash. Appending
/// builds it from the change; verifying borrows it from the stored row, so both hash the same.
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = audit_events, table_name = super::schema::audit_pending)]
pub struct EventFacts<'a> {
    pub org_id: &'a str,
    pub at: NaiveDateTime,
    pub actor_sub: &'a str,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub payload_sha256: &'a str,
}

/// `facts()` on a stored row of a table with the event columns (`audit_events`, `audit_pending`):
/// the facts its hash covers, borrowed.
macro_rules! borrow_facts {
    ($row:ty) => {
        impl $row {
            pub fn facts(&self) -> $crate::db::audit_events::EventFacts<'_> {
                $crate::db::audit_events::EventFacts {
                    org_id: &self.org_id,
                    at: self.at,
                    actor_sub: &self.actor_sub,
                    actor_role: &self.actor_role,
                    action: &self.action,
                    entity: &self.entity,
                    entity_id: &self.entity_id,
                    payload_sha256: &self.payload_sha256,
                }
            }
        }
    };
}
pub(super) use borrow_facts;

borrow_facts!(AuditEventRow);

/// Which of an org's events to list; every field that is set must match.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Events at or after this instant (UTC).
    pub since: Option<NaiveDateTime>,
    /// The events of this tender and of everything under it (`of_tender` below). Events name
    /// only their entity, so the lots, bids, runs and declarations are looked up.
    pub tender: Option<String>,
}

/// `(seq, hash)` of the org's last event, `None` for an org without events.
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

/// An event chained by the sequencer, ready to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewEvent<'a> {
    #[diesel(embed)]
    pub facts: EventFacts<'a>,
    pub change: &'a str,
    pub prev_hash: String,
    pub hash: String,
    pub key_id: String,
    pub signature: String,
}

/// Stores `events` in order, so their `seq`s increase in the same order.
pub fn insert_all(conn: &mut DbConnection, events: &[NewEvent<'_>]) -> Result<(), DbError> {
    // SQLite binds at most 32,766 parameters per statement; an event takes 13.
    insert_rows!(conn, audit_events::table, events, 2_000);
    Ok(())
}

/// Up to `limit` of the org's events after `after_seq` that match `filter`, in chain order.
pub fn page(
    conn: &mut DbConnection,
    org: &str,
    filter: &EventFilter,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, DbError> {
    let mut query = audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::seq.gt(after_seq.unwrap_or(0)))
        .order(audit_events::seq)
        .limit(limit)
        .select(AuditEventRow::as_select())
        .into_boxed();
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_events::entity.eq(entity.clone()));
    }
    if let Some(entity_id) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(entity_id.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_events::at.ge(since));
    }
    if let Some(tender) = &filter.tender {
        query = query.filter(of_tender(org, tender));
    }
    Ok(query.load(conn)?)
}

diesel::define_sql_function! {
    /// `substr(text, start, length)`, the same on both backends.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// Length of an id socval makes (a UUID): the part of a composite entity id that names the lot
/// or bid it sits under.
const ID_LENGTH: i32 = 36;

/// Events about a tender or anything under it: its lots, schemes, evaluators, awards, bids,
/// marks, moderated marks, runs and declarations (and, from before ledger v2, the lot- and
/// bid-level events that named only the lot or bid).
fn of_tender(
    org: &str,
    tender: &str,
) -> Box<dyn BoxableExpression<audit_events::table, MultiBackend, SqlType = diesel::sql_types::Bool>>
{
    let lots_of_tender = || {
        lots::table
            .filter(lots::org_id.eq(org.to_string()))
            .filter(lots::tender_id.eq(tender.to_string()))
            .select(lots::id)
    };
    let bids_of_tender = || {
        bids::table
            .inner_join(lots::table)
            .filter(lots::org_id.eq(org.to_string()))
            .filter(lots::tender_id.eq(tender.to_string()))
            .select(bids::id)
    };
    let parent = || substr(audit_events::entity_id, 1, ID_LENGTH);
    let runs = evaluations::table
        .filter(evaluations::org_id.eq(org.to_string()))
        .filter(evaluations::tender_id.eq(tender.to_string()))
        .select(evaluations::id);
    let declarations = conflict_declarations::table
        .filter(conflict_declarations::org_id.eq(org.to_string()))
        .filter(conflict_declarations::lot_id.eq_any(lots_of_tender()))
        .select(conflict_declarations::id);
    Box::new(
        (audit_events::entity
            .eq("tender")
            .and(audit_events::entity_id.eq(tender.to_string())))
        .or(audit_events::entity
            .eq_any(["lot", "award"])
            .and(audit_events::entity_id.eq_any(lots_of_tender())))
        .or(audit_events::entity
            .eq_any(["scheme", "evaluator", "award_step"])
            .and(parent().eq_any(lots_of_tender())))
        .or(audit_events::entity
            .eq("bid")
            .and(audit_events::entity_id.eq_any(bids_of_tender())))
        .or(audit_events::entity
            .eq_any(["mark", "moderated_mark"])
            .and(parent().eq_any(bids_of_tender())))
        .or(audit_events::entity
            .eq("run")
            .and(audit_events::entity_id.eq_any(runs)))
        .or(audit_events::entity
            .eq("declaration")
            .and(audit_events::entity_id.eq_any(declarations))),
    )
}

/// Every org that has events, in name order.
pub fn org_ids(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(audit_events::table
        .select(audit_events::org_id)
        .distinct()
        .order(audit_events::org_id)
        .load(conn)?)
}

/// Every event of one entity up to `until` (inclusive), in chain order.
pub fn events_of(
    conn: &mut DbConnection,
    org: &str,
    entity: &str,
    entity_id: &str,
    until: Option<NaiveDateTime>,
) -> Result<Vec<AuditEventRow>, DbError> {
    let mut query = audit_events::table
        .filter(audit_events::org_id.eq(org))
        .filter(audit_events::entity.eq(entity))
        .filter(audit_events::entity_id.eq(entity_id))
        .order(audit_events::seq)
        .select(AuditEventRow::as_select())
        .into_boxed();
    if let Some(until) = until {
        query = query.filter(audit_events::at.le(until));
    }
    Ok(query.load(conn)?)
}
