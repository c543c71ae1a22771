//! Evaluation runs, award and score history (api.md, "Evaluations, award, history, exports").

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::pagination::{ArrayPage, ArrayPageParams};
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem, WriteProblems};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::service::bids::LotRef;
use crate::service::evaluations::EvaluationRow;
use crate::service::stored_run::RunResult;
use crate::service::{ServiceError, evaluations};
use crate::work_memory::{Reserved, estimate};

#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: String,
    pub lot_id: String,
    pub scheme_version: i32,
    pub engine_version: String,
    pub inputs_sha256: String,
    pub created_by: String,
    pub created_at: String,
    /// The engine's result, exactly as stored (scoring.md, "Result").
    // Sent as the stored text, never rebuilt: a run reads back byte for byte as the engine wrote
    // it, and a GET costs no parse-and-serialise of the whole result.
    #[schema(value_type = crate::scoring::EvaluationResult)]
    pub result: Box<serde_json::value::RawValue>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Only this lot's runs.
    pub lot: Option<String>,
    /// Only this bid's scores.
    pub bid: Option<String>,
    /// RFC 3339: answer with what each lot's latest run said at that moment.
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidScore {
    pub bid_id: String,
    pub status: String,
    pub rank: Option<u32>,
    pub total: Option<String>,
    pub total_display: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub evaluation_id: String,
    pub lot_id: String,
    pub created_at: String,
    pub created_by: String,
    pub engine_version: String,
    pub inputs_sha256: String,
    pub winner: Option<String>,
    pub scores: Vec<BidScore>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreHistory {
    pub tender_id: String,
    pub as_of: Option<String>,
    /// Oldest first.
    pub items: Vec<HistoryEntry>,
}

type LotPath = web::Path<(String, String)>;

/// What a run may say (the body is optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Bids submitted against an earlier version of the lot's scheme that the buyer accepts into
    /// this run, by id (roles `commercial`, `admin`). Without it such bids make the run 409
    /// `bids_on_earlier_scheme`, naming them.
    #[serde(default)]
    pub accept_earlier_scheme: Vec<String>,
}

/// Runs the engine on the lot's stored data and keeps the run, immutably. 422 lists every mark
/// that is missing or awaits moderation; 409 `bids_on_earlier_scheme` names the bids that answered
/// an earlier version of the scheme, unless the body accepts them. Honours `Idempotency-Key`: a
/// retry gets the first run.
#[utoipa::path(tag = "evaluation", operation_id = "run_evaluation", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Option<RunRequest>, description = "Optional"),
    responses((status = 201, description = "The stored run", body = EvaluationView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/evaluations")]
pub async fn run(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    key: IdempotencyKey,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let limit = state.max_body_bytes;
    let body = super::json::read_body(&request, payload.into_inner(), limit).await?;
    let asked: RunRequest = if body.is_empty() {
        RunRequest::default()
    } else {
        super::json::parse(&body)?
    };
    if !asked.accept_earlier_scheme.is_empty() {
        principal.require_any(policy::DECIDE)?;
    }
    let key = key.for_request(&actor.org, &body);
    let started = std::time::Instant::now();
    let outcome = evaluations::run(
        &state.db,
        actor,
        LotRef::from(path.into_inner()),
        asked.accept_earlier_scheme,
        key,
        |row| {
            let location = format!(
                "/v1/tenders/{}/lots/{}/evaluations/{}",
                row.tender_id, row.lot_id, row.id
            );
            record(201, Some(location), &evaluation_view(row)?)
        },
    )
    .await;
    let label = match &outcome {
        Ok(first) if first.replayed() => None,
        Ok(_) => Some("scored"),
        Err(_) => Some("rejected"),
    };
    if let Some(label) = label {
        let seconds = started.elapsed().as_secs_f64();
        state.metrics.observe_evaluation("stored", label, seconds);
    }
    Ok(respond(outcome?))
}

/// The runs of a lot, oldest first.
#[utoipa::path(tag = "evaluation", operation_id = "list_evaluations", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ArrayPageParams),
    responses((status = 200, description = "The runs, oldest first", body = [EvaluationView], headers(("Link" = String, description = "`<…>; rel=\"next\"` when `limit` left some out"))), super::responses::QueryProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluations")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    page: ArrayPage,
) -> Result<HttpResponse, ApiError> {
    let lot = LotRef::from(path.into_inner());
    principal.require_any(policy::READ_PROCUREMENT)?;
    let rows = evaluations::list(&state.db, principal.org, lot).await?;
    // Run ids are time-ordered: by id is oldest first.
    page.respond(rows, |r| r.id.to_string(), |r| Ok(evaluation_view(&r)?))
}

/// One run: JSON, or with `Accept: text/csv` (or `?format=csv`) one row per bid and criterion.
#[utoipa::path(tag = "evaluation", operation_id = "get_evaluation", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("run" = String, Path),
        ("format" = Option<String>, Query, description = "`csv` for the CSV (as `Accept: text/csv`); JSON otherwise", example = "csv")),
    responses(
        (status = 200, description = "The run", content(
            (EvaluationView = "application/json"),
            (String = "text/csv", example = json!("bid_id,status,rank,total,criterion_id,type,weight,fraction,points,points_display\n"))
        )),
        NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluations/{run}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let org = principal.org.clone();
    let (tender_id, lot_id, run_id) = path.into_inner();
    let lot = LotRef { tender_id, lot_id };
    let (_, _, row) = evaluations::get(&state.db, org, lot, run_id).await?;
    let wants_csv = super::accepts(&request, "text/csv");
    if wants_csv {
        let reservation = state
            .work_memory
            .reserve(estimate::export(row.result.len() as u64))
            .await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(Reserved::new(results_csv(&row)?, reservation)));
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(evaluation_json(&row)?))
}

