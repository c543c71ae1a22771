//! Rows and queries of the audit chain. Hashing lives in `service::audit`; this module only
//! stores and reads events, always within one org and in `seq` order (the chain's order).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{audit_events, bids, lots};
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
}

/// What an event records, i.e. everything its hash covers besides the previous hash. Appending
/// builds it from the change; verifying borrows it from the stored row, so both hash the same.
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = audit_events)]
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

impl AuditEventRow {
    pub fn facts(&self) -> EventFacts<'_> {
        EventFacts {
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

/// Which of an org's events to list; every field that is set must match.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Events at or after this instant (UTC).
    pub since: Option<NaiveDateTime>,
    /// The events of this tender: its own (`entity` `tender`), its lots' (`lot`) and their
    /// bids' (`bid`). Events name only their entity, so the lots and bids are looked up.
    pub tender: Option<String>,
}

/// The hash of the org's last event, `None` for an org without events.
pub fn last_hash(conn: &mut DbConnection, org: &str) -> Result<Option<String>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::org_id.eq(org))
        .order(audit_events::seq.desc())
        .select(audit_events::hash)
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConnection,
    facts: &EventFacts<'_>,
    prev_hash: &str,
    hash: &str,
) -> Result<(), DbError> {
    diesel::insert_into(audit_events::table)
        .values((
            facts,
            audit_events::prev_hash.eq(prev_hash),
            audit_events::hash.eq(hash),
        ))
        .execute(conn)?;
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
        let lots_of_tender = lots::table
            .filter(lots::org_id.eq(org.to_string()))
            .filter(lots::tender_id.eq(tender.clone()))
            .select(lots::id);
        let bids_of_tender = bids::table
            .inner_join(lots::table)
            .filter(lots::org_id.eq(org.to_string()))
            .filter(lots::tender_id.eq(tender.clone()))
            .select(bids::id);
        query = query.filter(
            (audit_events::entity
                .eq("tender")
                .and(audit_events::entity_id.eq(tender.clone())))
            .or(audit_events::entity
                .eq("lot")
                .and(audit_events::entity_id.eq_any(lots_of_tender)))
            .or(audit_events::entity
                .eq("bid")
                .and(audit_events::entity_id.eq_any(bids_of_tender))),
        );
    }
    Ok(query.load(conn)?)
}

/// Every org that has events, in name order.
pub fn org_ids(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(audit_events::table
        .select(audit_events::org_id)
        .distinct()
        .order(audit_events::org_id)
        .load(conn)?)
}
