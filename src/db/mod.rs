//! Persistence: diesel on SQLite (embedded default) or PostgreSQL, chosen from `DATABASE_URL`.
//!
//! Diesel blocks, so every query runs through [`Db::run`] on the blocking thread pool, carrying the
//! request's tracing span; async workers never wait on the database. Queries take
//! `&mut DbConnection` so they work equally inside a transaction.

pub mod audit_baselines;
pub mod audit_checkpoints;
pub mod audit_events;
pub mod audit_pending;
pub mod awards;
pub mod bids;
mod connection;
pub mod entity_states;
pub mod evaluations;
pub mod idempotency;
pub mod measure_sets;
pub mod migrations;
pub mod schema;
pub mod tenders;
pub mod types;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{self, Pool, PooledConnection};
use tokio::sync::{Notify, Semaphore};

pub use connection::{ConnectionManager, DbConnection};

use crate::config::Config;
use crate::metrics::PoolState;

/// Why a database call failed, in terms the API maps to a status.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection within the timeout, or the server is down: the client may retry (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("migrations: {0}")]
    Migration(String),
    /// A stored value does not parse back (e.g. a decimal column edited by hand).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    backend: &'static str,
    /// SQLite only: writes queue here, first come first served, one at a time. SQLite holds one
    /// writer anyway, and its busy handler lets waiters in by polling, not in turn: 16 writers
    /// contending there starve some past the busy timeout (503), while a fair queue serves them
    /// all (issue 19).
    write_queue: Option<Arc<Semaphore>>,
    write_queue_timeout: Duration,
    /// Signalled after each write commits, for the audit sequencer.
    committed: Arc<Notify>,
}

impl Db {
    /// Creates the pool without connecting: a database that is down at start makes `/readyz`
    /// answer 503 until it is back, instead of crashing the process.
    pub fn new(config: &Config) -> Self {
        let manager = ConnectionManager::new(config.database_url.clone(), config.db_timeout_ms);
        let pool = Pool::builder()
            .max_size(config.db_pool_size)
            .min_idle(Some(0))
            .connection_timeout(config.db_timeout())
            .test_on_check_out(true)
            .build_unchecked(manager);
        let write_queue = matches!(
            config.database_url,
            crate::config::DatabaseUrl::Sqlite { .. }
        )
        .then(|| Arc::new(Semaphore::new(1)));
        Self {
            pool,
            backend: config.database_url.backend(),
            write_queue,
            write_queue_timeout: config.db_timeout(),
            committed: Arc::new(Notify::new()),
        }
    }

