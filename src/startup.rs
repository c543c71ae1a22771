//! Building and running the server as a function of a listener and a config, so tests bind
//! port 0 and read the real port back.
//!
//! Shutdown: actix-web handles SIGTERM and SIGINT by no longer accepting connections and letting
//! in-flight requests finish (up to `SOCVAL_SHUTDOWN_TIMEOUT_SECS`) before the process exits.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Condition, DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use utoipa_actix_web::AppExt;

use crate::api::{self, AppState};
use crate::auth::Authenticator;
use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::service::audit::Signer;
use crate::work_memory::WorkMemory;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `SOCVAL_BIND` and builds the server (migrating first when configured to).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("SOCVAL_BIND: cannot listen on {}", config.bind))?;
        Self::with_listener(listener, config).await
    }

    pub async fn with_listener(listener: TcpListener, config: Config) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let server = run(listener, config).await?;
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT (or the server handle's stop), then drains.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The key that signs this replica's audit events, from the configuration (a development key is
/// generated on first start outside production).
pub fn audit_signer(config: &Config) -> anyhow::Result<Signer> {
    let (path, generate) = config.audit_signing_key_path();
    Signer::load(&path, generate, &config.audit_retired_key_paths())
}

/// Prepares everything a request needs, then starts serving on `listener`.
pub async fn run(listener: TcpListener, config: Config) -> anyhow::Result<Server> {
    crate::catalogue::builtin()
        .check()
        .context("the built-in catalogue is unusable")?;
    let authenticator = web::Data::new(Authenticator::from_config(&config)?);
    let db = Db::new(&config);
    let signer = Arc::new(audit_signer(&config)?);
    if config.migrate_on_start {
        let (migrating, signing) = (db.clone(), signer.clone());
        let applied = tokio::task::spawn_blocking(move || {
            crate::service::migrate_blocking(&migrating, &signing)
        })
        .await
        .context("migration task")??;
        tracing::info!(db.backend = db.backend(), migrations.applied = ?applied, "database migrated");
    }
    if config.audit_checkpoint_secs > 0 {
        let every = Duration::from_secs(config.audit_checkpoint_secs);
        tokio::spawn(crate::service::audit::checkpoint::every(
            db.clone(),
            signer.clone(),
            every,
        ));
    }
    let metrics = Metrics::new(db.backend())?;
    tokio::spawn(crate::service::audit::sequencer::run(
        db.clone(),
        signer.clone(),
        Duration::from_millis(config.audit_sequencer_poll_ms),
        metrics.sequencer(),
    ));
    let work_memory = WorkMemory::new(
        config.work_memory_mib,
        config.work_memory_wait(),
        metrics.work_memory(),
    );
    let state = web::Data::new(AppState {
        metrics,
        db,
        max_body_bytes: config.max_body_bytes,
        request_timeout: config.request_timeout(),
        work_memory,
        openapi_json: api::openapi_json()?,
        allowed_methods: api::allowed_methods(&api::openapi()),
        suggesters: Default::default(),
        calendar: config.bank_holidays()?,
        signer,
    });

    let cors_origins = config.cors_origins()?;
    let address = listener.local_addr()?;
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .configure(api::routes)
            .into_app()
            .app_data(state.clone())
            .app_data(authenticator.clone())
            .default_service(web::to(api::no_route))
            .wrap(ErrorHandlers::new().default_handler(api::problem_for_bare_error))
            .wrap(from_fn(api::conventions))
            .wrap(from_fn(api::refuse_control_characters_in_url))
            .wrap(from_fn(api::close_on_unread_body))
            .wrap(from_fn(api::observe))
            // Outermost, so every response has it, the observer's own 500s included: a client
            // never sniffs a JSON or CSV answer into something it could run.
            .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
            // Outside the observer too: a refused preflight is answered before anything else.
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                api::cors(&cors_origins),
            ))
    })
    // A client must send its headers within the request timeout (actix answers 408 and closes);
    // the body gets as long again, enforced where it is read (`api::json::read_body`).
    .client_request_timeout(config.request_timeout())
    .listen(listener)?
    .shutdown_timeout(config.shutdown_timeout_secs)
    .run();
    tracing::info!(address = %address, "socval listening");
    Ok(server)
}