/// Every evaluation run's scores over time; with `as_of`, what the scores said at that moment
/// (each lot's latest run then). Auditors may read it.
#[utoipa::path(tag = "evaluation", operation_id = "score_history", security(("bearer" = [])),
    params(("id" = String, Path), HistoryParams),
    responses((status = 200, description = "The history", body = ScoreHistory), super::responses::QueryProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/score-history")]
pub async fn score_history(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<HistoryParams>,
) -> Result<web::Json<ScoreHistory>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let HistoryParams { lot, bid, as_of } = params.into_inner();
    let moment = as_of
        .as_deref()
        .map(|text| {
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| t.naive_utc())
                .map_err(|_| ApiError::Validation {
                    errors: vec![super::problem::field_error(
                        "/as_of",
                        "invalid_query",
                        "an RFC 3339 instant, e.g. 2026-03-01T12:00:00Z",
                    )],
                    warnings: Vec::new(),
                })
        })
        .transpose()?;
    let org = principal.org.clone();
    let tender_id = id.into_inner();
    let query_tender = tender_id.clone();
    let history = evaluations::history(&state.db, org, query_tender, lot, moment).await?;
    let items = history
        .iter()
        .map(|stored| {
            let result = RunResult::of(stored)?;
            Ok(HistoryEntry {
                evaluation_id: stored.id.to_string(),
                lot_id: stored.lot_id.to_string(),
                created_at: stored.created_at.and_utc().to_rfc3339(),
                created_by: stored.created_by.clone(),
                engine_version: stored.engine_version.clone(),
                inputs_sha256: stored.inputs_sha256.clone(),
                winner: result.winner,
                scores: result
                    .results
                    .into_iter()
                    .filter(|s| bid.as_deref().is_none_or(|b| b == s.bid_id))
                    .map(|s| BidScore {
                        bid_id: s.bid_id,
                        status: s.status,
                        rank: s.rank,
                        total: s.total,
                        total_display: s.total_display,
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(ScoreHistory {
        tender_id,
        as_of,
        items,
    }))
}

fn evaluation_view(row: &EvaluationRow) -> Result<EvaluationView, ServiceError> {
    let result = serde_json::value::RawValue::from_string(row.result.clone()).map_err(|e| {
        ServiceError::corrupt(format!("evaluations row {}: column result: {e}", row.id))
    })?;
    Ok(view_with(row, result))
}

/// A run as [`EvaluationView`] serialises, with the stored result spliced in as it is, not parsed
/// to validate it first (`RawValue::from_string` does, which was a tenth of this request's CPU):
/// the ledger check of the read has just found those bytes to be the ones recorded when the
/// engine wrote them, as JSON.
fn evaluation_json(row: &EvaluationRow) -> Result<Vec<u8>, ServiceError> {
    let placeholder = serde_json::value::RawValue::NULL.to_owned();
    let mut out = Vec::with_capacity(row.result.len() + 512);
    serde_json::to_writer(&mut out, &view_with(row, placeholder))
        .map_err(|e| ServiceError::Internal(e.into()))?;
    // `result` is the view's last field.
    let tail = b"\"result\":null}";
    if !out.ends_with(tail) {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "EvaluationView no longer ends with its result"
        )));
    }
    out.truncate(out.len() - b"null}".len());
    out.extend_from_slice(row.result.as_bytes());
    out.push(b'}');
    Ok(out)
}

fn view_with(row: &EvaluationRow, result: Box<serde_json::value::RawValue>) -> EvaluationView {
    EvaluationView {
        id: row.id.to_string(),
        lot_id: row.lot_id.to_string(),
        scheme_version: row.scheme_version,
        engine_version: row.engine_version.clone(),
        inputs_sha256: row.inputs_sha256.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at.and_utc().to_rfc3339(),
        result,
    }
}

/// One row per bid and criterion, in the result's order.
fn results_csv(row: &EvaluationRow) -> Result<String, ApiError> {
    let result = RunResult::of(row)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "bid_id",
            "status",
            "rank",
            "total",
            "criterion_id",
            "type",
            "weight",
            "fraction",
            "points",
            "points_display",
            "explanation",
        ])
        .map_err(anyhow::Error::from)?;
    for bid in &result.results {
        for c in &bid.criteria {
            let rank = bid.rank.map(|r| r.to_string()).unwrap_or_default();
            let cells = [
                bid.bid_id.as_str(),
                bid.status.as_str(),
                rank.as_str(),
                bid.total.as_deref().unwrap_or_default(),
                c.criterion_id.as_str(),
                c.kind.as_str(),
                c.weight.as_str(),
                c.fraction.as_deref().unwrap_or_default(),
                c.points.as_deref().unwrap_or_default(),
                c.points_display.as_deref().unwrap_or_default(),
                c.explanation.as_str(),
            ];
            writer
                .write_record(cells.map(super::csv_cell::cell).iter().map(|c| c.as_ref()))
                .map_err(anyhow::Error::from)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}
