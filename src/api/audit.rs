//! The audit log, read side (api.md, "Audit and reporting"): the caller's org's events in chain
//! order, and a re-walk of its hash chain. Auditors and admins only; another org's events are
//! never listed, whatever the filters.

use actix_web::{get, post, web};
use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::json::Json;
use super::pagination::{Page, PageParams, invalid_query};
use super::problem::ApiError;
use super::problem::Problem;
use super::responses::BodyProblems;
use super::responses::{AuthProblems, InternalProblem, QueryProblems};
use crate::auth::{Principal, policy};
use crate::service::ServiceError;
use crate::service::audit::checkpoint::{self as checkpoints, Checkpoint};
use crate::service::audit::history::{self, EntityHistory};
use crate::service::audit::{
    self as service, AuditEventRow, Entity, EventFilter, PublicKeys, Verification,
};

/// One change as recorded. Anyone can recompute `hash` from the other fields:
/// `SHA-256(prev_hash ‖ canonical event)` in hex, where the canonical event is the compact JSON
/// array `[org, at, actor_sub, actor_role, action, entity, entity_id, payload_sha256]` (`org` is
/// the caller's org; `at` exactly as shown here), and `prev_hash` is the previous event's `hash`
/// (64 zeros for the org's first event). `payload_sha256` is the SHA-256 of `change` written as
/// canonical JSON: compact, object keys in byte order (Python:
/// `json.dumps(change, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`).
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
    /// SHA-256 (hex) of `change` as canonical JSON.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub payload_sha256: String,
    /// `hash` of the org's previous event; 64 zeros for its first.
    #[schema(example = "0000000000000000000000000000000000000000000000000000000000000000")]
    pub prev_hash: String,
    /// This event's hash, covering `prev_hash` and every field above.
    #[schema(example = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b")]
    pub hash: String,
    /// The change itself: `{"state": <the entity's state after it>, "context"?: <why, where the
    /// state does not say it>}`; `null` for events written before ledger v2, which kept only
    /// `payload_sha256`. The entity kinds and their ids are listed at
    /// `GET /v1/audit/entities/{entity}/{id}`.
    #[schema(value_type = Option<Object>)]
    pub change: Option<Box<RawValue>>,
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
    /// Only the events of this tender (its id) and of everything under it: its lots, scheme
    /// versions, evaluators, declarations, bids, marks, moderated marks, runs, awards and award steps.
    pub tender: Option<String>,
    /// Only events after this `seq`: where a follower of the ledger resumes, from the last
    /// `seq` it read. Every event committed before a request is chained before it is answered,
    /// and chained in order, so a follower never skips one.
    #[param(minimum = 0, example = 1234)]
    pub after_seq: Option<i64>,
}

impl AuditEventQuery {
    fn into_filter(self) -> Result<EventFilter, ApiError> {
        Ok(EventFilter {
            since: self
                .since
                .as_deref()
                .map(|value| parse_time("/since", value))
                .transpose()?,
            entity: self.entity,
            entity_id: self.entity_id,
            tender: self.tender,
        })
    }
}

fn parse_time(pointer: &str, value: &str) -> Result<NaiveDateTime, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|at| at.naive_utc())
        .map_err(|e| {
            let name = pointer.trim_start_matches('/');
            invalid_query(
                pointer,
                format!("`{name}` must be an RFC 3339 time such as 2026-03-01T12:00:00Z: {e}"),
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
    let filters = filters.into_inner();
    if filters.after_seq.is_some_and(|seq| seq < 0) {
        return Err(invalid_query(
            "/after_seq",
            "`after_seq` must be a `seq` (0 or more)".to_string(),
        ));
    }
    // Both bound `seq` from below; together, the tighter bound holds.
    let after = page.after_number()?.max(filters.after_seq);
    let filter = filters.into_filter()?;
    let org = principal.org;
    let rows = service::list(
        &state.db,
        state.signer.clone(),
        org,
        filter,
        after,
        i64::from(limit) + 1,
    )
    .await?;
    let views = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(Page::from_rows(
        views,
        limit as usize,
        |view| view.seq.to_string(),
        |view| view,
    )))
}

/// Verifies the caller's org's audit ledger.
///
/// Roles `auditor` and `admin`. Re-walks the chain from its first event and names the first one
/// whose link, hash, recorded change or Ed25519 signature (by a key of `GET /v1/audit/keys`)
/// does not hold, so an edit, a deletion, a re-hashed chain or a forged event made directly in
/// the database is found. Then compares every stored row (tenders, lots, scheme
/// versions, bids with their commitments, marks, moderated marks, runs, awards, award steps, evaluators,
/// declarations, measure sets) with the state its latest event recorded, and names each row that
/// was edited, deleted or inserted outside socval, field by field. Removing the most recent
/// events leaves a shorter chain that still verifies: keep checkpoints (`GET
/// /v1/audit/checkpoint`) elsewhere and verify against one (`POST /v1/audit/verify`).
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
    verification(&state, principal.org, None).await
}

