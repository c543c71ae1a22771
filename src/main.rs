//! The `socval` command: parses the CLI, loads the config and hands over to the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use socval::auth::{Role, token};
use socval::config::{Config, DatabaseUrl};
use socval::db::{ConnectionManager, Db};
use socval::service::audit;
use socval::startup::Application;
use socval::{api, probe, telemetry};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "socval",
    version,
    about = "Social value evaluation service for public-procurement bids",
    long_about = "Social value evaluation service for public-procurement bids.\n\n\
        Without a subcommand, `socval` serves the API (same as `socval serve`).",
    after_help = Config::settings_help(),
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default): migrates the database first unless SOCVAL_MIGRATE_ON_START=false.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Print the OpenAPI 3.1 document (the content of openapi/openapi.json).
    Openapi,
    /// Verify each org's audit ledger: its hash chain, then every stored row against the state
    /// its events recorded; exit non-zero naming the first bad event and each row that differs.
    CheckAudit {
        /// Check this org only (default: every org with events).
        #[arg(long)]
        org: Option<String>,
        /// Also prove that the org's log still extends this checkpoint (the JSON that
        /// `GET /v1/audit/checkpoint` and `socval audit-checkpoint` print).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Trust these public keys (the JSON `GET /v1/audit/keys` serves) instead of the
        /// configured signing key's: a verifier needs nothing else.
        #[arg(long)]
        public_keys: Option<PathBuf>,
    },
    /// Sign and print a checkpoint of an org's audit log as it ends now, to keep outside socval.
    AuditCheckpoint {
        #[arg(long)]
        org: String,
    },
    /// Print an entity rebuilt from the audit events alone, as of a moment (JSON, as
    /// `GET /v1/audit/entities/{entity}/{id}` answers it).
    AuditEntity {
        /// The org whose ledger to read.
        #[arg(long)]
        org: String,
        /// The kind: tender, lot, scheme, bid, mark, moderated_mark, run, award, award_step,
        /// evaluator, declaration, measure_set.
        entity: String,
        /// Its id as the events name it.
        id: String,
        /// The moment, RFC 3339 (default: now).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Exit 0 when the server on SOCVAL_BIND answers /healthz (a container HEALTHCHECK).
    Healthcheck,
    /// Mint a signed development JWT with the configured HS256 secret.
    Token {
        /// Role to grant; repeat or comma-separate for several.
        #[arg(long = "role", value_enum, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
        /// Organisation whose data the token may reach.
        #[arg(long)]
        org: String,
        /// Subject: the user or system the token is for.
        #[arg(long, default_value = "developer")]
        sub: String,
        /// Lifetime, e.g. `30m`, `1h`, `7d`.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("socval: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Openapi => {
            print!("{}", api::openapi_json()?);
            Ok(())
        }
        Command::Token {
            roles,
            org,
            sub,
            ttl,
        } => {
            let config = Config::load()?;
            println!("{}", token::mint(&config, &sub, &org, &roles, ttl)?);
            Ok(())
        }
        Command::Migrate => {
            let config = Config::load()?;
            telemetry::init(&config.log_format);
            let signer = socval::startup::audit_signer(&config)?;
            let applied = socval::service::migrate_blocking(&Db::new(&config), &signer)?;
            tracing::info!(migrations.applied = ?applied, "database migrated");
            Ok(())
        }
        Command::CheckAudit {
            org,
            checkpoint,
            public_keys,
        } => check_audit(
            &Config::load()?,
            org.as_deref(),
            checkpoint.as_deref(),
            public_keys.as_deref(),
        ),
        Command::AuditCheckpoint { org } => {
            let config = Config::load()?;
            let signer = socval::startup::audit_signer(&config)?;
            let mut conn = connect_existing(&config)?;
            let signed = socval::db::write_transaction(&mut conn, |conn| {
                audit::checkpoint::publish_in(conn, &signer, &org)
            })?;
            println!("{}", serde_json::to_string(&signed)?);
            Ok(())
        }
        Command::AuditEntity {
            org,
            entity,
            id,
            as_of,
        } => {
            let entity = entity.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let as_of = as_of
                .map(|at| chrono::DateTime::parse_from_rfc3339(&at).map(|at| at.naive_utc()))
                .transpose()
                .context("--as-of must be an RFC 3339 time such as 2026-03-01T12:00:00Z")?;
            let mut conn = connect_existing(&Config::load()?)?;
            let history = audit::history::rebuild_in(&mut conn, &org, entity, &id, as_of)
                .map_err(|e| anyhow::anyhow!("{entity:?} {id} in org `{org}`: {e}"))?;
            println!("{}", serde_json::to_string_pretty(&history)?);
            Ok(())
        }
        Command::Healthcheck => probe::healthz(Config::load()?.bind),
        Command::Serve => serve(Config::load()?),
    }
}

