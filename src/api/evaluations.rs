//! Evaluators, marks, moderation and evaluation runs (api.md, "Evaluators, marks, moderation" and
//! "Evaluations").

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::json::Json;
use super::responses::{
    AuthProblems, BodyProblems, InternalProblem, NotFoundProblem, StateProblems,
};
use super::tenders::{READERS, WRITERS};
use crate::auth::{Principal, Role};
use crate::db::evaluations::EvaluationRow;
use crate::error::ApiError;
use crate::service::marking::MarkSet;
use crate::service::{Actor, evaluations, marking};

const MANAGERS: &[Role] = &[Role::Commercial, Role::Admin];
const MODERATION_READERS: &[Role] = &[Role::Commercial, Role::Auditor, Role::Admin];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignEvaluator {
    /// The evaluator's `sub` (as in its tokens).
    #[schema(example = "evaluator-jo")]
    pub sub: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluatorView {
    pub sub: String,
    pub assigned_by: String,
    pub assigned_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// Whether the evaluator has a conflict of interest.
    pub conflict: bool,
    /// The bid it concerns; none with `conflict: true` means the whole lot.
    pub bid_id: Option<String>,
    pub details: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationView {
    pub id: String,
    pub evaluator: String,
    pub conflict: bool,
    pub bid_id: Option<String>,
    pub details: String,
    pub declared_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// Within the criterion's scale (and one of its levels, when it has them).
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput)]
    pub score: Decimal,
    pub rationale: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkView {
    pub bid_id: String,
    pub criterion_id: String,
    /// The evaluator, or the moderator for a consensus mark.
    pub by: String,
    pub score: String,
    pub rationale: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationItem {
    pub bid_id: String,
    pub criterion_id: String,
    pub marks: Vec<MarkView>,
    /// Highest minus lowest mark.
    pub spread: String,
    /// The spread exceeds 40% of the scale's range.
    pub marks_discrepancy: bool,
    /// `moderated`, `single_evaluator`, `unmoderated` or `missing`.
    pub status: &'static str,
    /// The mark the engine will use, when there is one.
    pub consensus: Option<String>,
    pub moderated: Option<MarkView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Moderation {
    pub items: Vec<ModerationItem>,
}

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
    #[schema(value_type = crate::scoring::EvaluationResult)]
    pub result: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// The evaluation run the decision rests on: the lot's newest.
    pub evaluation_id: String,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardView {
    pub lot_id: String,
    pub evaluation_id: String,
    pub winner_bid_id: String,
    pub note: String,
    pub decided_at: String,
    /// Last day of the 8-working-day standstill (weekends and England and Wales bank holidays
    /// skipped).
    #[schema(example = "2026-04-16")]
    pub standstill_ends: String,
    pub awarded_by: String,
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
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
type BidCriterionPath = web::Path<(String, String, String, String)>;

/// Assigns an evaluator to a lot (commercial or admin).
#[utoipa::path(tag = "evaluation", operation_id = "assign_evaluator", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)), request_body = AssignEvaluator,
    responses((status = 201, description = "Assigned", body = EvaluatorView), StateProblems, NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[post("/v1/tenders/{id}/lots/{lot}/evaluators")]
pub async fn assign(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    body: Json<AssignEvaluator>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(MANAGERS)?);
    let (tender_id, lot_id) = path.into_inner();
    let sub = body.0.sub;
    if sub.trim().is_empty() {
        super::tenders::refuse(vec![super::tenders::field_error(
            "/sub",
            "required",
            "the evaluator's sub",
        )])?;
    }
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                marking::assign(conn, &actor, &tender_id, &lot_id, &sub)
            }))
        })
        .await??;
    Ok(HttpResponse::Created().json(EvaluatorView {
        sub: row.sub,
        assigned_by: row.assigned_by,
        assigned_at: row.assigned_at.and_utc().to_rfc3339(),
    }))
}

