//! One connection type over both backends, and the pool manager that opens it.
//!
//! The backend comes from the URL scheme (see [`DatabaseUrl`]). We open connections ourselves
//! instead of using diesel's derived `establish`, which reports every failure as "invalid
//! connection url": an operator needs the real reason (wrong password, no such file) at once.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::config::DatabaseUrl;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Inserts `rows` into `table`, `chunk` rows a statement. A multi-row INSERT is outside diesel's
/// MultiBackend subset, so each backend runs it natively; `?` passes a failure up as `DbError`.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {
        for chunk in $rows.chunks($chunk) {
            let statement = diesel::insert_into($table).values(chunk);
            match &mut *$conn {
                $crate::db::DbConnection::Postgres(pg) => statement.execute(pg)?,
                $crate::db::DbConnection::Sqlite(sqlite) => statement.execute(sqlite)?,
            };
        }
    };
}
pub(crate) use insert_rows;

/// Opens connections for the r2d2 pool and prepares each one.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    busy_timeout_ms: u64,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, busy_timeout_ms: u64) -> Self {
        Self {
            url,
            busy_timeout_ms,
        }
    }

    pub fn connect_now(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres { url } => PgConnection::establish(url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite { path } => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // Per connection: SQLite forgets these on close. `synchronous = FULL` makes a
                // committed write survive power loss too, not only a process crash: a bid
                // acknowledged with 2xx must never be lost.
                conn.batch_execute(&format!(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; PRAGMA synchronous = FULL;",
                    self.busy_timeout_ms
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.connect_now()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        // A connection dropped mid-transaction by a panic is rolled back by the backend; broken
        // sockets are caught by `is_valid` on checkout.
        std::thread::panicking()
    }
}
