//! A lot's award scheme: `PUT` stores a new version after the scoring engine accepts it (422 with
//! every failure otherwise), under `If-Match` when sent; frozen once the lot leaves `open`.

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::json::Json;
use super::preconditions::{IfMatch, with_etag};
use super::responses::{AuthProblems, ConditionalWriteProblems, InternalProblem, NotFoundProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::scoring::{Scheme, Warning};
use crate::service::lots::SchemeRow;
use crate::service::{assignments, lots};

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeView {
    pub lot_id: String,
    /// 1 for the first scheme, one more for each `PUT`; also the `ETag`.
    pub version: i32,
    #[schema(value_type = Scheme)]
    pub scheme: serde_json::Value,
    /// What the engine noticed without refusing (e.g. below the recommended minimum).
    pub warnings: Vec<Warning>,
    pub created_by: String,
    pub created_at: String,
}

/// Why a scheme changes once bids are in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchemeReason {
    /// Required once the lot has a bid (409 `reason_required` without it): bids answered the
    /// version in force, so a change says why; kept in the audit log.
    #[param(max_length = 20000)]
    pub reason: Option<String>,
}

/// Sets the lot's scheme, as a new version. Validated against the tender's framework and pinned
/// measure set; its `authority_type` must be the tender's. Once the lot has bids, `?reason=` is
/// required; each bid records the version it answered.
#[utoipa::path(tag = "tenders", operation_id = "put_scheme", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), SchemeReason, ("If-Match" = Option<String>, Header, description = "The scheme's ETag you read (`\"0\"` before the first scheme): the write applies only if it is still current")), request_body = Scheme,
    responses((status = 200, description = "Stored as a new version", body = SchemeView, headers(("ETag" = String))), ConditionalWriteProblems))]
#[put("/v1/tenders/{id}/lots/{lot}/scheme")]
pub async fn put_scheme(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<SchemeReason>,
    if_match: IfMatch,
    body: Json<Scheme>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let (tender_id, lot_id) = path.into_inner();
    let change = lots::SchemeChange {
        scheme: body.0,
        expected: if_match.0,
        reason: query.into_inner().reason,
    };
    let (row, report) = lots::put_scheme(&state.db, actor, tender_id, lot_id, change).await?;
    Ok(with_etag(row.version, &scheme_view(&row, report.warnings)?))
}

/// The lot's current scheme.
#[utoipa::path(
    tag = "tenders",
    operation_id = "get_scheme",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The current version (an evaluator reads it once assigned and declared)", body = SchemeView, headers(("ETag" = String, description = "The scheme's version"))), AuthProblems, NotFoundProblem, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}/scheme")]
pub async fn get_scheme(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    if principal.require_any(policy::READ_PROCUREMENT).is_err() {
        let actor = state.actor(&principal, policy::MARK)?;
        let lot = crate::service::bids::LotRef::from(path.into_inner());
        let row = assignments::scheme(&state.db, actor, lot).await?;
        return Ok(with_etag(row.version, &scheme_view(&row, Vec::new())?));
    }
    let (tender_id, lot_id) = path.into_inner();
    let row = lots::get_scheme(&state.db, principal.org, tender_id, lot_id).await?;
    Ok(with_etag(row.version, &scheme_view(&row, Vec::new())?))
}

fn scheme_view(row: &SchemeRow, warnings: Vec<Warning>) -> Result<SchemeView, ApiError> {
    Ok(SchemeView {
        lot_id: row.lot_id.to_string(),
        version: row.version,
        scheme: serde_json::from_str(&row.body).map_err(anyhow::Error::from)?,
        warnings,
        created_by: row.created_by.clone(),
        created_at: row.created_at.and_utc().to_rfc3339(),
    })
}
