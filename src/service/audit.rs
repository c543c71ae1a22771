//! The audit chain (architecture.md, "Audit chain"): every change appends an event, in the same
//! transaction as the change, whose hash covers the previous event's hash. One chain per org, so
//! an auditor can verify their org's history without reading anyone else's.
//!
//! [`event_hash`] is the one definition of an event's hash: [`append`] uses it to write and
//! [`verify`] to re-walk, so the two can never disagree about the canonical form.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{Db, ServiceError};
use crate::auth::Role;
use crate::db::audit_events::{self as repo, EventFacts};
pub use crate::db::audit_events::{AuditEventRow, EventFilter};
use crate::db::{DbConnection, DbError};

/// The `prev_hash` of an org's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Events read per query while verifying, so memory stays bounded however long the chain is.
const VERIFY_PAGE: i64 = 1_000;

/// A change to record: who did what to which entity, with the data it concerned.
pub struct AuditEvent<'a> {
    pub org: &'a str,
    pub actor_sub: &'a str,
    pub actor_role: Role,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub payload: &'a serde_json::Value,
}

/// Appends `event` to its org's chain; call inside the write's transaction
/// ([`crate::db::write_transaction`]). Returns the new event's hash.
pub fn append(conn: &mut DbConnection, event: &AuditEvent<'_>) -> Result<String, DbError> {
    append_all(conn, std::slice::from_ref(event))
}

/// Appends several events of one org in order, taking the org's lock and reading its last hash
/// once (a batch of bids is one write, not a thousand). Returns the last event's hash.
pub fn append_all(conn: &mut DbConnection, events: &[AuditEvent<'_>]) -> Result<String, DbError> {
    let Some(org) = events.first().map(|e| e.org) else {
        return Ok(GENESIS_HASH.to_string()); // nothing appended
    };
    if events.iter().any(|e| e.org != org) {
        return Err(DbError::Corrupt(
            "one append_all call covers one org's chain".into(),
        ));
    }
    if let DbConnection::Postgres(pg) = conn {
        // Serialises appends per org until commit, so two writers never chain onto the same event.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<Text, _>(org)
            .execute(pg)?;
    }
    let mut prev_hash = repo::last_hash(conn, org)?.unwrap_or_else(|| GENESIS_HASH.to_string());
    let at = super::now();
    for event in events {
        let payload_sha256 = sha256_hex(event.payload.to_string().as_bytes());
        let facts = EventFacts {
            org_id: event.org,
            at,
            actor_sub: event.actor_sub,
            actor_role: event.actor_role.as_str(),
            action: event.action,
            entity: event.entity,
            entity_id: event.entity_id,
            payload_sha256: &payload_sha256,
        };
        let hash = event_hash(&prev_hash, &facts);
        repo::insert(conn, &facts, &prev_hash, &hash)?;
        prev_hash = hash;
    }
    Ok(prev_hash)
}

/// `hash = SHA-256(prev_hash ‖ canonical event)`, hex, where the canonical event is the JSON
/// array `[org, at, actor_sub, actor_role, action, entity, entity_id, payload_sha256]` (JSON, so
/// no field can run into the next) with `at` written by [`event_time`].
pub fn event_hash(prev_hash: &str, facts: &EventFacts<'_>) -> String {
    let canonical = json!([
        facts.org_id,
        event_time(facts.at),
        facts.actor_sub,
        facts.actor_role,
        facts.action,
        facts.entity,
        facts.entity_id,
        facts.payload_sha256
    ])
    .to_string();
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// An event's time as hashed (and as the API shows it, so anyone can recompute a hash): RFC 3339
/// in UTC. Stored times are whole microseconds on both backends, so the string read back is the
/// string written.
pub fn event_time(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The outcome of re-walking one org's chain (`GET /v1/audit/verify`, `socval check-audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verification {
    /// Whether every event links to the one before it and matches its own hash.
    pub valid: bool,
    /// Events read, up to and including the first invalid one.
    #[schema(example = 1234)]
    pub events_checked: u64,
    /// The first event that does not verify; `null` when the chain is valid.
    pub first_invalid_event: Option<InvalidEvent>,
}

impl Verification {
    fn new(events_checked: u64, first_invalid_event: Option<InvalidEvent>) -> Self {
        Self {
            valid: first_invalid_event.is_none(),
            events_checked,
            first_invalid_event,
        }
    }
}

/// Where and why verification stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvalidEvent {
    /// The event's `seq`.
    #[schema(example = 42)]
    pub seq: i64,
    pub reason: InvalidReason,
}

/// Why an event does not verify: `broken_link` — its `prev_hash` is not the `hash` of the org's
/// previous event (genesis for the first), so an event before it was deleted, inserted or
/// rewritten, or its `prev_hash` edited; `hash_mismatch` — its own fields do not hash to its
/// stored `hash`, so it was edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    BrokenLink,
    HashMismatch,
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BrokenLink => {
                "broken link: its prev_hash is not the previous event's hash (an event before it was removed, inserted or rewritten, or its prev_hash edited)"
            }
            Self::HashMismatch => "hash mismatch: its fields do not hash to its stored hash (it was edited)",
        })
    }
}

