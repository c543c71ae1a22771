//! `POST /v1/mapping/suggest`: free-text commitment → ranked measures, with the words that matched.

use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::json::Json;
use super::problem::{field_error, refuse};
use super::responses::{AuthProblems, BodyProblems, InternalProblem, NotFoundProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, Role};
use crate::catalogue::suggest::Suggestion;
use crate::catalogue::{self, SAMPLE_MEASURE_SET};
use crate::service::mapping;

const MAX_TEXT: usize = 2_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestRequest {
    /// What the supplier wrote.
    #[schema(example = "We will recruit 12 apprentices from the local area over the contract")]
    pub text: String,
    /// Only measures serving this framework's outcomes (e.g. `PPN002`).
    pub framework: Option<String>,
    /// Measure set to search (default `socval-sample`).
    pub measure_set: Option<String>,
    /// How many suggestions, 1 to 20 (default 5).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    pub measure_set: String,
    /// Best first; empty when nothing in the text relates to any measure.
    pub items: Vec<Suggestion>,
}

/// Suggests measures for a free-text commitment, ranked by BM25 relevance over each measure's
/// name, description and curated synonyms (stemmed), with the words of the text that matched.
/// A person confirms the mapping; suggestions never change a score.
#[utoipa::path(
    tag = "catalogue",
    operation_id = "suggest_mapping",
    security(("bearer" = [])),
    request_body = SuggestRequest,
    responses(
        (status = 200, description = "Ranked suggestions", body = SuggestResponse),
        NotFoundProblem,
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/mapping/suggest")]
pub async fn suggest(
    principal: Principal,
    state: web::Data<AppState>,
    body: Json<SuggestRequest>,
) -> Result<web::Json<SuggestResponse>, ApiError> {
    principal.require_any(Role::ALL)?;
    let request = body.0;
    let mut errors = Vec::new();
    if request.text.trim().is_empty() || request.text.chars().count() > MAX_TEXT {
        errors.push(field_error(
            "/text",
            "invalid_text",
            "between 1 and 2,000 characters",
        ));
    }
    if let Some(framework) = &request.framework
        && catalogue::builtin().framework(framework).is_none()
    {
        errors.push(field_error(
            "/framework",
            "unknown_framework",
            "not a framework socval holds",
        ));
    }
    let limit = request.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        errors.push(field_error("/limit", "invalid_limit", "between 1 and 20"));
    }
    refuse(errors)?;
    let set_id = request
        .measure_set
        .unwrap_or_else(|| SAMPLE_MEASURE_SET.into());
    let index = state.suggesters.index(&state.db, set_id.clone()).await?;
    let items = mapping::suggest(
        &index,
        &request.text,
        request.framework.as_deref(),
        limit as usize,
    );
    Ok(web::Json(SuggestResponse {
        measure_set: set_id,
        items,
    }))
}
