//! Evaluators and their marks (api.md, "Evaluators, marks, moderation"): assignment, declarations
//! of interest, each evaluator's own marks, the moderation view and consensus marks.

use actix_web::{HttpResponse, get, post, put, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::Json;
use super::pagination::{ArrayPage, ArrayPageParams};
use super::responses::{
    AuthProblems, InternalProblem, NotFoundProblem, StateProblems, WriteProblems,
};
use crate::api::problem::ApiError;
use crate::auth::{Principal, Role, policy};
use crate::service::bids::LotRef;
use crate::service::marking;
use crate::service::marking::{EvaluatorRow, MarkRow, MarkSet, ModeratedRow};

type LotPath = web::Path<(String, String)>;
type BidCriterionPath = web::Path<(String, String, String, String)>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignEvaluator {
    /// The evaluator's `sub` (as in its tokens).
    #[schema(example = "evaluator-jo")]
    #[serde(deserialize_with = "super::limits::bounded::<_, 200>")]
    #[schema(max_length = 200)]
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
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub bid_id: Option<String>,
    #[serde(deserialize_with = "super::limits::bounded::<_, 20000>")]
    #[schema(max_length = 20000)]
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
    #[serde(deserialize_with = "super::limits::bounded::<_, 20000>")]
    #[schema(max_length = 20000)]
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

/// Assigns an evaluator to a lot (commercial or admin). Honours `Idempotency-Key`.
#[utoipa::path(tag = "evaluation", operation_id = "assign_evaluator", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = AssignEvaluator,
    responses((status = 201, description = "Assigned", body = EvaluatorView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/evaluators")]
pub async fn assign(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    key: IdempotencyKey,
    body: Json<AssignEvaluator>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::DECIDE)?;
    let key = key.for_request(&actor.org, &body.1);
    let lot = LotRef::from(path.into_inner());
    let sub = body.0.sub;
    if sub.trim().is_empty() {
        super::problem::refuse(vec![super::problem::field_error(
            "/sub",
            "required",
            "the evaluator's sub",
        )])?;
    }
    let outcome = marking::assign(&state.db, actor, lot, sub, key, |row| {
        record(201, None, &evaluator_view(row))
    })
    .await?;
    Ok(respond(outcome))
}

/// The evaluators of a lot.
#[utoipa::path(tag = "evaluation", operation_id = "list_evaluators", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ArrayPageParams),
    responses((status = 200, description = "The evaluators, by `sub`", body = [EvaluatorView], headers(("Link" = String, description = "`<…>; rel=\"next\"` when `limit` left some out"))), super::responses::QueryProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluators")]
pub async fn list_evaluators(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    page: ArrayPage,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let rows =
        marking::evaluators(&state.db, principal.org, LotRef::from(path.into_inner())).await?;
    page.respond(rows, |e| e.sub.clone(), |e| Ok(evaluator_view(&e)))
}

/// An assigned evaluator declares its conflicts of interest (or none) before marking. Honours
/// `Idempotency-Key`.
#[utoipa::path(tag = "evaluation", operation_id = "declare_conflicts", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = Declaration,
    responses((status = 201, description = "Recorded", body = DeclarationView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/conflict-declarations")]
pub async fn declare(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    key: IdempotencyKey,
    body: Json<Declaration>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::MARK)?;
    let key = key.for_request(&actor.org, &body.1);
    let Declaration {
        conflict,
        bid_id,
        details,
    } = body.0;
    let declaration = marking::Declaration {
        conflict,
        bid_id,
        details,
    };
    let lot = LotRef::from(path.into_inner());
    let outcome = marking::declare(&state.db, actor, lot, declaration, key, |row| {
        let view = DeclarationView {
            id: row.id.clone(),
            evaluator: row.evaluator_sub.clone(),
            conflict: row.conflict,
            bid_id: row.bid_id.as_ref().map(ToString::to_string),
            details: row.details.clone(),
            declared_at: row.declared_at.and_utc().to_rfc3339(),
        };
        record(201, None, &view)
    })
    .await?;
    Ok(respond(outcome))
}

/// An evaluator's own mark and rationale for one bid and criterion (while the lot is `evaluating`).
/// 403 `conflict_declaration_required` before a declaration, `conflict_of_interest` for a declared
/// conflict, `not_assigned` for others.
#[utoipa::path(tag = "evaluation", operation_id = "put_mark", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path), ("criterion" = String, Path)), request_body = MarkInput,
    responses((status = 200, description = "Stored", body = MarkView), WriteProblems))]
#[put("/v1/tenders/{id}/lots/{lot}/bids/{bid}/marks/{criterion}")]
pub async fn put_mark(
    principal: Principal,
    state: web::Data<AppState>,
    path: BidCriterionPath,
    body: Json<MarkInput>,
) -> Result<web::Json<MarkView>, ApiError> {
    let actor = state.actor(&principal, policy::MARK)?;
    let target = mark_target(path.into_inner());
    let row = marking::put_mark(&state.db, actor, target, body.0.into()).await?;
    Ok(web::Json(mark_view(&row)))
}

/// Marks of the lot: an evaluator gets its own only; commercial, auditors and admins get all.
#[utoipa::path(tag = "evaluation", operation_id = "list_marks", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ArrayPageParams),
    responses((status = 200, description = "The marks, by bid, criterion and evaluator", body = [MarkView], headers(("Link" = String, description = "`<…>; rel=\"next\"` when `limit` left some out"))), super::responses::QueryProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/marks")]
pub async fn list_marks(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    page: ArrayPage,
) -> Result<HttpResponse, ApiError> {
    // An evaluator role wins: someone who both marks and moderates sees, here, what it marked.
    let role = principal.require_any(policy::READ_MARKS)?;
    let role = if principal.roles.contains(&Role::Evaluator) {
        Role::Evaluator
    } else {
        role
    };
    let actor = state.actor_as(&principal, role);
    let rows = marking::marks(&state.db, actor, LotRef::from(path.into_inner())).await?;
    let key = |m: &MarkRow| format!("{}\0{}\0{}", m.bid_id, m.criterion_id, m.evaluator_sub);
    page.respond(rows, key, |m| Ok(mark_view(&m)))
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
    principal.require_any(policy::READ_MODERATION)?;
    let sets =
        marking::moderation(&state.db, principal.org, LotRef::from(path.into_inner())).await?;
    Ok(web::Json(Moderation {
        items: sets.iter().map(moderation_item).collect(),
    }))
}

/// The consensus mark agreed at moderation, with its rationale (commercial, admin).
#[utoipa::path(tag = "evaluation", operation_id = "put_moderated_mark", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path), ("criterion" = String, Path)), request_body = MarkInput,
    responses((status = 200, description = "Stored", body = MarkView), WriteProblems))]
#[put("/v1/tenders/{id}/lots/{lot}/bids/{bid}/moderated-marks/{criterion}")]
pub async fn put_moderated(
    principal: Principal,
    state: web::Data<AppState>,
    path: BidCriterionPath,
    body: Json<MarkInput>,
) -> Result<web::Json<MarkView>, ApiError> {
    let actor = state.actor(&principal, policy::DECIDE)?;
    let target = mark_target(path.into_inner());
    let row = marking::put_moderated(&state.db, actor, target, body.0.into()).await?;
    Ok(web::Json(moderated_view(&row)))
}

fn moderation_item(set: &MarkSet) -> ModerationItem {
    let (status, consensus) = set.effective();
    ModerationItem {
        bid_id: set.bid_id.to_string(),
        criterion_id: set.criterion_id.clone(),
        marks: set.marks.iter().map(mark_view).collect(),
        spread: set.spread().normalize().to_string(),
        marks_discrepancy: set.discrepancy(),
        status: status.as_str(),
        consensus: consensus.map(|c| c.normalize().to_string()),
        moderated: set.moderated.as_ref().map(moderated_view),
    }
}

fn evaluator_view(row: &EvaluatorRow) -> EvaluatorView {
    EvaluatorView {
        sub: row.sub.clone(),
        assigned_by: row.assigned_by.clone(),
        assigned_at: row.assigned_at.and_utc().to_rfc3339(),
    }
}

impl From<MarkInput> for marking::Mark {
    fn from(MarkInput { score, rationale }: MarkInput) -> Self {
        marking::Mark { score, rationale }
    }
}

fn mark_target(
    (tender_id, lot_id, bid_id, criterion_id): (String, String, String, String),
) -> marking::MarkTarget {
    marking::MarkTarget {
        tender_id,
        lot_id,
        bid_id,
        criterion_id,
    }
}

pub fn mark_view(m: &MarkRow) -> MarkView {
    MarkView {
        bid_id: m.bid_id.to_string(),
        criterion_id: m.criterion_id.clone(),
        by: m.evaluator_sub.clone(),
        score: m.score.clone(),
        rationale: m.rationale.clone(),
        at: m.updated_at.and_utc().to_rfc3339(),
    }
}

fn moderated_view(m: &ModeratedRow) -> MarkView {
    MarkView {
        bid_id: m.bid_id.to_string(),
        criterion_id: m.criterion_id.clone(),
        by: m.moderated_by.clone(),
        score: m.score.clone(),
        rationale: m.rationale.clone(),
        at: m.moderated_at.and_utc().to_rfc3339(),
    }
}
