//! Stateless scoring (api.md, "Stateless scoring"): validate a scheme, or score bids without
//! storing anything. Any authenticated role may call both.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::AppState;
use super::json::{self, Json};
use super::responses::{AuthProblems, BodyProblems, InternalProblem};
use crate::api::problem::{ApiError, FieldError, ProblemWarning};
use crate::auth::{Principal, Role};
use crate::catalogue;
use crate::scoring::{
    self, EvaluationResult, PreviewRequest, Rejection, ValidateRequest, ValidationReport,
};
use crate::work_memory::{Reserved, estimate};

/// Most bids one preview may score; the body limit of the route is sized for it.
pub const MAX_PREVIEW_BIDS: usize = 5_000;
/// Most scores (bids × criteria) one preview may compute: its response grows with their product,
/// about 300 bytes each, while its body grows only with their sum (5,000 bids on 100 criteria
/// would be a 150 MB answer to a 700 kB question).
pub const MAX_PREVIEW_SCORES: usize = 100_000;
/// Most scores of a preview scored on the async worker itself rather than the blocking pool.
const INLINE_SCORES: u64 = 256;
/// Body limit of the preview route: 5,000 bids with dozens of commitments each.
pub const PREVIEW_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Checks a scheme against every rule of the scoring specification that needs no bids: weights,
/// the social value minimum of the framework, scales, outcomes and measures. Always `200` with
/// `valid`, every error (with a JSON Pointer into this body) and every warning.
#[utoipa::path(
    tag = "scoring",
    security(("bearer" = [])),
    request_body(content = ValidateRequest, example = examples::validate_request),
    responses(
        (status = 200, description = "The verdict, with every error and warning", body = ValidationReport),
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/schemes/validate")]
pub async fn validate(
    principal: Principal,
    body: Json<ValidateRequest>,
) -> Result<web::Json<ValidationReport>, ApiError> {
    principal.require_any(Role::ALL)?;
    Ok(web::Json(scoring::validate(&body.0, catalogue::builtin())))
}

/// Scores bids under a scheme without storing anything: ranks, winner, points and a plain-language
/// explanation per criterion per bid, flags and warnings, with the engine version and the SHA-256
/// of the canonical inputs. Without `measures`, the built-in `socval-sample` measure set is used.
/// Up to 5,000 bids and 100,000 scores (bids × criteria) per request, else `422 too_many_bids`.
/// A request that breaks a rule is `422` listing every failure.
#[utoipa::path(
    tag = "scoring",
    security(("bearer" = [])),
    request_body(content = PreviewRequest, example = examples::preview_request),
    responses(
        (status = 200, description = "The evaluation result", body = EvaluationResult, example = examples::preview_result),
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/preview")]
pub async fn preview(
    principal: Principal,
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(Role::ALL)?;
    // Memory first: a body is only read once what it will take is reserved (by its declared
    // length; a body of unknown length is taken to be as large as the route allows).
    let declared = json::check_before_reading(&http, PREVIEW_BODY_LIMIT)?;
    let length = declared.unwrap_or(PREVIEW_BODY_LIMIT) as u64;
    let budget = &state.work_memory;
    let reservation = budget
        .reserve(estimate::preview_from_length(length))
        .await?;
    let (request, body): (PreviewRequest, _) =
        json::read_json(&http, payload.into_inner(), PREVIEW_BODY_LIMIT).await?;
    let length = body.len() as u64;
    drop(body);
    check_size(&request)?;
    let scores = (request.bids.len() * request.scheme.criteria.len()) as u64;
    let reservation = budget
        .resize(reservation, estimate::preview(length, scores))
        .await?;
    // Thousands of bids take milliseconds of CPU: scored (and serialised, since the result borrows
    // from the request) off the async worker, like blocking I/O.
    let started = Instant::now();
    let score = move || {
        scoring::preview(&request, catalogue::builtin()).map(|result| {
            // Sized for the result up front: growing a Vec of hundreds of KB by doubling copies it
            // again and again.
            let criteria = request.scheme.criteria.len();
            let mut body = Vec::with_capacity(1024 + request.bids.len() * (400 + 450 * criteria));
            serde_json::to_writer(&mut body, &result).map(|()| body)
        })
    };
    // A small preview is scored where it arrived: it takes tens of microseconds, less than
    // handing it to the blocking pool and back.
    let outcome = if scores <= INLINE_SCORES {
        score()
    } else {
        web::block(score)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("scoring task failed: {e}")))?
    };
    let label = if outcome.is_ok() {
        "scored"
    } else {
        "rejected"
    };
    state
        .metrics
        .observe_evaluation("preview", label, started.elapsed().as_secs_f64());
    let body = outcome.map_err(rejected)?.map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(Reserved::new(body, reservation)))
}

/// Refuses a preview too large to score in one request (422 `too_many_bids`).
fn check_size(request: &PreviewRequest) -> Result<(), ApiError> {
    let (bids, criteria) = (request.bids.len(), request.scheme.criteria.len());
    let message = if bids > MAX_PREVIEW_BIDS {
        format!("a preview scores at most {MAX_PREVIEW_BIDS} bids; this one has {bids}")
    } else if bids.saturating_mul(criteria) > MAX_PREVIEW_SCORES {
        format!(
            "a preview computes at most {MAX_PREVIEW_SCORES} scores (bids × criteria); \
             this one asks for {bids} × {criteria}"
        )
    } else {
        return Ok(());
    };
    Err(ApiError::Validation {
        errors: vec![FieldError {
            pointer: "/bids".into(),
            code: "too_many_bids".into(),
            message,
        }],
        warnings: Vec::new(),
    })
}

/// A rejection of the engine as a 422 problem listing every failure and warning.
pub fn rejected(rejection: Rejection) -> ApiError {
    ApiError::Validation {
        errors: rejection.errors.into_iter().map(FieldError::from).collect(),
        warnings: rejection
            .warnings
            .into_iter()
            .map(|warning| ProblemWarning {
                code: warning.code.as_str().into(),
                message: warning.message,
            })
            .collect(),
    }
}

/// Examples for the OpenAPI document: the worked example of scoring.md, kept as the golden test's
/// files so the documentation is exactly what the engine does.
mod examples {
    pub fn preview_request() -> serde_json::Value {
        parse(include_str!("../../tests/golden/worked_example.json"))
    }

    pub fn preview_result() -> serde_json::Value {
        parse(include_str!(
            "../../tests/golden/worked_example.result.json"
        ))
    }

    pub fn validate_request() -> serde_json::Value {
        let mut request = preview_request();
        if let Some(object) = request.as_object_mut() {
            object.retain(|key, _| key == "scheme" || key == "measures");
        }
        request
    }

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_default()
    }
}