/// Verifies the caller's org's audit ledger against a checkpoint kept outside socval.
///
/// Roles `auditor` and `admin`. Everything `GET /v1/audit/verify` checks, and that the
/// checkpoint's signature holds and the log still holds its head at its `seq`: events deleted
/// from the end, all of the org's events deleted, or the chain rewritten up to it are each
/// named in `checkpoint.problem`. The body is a checkpoint exactly as `GET
/// /v1/audit/checkpoint` served it.
#[utoipa::path(
    operation_id = "verify_audit_against_checkpoint",
    tag = "audit",
    security(("bearer" = [])),
    request_body(content = Checkpoint),
    responses(
        (status = 200, description = "The verification result", body = Verification),
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/audit/verify")]
pub async fn verify_against(
    principal: Principal,
    state: web::Data<AppState>,
    body: Json<Checkpoint>,
) -> Result<web::Json<Verification>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    let checkpoint = body.0;
    if checkpoint.org != principal.org {
        return Err(ApiError::invalid_body(
            "/org".into(),
            "the checkpoint is of another org: verify your own org's log".into(),
        ));
    }
    verification(&state, principal.org, Some(checkpoint)).await
}

/// The org's verification, against `checkpoint` when there is one.
async fn verification(
    state: &AppState,
    org: String,
    checkpoint: Option<Checkpoint>,
) -> Result<web::Json<Verification>, ApiError> {
    let keyring = state.signer.keyring();
    let signer = state.signer.clone();
    let verification = service::verify_org(&state.db, signer, org, keyring, checkpoint).await?;
    Ok(web::Json(verification))
}

/// A signed checkpoint of the caller's org's log as it ends now.
///
/// Roles `auditor` and `admin`. Signs `{org, seq, head, time}` with the current key (and keeps a
/// copy). Store it outside socval: given back to `POST /v1/audit/verify` or to `socval
/// check-audit --checkpoint FILE`, it proves later that the log still extends it.
#[utoipa::path(
    operation_id = "get_audit_checkpoint",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed checkpoint", body = Checkpoint),
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/audit/checkpoint")]
pub async fn get_checkpoint(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<web::Json<Checkpoint>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    let signed = checkpoints::publish(&state.db, state.signer.clone(), principal.org).await?;
    Ok(web::Json(signed))
}

/// The public keys audit signatures verify with: the current one and the retired ones.
///
/// Roles `auditor` and `admin`. A verifier needs these and nothing else; a key id is the first
/// 16 hex digits of the SHA-256 of the raw key. After a rotation the old key is listed as
/// `retired`: the events it signed still verify.
#[utoipa::path(
    operation_id = "list_audit_keys",
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The public keys", body = PublicKeys),
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/audit/keys")]
pub async fn keys(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<web::Json<PublicKeys>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    Ok(web::Json(state.signer.public_keys()))
}

/// When to rebuild an entity as of.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The moment, RFC 3339 (e.g. `2026-03-01T12:00:00Z`); now when absent.
    #[param(format = DateTime, example = "2026-03-01T12:00:00Z")]
    pub as_of: Option<String>,
}

/// Rebuilds an entity from the audit events alone, as of a moment.
///
/// Roles `auditor` and `admin`. Answers the entity's state at `as_of` and every version up to
/// then: who made it, when, in what role, and what changed (a JSON Patch whose `test`
/// operations carry the values it replaced). `entity` is one of `tender`, `lot`, `scheme`
/// (`{lot}:{version}`), `bid` (with its commitments), `mark` (`{bid}:{criterion}:{evaluator}`),
/// `moderated_mark` (`{bid}:{criterion}`), `run`, `award` (the lot's id), `award_step`
/// (`{lot}:{seq}`), `evaluator` (`{lot}:{evaluator}`), `declaration`, `measure_set`; the ids are
/// those the events name
/// (`GET /v1/audit-events?entity=mark`). 404 when the org has no event of it by then.
#[utoipa::path(
    operation_id = "get_audited_entity",
    tag = "audit",
    security(("bearer" = [])),
    params(
        ("entity" = Entity, Path, description = "The kind of entity"),
        ("id" = String, Path, description = "Its id as the events name it"),
        AsOfQuery
    ),
    responses(
        (status = 200, description = "The entity as of the moment, with its versions", body = EntityHistory),
        (status = 404, description = "No event of this entity in the caller's org by then", body = Problem, content_type = "application/problem+json"),
        QueryProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/audit/entities/{entity}/{id}")]
pub async fn entity(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<AsOfQuery>,
) -> Result<web::Json<EntityHistory>, ApiError> {
    principal.require_any(policy::READ_AUDIT)?;
    let (entity, id) = path.into_inner();
    let entity: Entity = entity.parse().map_err(|_| ApiError::NotFound)?;
    let as_of = query
        .into_inner()
        .as_of
        .as_deref()
        .map(|value| parse_time("/as_of", value))
        .transpose()?;
    let history = history::rebuild(
        &state.db,
        state.signer.clone(),
        principal.org,
        entity,
        id,
        as_of,
    )
    .await?;
    Ok(web::Json(history))
}

fn view(row: AuditEventRow) -> Result<AuditEventView, ServiceError> {
    Ok(AuditEventView {
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
        // The stored text, byte for byte, so the client can hash exactly what the chain covers.
        change: row
            .change
            .map(|text| {
                RawValue::from_string(text).map_err(|e| {
                    ServiceError::corrupt(format!(
                        "audit_events row {}: column change: {e}",
                        row.seq
                    ))
                })
            })
            .transpose()?,
    })
}
