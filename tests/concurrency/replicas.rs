//! Real `socval serve` processes, as a deployment runs them: one on a SQLite file, or one or two
//! replicas sharing one PostgreSQL schema. Each is killed when the test drops it.

use std::time::Duration;

use socval::auth::{Role, token};
use socval::config::{Config, DatabaseUrl};

use crate::common::process::Replica;
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
            replicas.push(Replica::spawn(&url, workdir.path(), None));
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
        format!("{}{path}", replica.address())
    }

    pub fn token(&self, roles: &[Role]) -> String {
        self.token_as("racer", roles)
    }

    pub fn token_as(&self, sub: &str, roles: &[Role]) -> String {
        token::mint(&self.config, sub, ORG, roles, Duration::from_secs(3600)).unwrap()
    }
}
