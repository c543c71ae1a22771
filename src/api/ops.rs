//! Operational endpoints for orchestrators and Prometheus; no authentication, no business data.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::api::problem::{ApiError, Problem};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the process answers; `ready` when it can also serve business requests.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is up. Does no I/O, so a slow database never restarts healthy pods.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is alive", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers and every migration is applied; 503 otherwise.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable or not migrated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    crate::service::ready(&state.db).await?;
    Ok(web::Json(Health { status: "ready" }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render(state.db.pool_state(), state.work_memory.state())?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
