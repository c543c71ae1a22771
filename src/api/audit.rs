//! The audit log, read side (api.md, "Audit and reporting"): the caller's org's events in chain
//! order, and a re-walk of its hash chain. Auditors and admins only; another org's events are
//! never listed, whatever the filters.

use actix_web::{get, web};
use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::pagination::{Page, PageParams, invalid_query};
use super::problem::ApiError;
use super::responses::{AuthProblems, InternalProblem, QueryProblems};
use crate::auth::{Principal, policy};
use crate::service::audit::{self as service, AuditEventRow, EventFilter, Verification};

/// One change as recorded. Anyone can recompute `hash` from the other fields:
/// `SHA-256(prev_hash ‖ canonical event)` in hex, where the canonical event is the compact JSON
/// array `[org, at, actor_sub, actor_role, action, entity, entity_id, payload_sha256]` (`org` is
/// the caller's org; `at` exactly as shown here), and `prev_hash` is the previous event's `hash`
/// (64 zeros for the org's first event).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Position in the log; increases along the org's chain (with gaps).
    #[schema(example = 42)]
    pub seq: i64,
    /// When the change was committed, RFC 3339 in UTC, to the microsecond.
    #[schema(example = "2026-03-01T12:00:00.123456+00:00")]
    pub at: String,
    /// The token subject that made the change.
    #[schema(example = "platform-bluelight")]
    pub actor_sub: String,
    /// The role it acted in.
    #[schema(example = "admin")]
    pub actor_role: String,
    /// What was done, e.g. `import`.
    #[schema(example = "import")]
    pub action: String,
    /// The kind of thing changed, e.g. `measure_set`.
    #[schema(example = "measure_set")]
    pub entity: String,
    /// Its id.
    #[schema(example = "0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10")]
    pub entity_id: String,
    /// SHA-256 (hex) of the change's data.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub payload_sha256: String,
    /// `hash` of the org's previous event; 64 zeros for its first.
    #[schema(example = "0000000000000000000000000000000000000000000000000000000000000000")]
    pub prev_hash: String,
    /// This event's hash, covering `prev_hash` and every field above.
    #[schema(example = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b")]
    pub hash: String,
}

/// Filters of `GET /v1/audit-events`; every one given must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditEventQuery {
    /// Only events about this kind of entity, e.g. `measure_set`.
    #[param(example = "measure_set")]
    pub entity: Option<String>,
    /// Only events about the entity with this id.
    pub entity_id: Option<String>,
    /// Only events at or after this instant, RFC 3339 (e.g. `2026-03-01T12:00:00Z`).
    #[param(format = DateTime, example = "2026-03-01T12:00:00Z")]
    pub since: Option<String>,
    /// Only the events of this tender (its id): those of the tender itself (`entity` `tender`),
    /// of its lots (`lot`) and of their bids (`bid`).
    pub tender: Option<String>,
}

impl AuditEventQuery {
    fn into_filter(self) -> Result<EventFilter, ApiError> {
        Ok(EventFilter {
            since: self.since.as_deref().map(parse_since).transpose()?,
            entity: self.entity,
            entity_id: self.entity_id,
            tender: self.tender,
        })
    }
}

fn parse_since(value: &str) -> Result<NaiveDateTime, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|at| at.naive_utc())
        .map_err(|e| {
            invalid_query(
                "/since",
                format!("`since` must be an RFC 3339 time such as 2026-03-01T12:00:00Z: {e}"),
            )
        })
}

/// Lists the caller's org's audit events, oldest first.
///
/// Roles `auditor` and `admin`. Each event carries the hashes that chain it to the one before,
/// so a page can be checked offline (see `AuditEventView`).
#[utoipa::path(
    operation_id = "list_audit_events",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditEventQuery, PageParams),
    responses(
        (status = 200, description = "A page of events in chain order", body = Page<AuditEventView>),
        QueryProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/audit-events")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    filters: web::Query<AuditEventQuery>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEventView>>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    let limit = page.limit()?;
    let after = page.after_number()?;
    let filter = filters.into_inner().into_filter()?;
    let org = principal.org;
    let rows = service::list(&state.db, org, filter, after, i64::from(limit) + 1).await?;
    Ok(web::Json(Page::from_rows(
        rows,
        limit as usize,
        |row| row.seq.to_string(),
        view,
    )))
}

/// Verifies the caller's org's audit hash chain.
///
/// Roles `auditor` and `admin`. Re-walks the chain from its first event and names the first one
/// whose link or hash does not match, so an edit or deletion made directly in the database is
/// found. Removing the most recent events leaves a shorter chain that still verifies: keep the
/// last event's `hash` elsewhere to detect that.
#[utoipa::path(
    operation_id = "verify_audit_chain",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The verification result", body = Verification),
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/audit/verify")]
pub async fn verify(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<web::Json<Verification>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    let org = principal.org;
    let verification = service::verify_org(&state.db, org).await?;
    Ok(web::Json(verification))
}

fn view(row: AuditEventRow) -> AuditEventView {
    AuditEventView {
        seq: row.seq,
        at: service::event_time(row.at),
        actor_sub: row.actor_sub,
        actor_role: row.actor_role,
        action: row.action,
        entity: row.entity,
        entity_id: row.entity_id,
        payload_sha256: row.payload_sha256,
        prev_hash: row.prev_hash,
        hash: row.hash,
    }
}
