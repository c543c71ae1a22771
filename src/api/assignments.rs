//! An evaluator's own view (api.md, "Evaluators, marks, moderation"): their assignments, and the
//! bids of a lot they may mark, without prices.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::bids::{CommitmentView, commitment_view};
use super::marking::{MarkView, mark_view};
use super::problem::ApiError;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem};
use crate::auth::{Principal, policy};
use crate::service::assignments;
use crate::service::bids::LotRef;

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub tender_id: String,
    pub tender_title: String,
    pub lot_id: String,
    pub lot_title: String,
    /// The lot's status: marks are given while it is `evaluating`.
    #[schema(example = "evaluating")]
    pub lot_status: String,
    pub assigned_at: String,
    /// Whether you have declared your conflicts of interest (or none): until then you see only
    /// this assignment.
    pub declared: bool,
    /// Whether you declared a conflict with the whole lot: then nothing of it is yours to see.
    pub conflict: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Assignments {
    pub items: Vec<AssignmentView>,
}

/// A bid as its evaluator sees it: the supplier and its commitments, never the price, and the marks
/// you gave it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidToMarkView {
    pub id: String,
    #[schema(value_type = Object)]
    pub supplier: serde_json::Value,
    pub commitments: Vec<CommitmentView>,
    pub marks: Vec<MarkView>,
}

/// The lots you are assigned to evaluate (role `evaluator`).
#[utoipa::path(tag = "evaluation", operation_id = "my_assignments", security(("bearer" = [])),
    responses((status = 200, description = "Your assignments", body = Assignments), AuthProblems, InternalProblem))]
#[get("/v1/me/assignments")]
pub async fn mine(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<web::Json<Assignments>, ApiError> {
    let actor = state.actor(&principal, policy::MARK)?;
    let items = assignments::mine(&state.db, actor)
        .await?
        .into_iter()
        .map(|a| AssignmentView {
            tender_id: a.tender.id.to_string(),
            tender_title: a.tender.title,
            lot_id: a.lot.id.to_string(),
            lot_title: a.lot.title,
            lot_status: a.lot.status.to_string(),
            assigned_at: a.evaluator.assigned_at.and_utc().to_rfc3339(),
            declared: a.declared,
            conflict: a.conflicted,
        })
        .collect();
    Ok(web::Json(Assignments { items }))
}

/// The bids of a lot you evaluate, once you have declared no conflict with it: each still in and
/// not one you declared a conflict with, without its price, with the marks you gave (role
/// `evaluator`; 403 `conflict_declaration_required` before the declaration).
#[utoipa::path(tag = "evaluation", operation_id = "bids_to_mark", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The bids to mark", body = [BidToMarkView]), NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/bids-to-mark")]
pub async fn bids_to_mark(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Vec<BidToMarkView>>, ApiError> {
    let actor = state.actor(&principal, policy::MARK)?;
    let bids = assignments::bids_to_mark(&state.db, actor, LotRef::from(path.into_inner())).await?;
    let views = bids
        .into_iter()
        .map(|b| {
            let supplier = b
                .bid
                .supplier()
                .map_err(crate::service::ServiceError::from)?;
            Ok(BidToMarkView {
                id: b.bid.id.to_string(),
                supplier: serde_json::json!({"name": supplier.name, "id": supplier.id}),
                commitments: b.commitments.iter().map(commitment_view).collect(),
                marks: b.marks.iter().map(mark_view).collect(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(web::Json(views))
}
