//! `GET /v1/audit/verify` and `socval check-audit`: the org's chain re-walked, then its rows
//! compared with the states the chain recorded.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::baseline::{self, Baseline};
use super::chain::{self, InvalidEvent, Trust};
use super::checkpoint::{self, Checkpoint, CheckpointCheck};
use super::rows::{self, StateFinding};
use super::sequencer;
use super::signing::{Keyring, Signer};
use crate::db::audit_events as repo;
use crate::db::audit_pending as pending;
use crate::db::{DbConnection, DbError, read_snapshot};
use crate::service::{Db, ServiceError};

/// The outcome of verifying one org's ledger.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Verification {
    /// Whether every event links to the one before it, matches its own hash and carries a valid
    /// signature by a trusted key, every row holds the state its latest event recorded, and the
    /// log still extends the checkpoint given, if one was.
    pub valid: bool,
    /// Events read, up to and including the first invalid one.
    #[schema(example = 1234)]
    pub events_checked: u64,
    /// The first event that does not verify; `null` when the chain is valid.
    pub first_invalid_event: Option<InvalidEvent>,
    /// The `hash` of the last event that verified (64 zeros for an empty chain): keep it to
    /// detect later truncation.
    pub head: String,
    /// Events committed but not chained yet when verification read the ledger: their rows were
    /// compared with them, and the sequencer chains them within moments.
    #[schema(example = 0)]
    pub events_pending: u64,
    /// Stored rows compared with the ledger.
    #[schema(example = 321)]
    pub rows_checked: u64,
    /// Every row whose stored state is not what the ledger recorded.
    pub state_findings: Vec<StateFinding>,
    /// Present when the org's data predates ledger v2: what its baseline rests on.
    pub baseline: Option<Baseline>,
    /// The checkpoint checked against, when one was given.
    pub checkpoint: Option<CheckpointCheck>,
}

/// Verifies on the caller's snapshot: rows and events as one commit left them.
fn verify(
    conn: &mut DbConnection,
    org: &str,
    keyring: &Keyring,
    against: Option<&Checkpoint>,
) -> Result<Verification, DbError> {
    let unsigned_until = checkpoint::unsigned_until(conn, keyring, org)?;
    let trust = Trust::Signed {
        keyring,
        unsigned_until,
    };
    let walk = chain::walk(conn, org, &trust)?;
    let rows = rows::check(conn, org)?;
    let checked = against
        .map(|against| checkpoint::check(conn, keyring, against))
        .transpose()?;
    let extends = checked.as_ref().is_none_or(|check| check.holds);
    let events_pending = u64::try_from(pending::count(conn, org)?).unwrap_or(0);
    Ok(Verification {
        events_pending,
        valid: walk.first_invalid.is_none() && rows.findings.is_empty() && extends,
        events_checked: walk.events_checked,
        first_invalid_event: walk.first_invalid,
        head: walk.head,
        rows_checked: rows.rows_checked,
        state_findings: rows.findings,
        baseline: baseline::of(conn, org)?,
        checkpoint: checked,
    })
}

/// Verifies `org`'s ledger, or every org's when `None` (`socval check-audit`), in org order;
/// with a checkpoint, its org's ledger against it.
pub fn verify_orgs(
    conn: &mut DbConnection,
    org: Option<&str>,
    keyring: &Keyring,
    against: Option<&Checkpoint>,
) -> Result<Vec<(String, Verification)>, ServiceError> {
    let orgs = match (org, against) {
        (_, Some(checkpoint)) => vec![checkpoint.org.clone()],
        (Some(org), None) => vec![org.to_string()],
        (None, None) => repo::org_ids(conn)?,
    };
    orgs.into_iter()
        .map(|org| {
            let verified = read_snapshot(conn, |conn| verify(conn, &org, keyring, against))?;
            Ok((org, verified))
        })
        .collect()
}

/// Verifies the org's ledger with the keys of `keyring`, against a checkpoint of its own if
/// one is given, after chaining what it had pending.
pub async fn verify_org(
    db: &Db,
    signer: Arc<Signer>,
    org: String,
    keyring: Keyring,
    against: Option<Checkpoint>,
) -> Result<Verification, ServiceError> {
    sequencer::catch_up(db, signer, org.clone()).await?;
    db.run(move |conn| {
        read_snapshot(conn, |conn| {
            Ok(verify(conn, &org, &keyring, against.as_ref())?)
        })
    })
    .await
}