/// One line per org on stdout; the broken chains again in the error, so the exit status and
/// stderr alone tell a cron job or CI step what is wrong.
fn check_audit(
    config: &Config,
    org: Option<&str>,
    checkpoint: Option<&Path>,
    public_keys: Option<&Path>,
) -> anyhow::Result<()> {
    let keyring = match public_keys {
        Some(path) => audit::Keyring::from_public(&read_json(path, "--public-keys")?)?,
        None => socval::startup::audit_signer(config)?.keyring(),
    };
    let checkpoint: Option<audit::checkpoint::Checkpoint> = checkpoint
        .map(|path| read_json(path, "--checkpoint"))
        .transpose()?;
    if let (Some(org), Some(checkpoint)) = (org, &checkpoint) {
        anyhow::ensure!(
            org == checkpoint.org,
            "--org `{org}` but the checkpoint is of org `{}`",
            checkpoint.org
        );
    }
    let mut conn = connect_existing(config)?;
    let results = audit::verify_orgs(&mut conn, org, &keyring, checkpoint.as_ref())?;
    if results.is_empty() {
        println!("no audit events");
    }
    let mut broken = Vec::new();
    for (org, verification) in &results {
        match &verification.first_invalid_event {
            None => println!(
                "{org}: chain valid, events checked: {}, rows checked: {}",
                verification.events_checked, verification.rows_checked
            ),
            Some(bad) => {
                println!("{org}: INVALID at event {}: {}", bad.seq, bad.reason);
                broken.push(format!("org `{org}` at event {} ({})", bad.seq, bad.reason));
            }
        }
        if let Some(check) = &verification.checkpoint {
            match &check.problem {
                None => println!("{org}: extends the checkpoint at event {}", check.seq),
                Some(problem) => {
                    println!("{org}: CHECKPOINT at event {}: {problem}", check.seq);
                    broken.push(format!(
                        "org `{org}`: checkpoint at event {}: {problem}",
                        check.seq
                    ));
                }
            }
        }
        for finding in &verification.state_findings {
            println!("{org}: ROW {:?}: {}", finding.problem, finding.message);
            broken.push(format!("org `{org}`: {}", finding.message));
        }
    }
    anyhow::ensure!(
        broken.is_empty(),
        "audit ledger does not verify: {}",
        broken.join("; ")
    );
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, option: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{option}: reading `{}`", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{option}: `{}`", path.display()))
}

/// A connection to the configured database, which must exist already.
fn connect_existing(config: &Config) -> anyhow::Result<socval::db::DbConnection> {
    if let DatabaseUrl::Sqlite { path } = &config.database_url {
        // Opening a missing SQLite file creates an empty one: a mistyped path would "verify".
        anyhow::ensure!(
            Path::new(path).exists(),
            "DATABASE_URL: no SQLite database at `{path}`"
        );
    }
    ConnectionManager::new(config.database_url.clone(), config.db_timeout_ms)
        .connect_now()
        .context("connecting to DATABASE_URL")
}

#[tokio::main]
async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init(&config.log_format);
    config.check_for_serving()?;
    if config.uses_development_secret() {
        tracing::warn!(
            "using the built-in development JWT secret: anyone can mint tokens; set SOCVAL_JWT_SECRET or SOCVAL_JWT_PUBLIC_KEYS"
        );
    }
    let application = Application::build(config).await?;
    application.run_until_stopped().await?;
    tracing::info!("socval stopped");
    Ok(())
}
