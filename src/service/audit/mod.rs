//! The audit ledger (architecture.md, "Audit chain"): every change appends an event, in the same
//! transaction as the change, that holds the changed entity's new state and whose hash covers it
//! and the previous event's hash. One chain per org, so an auditor can verify their org's history
//! without reading anyone else's.
//!
//! [`event_hash`] is the one definition of an event's hash: [`append_all`] uses it to write and
//! [`chain`] to re-walk, so the two can never disagree about the canonical form. An entity's
//! state comes from one function too ([`entity::states`]), used to write it and to re-check the
//! rows against it ([`rows`]).

pub mod baseline;
mod chain;
pub mod checkpoint;
pub mod entity;
pub mod history;
mod rows;
pub mod runs;
pub mod sequencer;
pub mod signing;
mod verification;

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Db, ServiceError};
use crate::db::audit_events::{self as repo, EventFacts};
pub use crate::db::audit_events::{AuditEventRow, EventFilter};
use crate::db::audit_pending::{self as pending, NewPending};
use crate::db::entity_states::Scope;
use crate::db::{DbConnection, DbError};
pub use chain::{InvalidEvent, InvalidReason};
pub use entity::Entity;
pub use rows::{FieldDifference, StateFinding, StateProblem};
pub use signing::{Keyring, PublicKeys, Signer};
pub use verification::{Verification, verify_org, verify_orgs};

/// The `prev_hash` of an org's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change, as the ledger names them.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub org: &'a str,
    pub sub: &'a str,
    pub role: &'a str,
}

/// What an event records of one entity: its new state, and why where the state does not say it
/// (a scheme change's reason, a baseline's origin).
struct Recorded {
    entity: Entity,
    entity_id: String,
    change: String,
}

/// Records `action` on the entities of one kind named by `ids`, each with the state its rows have
/// now (read inside the write's transaction, after the write), and `context` beside it when not
/// null. One insert for all of them.
pub fn record(
    conn: &mut DbConnection,
    author: Author<'_>,
    action: &str,
    entity: Entity,
    ids: &[&str],
    context: &Value,
) -> Result<(), DbError> {
    let keys = Entity::keys_of(ids);
    let mut states = entity::states(conn, author.org, entity, Scope::Keys(&keys))?;
    let changed = ids
        .iter()
        .map(|id| {
            let state = states.remove(*id).ok_or_else(|| {
                DbError::Corrupt(format!(
                    "{} {id}: recorded as changed but not stored",
                    entity.as_str()
                ))
            })?;
            Ok(((*id).to_string(), state))
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    append_states(conn, author, action, entity, changed, context)
}

/// Appends one event per `(id, state)` of one kind of entity, with `context` beside each state
/// when not null.
fn append_states(
    conn: &mut DbConnection,
    author: Author<'_>,
    action: &str,
    entity: Entity,
    states: impl IntoIterator<Item = (String, Value)>,
    context: &Value,
) -> Result<(), DbError> {
    let recorded: Vec<Recorded> = states
        .into_iter()
        .map(|(entity_id, state)| {
            let mut change = serde_json::Map::new();
            change.insert("state".into(), state);
            if !context.is_null() {
                change.insert("context".into(), context.clone());
            }
            let change = Value::Object(change);
            Recorded {
                entity,
                entity_id,
                change: entity::canonical(&change),
            }
        })
        .collect();
    append_all(conn, author, action, &recorded)
}

/// Appends the events of one org, in order, to the org's pending events: inside the write's
/// transaction and without any lock, so writers never wait for each other here. The org's
/// sequencer chains them after the commit ([`sequencer`]).
fn append_all(
    conn: &mut DbConnection,
    author: Author<'_>,
    action: &str,
    events: &[Recorded],
) -> Result<(), DbError> {
    let at = super::now();
    let payloads: Vec<String> = events
        .iter()
        .map(|event| sha256_hex(event.change.as_bytes()))
        .collect();
    let rows: Vec<NewPending<'_>> = events
        .iter()
        .zip(&payloads)
        .map(|(event, payload_sha256)| {
            let facts = EventFacts {
                org_id: author.org,
                at,
                actor_sub: author.sub,
                actor_role: author.role,
                action,
                entity: event.entity.as_str(),
                entity_id: &event.entity_id,
                payload_sha256,
            };
            NewPending {
                facts,
                change: &event.change,
            }
        })
        .collect();
    pending::insert(conn, &rows)
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

/// An event's signature: Ed25519 over the 32 bytes its hex `hash` spells.
pub fn sign_hash(signer: &Signer, hash: &str) -> (String, String) {
    signer.sign(&hash_bytes(hash))
}

/// The bytes a hex hash spells (empty for text that is not hex, which then verifies against
/// nothing).
pub fn hash_bytes(hash: &str) -> Vec<u8> {
    hex::decode(hash).unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A page of the org's events that match `filter`, in chain order: every event committed
/// before the call is chained first, so a client following the cursor misses none.
pub async fn list(
    db: &Db,
    signer: std::sync::Arc<Signer>,
    org: String,
    filter: EventFilter,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, ServiceError> {
    sequencer::catch_up(db, signer, org.clone()).await?;
    db.run(move |conn| Ok(repo::page(conn, &org, &filter, after_seq, limit)?))
        .await
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
