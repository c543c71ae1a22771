//! The move of a database made before ledger v2: for each org the migration marked, verify its
//! old chain and record the result and the head, then write one `baseline` event per live entity
//! holding its state, so that verification of the old rows starts from that snapshot. One
//! transaction per org; run after the schema migrations (at start and by `socval migrate`).

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::chain::Trust;
use super::chain::{self, InvalidEvent, InvalidReason};
use super::checkpoint::{self, CheckpointKind};
use super::entity::{self, Entity};
use super::{Author, Signer, append_states, sequencer};
use crate::db::audit_baselines::{self as repo, BaselineRow};
use crate::db::entity_states::{self as live, Scope};
use crate::db::{DbConnection, DbError, write_transaction};

/// Who writes baseline events: socval itself, not a token's subject.
const MIGRATION_SUB: &str = "socval:ledger-v2-migration";
const MIGRATION_ROLE: &str = "system";

/// Tenders read per query while writing the baseline.
const PAGE: i64 = 100;

/// What an org's baseline rests on: its chain before ledger v2, as verified when it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Baseline {
    /// When the baseline events were written (RFC 3339, UTC).
    pub migrated_at: Option<String>,
    /// Whether the old chain verified then.
    pub old_chain_valid: bool,
    pub old_events_checked: i64,
    /// The `hash` of the old chain's last verified event: the baseline events follow it.
    pub old_head: Option<String>,
    /// Where the old chain failed, if it did.
    pub old_first_invalid_event: Option<InvalidEvent>,
    /// How many `baseline` events were written.
    pub baseline_events: i64,
}

/// Completes every pending baseline; returns the orgs done by this call.
pub fn complete_pending(conn: &mut DbConnection, signer: &Signer) -> Result<Vec<String>, DbError> {
    let mut done = Vec::new();
    for org in repo::pending(conn)? {
        let completed = write_transaction(conn, |conn| complete(conn, &org, signer))?;
        if completed {
            tracing::info!(org, "ledger v2 baseline written");
            done.push(org);
        }
    }
    Ok(done)
}

fn complete(conn: &mut DbConnection, org: &str, signer: &Signer) -> Result<bool, DbError> {
    if !repo::claim(conn, org)? {
        return Ok(false);
    }
    // The old events carry no signature: the chain is walked as it stands, and its head signed.
    let walk = chain::walk(conn, org, &Trust::Unsigned)?;
    checkpoint::record(
        conn,
        signer,
        org,
        walk.head_seq,
        &walk.head,
        CheckpointKind::Baseline,
    )?;
    let author = Author {
        org,
        sub: MIGRATION_SUB,
        role: MIGRATION_ROLE,
    };
    let context = json!({"migrated": true, "old_head": walk.head});
    let mut written = 0;
    let mut after: Option<String> = None;
    loop {
        let tenders = live::tender_ids_page(conn, org, after.as_deref(), PAGE)?;
        for tender in &tenders {
            for &kind in Entity::ALL {
                let states = entity::states(conn, org, kind, Scope::Tender(tender))?;
                written += states.len();
                append_states(conn, author, "baseline", kind, states, &context)?;
            }
        }
        match tenders.last() {
            Some(last) if tenders.len() as i64 == PAGE => after = Some(last.clone()),
            _ => break,
        }
    }
    let sets = live::measure_set_ids(conn, org)?;
    let states = entity::states(conn, org, Entity::MeasureSet, Scope::Keys(&sets))?;
    written += states.len();
    append_states(
        conn,
        author,
        "baseline",
        Entity::MeasureSet,
        states,
        &context,
    )?;
    let row = BaselineRow {
        old_chain_valid: Some(walk.first_invalid.is_none()),
        old_events_checked: Some(walk.events_checked as i64),
        old_head: Some(walk.head),
        old_first_invalid_seq: walk.first_invalid.map(|bad| bad.seq),
        old_first_invalid_reason: walk
            .first_invalid
            .map(|bad| bad.reason.as_str().to_string()),
        baseline_events: Some(written as i64),
        migrated_at: Some(super::super::now()),
    };
    repo::complete(conn, org, &row)?;
    // Chained before the commit: the baseline is whole when the service starts serving.
    sequencer::chain_all(conn, signer, org)?;
    Ok(true)
}

/// The org's baseline, when its data predates ledger v2.
pub fn of(conn: &mut DbConnection, org: &str) -> Result<Option<Baseline>, DbError> {
    Ok(repo::of(conn, org)?.map(|row| Baseline {
        migrated_at: row.migrated_at.map(super::event_time),
        old_chain_valid: row.old_chain_valid.unwrap_or(false),
        old_events_checked: row.old_events_checked.unwrap_or(0),
        old_head: row.old_head,
        old_first_invalid_event: row
            .old_first_invalid_seq
            .zip(
                row.old_first_invalid_reason
                    .as_deref()
                    .and_then(InvalidReason::parse),
            )
            .map(|(seq, reason)| InvalidEvent { seq, reason }),
        baseline_events: row.baseline_events.unwrap_or(0),
    }))
}
