//! `Idempotency-Key` (api.md): the same key with the same request replays the first response
//! (same status, same body); the same key with another request is `409 idempotency_key_reused`.
//!
//! The work, its audit events and the recorded response commit in one write transaction, so a
//! retry after a crash either finds the whole first outcome or none of it. Same-key requests are
//! serialised — SQLite by `BEGIN IMMEDIATE`, PostgreSQL by an advisory lock on (org, key) — so two
//! simultaneous retries create one resource. Only successful responses are recorded: a refused
//! request changed nothing, so repeating it is already harmless.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{Code, Db, ServiceError};
use crate::db::DbConnection;
use crate::db::idempotency::{self as repo, IdempotencyRow};

/// A caller's key for one request: its org, the key, and a hash of what was asked.
#[derive(Debug, Clone)]
pub struct RequestKey {
    pub org: String,
    pub key: String,
    /// SHA-256 of method, path and body: what makes "the same request".
    pub request_hash: String,
}

/// A response as it was (or would be) first sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// What a creating use case answers: the response as first sent, made now or replayed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The work ran now and this is its response.
    Done(Recorded),
    /// A retry with the same key and request: the first response again, nothing done.
    Replayed(Recorded),
}

impl Outcome {
    pub fn replayed(&self) -> bool {
        matches!(self, Self::Replayed(_))
    }
}

/// Runs `work` in one write transaction, exactly once per key, and records the response that
/// `render` (the HTTP edge's) makes of its result; a retry with the key gets that response again.
pub async fn once<T, W, R>(
    db: &Db,
    key: Option<RequestKey>,
    work: W,
    render: R,
) -> Result<Outcome, ServiceError>
where
    W: FnOnce(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
    R: FnOnce(&T) -> Result<Recorded, ServiceError> + Send + 'static,
{
    db.write(move |conn| {
        let Some(key) = key else {
            return render(&work(conn)?).map(Outcome::Done);
        };
        if let DbConnection::Postgres(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1 || ':' || $2))")
                .bind::<Text, _>(&key.org)
                .bind::<Text, _>(&key.key)
                .execute(pg)
                .map_err(crate::db::DbError::from)?;
        }
        if let Some(first) = repo::find(conn, &key.org, &key.key)? {
            if first.request_hash != key.request_hash {
                return Err(ServiceError::conflict(
                    Code::IdempotencyKeyReused,
                    "this Idempotency-Key was used for a different request",
                ));
            }
            let status = u16::try_from(first.status).unwrap_or(200);
            return Ok(Outcome::Replayed(Recorded {
                status,
                location: first.location,
                body: first.body,
            }));
        }
        let recorded = render(&work(conn)?)?;
        repo::insert(
            conn,
            &IdempotencyRow {
                org_id: key.org.clone(),
                key: key.key.clone(),
                request_hash: key.request_hash.clone(),
                status: i32::from(recorded.status),
                location: recorded.location.clone(),
                body: recorded.body.clone(),
                created_at: super::now(),
            },
        )?;
        Ok(Outcome::Done(recorded))
    })
    .await
}
