//! The audit chain (architecture.md, "Audit chain"): every change appends an event, in the same
//! transaction as the change, whose hash covers the previous event's hash. One chain per org, so
//! an auditor can verify their org's history without reading anyone else's.

use chrono::{SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Role;
use crate::db::schema::audit_events;
use crate::db::{DbConnection, DbError};

/// The `prev_hash` of an org's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    if let DbConnection::Postgres(pg) = conn {
        // Serialises appends per org until commit, so two writers never chain onto the same event.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<Text, _>(event.org)
            .execute(pg)?;
    }
    let prev_hash: String = audit_events::table
        .filter(audit_events::org_id.eq(event.org))
        .order(audit_events::seq.desc())
        .select(audit_events::hash)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    // Microseconds: what PostgreSQL keeps, so the hash verifies after a round trip on either backend.
    let at = Utc::now().naive_utc().trunc_subsecs(6);
    let payload_sha256 = sha256_hex(event.payload.to_string().as_bytes());
    let hash = chain_hash(
        &prev_hash,
        &canonical(event, &at.and_utc().to_rfc3339(), &payload_sha256),
    );
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::org_id.eq(event.org),
            audit_events::at.eq(at),
            audit_events::actor_sub.eq(event.actor_sub),
            audit_events::actor_role.eq(event.actor_role.as_str()),
            audit_events::action.eq(event.action),
            audit_events::entity.eq(event.entity),
            audit_events::entity_id.eq(event.entity_id),
            audit_events::payload_sha256.eq(&payload_sha256),
            audit_events::prev_hash.eq(&prev_hash),
            audit_events::hash.eq(&hash),
        ))
        .execute(conn)?;
    Ok(hash)
}

/// The event's fields in a fixed order, as JSON (so no field can run into the next).
fn canonical(event: &AuditEvent<'_>, at: &str, payload_sha256: &str) -> String {
    json!([
        event.org,
        at,
        event.actor_sub,
        event.actor_role.as_str(),
        event.action,
        event.entity,
        event.entity_id,
        payload_sha256
    ])
    .to_string()
}

/// `hash = SHA-256(prev_hash ‖ canonical event)`, hex.
pub fn chain_hash(prev_hash: &str, canonical_event: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_event.as_bytes());
    hex::encode(hasher.finalize())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
