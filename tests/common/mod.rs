//! Shared setup for black-box tests: each test gets its own server on a random port and its own
//! database — a temporary SQLite file, or a fresh PostgreSQL schema (when
//! `SOCVAL_TEST_DATABASE_URL` is set) that is dropped afterwards.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod chaos_proxy;
pub mod helpers;
pub mod process;
pub mod python;

use std::net::TcpListener;
use std::sync::Once;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use socval::auth::{Role, token};
use socval::config::{Config, DatabaseUrl, LogFormat};
use socval::startup::Application;

pub const TEST_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
pub const ORG: &str = "org-test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub config: Config,
    database: TestDatabase,
    /// The server as a process of its own, for tests that read its log ([`spawn_process_app`]).
    _process: Option<process::Replica>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A valid token for `ORG` with `roles`, signed like the server expects.
    pub fn token(&self, roles: &[Role]) -> String {
        self.token_for(ORG, roles)
    }

    /// A valid token for another org.
    pub fn token_for(&self, org: &str, roles: &[Role]) -> String {
        token::mint(&self.config, "tester", org, roles, Duration::from_secs(300)).unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub fn database_url(&self) -> &DatabaseUrl {
        &self.config.database_url
    }
}

/// Starts the server for a test, or `None` for PostgreSQL when no test database is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(
    backend: Backend,
    customise: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    spawn_app_on(backend, |_| {}, customise).await
}

/// Like [`spawn_app_with`], with the test's database filled by `prepare` before the server
/// starts (and migrates it), e.g. from a fixture an earlier release made.
pub async fn spawn_app_on(
    backend: Backend,
    prepare: impl FnOnce(&TestDatabase),
    customise: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    init_test_logging();
    let database = TestDatabase::create(backend)?;
    prepare(&database);
    let mut config = Config {
        database_url: database.url.clone(),
        jwt_secret: Some(TEST_SECRET.to_string().into()),
        db_pool_size: 4,
        // One development key for every in-process server of the test run (made on first use).
        audit_signing_key: Some(std::env::temp_dir().join("socval-test-audit-key.pem")),
        ..Config::default()
    };
    customise(&mut config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let application = Application::with_listener(listener, config.clone())
        .await
        .expect("the application starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    Some(TestApp {
        address,
        client: test_client(),
        config,
        database,
        _process: None,
    })
}

/// Like [`spawn_app`], but the server is a `socval serve` process whose JSON log is written to
/// `log`, so a test can read what an operator would.
pub async fn spawn_process_app(backend: Backend, log: &std::path::PathBuf) -> Option<TestApp> {
    let database = TestDatabase::create(backend)?;
    let url = match &database.url {
        DatabaseUrl::Sqlite { path } => format!("sqlite://{path}"),
        DatabaseUrl::Postgres { url } => url.clone(),
    };
    let workdir = log.parent().unwrap();
    let replica = process::Replica::spawn(&url, workdir, Some(log));
    let client = test_client();
    replica.wait_ready(&client).await;
    Some(TestApp {
        address: replica.address().to_string(),
        client,
        config: Config {
            database_url: database.url.clone(),
            jwt_secret: Some(TEST_SECRET.to_string().into()),
            ..Config::default()
        },
        database,
        _process: Some(replica),
    })
}

/// The client tests call the server with. Idle connections are dropped well before the server's
/// keep-alive (5 s) would close them, so a test slowed down by a busy machine never sends a
/// request on a connection the server is closing (reqwest's `IncompleteMessage`).
pub fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(1))
        .build()
        .unwrap()
}

fn init_test_logging() {
    // Logs only when asked for: `TEST_LOG=1 cargo test`.
    if std::env::var_os("TEST_LOG").is_some() {
        socval::telemetry::init(&LogFormat::Pretty);
    }
}

/// One test's database, removed when the test ends.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(#[allow(dead_code)] tempfile::TempDir),
    PostgresSchema { admin_url: String, schema: String },
}

const SCHEMA_PREFIX: &str = "socval_test_";

impl TestDatabase {
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let directory = tempfile::tempdir().unwrap();
                let path = directory.path().join("socval.db");
                Some(Self {
                    url: DatabaseUrl::Sqlite {
                        path: path.to_str().unwrap().to_string(),
                    },
                    cleanup: Cleanup::Directory(directory),
                })
            }
            Backend::Postgres => {
                let admin_url = std::env::var("SOCVAL_TEST_DATABASE_URL").ok()?;
                let mut admin = PgConnection::establish(&admin_url)
                    .expect("SOCVAL_TEST_DATABASE_URL accepts connections");
                sweep_leftover_schemas(&mut admin);
                let schema = format!(
                    "{SCHEMA_PREFIX}{}_{}",
                    chrono::Utc::now().timestamp(),
                    uuid::Uuid::now_v7().simple()
                );
                admin
                    .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
                    .unwrap();
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                // libpq applies `options` to every connection the server opens: the schema is the
                // test's private world.
                let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
                Some(Self {
                    url: DatabaseUrl::Postgres { url },
                    cleanup: Cleanup::PostgresSchema { admin_url, schema },
                })
            }
        }
    }
}

impl TestDatabase {
    /// The PostgreSQL schema that is this test's world; `None` on SQLite.
    pub fn schema(&self) -> Option<&str> {
        match &self.cleanup {
            Cleanup::PostgresSchema { schema, .. } => Some(schema),
            Cleanup::Directory(_) => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::PostgresSchema { admin_url, schema } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    }
}

/// Schemas left by crashed runs (older than an hour) are dropped once per test process.
fn sweep_leftover_schemas(admin: &mut PgConnection) {
    static SWEEP: Once = Once::new();
    SWEEP.call_once(|| {
        let cutoff = chrono::Utc::now().timestamp() - 3600;
        let _ = admin.batch_execute(&format!(
            "DO $$ DECLARE s text; BEGIN
               FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '{SCHEMA_PREFIX}%'
                 AND split_part(substr(nspname, {start}), '_', 1)::bigint < {cutoff}
               LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$;",
            start = SCHEMA_PREFIX.len() + 1
        ));
    });
}

/// Declares each test body once and runs it on SQLite and on PostgreSQL. Without
/// `SOCVAL_TEST_DATABASE_URL` the PostgreSQL variant says so and passes.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                use $crate::common::{Backend, TestApp, spawn_app};

                async fn body($app: TestApp) $body

                #[tokio::test]
                async fn sqlite() {
                    body(spawn_app(Backend::Sqlite).await.unwrap()).await
                }

                #[tokio::test]
                async fn postgres() {
                    match spawn_app(Backend::Postgres).await {
                        Some(app) => body(app).await,
                        None => eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped"),
                    }
                }
            }
        )*
    };
}
