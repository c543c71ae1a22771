//! Re-walking an org's hash chain: every event must link to the one before it, hash to its own
//! `hash`, and (from ledger v2 on) hold a change whose SHA-256 is its `payload_sha256`.

use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

use super::{GENESIS_HASH, event_hash, sha256_hex};
use crate::db::audit_events::{self as repo, AuditEventRow, EventFilter};
use crate::db::{DbConnection, DbError};

/// Events read per query while verifying, so memory stays bounded however long the chain is.
const PAGE: i64 = 1_000;

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
/// stored `hash`, so it was edited; `change_mismatch` — its `change` does not hash to its
/// `payload_sha256`, so the recorded change was edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    BrokenLink,
    HashMismatch,
    ChangeMismatch,
}

impl InvalidReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BrokenLink => "broken_link",
            Self::HashMismatch => "hash_mismatch",
            Self::ChangeMismatch => "change_mismatch",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::BrokenLink, Self::HashMismatch, Self::ChangeMismatch]
            .into_iter()
            .find(|reason| reason.as_str() == text)
    }
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BrokenLink => {
                "broken link: its prev_hash is not the previous event's hash (an event before it was removed, inserted or rewritten, or its prev_hash edited)"
            }
            Self::HashMismatch => "hash mismatch: its fields do not hash to its stored hash (it was edited)",
            Self::ChangeMismatch => "change mismatch: its recorded change does not hash to its payload_sha256 (the change was edited)",
        })
    }
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Events read, up to and including the first invalid one.
    pub events_checked: u64,
    pub first_invalid: Option<InvalidEvent>,
    /// The hash of the last event read (genesis for an empty chain).
    pub head: String,
}

/// Re-walks `org`'s chain in `seq` order, a page at a time, and stops at the first event that
/// does not verify.
pub fn walk(conn: &mut DbConnection, org: &str) -> Result<Walk, DbError> {
    let mut head = GENESIS_HASH.to_string();
    let mut events_checked = 0;
    let mut after_seq = None;
    loop {
        let rows = repo::page(conn, org, &EventFilter::default(), after_seq, PAGE)?;
        for row in &rows {
            events_checked += 1;
            if let Some(reason) = check(row, &head) {
                let first_invalid = Some(InvalidEvent {
                    seq: row.seq,
                    reason,
                });
                return Ok(Walk {
                    events_checked,
                    first_invalid,
                    head,
                });
            }
            head.clone_from(&row.hash);
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after_seq = Some(last.seq),
            _ => break,
        }
    }
    Ok(Walk {
        events_checked,
        first_invalid: None,
        head,
    })
}

fn check(row: &AuditEventRow, expected_prev: &str) -> Option<InvalidReason> {
    if row.prev_hash != expected_prev {
        Some(InvalidReason::BrokenLink)
    } else if event_hash(&row.prev_hash, &row.facts()) != row.hash {
        Some(InvalidReason::HashMismatch)
    } else if row
        .change
        .as_ref()
        .is_some_and(|change| sha256_hex(change.as_bytes()) != row.payload_sha256)
    {
        Some(InvalidReason::ChangeMismatch)
    } else {
        None
    }
}
