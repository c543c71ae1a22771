//! Signed checkpoints `{org, seq, head, time, key_id, signature}`, in the manner of Certificate
//! Transparency's signed tree heads (RFC 9162): a statement, signed by socval's key, that at
//! `time` the org's chain ended at event `seq` with hash `head`. Kept outside socval, a checkpoint
//! proves later that the log still extends it: an event deleted from the end, an org's events
//! removed, or a chain rewritten and re-hashed are each caught by comparing the log with it.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::signing::{Keyring, SignatureProblem, Signer};
use super::{GENESIS_HASH, event_time};
use crate::db::audit_checkpoints::{self as repo, CheckpointRow};
use crate::db::audit_events as events;
use crate::db::{DbConnection, DbError};

/// A signed statement of an org's head; exactly what `socval check-audit --checkpoint FILE`
/// and `POST /v1/audit/verify` accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    #[schema(example = "my-org")]
    pub org: String,
    /// The `seq` of the chain's last event then; 0 for an empty chain.
    #[schema(example = 42)]
    pub seq: i64,
    /// That event's `hash` (64 zeros for an empty chain).
    pub head: String,
    /// When it was signed, RFC 3339 in UTC.
    #[schema(example = "2026-03-01T12:00:00.123456+00:00")]
    pub time: String,
    /// The key that signed it (`GET /v1/audit/keys`).
    pub key_id: String,
    /// Ed25519 signature (hex) of the compact JSON `{"head":…,"org":…,"seq":…,"time":…}`.
    pub signature: String,
}

/// Why socval wrote a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointKind {
    /// The head of an org's chain from before signing, when it moved to ledger v2: the one
    /// signature that covers its unsigned events.
    Baseline,
    /// Asked for (`GET /v1/audit/checkpoint`, `socval audit-checkpoint`).
    OnDemand,
    /// Written by the server every `SOCVAL_AUDIT_CHECKPOINT_SECS`.
    Periodic,
}

impl CheckpointKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::OnDemand => "on_demand",
            Self::Periodic => "periodic",
        }
    }
}

fn message(org: &str, seq: i64, head: &str, time: &str) -> Vec<u8> {
    json!({"head": head, "org": org, "seq": seq, "time": time})
        .to_string()
        .into_bytes()
}

/// Signs and stores a checkpoint of `(seq, head)`.
pub fn record(
    conn: &mut DbConnection,
    signer: &Signer,
    org: &str,
    seq: i64,
    head: &str,
    kind: CheckpointKind,
) -> Result<Checkpoint, DbError> {
    let at = crate::service::now();
    let time = event_time(at);
    let (key_id, signature) = signer.sign(&message(org, seq, head, &time));
    repo::insert(
        conn,
        &CheckpointRow {
            org_id: org.to_string(),
            seq,
            head: head.to_string(),
            at,
            key_id: key_id.clone(),
            signature: signature.clone(),
            kind: kind.as_str().to_string(),
        },
    )?;
    Ok(Checkpoint {
        org: org.to_string(),
        seq,
        head: head.to_string(),
        time,
        key_id,
        signature,
    })
}

/// A checkpoint of the org's chain as it ends now.
pub fn of_head(
    conn: &mut DbConnection,
    signer: &Signer,
    org: &str,
    kind: CheckpointKind,
) -> Result<Checkpoint, DbError> {
    let (seq, head) = events::head(conn, org)?.unwrap_or((0, GENESIS_HASH.to_string()));
    record(conn, signer, org, seq, &head, kind)
}

