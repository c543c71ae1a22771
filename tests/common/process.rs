//! A real `socval serve` process on a free port, killed when dropped: what the concurrency suite
//! races and what tests that read the server's log start.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TEST_SECRET;

pub struct Replica {
    address: String,
    process: Child,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Replica {
    /// Starts `socval serve` on `database_url` in `workdir`; its JSON log goes to `log` when
    /// given (else nowhere, or to the test's stderr with `TEST_LOG`).
    pub fn spawn(database_url: &str, workdir: &Path, log: Option<&PathBuf>) -> Self {
        // The port is free when we ask; the replica binds it a moment later.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let quiet = std::env::var_os("TEST_LOG").is_none();
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None if quiet => Stdio::null(),
            None => Stdio::inherit(),
        };
        let process = Command::new(env!("CARGO_BIN_EXE_socval"))
            .arg("serve")
            .current_dir(workdir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SOCVAL_BIND", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url)
            .env("SOCVAL_JWT_SECRET", TEST_SECRET)
            .env("SOCVAL_DB_POOL_SIZE", "8")
            .env("SOCVAL_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdout(if quiet {
                Stdio::null()
            } else {
                Stdio::inherit()
            })
            .stderr(stderr)
            .spawn()
            .expect("the socval binary starts");
        Self {
            address: format!("http://127.0.0.1:{port}"),
            process,
        }
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub async fn wait_ready(&self, client: &reqwest::Client) {
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
