//! Social Value Models (api.md, "Frameworks, measures, mapping"): the built-in PPN 06/20 and
//! PPN 002 hierarchies with their weighting rules, and the crosswalk from an outcome to the
//! measures that serve it.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::measure_sets::{
    MeasureSetSummary, MeasureView, builtin_measure, builtin_summary, imported_measure,
    imported_summary,
};
use super::pagination::Page;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, Role};
use crate::catalogue::{self, Framework, SAMPLE_MEASURE_SET};
use crate::service::measure_sets as service;

/// A framework in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkSummary {
    #[schema(example = "PPN002")]
    pub code: String,
    pub name: String,
    pub edition: String,
    /// The procurement law it belongs to.
    pub legal_regime: String,
    pub source: String,
    pub licence: String,
    pub outcome_count: usize,
}

/// Lists the Social Value Models socval holds.
#[utoipa::path(
    operation_id = "list_frameworks",
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The frameworks (a single page)", body = Page<FrameworkSummary>),
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/frameworks")]
pub async fn list(principal: Principal) -> Result<web::Json<Page<FrameworkSummary>>, ApiError> {
    principal.require_any(Role::ALL)?;
    let items = catalogue::builtin()
        .frameworks()
        .iter()
        .map(|f| FrameworkSummary {
            code: f.code.clone(),
            name: f.name.clone(),
            edition: f.edition.clone(),
            legal_regime: f.legal_regime.clone(),
            source: f.source.clone(),
            licence: f.licence.name.clone(),
            outcome_count: f.outcomes.len(),
        })
        .collect();
    Ok(web::Json(Page {
        items,
        next_cursor: None,
    }))
}

/// A framework's whole hierarchy — themes or missions, policy outcomes, award criteria — with
/// whether each wording is confirmed by a primary source, its weighting rules, source and licence.
#[utoipa::path(
    operation_id = "get_framework",
    tag = "catalogue",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "`PPN06-20` or `PPN002`")),
    responses(
        (status = 200, description = "The framework", body = Framework),
        AuthProblems,
        NotFoundProblem,
        InternalProblem
    )
)]
#[get("/v1/frameworks/{code}")]
pub async fn get(
    principal: Principal,
    code: web::Path<String>,
) -> Result<web::Json<Framework>, ApiError> {
    principal.require_any(Role::ALL)?;
    catalogue::builtin()
        .framework(&code)
        .cloned()
        .map(web::Json)
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrosswalkParams {
    /// The measure set to search (default `socval-sample`).
    pub measure_set: Option<String>,
}

/// The measures of a set that serve an outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeMeasures {
    /// The full outcome code.
    #[schema(example = "PPN06-20:MAC2.2")]
    pub outcome: String,
    pub measure_set: MeasureSetSummary,
    pub items: Vec<MeasureView>,
}

/// Crosswalk: the measures of a measure set that count towards an outcome or award criterion of
/// this framework (a measure mapped to an award criterion also serves its policy outcome).
#[utoipa::path(
    operation_id = "list_outcome_measures",
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Framework code"),
        ("outcome" = String, Path, description = "Outcome or award criterion, with or without the framework prefix: `MAC2.2` or `PPN06-20:MAC2.2`"),
        CrosswalkParams
    ),
    responses(
        (status = 200, description = "The measures serving the outcome", body = OutcomeMeasures),
        AuthProblems,
        NotFoundProblem,
        InternalProblem
    )
)]
#[get("/v1/frameworks/{code}/outcomes/{outcome}/measures")]
pub async fn outcome_measures(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    params: web::Query<CrosswalkParams>,
) -> Result<web::Json<OutcomeMeasures>, ApiError> {
    principal.require_any(Role::ALL)?;
    let (code, outcome) = path.into_inner();
    let builtin = catalogue::builtin();
    let framework = builtin.framework(&code).ok_or(ApiError::NotFound)?;
    let outcome = if outcome.contains(':') {
        outcome
    } else {
        format!("{}:{outcome}", framework.code)
    };
    if builtin.framework_of_outcome(&outcome).map(|f| &f.code) != Some(&framework.code) {
        return Err(ApiError::NotFound);
    }
    let set_id = params
        .into_inner()
        .measure_set
        .unwrap_or_else(|| SAMPLE_MEASURE_SET.to_string());

    if let Some(set) = builtin.measure_set(&set_id) {
        let items = set
            .measures
            .iter()
            .filter(|m| m.outcomes.iter().any(|o| builtin.covers(&outcome, o)))
            .map(builtin_measure)
            .collect();
        return Ok(web::Json(OutcomeMeasures {
            outcome,
            measure_set: builtin_summary(set),
            items,
        }));
    }
    let (set, rows) = service::with_measures(&state.db, set_id).await?;
    let visible = service::values_visible(&set, &principal.org);
    let items = rows
        .iter()
        .filter(|m| m.outcome_codes().any(|o| builtin.covers(&outcome, o)))
        .map(|m| imported_measure(m, visible))
        .collect();
    Ok(web::Json(OutcomeMeasures {
        outcome,
        measure_set: imported_summary(&set, &principal),
        items,
    }))
}
