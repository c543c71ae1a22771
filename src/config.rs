//! Typed configuration, loaded once at start and passed down (never a global).
//!
//! Layers, later ones winning: built-in defaults, then `socval.toml` (or the file named by
//! `SOCVAL_CONFIG`), then `SOCVAL_*` environment variables and `DATABASE_URL`. Every error names the
//! setting it is about, so a typo fails at start instead of half-working.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod settings;
pub use settings::{SETTINGS, Setting};

/// The HS256 secret used when none is configured. Good for a laptop only: `serve` warns about it
/// and refuses it when `SOCVAL_ENV=production`.
pub const DEVELOPMENT_JWT_SECRET: &str = "socval-development-secret-change-me";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Development,
    Production,
}

/// Where the data lives, parsed from `DATABASE_URL` by its scheme. Anything else is refused:
/// SQLite would accept any string as a path, and a typo must not create an empty database.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum DatabaseUrl {
    Sqlite { path: String },
    Postgres { url: String },
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;

    fn try_from(url: String) -> Result<Self, Self::Error> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("`sqlite://` needs a file path, e.g. `sqlite://socval.db`".into());
            }
            Ok(Self::Sqlite { path: path.into() })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres { url })
        } else {
            Err("must start with `sqlite://` or `postgres://`".into())
        }
    }
}

impl DatabaseUrl {
    /// Backend name for logs and metrics; never includes credentials.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub db_pool_size: u32,
    pub db_timeout_ms: u64,
    pub migrate_on_start: bool,
    pub jwt_secret: Option<SecretString>,
    pub jwt_public_keys: Option<String>,
    pub jwt_audience: String,
    pub jwt_issuer: String,
    pub jwt_max_ttl_secs: u64,
    pub max_body_bytes: usize,
    pub request_timeout_ms: u64,
    pub work_memory_mib: u32,
    pub work_memory_wait_ms: u64,
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    pub cors_origins: Option<String>,
    pub log_format: LogFormat,
    pub env: Environment,
    pub shutdown_timeout_secs: u64,
    pub bank_holidays_file: Option<PathBuf>,
    pub audit_signing_key: Option<PathBuf>,
    pub audit_retired_keys: Option<String>,
    pub audit_checkpoint_secs: u64,
    pub audit_sequencer_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl::Sqlite {
                path: "socval.db".into(),
            },
            db_pool_size: 10,
            db_timeout_ms: 5000,
            migrate_on_start: true,
            jwt_secret: None,
            jwt_public_keys: None,
            jwt_audience: "socval".into(),
            jwt_issuer: "socval".into(),
            jwt_max_ttl_secs: 24 * 60 * 60,
            max_body_bytes: 1024 * 1024,
            request_timeout_ms: 30_000,
            work_memory_mib: 256,
            work_memory_wait_ms: 2000,
            rate_limit_per_minute: 0,
            rate_limit_burst: 0,
            cors_origins: None,
            log_format: LogFormat::Pretty,
            env: Environment::Development,
            shutdown_timeout_secs: 30,
            bank_holidays_file: None,
            audit_signing_key: None,
            audit_retired_keys: None,
            audit_checkpoint_secs: 3600,
            audit_sequencer_poll_ms: 250,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("invalid configuration: {setting} {reason}")]
    Setting {
        setting: &'static str,
        reason: String,
    },
}