    /// Notified after a write commits (at most one wake is stored while no one waits).
    pub fn committed(&self) -> &Notify {
        &self.committed
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Runs `work` with a pooled connection on the blocking pool. A panic inside `work` is
    /// raised again here, in the request's task, so the HTTP layer's guard answers it 500 like any
    /// other panic (not 503 "retry", which would invite the client to trigger it again).
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let task = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = checkout(&pool).map_err(E::from)?;
            work(&mut conn)
        });
        match task.await {
            Ok(outcome) => outcome,
            Err(failure) => match failure.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(_) => Err(E::from(DbError::Unavailable(
                    "the blocking task was cancelled".into(),
                ))),
            },
        }
    }

    /// [`Db::run`] inside [`write_transaction`]: `work` and its audit events commit together.
    /// Then [`Db::committed`] is signalled, so the audit sequencer chains the events soon.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let written = self.write_quietly(work).await?;
        self.committed.notify_one();
        Ok(written)
    }

    /// [`Db::write`] without the signal: the sequencer's own writes, which must not wake it.
    pub async fn write_quietly<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        // Held by the blocking task itself, so a request dropped mid-write keeps its turn until
        // its transaction ends.
        let turn = match &self.write_queue {
            Some(queue) => Some(
                tokio::time::timeout(self.write_queue_timeout, queue.clone().acquire_owned())
                    .await
                    .map_err(|_| {
                        E::from(DbError::Unavailable(format!(
                            "no turn to write within {} ms",
                            self.write_queue_timeout.as_millis()
                        )))
                    })?
                    .map_err(|_| E::from(DbError::Unavailable("the write queue closed".into())))?,
            ),
            None => None,
        };
        self.run(move |conn| {
            let _turn = turn;
            write_transaction(conn, work)
        })
        .await
    }

    /// Applies pending migrations on a fresh connection (used at start and by `socval migrate`).
    pub fn migrate_blocking(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = checkout(&self.pool).context("connecting to DATABASE_URL")?;
        migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("applying migrations: {e}"))
    }

    /// Runs `work` on a fresh connection, on this thread (for start-up and the CLI).
    pub fn blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> anyhow::Result<T> {
        let mut conn = checkout(&self.pool).context("connecting to DATABASE_URL")?;
        Ok(work(&mut conn)?)
    }

    /// Ready means: a connection answers and no migration is pending.
    pub async fn check_ready(&self) -> Result<(), DbError> {
        self.run(|conn| match migrations::has_pending(conn) {
            Ok(false) => Ok(()),
            Ok(true) => Err(DbError::Migration("pending migrations".into())),
            Err(e) => Err(DbError::Migration(e.to_string())),
        })
        .await
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            idle: state.idle_connections,
            in_use: state.connections.saturating_sub(state.idle_connections),
            max: self.pool.max_size(),
        }
    }
}

/// Runs `work` in a transaction that holds the write lock from its first statement, and commits
/// only if `work` succeeds. On SQLite that is `BEGIN IMMEDIATE`: a deferred transaction that reads
/// and then writes fails with SQLITE_BUSY_SNAPSHOT when another writer commits in between, which
/// no busy timeout retries.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    transaction(conn, "BEGIN", "BEGIN IMMEDIATE", work)
}

/// Runs `work` on one consistent snapshot of the database, reading only: what one commit wrote
/// is seen whole or not at all however long `work` reads. PostgreSQL: `REPEATABLE READ READ
/// ONLY`; SQLite (WAL): a deferred transaction, whose snapshot starts at its first read and
/// never blocks a writer.
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    transaction(
        conn,
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        "BEGIN DEFERRED",
        work,
    )
}

fn transaction<T, E, F>(
    conn: &mut DbConnection,
    postgres_begin: &str,
    sqlite_begin: &str,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    let begun = match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, sqlite_begin)
        }
        DbConnection::Postgres(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, postgres_begin)
        }
    };
    begun.map_err(|e| E::from(DbError::from(e)))?;
    match work(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn).map_err(|e| E::from(DbError::from(e)))?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = Manager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

fn checkout(
    pool: &Pool<ConnectionManager>,
) -> Result<PooledConnection<ConnectionManager>, DbError> {
    pool.get().map_err(|e| DbError::Unavailable(e.to_string()))
}

impl From<r2d2::Error> for DbError {
    fn from(error: r2d2::Error) -> Self {
        Self::Unavailable(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use futures_util::FutureExt;

    #[tokio::test]
    async fn a_panic_inside_a_database_call_is_raised_in_the_caller() {
        let directory = tempfile::tempdir().unwrap();
        let config = Config {
            database_url: crate::config::DatabaseUrl::Sqlite {
                path: directory.path().join("panic.db").to_str().unwrap().into(),
            },
            ..Config::default()
        };
        let db = Db::new(&config);
        let outcome = std::panic::AssertUnwindSafe(
            db.run(|_| -> Result<(), DbError> { panic!("a bug in a query") }),
        )
        .catch_unwind()
        .await;
        let panic = outcome.unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"a bug in a query"));
        assert!(
            db.run(|_| Ok::<_, DbError>(7)).await.is_ok_and(|n| n == 7),
            "the pool serves on"
        );
    }
}