/// A periodic checkpoint of each org whose chain moved since its newest one.
pub fn write_periodic(conn: &mut DbConnection, signer: &Signer) -> Result<usize, DbError> {
    let mut written = 0;
    for org in events::org_ids(conn)? {
        let head = events::head(conn, &org)?;
        let latest = repo::latest(conn, &org)?.map(|row| row.seq);
        if let Some((seq, hash)) = head
            && latest != Some(seq)
        {
            record(conn, signer, &org, seq, &hash, CheckpointKind::Periodic)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Writes periodic checkpoints every `every` for as long as the server runs; a failure is logged
/// and tried again at the next tick.
pub async fn every(
    db: crate::service::Db,
    signer: std::sync::Arc<Signer>,
    every: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await; // the first tick is immediate: the first checkpoint waits one period
    loop {
        ticks.tick().await;
        let signing = signer.clone();
        let written: Result<usize, DbError> =
            db.write(move |conn| write_periodic(conn, &signing)).await;
        match written {
            Ok(count) => tracing::info!(orgs = count, "periodic audit checkpoints written"),
            Err(error) => tracing::warn!(%error, "periodic audit checkpoints failed"),
        }
    }
}

/// Publishes (signs and stores) a checkpoint of the org's head now.
pub async fn publish(
    db: &crate::service::Db,
    signer: std::sync::Arc<Signer>,
    org: String,
) -> Result<Checkpoint, crate::service::ServiceError> {
    db.write(move |conn| Ok(publish_in(conn, &signer, &org)?))
        .await
}

/// [`publish`] in the caller's write transaction: everything committed before it is chained
/// first, so the checkpoint covers it.
pub fn publish_in(
    conn: &mut DbConnection,
    signer: &Signer,
    org: &str,
) -> Result<Checkpoint, DbError> {
    super::sequencer::chain_all(conn, signer, org)?;
    of_head(conn, signer, org, CheckpointKind::OnDemand)
}

/// Whether a checkpoint's signature holds under the keyring.
pub fn signature_holds(keyring: &Keyring, checkpoint: &Checkpoint) -> Result<(), SignatureProblem> {
    let message = message(
        &checkpoint.org,
        checkpoint.seq,
        &checkpoint.head,
        &checkpoint.time,
    );
    keyring.check(
        &message,
        Some(&checkpoint.key_id),
        Some(&checkpoint.signature),
    )
}

/// Whether the log still extends a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CheckpointCheck {
    /// The checkpoint's signature holds and the log still holds its head at its `seq`.
    pub holds: bool,
    pub seq: i64,
    /// What is wrong, in words; `null` when it holds.
    pub problem: Option<String>,
}

/// Checks that `checkpoint` is signed by a trusted key and that the org's log still holds its
/// head at its `seq`.
pub fn check(
    conn: &mut DbConnection,
    keyring: &Keyring,
    checkpoint: &Checkpoint,
) -> Result<CheckpointCheck, DbError> {
    let problem = match signature_holds(keyring, checkpoint) {
        Err(SignatureProblem::UnknownKey) => Some(format!(
            "the checkpoint is signed by key {}, which this verifier does not trust",
            checkpoint.key_id
        )),
        Err(_) => {
            Some("the checkpoint's signature does not hold: it was altered or forged".to_string())
        }
        Ok(()) if checkpoint.seq == 0 => None,
        Ok(()) => match events::hash_at(conn, &checkpoint.org, checkpoint.seq)? {
            None => Some(format!(
                "event {} that the checkpoint ends at is gone: the log was truncated, or the org's events deleted",
                checkpoint.seq
            )),
            Some(hash) if hash != checkpoint.head => Some(format!(
                "event {} no longer has the checkpoint's head: the chain up to it was rewritten",
                checkpoint.seq
            )),
            Some(_) => None,
        },
    };
    Ok(CheckpointCheck {
        holds: problem.is_none(),
        seq: checkpoint.seq,
        problem,
    })
}

/// The org's baseline checkpoint, as a checkpoint.
pub fn baseline(conn: &mut DbConnection, org: &str) -> Result<Option<Checkpoint>, DbError> {
    Ok(
        repo::first_of_kind(conn, org, CheckpointKind::Baseline.as_str())?.map(|row| Checkpoint {
            org: row.org_id,
            seq: row.seq,
            head: row.head,
            time: event_time(row.at),
            key_id: row.key_id,
            signature: row.signature,
        }),
    )
}

/// Events up to this seq may be unsigned: those the org's baseline checkpoint covers, when its
/// signature holds and the log still holds its head. 0 otherwise.
pub fn unsigned_until(
    conn: &mut DbConnection,
    keyring: &Keyring,
    org: &str,
) -> Result<i64, DbError> {
    let Some(baseline) = baseline(conn, org)? else {
        return Ok(0);
    };
    Ok(if check(conn, keyring, &baseline)?.holds {
        baseline.seq
    } else {
        0
    })
}
