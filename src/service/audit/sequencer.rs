//! The sequencer (architecture.md, "Audit chain", "Sequencing"): writes leave their events
//! pending, in their own transaction and without a lock; this chains them, per org and in commit
//! order, hashing and signing each one, then deletes them from the pending table in the same
//! transaction. Chained events are the only ones `GET /v1/audit-events`, verification and
//! checkpoints read, and an org's `seq` is the one cursor that never skips a committed event:
//! only one transaction at a time chains an org, so when a reader sees `seq` n it already sees
//! every event before it.
//!
//! Every replica runs [`run`]; a pass skips an org another replica is chaining (PostgreSQL's
//! transaction-scoped advisory lock, released when that replica's connection goes, kill -9
//! included) and comes back to it shortly. Readers that need everything committed before them
//! [`catch_up`] first, waiting for the lock instead.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::RunQueryDsl;
use diesel::sql_types::{Bool, Text};

use super::{GENESIS_HASH, Signer, event_hash, sign_hash};
use crate::db::audit_events::{self as events, NewEvent};
use crate::db::audit_pending as pending;
use crate::db::{DbConnection, DbError};
use crate::metrics::SequencerMetrics;
use crate::service::{Db, ServiceError};

/// Events chained per transaction at most: bounds a transaction's length after a backlog.
const BATCH: i64 = 2_000;

/// How soon a pass comes back to an org another replica was chaining.
const RETRY_SKIPPED: Duration = Duration::from_millis(20);

/// How long a wake waits for more commits before its pass: under load one pass (one
/// transaction, one WAL flush) then chains the events of many writes instead of one or two.
const COALESCE: Duration = Duration::from_millis(10);

/// Whether to wait for an org another transaction is chaining, or leave it to that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    Wait,
    Skip,
}

/// What one transaction chained: each event's write time, to report the delay.
#[derive(Debug, Default)]
pub struct Chained {
    pub written_at: Vec<NaiveDateTime>,
    /// The org was being chained elsewhere and [`Contention::Skip`] left it.
    pub skipped: bool,
}

/// Chains up to [`BATCH`] of the org's pending events onto its chain, oldest first, inside the
/// caller's write transaction.
///
/// Oldest first is commit order where order matters: two writes of one entity hold its row's
/// lock in turn, so the second inserts its event after the first committed, and a pending event
/// that commits late is chained after every event this transaction already saw.
pub fn chain_batch(
    conn: &mut DbConnection,
    signer: &Signer,
    org: &str,
    contention: Contention,
) -> Result<Chained, DbError> {
    if !lock_org(conn, org, contention)? {
        return Ok(Chained {
            skipped: true,
            ..Chained::default()
        });
    }
    let batch = pending::oldest(conn, org, BATCH)?;
    if batch.is_empty() {
        return Ok(Chained::default());
    }
    let mut prev_hash =
        events::head(conn, org)?.map_or_else(|| GENESIS_HASH.to_string(), |(_, hash)| hash);
    let mut chained = Vec::with_capacity(batch.len());
    for row in &batch {
        let facts = row.facts();
        let hash = event_hash(&prev_hash, &facts);
        let (key_id, signature) = sign_hash(signer, &hash);
        chained.push(NewEvent {
            facts,
            change: &row.change,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
            key_id,
            signature,
        });
    }
    events::insert_all(conn, &chained)?;
    let ids: Vec<i64> = batch.iter().map(|row| row.id).collect();
    pending::delete(conn, &ids)?;
    Ok(Chained {
        written_at: batch.iter().map(|row| row.at).collect(),
        skipped: false,
    })
}

/// Chains everything the org has pending, in the caller's transaction.
pub fn chain_all(conn: &mut DbConnection, signer: &Signer, org: &str) -> Result<usize, DbError> {
    let mut total = 0;
    loop {
        let chained = chain_batch(conn, signer, org, Contention::Wait)?;
        total += chained.written_at.len();
        if chained.written_at.len() < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Takes the org's sequencing lock until the transaction ends; `false` when `Skip` found it
/// taken. SQLite needs none: its write transaction holds the whole database.
fn lock_org(conn: &mut DbConnection, org: &str, contention: Contention) -> Result<bool, DbError> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(true);
    };
    #[derive(diesel::QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Bool)]
        taken: bool,
    }
    // The two-key form: a key space apart from the one-key locks of migrations and idempotency.
    let query = match contention {
        Contention::Wait => {
            "SELECT pg_advisory_xact_lock(hashtext('socval:sequencer'), hashtext($1)) IS NOT NULL AS taken"
        }
        Contention::Skip => {
            "SELECT pg_try_advisory_xact_lock(hashtext('socval:sequencer'), hashtext($1)) AS taken"
        }
    };
    let taken: Taken = diesel::sql_query(query)
        .bind::<Text, _>(org)
        .get_result(pg)?;
    Ok(taken.taken)
}

/// Chains everything `org` had pending when called, waiting for a replica that is at it: a
/// reader that must see every event committed before it calls this first.
pub async fn catch_up(db: &Db, signer: Arc<Signer>, org: String) -> Result<(), ServiceError> {
    db.write(move |conn| Ok(chain_all(conn, &signer, &org)?))
        .await
        .map(|_| ())
}

/// Chains every org's pending events for as long as the server runs: [`COALESCE`] after a local
/// commit, and every `poll` for the events of other replicas. A failure is logged and tried
/// again at the next wake.
pub async fn run(db: Db, signer: Arc<Signer>, poll: Duration, metrics: SequencerMetrics) {
    loop {
        if tokio::time::timeout(poll, db.committed().notified())
            .await
            .is_ok()
        {
            tokio::time::sleep(COALESCE).await;
        }
        loop {
            match pass(&db, &signer, &metrics).await {
                Ok(false) => break,
                Ok(true) => tokio::time::sleep(RETRY_SKIPPED).await,
                Err(error) => {
                    tracing::warn!(%error, "audit sequencing failed; retrying at the next wake");
                    break;
                }
            }
        }
    }
}

/// One pass over the orgs with pending events; `true` when one was left to another replica.
async fn pass(db: &Db, signer: &Arc<Signer>, metrics: &SequencerMetrics) -> Result<bool, DbError> {
    let orgs = db.run(pending::orgs).await?;
    let mut skipped = false;
    for org in orgs {
        loop {
            let (signing, name) = (signer.clone(), org.clone());
            let chained = db
                .write(move |conn| chain_batch(conn, &signing, &name, Contention::Skip))
                .await?;
            let now = crate::service::now();
            for at in &chained.written_at {
                let delay = (now - *at).num_microseconds().unwrap_or(i64::MAX);
                metrics.delay.observe(delay as f64 / 1e6);
            }
            metrics.chained.inc_by(chained.written_at.len() as u64);
            skipped |= chained.skipped;
            if chained.written_at.len() < BATCH as usize {
                break;
            }
        }
    }
    Ok(skipped)
}
