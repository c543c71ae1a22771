//! Liveness and readiness as orchestrators see them.

use crate::common::{Backend, spawn_app_with};
use crate::on_both_backends;

on_both_backends! {
    async fn healthz_and_readyz_answer_when_the_database_is_migrated(app: TestApp) {
        let health = app.get("/healthz").await;
        assert_eq!(health.status(), 200);
        assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["status"], "ready");
    }
}

async fn not_ready_until_migrated(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.migrate_on_start = false).await else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://socval.dev/problems/service-unavailable"
    );
    assert!(
        body["detail"].as_str().unwrap().contains("migrations"),
        "{body}"
    );

    let mut conn = socval::db::ConnectionManager::new(app.database_url().clone(), 1000)
        .connect_now()
        .unwrap();
    socval::db::migrations::run_pending(&mut conn).unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn readyz_is_503_until_migrations_are_applied_on_sqlite() {
    not_ready_until_migrated(Backend::Sqlite).await;
}

#[tokio::test]
async fn readyz_is_503_until_migrations_are_applied_on_postgres() {
    not_ready_until_migrated(Backend::Postgres).await;
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_unreachable() {
    // Nothing listens on port 1: every connection attempt fails at once.
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.migrate_on_start = false;
        config.db_timeout_ms = 500;
        config.database_url = socval::config::DatabaseUrl::Postgres {
            url: "postgres://socval@127.0.0.1:1/socval".into(),
        };
    })
    .await
    .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "the database is unreachable");
    assert!(
        !body.to_string().contains("127.0.0.1:1"),
        "no connection details leak: {body}"
    );
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "liveness does no I/O"
    );
}
