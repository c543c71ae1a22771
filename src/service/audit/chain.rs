//! Re-walking an org's hash chain: every event must link to the one before it, hash to its own
//! `hash`, and (from ledger v2 on) hold a change whose SHA-256 is its `payload_sha256`.

use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

use super::signing::{Keyring, SignatureProblem};
use super::{GENESIS_HASH, event_hash, hash_bytes, sha256_hex};
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
/// `payload_sha256`, so the recorded change was edited; `unsigned` — it carries no signature
/// (and no signed baseline checkpoint covers it), so it was written outside socval;
/// `unknown_key` — it is signed by a key the verifier does not trust; `signature_invalid` — its
/// signature is not one of its hash, so it or a chain up to it was rewritten and re-hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    BrokenLink,
    HashMismatch,
    ChangeMismatch,
    Unsigned,
    UnknownKey,
    SignatureInvalid,
}

const REASONS: [InvalidReason; 6] = [
    InvalidReason::BrokenLink,
    InvalidReason::HashMismatch,
    InvalidReason::ChangeMismatch,
    InvalidReason::Unsigned,
    InvalidReason::UnknownKey,
    InvalidReason::SignatureInvalid,
];

/// Which signatures a walk demands.
#[derive(Debug, Clone, Copy)]
pub enum Trust<'a> {
    /// None: the chain from before signing, walked once when it moves to ledger v2.
    Unsigned,
    /// Every event signed by a key of the keyring, except those at or before `unsigned_until`
    /// (the seq a signed baseline checkpoint covers).
    Signed {
        keyring: &'a Keyring,
        unsigned_until: i64,
    },
}

impl InvalidReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BrokenLink => "broken_link",
            Self::HashMismatch => "hash_mismatch",
            Self::ChangeMismatch => "change_mismatch",
            Self::Unsigned => "unsigned",
            Self::UnknownKey => "unknown_key",
            Self::SignatureInvalid => "signature_invalid",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        REASONS.into_iter().find(|reason| reason.as_str() == text)
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
            Self::Unsigned => "unsigned: it carries no signature and no signed checkpoint covers it (written outside socval)",
            Self::UnknownKey => "unknown key: it is signed by a key this verifier does not trust (forged)",
            Self::SignatureInvalid => "signature invalid: its signature is not one of its hash (it, or the chain up to it, was rewritten and re-hashed)",
        })
    }
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Events read, up to and including the first invalid one.
    pub events_checked: u64,
    pub first_invalid: Option<InvalidEvent>,
    /// The hash of the last event that verified (genesis for an empty chain), and its seq (0).
    pub head: String,
    pub head_seq: i64,
}

/// Re-walks `org`'s chain in `seq` order, a page at a time, and stops at the first event that
/// does not verify.
pub fn walk(conn: &mut DbConnection, org: &str, trust: &Trust<'_>) -> Result<Walk, DbError> {
    let mut walk = Walk {
        events_checked: 0,
        first_invalid: None,
        head: GENESIS_HASH.to_string(),
        head_seq: 0,
    };
    let mut after_seq = None;
    loop {
        let rows = repo::page(conn, org, &EventFilter::default(), after_seq, PAGE)?;
        for row in &rows {
            walk.events_checked += 1;
            if let Some(reason) = check(row, &walk.head, trust) {
                walk.first_invalid = Some(InvalidEvent {
                    seq: row.seq,
                    reason,
                });
                return Ok(walk);
            }
            walk.head.clone_from(&row.hash);
            walk.head_seq = row.seq;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after_seq = Some(last.seq),
            _ => return Ok(walk),
        }
    }
}

fn check(row: &AuditEventRow, expected_prev: &str, trust: &Trust<'_>) -> Option<InvalidReason> {
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
        signature_problem(row, trust)
    }
}

fn signature_problem(row: &AuditEventRow, trust: &Trust<'_>) -> Option<InvalidReason> {
    let Trust::Signed {
        keyring,
        unsigned_until,
    } = trust
    else {
        return None;
    };
    if row.signature.is_none() && row.seq <= *unsigned_until {
        return None;
    }
    let signed = keyring.check(
        &hash_bytes(&row.hash),
        row.key_id.as_deref(),
        row.signature.as_deref(),
    );
    match signed {
        Ok(()) => None,
        Err(SignatureProblem::Unsigned) => Some(InvalidReason::Unsigned),
        Err(SignatureProblem::UnknownKey) => Some(InvalidReason::UnknownKey),
        Err(SignatureProblem::Invalid) => Some(InvalidReason::SignatureInvalid),
    }
}
