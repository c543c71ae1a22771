//! Real `socval serve` processes, as a deployment runs them: one on a SQLite file, or one or two
//! replicas sharing one PostgreSQL schema. Each is killed when the test drops it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use socval::auth::{Role, token};
use socval::config::{Config, DatabaseUrl};

use crate::common::{Backend, ORG, TEST_SECRET, TestDatabase};

/// Where the races run.
#[derive(Debug, Clone, Copy)]
pub enum Deployment {
    Sqlite,
    Postgres { replicas: usize },
}

/// The replicas of one deployment, their shared database and a client for each.
pub struct Cluster {
    replicas: Vec<Replica>,
    pub client: reqwest::Client,
    config: Config,
    _database: TestDatabase,
    _workdir: tempfile::TempDir,
}

struct Replica {
    address: String,
    process: Child,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Cluster {
    /// Starts the deployment, or `None` for PostgreSQL when `SOCVAL_TEST_DATABASE_URL` is unset.
    pub async fn start(deployment: Deployment) -> Option<Self> {
        let (backend, count) = match deployment {
            Deployment::Sqlite => (Backend::Sqlite, 1),
            Deployment::Postgres { replicas } => (Backend::Postgres, replicas),
        };
        let database = TestDatabase::create(backend)?;
        let url = match &database.url {
            DatabaseUrl::Sqlite { path } => format!("sqlite://{path}"),
            DatabaseUrl::Postgres { url } => url.clone(),
        };
        let workdir = tempfile::tempdir().unwrap();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(32)
            .build()
            .unwrap();
        let mut replicas = Vec::new();
        // Started together: the migration lock must let both come up on a fresh schema.
        for _ in 0..count {
            replicas.push(Replica::spawn(&url, workdir.path()));
        }
        for replica in &replicas {
            replica.wait_ready(&client).await;
        }
        let config = Config {
            database_url: database.url.clone(),
            jwt_secret: Some(TEST_SECRET.to_string().into()),
            ..Config::default()
        };
        Some(Self {
            replicas,
            client,
            config,
            _database: database,
            _workdir: workdir,
        })
    }

    /// The URL of `path` on replica `i` (modulo the replicas): clients spread over them.
    pub fn url(&self, i: usize, path: &str) -> String {
        let replica = &self.replicas[i % self.replicas.len()];
        format!("{}{path}", replica.address)
    }

    pub fn token(&self, roles: &[Role]) -> String {
        self.token_as("racer", roles)
    }

    pub fn token_as(&self, sub: &str, roles: &[Role]) -> String {
        token::mint(&self.config, sub, ORG, roles, Duration::from_secs(3600)).unwrap()
    }
}

impl Replica {
    fn spawn(database_url: &str, workdir: &std::path::Path) -> Self {
        // The port is free when we ask; the replica binds it a moment later.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let quiet = std::env::var_os("TEST_LOG").is_none();
        let process = Command::new(env!("CARGO_BIN_EXE_socval"))
            .arg("serve")
            .current_dir(workdir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SOCVAL_BIND", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url)
            .env("SOCVAL_JWT_SECRET", TEST_SECRET)
            .env("SOCVAL_DB_POOL_SIZE", "8")
            .env("RUST_LOG", "warn")
            .stdout(if quiet {
                Stdio::null()
            } else {
                Stdio::inherit()
            })
            .stderr(if quiet {
                Stdio::null()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("the socval binary starts");
        Self {
            address: format!("http://127.0.0.1:{port}"),
            process,
        }
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(format!("{}/readyz", self.address)).send().await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("replica at {} not ready within 60 s", self.address);
    }
}