/// The evaluators of a lot.
#[utoipa::path(tag = "evaluation", operation_id = "list_evaluators", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The evaluators", body = [EvaluatorView]), NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluators")]
pub async fn list_evaluators(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
) -> Result<web::Json<Vec<EvaluatorView>>, ApiError> {
    principal.require_any(READERS)?;
    let org = principal.org.clone();
    let (tender_id, lot_id) = path.into_inner();
    let rows = state
        .db
        .run(move |conn| Ok(marking::evaluators(conn, &org, &tender_id, &lot_id)))
        .await??;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| EvaluatorView {
                sub: r.sub,
                assigned_by: r.assigned_by,
                assigned_at: r.assigned_at.and_utc().to_rfc3339(),
            })
            .collect(),
    ))
}

/// An assigned evaluator declares its conflicts of interest (or none) before marking.
#[utoipa::path(tag = "evaluation", operation_id = "declare_conflicts", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)), request_body = Declaration,
    responses((status = 201, description = "Recorded", body = DeclarationView), NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[post("/v1/tenders/{id}/lots/{lot}/conflict-declarations")]
pub async fn declare(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    body: Json<Declaration>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(&[Role::Evaluator])?);
    let (tender_id, lot_id) = path.into_inner();
    let Declaration {
        conflict,
        bid_id,
        details,
    } = body.0;
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                marking::declare(conn, &actor, &tender_id, &lot_id, conflict, bid_id, details)
            }))
        })
        .await??;
    Ok(HttpResponse::Created().json(DeclarationView {
        id: row.id,
        evaluator: row.evaluator_sub,
        conflict: row.conflict,
        bid_id: row.bid_id,
        details: row.details,
        declared_at: row.declared_at.and_utc().to_rfc3339(),
    }))
}

/// An evaluator's own mark and rationale for one bid and criterion (while the lot is `evaluating`).
/// 403 `conflict_declaration_required` before a declaration, `conflict_of_interest` for a declared
/// conflict, `not_assigned` for others.
#[utoipa::path(tag = "evaluation", operation_id = "put_mark", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path), ("criterion" = String, Path)), request_body = MarkInput,
    responses((status = 200, description = "Stored", body = MarkView), StateProblems, NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[put("/v1/tenders/{id}/lots/{lot}/bids/{bid}/marks/{criterion}")]
pub async fn put_mark(
    principal: Principal,
    state: web::Data<AppState>,
    path: BidCriterionPath,
    body: Json<MarkInput>,
) -> Result<web::Json<MarkView>, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(&[Role::Evaluator])?);
    let (tender_id, lot_id, bid_id, criterion) = path.into_inner();
    let MarkInput { score, rationale } = body.0;
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                marking::put_mark(
                    conn, &actor, &tender_id, &lot_id, &bid_id, &criterion, score, rationale,
                )
            }))
        })
        .await??;
    Ok(web::Json(MarkView {
        bid_id: row.bid_id,
        criterion_id: row.criterion_id,
        by: row.evaluator_sub,
        score: row.score,
        rationale: row.rationale,
        at: row.updated_at.and_utc().to_rfc3339(),
    }))
}

/// Every evaluator's marks per bid and criterion, their spread, discrepancies and the consensus
/// (commercial, auditor, admin).
#[utoipa::path(tag = "evaluation", operation_id = "get_moderation", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The moderation view", body = Moderation), StateProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/moderation")]
pub async fn moderation(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
) -> Result<web::Json<Moderation>, ApiError> {
    principal.require_any(MODERATION_READERS)?;
    let org = principal.org.clone();
    let (tender_id, lot_id) = path.into_inner();
    let sets = state
        .db
        .run(move |conn| {
            Ok(crate::service::lots::get(conn, &org, &tender_id, &lot_id)
                .and_then(|(_, lot)| marking::mark_sets(conn, &org, &lot.id)))
        })
        .await??;
    Ok(web::Json(Moderation {
        items: sets.iter().map(moderation_item).collect(),
    }))
}

