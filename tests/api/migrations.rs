//! Migrations go up, down and up again on both backends, so every `down.sql` stays honest.

use socval::db::{ConnectionManager, migrations};

use crate::common::{Backend, TestDatabase};

fn up_down_up(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let mut conn = ConnectionManager::new(database.url.clone(), 1000)
        .connect_now()
        .unwrap();
    let applied = migrations::run_pending(&mut conn).unwrap();
    assert!(!applied.is_empty());
    assert!(!migrations::has_pending(&mut conn).unwrap());
    assert_eq!(migrations::revert_all(&mut conn).unwrap(), applied.len());
    assert!(migrations::has_pending(&mut conn).unwrap());
    assert_eq!(migrations::run_pending(&mut conn).unwrap(), applied);
}

#[test]
fn migrations_go_up_down_and_up_on_sqlite() {
    up_down_up(Backend::Sqlite);
}

#[test]
fn migrations_go_up_down_and_up_on_postgres() {
    up_down_up(Backend::Postgres);
}

fn audit_rows_cannot_be_changed(backend: Backend) {
    use diesel::connection::SimpleConnection;
    let Some(database) = TestDatabase::create(backend) else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let mut conn = ConnectionManager::new(database.url.clone(), 1000)
        .connect_now()
        .unwrap();
    migrations::run_pending(&mut conn).unwrap();
    conn.batch_execute(
        "INSERT INTO audit_events (org_id, at, actor_sub, actor_role, action, entity, entity_id,
                                   payload_sha256, prev_hash, hash)
         VALUES ('o', '2026-01-01 00:00:00', 's', 'platform', 'create', 'tender', 't1', 'p', 'z', 'h')",
    )
    .unwrap();
    let update = conn.batch_execute("UPDATE audit_events SET actor_sub = 'someone else'");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.batch_execute("DELETE FROM audit_events");
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[test]
fn the_audit_table_refuses_updates_and_deletes_on_sqlite() {
    audit_rows_cannot_be_changed(Backend::Sqlite);
}

#[test]
fn the_audit_table_refuses_updates_and_deletes_on_postgres() {
    audit_rows_cannot_be_changed(Backend::Postgres);
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    use diesel::sql_types::Text;
    use diesel::{QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        value: String,
    }

    let database = TestDatabase::create(Backend::Sqlite).unwrap();
    let manager = ConnectionManager::new(database.url.clone(), 1234);
    migrations::run_pending(&mut manager.connect_now().unwrap()).unwrap();
    let socval::db::DbConnection::Sqlite(mut conn) = manager.connect_now().unwrap() else {
        panic!("a sqlite:// URL opens SQLite");
    };
    let mut pragma = |name: &str, column: &str| {
        diesel::sql_query(format!(
            "SELECT CAST({column} AS TEXT) AS value FROM pragma_{name}"
        ))
        .get_result::<Setting>(&mut conn)
        .unwrap()
        .value
    };
    assert_eq!(pragma("journal_mode", "journal_mode"), "wal");
    assert_eq!(pragma("foreign_keys", "foreign_keys"), "1");
    assert_eq!(pragma("busy_timeout", "timeout"), "1234");
    assert_eq!(pragma("synchronous", "synchronous"), "2", "FULL");
}