/// Re-walks `org`'s chain in `seq` order, a page at a time, and stops at the first event whose
/// link or hash does not match.
fn verify(conn: &mut DbConnection, org: &str) -> Result<Verification, ServiceError> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut events_checked = 0;
    let mut after_seq = None;
    loop {
        let rows = repo::page(conn, org, &EventFilter::default(), after_seq, VERIFY_PAGE)?;
        for row in &rows {
            events_checked += 1;
            if let Some(reason) = check(row, &expected_prev) {
                let invalid = InvalidEvent {
                    seq: row.seq,
                    reason,
                };
                return Ok(Verification::new(events_checked, Some(invalid)));
            }
            expected_prev.clone_from(&row.hash);
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == VERIFY_PAGE => after_seq = Some(last.seq),
            _ => break,
        }
    }
    Ok(Verification::new(events_checked, None))
}

fn check(row: &AuditEventRow, expected_prev: &str) -> Option<InvalidReason> {
    if row.prev_hash != expected_prev {
        Some(InvalidReason::BrokenLink)
    } else if event_hash(&row.prev_hash, &row.facts()) != row.hash {
        Some(InvalidReason::HashMismatch)
    } else {
        None
    }
}

/// Verifies `org`'s chain, or every org's when `None` (`socval check-audit`), in org order.
pub fn verify_orgs(
    conn: &mut DbConnection,
    org: Option<&str>,
) -> Result<Vec<(String, Verification)>, ServiceError> {
    let orgs = match org {
        Some(org) => vec![org.to_string()],
        None => repo::org_ids(conn)?,
    };
    orgs.into_iter()
        .map(|org| verify(conn, &org).map(|verification| (org, verification)))
        .collect()
}

/// A page of the org's events that match `filter`, in chain order.
pub async fn list(
    db: &Db,
    org: String,
    filter: EventFilter,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, ServiceError> {
    db.run(move |conn| Ok(repo::page(conn, &org, &filter, after_seq, limit)?))
        .await
}

/// Re-walks the org's chain.
pub async fn verify_org(db: &Db, org: String) -> Result<Verification, ServiceError> {
    db.run(move |conn| verify(conn, &org)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::NaiveDate;

    /// Pinned: changing the canonical form or the time format would make every stored chain
    /// fail verification, so such a change must be a deliberate, migrated one.
    #[test]
    fn the_event_hash_is_sha256_of_prev_hash_and_the_canonical_json_array() {
        let payload_sha256 = sha256_hex(b"{}");
        let facts = EventFacts {
            org_id: "org-1",
            at: NaiveDate::from_ymd_opt(2026, 3, 1)
                .unwrap()
                .and_hms_micro_opt(12, 0, 0, 120_000)
                .unwrap(),
            actor_sub: "alice",
            actor_role: "admin",
            action: "import",
            entity: "measure_set",
            entity_id: "ms-1",
            payload_sha256: &payload_sha256,
        };
        assert_eq!(event_time(facts.at), "2026-03-01T12:00:00.120+00:00");
        assert_eq!(
            event_hash(GENESIS_HASH, &facts),
            "2b1744ef73b80270e19c5a76778395bdce5ea320cf089d0e77928c683eb910e6"
        );
        assert_ne!(
            event_hash(
                GENESIS_HASH,
                &EventFacts {
                    actor_sub: "mallory",
                    ..facts
                }
            ),
            event_hash(GENESIS_HASH, &facts)
        );
    }
}