/// The consensus mark agreed at moderation, with its rationale (commercial, admin).
#[utoipa::path(tag = "evaluation", operation_id = "put_moderated_mark", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path), ("criterion" = String, Path)), request_body = MarkInput,
    responses((status = 200, description = "Stored", body = MarkView), StateProblems, NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[put("/v1/tenders/{id}/lots/{lot}/bids/{bid}/moderated-marks/{criterion}")]
pub async fn put_moderated(
    principal: Principal,
    state: web::Data<AppState>,
    path: BidCriterionPath,
    body: Json<MarkInput>,
) -> Result<web::Json<MarkView>, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(MANAGERS)?);
    let (tender_id, lot_id, bid_id, criterion) = path.into_inner();
    let MarkInput { score, rationale } = body.0;
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                marking::put_moderated(
                    conn, &actor, &tender_id, &lot_id, &bid_id, &criterion, score, rationale,
                )
            }))
        })
        .await??;
    Ok(web::Json(MarkView {
        bid_id: row.bid_id,
        criterion_id: row.criterion_id,
        by: row.moderated_by,
        score: row.score,
        rationale: row.rationale,
        at: row.moderated_at.and_utc().to_rfc3339(),
    }))
}

/// Runs the engine on the lot's stored data and keeps the run, immutably. 422 lists every mark
/// that is missing or awaits moderation.
#[utoipa::path(tag = "evaluation", operation_id = "run_evaluation", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 201, description = "The stored run", body = EvaluationView), StateProblems, NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[post("/v1/tenders/{id}/lots/{lot}/evaluations")]
pub async fn run(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(WRITERS)?);
    let (tender_id, lot_id) = path.into_inner();
    let started = std::time::Instant::now();
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                evaluations::run(conn, &actor, &tender_id, &lot_id)
            }))
        })
        .await?;
    let label = if row.is_ok() { "scored" } else { "rejected" };
    state
        .metrics
        .observe_evaluation("stored", label, started.elapsed().as_secs_f64());
    let row = row?;
    let location = format!(
        "/v1/tenders/{}/lots/{}/evaluations/{}",
        row.tender_id, row.lot_id, row.id
    );
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(evaluation_view(&row)?))
}

/// The runs of a lot, oldest first.
#[utoipa::path(tag = "evaluation", operation_id = "list_evaluations", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The runs", body = [EvaluationView]), NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluations")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
) -> Result<web::Json<Vec<EvaluationView>>, ApiError> {
    principal.require_any(READERS)?;
    let org = principal.org.clone();
    let (tender_id, lot_id) = path.into_inner();
    let rows = state
        .db
        .run(move |conn| Ok(evaluations::list(conn, &org, &tender_id, &lot_id)))
        .await??;
    Ok(web::Json(
        rows.iter().map(evaluation_view).collect::<Result<_, _>>()?,
    ))
}

/// One run: JSON, or with `Accept: text/csv` one row per bid and criterion.
#[utoipa::path(tag = "evaluation", operation_id = "get_evaluation", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("run" = String, Path)),
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
    principal.require_any(READERS)?;
    let org = principal.org.clone();
    let (tender_id, lot_id, run_id) = path.into_inner();
    let row = state
        .db
        .run(move |conn| Ok(evaluations::get(conn, &org, &tender_id, &lot_id, &run_id)))
        .await??;
    let wants_csv = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if wants_csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(results_csv(&row)?));
    }
    Ok(HttpResponse::Ok().json(evaluation_view(&row)?))
}

/// Awards the lot on its newest evaluation run (commercial, admin): the lot becomes `awarded` and
/// the standstill end is recorded. 409 `evaluation_superseded` when a newer run exists,
/// `winner_undetermined` when the run names no single winner.
#[utoipa::path(tag = "evaluation", operation_id = "award_lot", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)), request_body = AwardInput,
    responses((status = 201, description = "Awarded", body = AwardView), StateProblems, NotFoundProblem, BodyProblems, AuthProblems, InternalProblem))]