impl Config {
    /// Loads the layered configuration from the process environment and the working directory.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("SOCVAL_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("socval.toml"));
        if std::env::var_os("SOCVAL_CONFIG").is_some() && !file.is_file() {
            return Err(ConfigError::Setting {
                setting: "SOCVAL_CONFIG",
                reason: format!("names `{}`, which is not a readable file", file.display()),
            });
        }
        Self::from_figment(
            Figment::new()
                .merge(Toml::file(file))
                // `SOCVAL_TEST_*` belong to the test harness (database, browser), never to the
                // service, so a test run's environment cannot trip the unknown-setting check.
                .merge(Env::prefixed("SOCVAL_").filter(|key| {
                    let key = key.as_str().to_ascii_uppercase();
                    key != "CONFIG" && !key.starts_with("TEST_")
                }))
                .merge(Env::raw().only(&["DATABASE_URL"])),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Self = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(describe_figment_error(e)))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let positive = |setting, value: u64| {
            if value == 0 {
                Err(ConfigError::Setting {
                    setting,
                    reason: "must be greater than 0".into(),
                })
            } else {
                Ok(())
            }
        };
        positive("SOCVAL_DB_POOL_SIZE", self.db_pool_size.into())?;
        positive("SOCVAL_DB_TIMEOUT_MS", self.db_timeout_ms)?;
        positive("SOCVAL_MAX_BODY_BYTES", self.max_body_bytes as u64)?;
        positive("SOCVAL_REQUEST_TIMEOUT_MS", self.request_timeout_ms)?;
        positive("SOCVAL_WORK_MEMORY_MIB", self.work_memory_mib.into())?;
        positive("SOCVAL_JWT_MAX_TTL_SECS", self.jwt_max_ttl_secs)?;
        positive(
            "SOCVAL_AUDIT_SEQUENCER_POLL_MS",
            self.audit_sequencer_poll_ms,
        )?;
        if self
            .jwt_secret
            .as_ref()
            .is_some_and(|s| s.expose_secret().len() < 32)
        {
            return Err(ConfigError::Setting {
                setting: "SOCVAL_JWT_SECRET",
                reason: "must be at least 32 bytes long".into(),
            });
        }
        Ok(())
    }

    /// What `serve` additionally demands: production never runs on the development secret, nor
    /// without keys of its own.
    pub fn check_for_serving(&self) -> Result<(), ConfigError> {
        if self.env != Environment::Production {
            return Ok(());
        }
        if self
            .jwt_secret
            .as_ref()
            .is_some_and(|s| s.expose_secret() == DEVELOPMENT_JWT_SECRET)
        {
            return Err(ConfigError::Setting {
                setting: "SOCVAL_JWT_SECRET",
                reason: "is the development secret, which SOCVAL_ENV=production refuses".into(),
            });
        }
        if self.jwt_secret.is_none() && self.jwt_public_keys.is_none() {
            return Err(ConfigError::Setting {
                setting: "SOCVAL_JWT_SECRET",
                reason: "or SOCVAL_JWT_PUBLIC_KEYS must be set when SOCVAL_ENV=production".into(),
            });
        }
        if self.audit_signing_key.is_none() {
            return Err(ConfigError::Setting {
                setting: "SOCVAL_AUDIT_SIGNING_KEY",
                reason: "must name the audit signing key when SOCVAL_ENV=production (a development key is never generated there)".into(),
            });
        }
        Ok(())
    }

    /// Where the audit signing key is, and whether a missing one may be generated there (only
    /// outside production).
    pub fn audit_signing_key_path(&self) -> (PathBuf, bool) {
        let generate = self.env == Environment::Development;
        let path = match (&self.audit_signing_key, &self.database_url) {
            (Some(path), _) => path.clone(),
            (None, DatabaseUrl::Sqlite { path }) => PathBuf::from(format!("{path}.audit-key.pem")),
            (None, DatabaseUrl::Postgres { .. }) => PathBuf::from("socval-audit-key.pem"),
        };
        (path, generate)
    }

    pub fn audit_retired_key_paths(&self) -> Vec<PathBuf> {
        self.audit_retired_keys
            .iter()
            .flat_map(|list| list.split(','))
            .map(str::trim)
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
            .collect()
    }

    /// The HS256 secret in force: the configured one, else (outside production) the development
    /// default. `None` means HS256 tokens are not accepted at all.
    pub fn hs256_secret(&self) -> Option<&str> {
        match (&self.jwt_secret, self.env) {
            (Some(secret), _) => Some(secret.expose_secret()),
            (None, Environment::Development) => Some(DEVELOPMENT_JWT_SECRET),
            (None, Environment::Production) => None,
        }
    }

    pub fn uses_development_secret(&self) -> bool {
        self.hs256_secret() == Some(DEVELOPMENT_JWT_SECRET)
    }

    pub fn db_timeout(&self) -> Duration {
        Duration::from_millis(self.db_timeout_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub fn work_memory_wait(&self) -> Duration {
        Duration::from_millis(self.work_memory_wait_ms)
    }

    /// The UK's bank holidays by rule, with the configured file's one-off changes, or the shipped
    /// ones.
    pub fn bank_holidays(&self) -> Result<crate::catalogue::holidays::Calendar, ConfigError> {
        use crate::catalogue::holidays::Calendar;
        let Some(path) = &self.bank_holidays_file else {
            return Ok(Calendar::shipped());
        };
        std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Calendar::with_changes(&text))
            .map_err(|reason| ConfigError::Setting {
                setting: "SOCVAL_BANK_HOLIDAYS_FILE",
                reason: format!("`{}`: {reason}", path.display()),
            })
    }

    /// The origins CORS lets call the API: exact `scheme://host[:port]` values, no wildcard.
    pub fn cors_origins(&self) -> Result<Vec<String>, ConfigError> {
        let listed = self.cors_origins.as_deref().unwrap_or_default();
        let origins: Vec<String> = listed
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect();
        for origin in &origins {
            let (scheme, host) = origin.split_once("://").unwrap_or_default();
            if !matches!(scheme, "http" | "https")
                || host.is_empty()
                || host.contains(['/', '*', ' '])
            {
                return Err(ConfigError::Setting {
                    setting: "SOCVAL_CORS_ORIGINS",
                    reason: format!(
                        "`{origin}` is not an origin: write `https://host` or `https://host:port` (no path, no wildcard)"
                    ),
                });
            }
        }
        Ok(origins)
    }

    /// The settings table as `socval --help` prints it.
    pub fn settings_help() -> String {
        let mut help = String::from(
            "Settings (environment variables; also keys of socval.toml in lower case without SOCVAL_):\n",
        );
        for s in SETTINGS {
            help.push_str(&format!(
                "  {:<30} {} [default: {}]\n",
                s.env, s.meaning, s.default
            ));
        }
        help
    }
}

/// Figment reports the key (`max_body_bytes`); people set the variable (`SOCVAL_MAX_BODY_BYTES`),
/// so both are named.
fn describe_figment_error(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let setting = e
                .path
                .last()
                .map(|key| env_name(key))
                .unwrap_or_else(|| "configuration".into());
            format!("{setting}: {}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn env_name(key: &str) -> String {
    if key == "database_url" {
        "DATABASE_URL".into()
    } else {
        format!("SOCVAL_{}", key.to_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests;
