//! Embedded migrations, one folder per backend kept in step (`migrations/sqlite`,
//! `migrations/postgres`, same directory names).

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Any replica may start at the same moment as another: on PostgreSQL a session advisory lock
/// lets one apply the migrations while the others wait, then find nothing left to do.
const MIGRATION_LOCK_KEY: i64 = 0x736f_6376_616c; // "socval"

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Applies every pending migration and returns the versions applied.
pub fn run_pending(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Sqlite(c) => {
            // WAL lets readers go on while one writer commits; it is a property of the file,
            // so setting it once here is enough.
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
            c.run_pending_migrations(SQLITE)?
        }
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c.run_pending_migrations(POSTGRES).map(|versions| {
                versions
                    .into_iter()
                    .map(|v| v.as_owned())
                    .collect::<Vec<_>>()
            });
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            return Ok(result?.into_iter().map(|v| v.to_string()).collect());
        }
    };
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Whether migrations remain to be applied (the service is not ready until none do).
pub fn has_pending(conn: &mut DbConnection) -> MigrationResult<bool> {
    Ok(match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE)?,
        DbConnection::Postgres(c) => c.has_pending_migration(POSTGRES)?,
    })
}

/// Reverts every migration (used by the up-down-up test that keeps `down.sql` honest).
pub fn revert_all(conn: &mut DbConnection) -> MigrationResult<usize> {
    Ok(match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?.len(),
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES)?.len(),
    })
}