#[post("/v1/tenders/{id}/lots/{lot}/award")]
pub async fn award(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    body: Json<AwardInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(MANAGERS)?);
    let (tender_id, lot_id) = path.into_inner();
    let AwardInput {
        evaluation_id,
        note,
    } = body.0;
    let row = state
        .db
        .run(move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| {
                evaluations::award(conn, &actor, &tender_id, &lot_id, &evaluation_id, note)
            }))
        })
        .await??;
    Ok(HttpResponse::Created().json(AwardView {
        lot_id: row.lot_id,
        evaluation_id: row.evaluation_id,
        winner_bid_id: row.winner_bid_id,
        note: row.note,
        decided_at: row.decided_at.and_utc().to_rfc3339(),
        standstill_ends: row.standstill_ends,
        awarded_by: row.awarded_by,
    }))
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
    principal.require_any(READERS)?;
    let HistoryParams { lot, bid, as_of } = params.into_inner();
    let moment = as_of
        .as_deref()
        .map(|text| {
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| t.naive_utc())
                .map_err(|_| ApiError::Validation {
                    errors: vec![super::tenders::field_error(
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
    let history = state
        .db
        .run(move |conn| {
            Ok(evaluations::history(
                conn,
                &org,
                &query_tender,
                lot.as_deref(),
                moment,
            ))
        })
        .await??;
    let items = history
        .iter()
        .map(|stored| {
            let result: StoredScores =
                serde_json::from_str(&stored.result).map_err(anyhow::Error::from)?;
            Ok(HistoryEntry {
                evaluation_id: stored.id.clone(),
                lot_id: stored.lot_id.clone(),
                created_at: stored.created_at.and_utc().to_rfc3339(),
                created_by: stored.created_by.clone(),
                engine_version: stored.engine_version.clone(),
                inputs_sha256: stored.inputs_sha256.clone(),
                winner: result.winner,
                scores: result
                    .results
                    .into_iter()
                    .filter(|s| bid.as_deref().is_none_or(|b| b == s.bid_id))
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

#[derive(Deserialize)]
struct StoredScores {
    winner: Option<String>,
    results: Vec<BidScore>,
}

fn evaluation_view(row: &EvaluationRow) -> Result<EvaluationView, ApiError> {
    Ok(EvaluationView {
        id: row.id.clone(),
        lot_id: row.lot_id.clone(),
        scheme_version: row.scheme_version,
        engine_version: row.engine_version.clone(),
        inputs_sha256: row.inputs_sha256.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at.and_utc().to_rfc3339(),
        result: serde_json::from_str(&row.result).map_err(anyhow::Error::from)?,
    })
}

/// The parts of a stored result the CSV needs.
#[derive(Deserialize)]
struct StoredResult {
    results: Vec<StoredBid>,
}

#[derive(Deserialize)]
struct StoredBid {
    bid_id: String,
    status: String,
    rank: Option<u32>,
    total: Option<String>,
    criteria: Vec<StoredCriterion>,
}

#[derive(Deserialize)]
struct StoredCriterion {
    criterion_id: String,
    #[serde(rename = "type")]
    kind: String,
    weight: String,
    fraction: Option<String>,
    points: Option<String>,
    points_display: Option<String>,
    explanation: String,
}

/// One row per bid and criterion, in the result's order.
fn results_csv(row: &EvaluationRow) -> Result<String, ApiError> {
    let result: StoredResult = serde_json::from_str(&row.result).map_err(anyhow::Error::from)?;
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
            writer
                .write_record([
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
                ])
                .map_err(anyhow::Error::from)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

fn moderation_item(set: &MarkSet) -> ModerationItem {
    let (status, consensus) = set.effective();
    ModerationItem {
        bid_id: set.bid_id.clone(),
        criterion_id: set.criterion_id.clone(),
        marks: set
            .marks
            .iter()
            .map(|m| MarkView {
                bid_id: m.bid_id.clone(),
                criterion_id: m.criterion_id.clone(),
                by: m.evaluator_sub.clone(),
                score: m.score.clone(),
                rationale: m.rationale.clone(),
                at: m.updated_at.and_utc().to_rfc3339(),
            })
            .collect(),
        spread: set.spread().normalize().to_string(),
        marks_discrepancy: set.discrepancy(),
        status: status.as_str(),
        consensus: consensus.map(|c| c.normalize().to_string()),
        moderated: set.moderated.as_ref().map(|m| MarkView {
            bid_id: m.bid_id.clone(),
            criterion_id: m.criterion_id.clone(),
            by: m.moderated_by.clone(),
            score: m.score.clone(),
            rationale: m.rationale.clone(),
            at: m.moderated_at.and_utc().to_rfc3339(),
        }),
    }
}
