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

#[tokio::test]
async fn readyz_is_503_while_postgres_is_gone_and_recovers_by_itself() {
    use crate::common::chaos_proxy::ChaosProxy;
    use socval::config::DatabaseUrl;
    use std::time::{Duration, Instant};

    let Ok(admin_url) = std::env::var("SOCVAL_TEST_DATABASE_URL") else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    // postgres://user@host:port/db → the host:port the proxy forwards to.
    let authority = admin_url
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(host_port, _)| host_port.to_string())
        .unwrap();
    let proxy = ChaosProxy::start(authority.clone()).await;
    let proxied = proxy.address.to_string();
    let app = spawn_app_with(Backend::Postgres, |config| {
        config.db_timeout_ms = 500;
        if let DatabaseUrl::Postgres { url } = &mut config.database_url {
            *url = url.replace(&authority, &proxied);
        }
    })
    .await
    .unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.cut().await;
    let started = Instant::now();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answers within the configured timeout"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://socval.dev/problems/service-unavailable"
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "alive meanwhile");
    let token = app.token(&[socval::auth::Role::Auditor]);
    let business = app.get_as("/v1/tenders", &token).await;
    assert_eq!(
        business.status(),
        503,
        "a business call is refused, not hung"
    );
    assert_eq!(
        business.headers()["content-type"],
        "application/problem+json"
    );

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if app.get("/readyz").await.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "recovers without a restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
