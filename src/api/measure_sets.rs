//! Measure sets (api.md, "Frameworks, measures, mapping"): the built-in illustrative set and
//! imported, versioned, immutable sets. Proxy values of a set that may not be redistributed are
//! shown to the importing org only (`proxy_value: null` for everyone else).

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json;
use super::pagination::{Page, PageParams, cursor_after};
use super::responses::{
    AuthProblems, BodyProblems, InternalProblem, NotFoundProblem, QueryProblems,
};
use crate::api::problem::ApiError;
use crate::auth::{Principal, Role, policy};
use crate::catalogue::import::{self, ImportMetadata, MeasureSetJson};
use crate::catalogue::{self, SetMeasure};
use crate::service::measure_sets as service;
use crate::service::measure_sets::{MeasureRow, MeasureSetRow};

/// Body limit of an import: 10,000 measures as CSV or JSON fit with room to spare.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A measure set, without its measures.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureSetSummary {
    /// `socval-sample` for the built-in set, a UUID for imported ones.
    #[schema(example = "0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10")]
    pub id: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub source: String,
    /// First day the proxy values apply.
    #[schema(example = "2026-04-01")]
    pub valid_from: String,
    /// Whether every org may see the proxy values.
    pub redistributable: bool,
    /// Whether the caller sees the proxy values (its org imported the set, or it is redistributable).
    pub values_visible: bool,
    /// Compiled into socval rather than imported.
    pub builtin: bool,
    pub measure_count: i64,
    /// When it was imported (RFC 3339); `null` for built-in sets.
    pub created_at: Option<String>,
}

/// One measure; `proxy_value` is `null` when the caller may not see the set's values.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureView {
    #[schema(example = "NT1")]
    pub code: String,
    pub name: String,
    #[schema(example = "no. people FTE")]
    pub unit: String,
    #[schema(example = "31000")]
    pub proxy_value: Option<String>,
    #[schema(example = "0.1")]
    pub deadweight: String,
    #[schema(example = "0")]
    pub attribution: String,
    #[schema(example = "0")]
    pub displacement: String,
    /// Crosswalk: the framework outcome codes this measure serves.
    #[schema(example = json!(["PPN06-20:MAC2.2", "PPN002:1a"]))]
    pub outcomes: Vec<String>,
    pub description: String,
}

/// A set and one page of its measures.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureSetPage {
    pub measure_set: MeasureSetSummary,
    pub items: Vec<MeasureView>,
    /// Pass as `cursor` for the next page of measures; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Lists measure sets: the built-in illustrative set first, then imported sets oldest first.
#[utoipa::path(
    operation_id = "list_measure_sets",
    tag = "catalogue",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of measure sets", body = Page<MeasureSetSummary>),
        QueryProblems, AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/measure-sets")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
) -> Result<web::Json<Page<MeasureSetSummary>>, ApiError> {
    principal.require_any(Role::ALL)?;
    let limit = params.limit()?;
    let after = params.after()?;
    let mut items: Vec<MeasureSetSummary> = Vec::new();
    if after.is_none() {
        items.extend(
            catalogue::builtin()
                .measure_sets()
                .iter()
                .map(builtin_summary),
        );
    }
    let remaining = i64::from(limit).saturating_sub(items.len() as i64).max(1);
    let rows = service::list(&state.db, after, remaining + 1).await?;
    let more = rows.len() as i64 > remaining;
    items.extend(
        rows.iter()
            .take(remaining as usize)
            .map(|row| imported_summary(row, &principal)),
    );
    let next_cursor = more
        .then(|| {
            rows.get(remaining as usize - 1)
                .map(|r| cursor_after(&r.id))
        })
        .flatten();
    Ok(web::Json(Page { items, next_cursor }))
}

/// A measure set and a page of its measures, in their listed order.
#[utoipa::path(
    operation_id = "get_measure_set",
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "`socval-sample` or an imported set's id"), PageParams),
    responses(
        (status = 200, description = "The set and a page of measures", body = MeasureSetPage),
        QueryProblems, AuthProblems,
        NotFoundProblem,
        InternalProblem
    )
)]
#[get("/v1/measure-sets/{id}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<web::Json<MeasureSetPage>, ApiError> {
    principal.require_any(Role::ALL)?;
    let limit = params.limit()? as usize;
    let after = params.after_number()?;
    let id = id.into_inner();
    if let Some(set) = catalogue::builtin().measure_set(&id) {
        let start = after.map_or(0, |a| a as usize + 1);
        let page: Vec<&SetMeasure> = set.measures.iter().skip(start).take(limit + 1).collect();
        let next_cursor =
            (page.len() > limit).then(|| cursor_after(&(start + limit - 1).to_string()));
        return Ok(web::Json(MeasureSetPage {
            measure_set: builtin_summary(set),
            items: page.into_iter().take(limit).map(builtin_measure).collect(),
            next_cursor,
        }));
    }
    let after = after.and_then(|a| i32::try_from(a).ok());
    let (set, rows) = service::page(&state.db, id, after, limit as i64 + 1).await?;
    let visible = service::values_visible(&set, &principal.org);
    let next_cursor = (rows.len() > limit)
        .then(|| {
            rows.get(limit - 1)
                .map(|r| cursor_after(&r.position.to_string()))
        })
        .flatten();
    Ok(web::Json(MeasureSetPage {
        measure_set: imported_summary(&set, &principal),
        items: rows
            .iter()
            .take(limit)
            .map(|r| imported_measure(r, visible))
            .collect(),
        next_cursor,
    }))
}

/// Imports a measure set as a new immutable version (role `admin`). The body is JSON, or CSV
/// (`text/csv`, columns `code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description`,
/// outcomes `;`-separated, headers in any case and order) with the metadata as query parameters.
/// A bad file is refused whole with every bad row and column listed; nothing is stored. Honours
/// `Idempotency-Key`.
#[utoipa::path(
    operation_id = "import_measure_set",
    tag = "catalogue",
    security(("bearer" = [])),
    params(ImportMetadata, ("Idempotency-Key" = Option<String>, Header)),
    request_body(content(
        (MeasureSetJson = "application/json"),
        (String = "text/csv", example = json!(include_str!("../../docs/samples/measure-set.csv")))
    )),
    responses(
        (status = 201, description = "The set was stored", body = MeasureSetSummary),
        (status = 409, description = "A set with this name and version exists (`measure_set_exists`)", body = crate::api::problem::Problem, content_type = "application/problem+json"),
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/measure-sets")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::MANAGE_CATALOGUE)?;
    let body = json::read_body(&request, payload.into_inner(), IMPORT_BODY_LIMIT).await?;
    let key = key.for_request(&principal.org, &body);
    let checked = match request.content_type().to_ascii_lowercase().as_str() {
        "text/csv" => {
            let metadata = web::Query::<ImportMetadata>::from_query(request.query_string())
                .map_err(|e| ApiError::invalid_body(String::new(), e.to_string()))?
                .into_inner();
            import::from_csv(metadata, &body, catalogue::builtin())
        }
        "application/json" => {
            import::from_json(json::parse::<MeasureSetJson>(&body)?, catalogue::builtin())
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json or text/csv",
            });
        }
    };
    let checked = checked.map_err(|errors| ApiError::Validation {
        errors: errors.into_iter().map(Into::into).collect(),
        warnings: Vec::new(),
    })?;
    let importer = state.actor_as(&principal, Role::Admin);
    let outcome = service::import(&state.db, importer, checked, key, move |set| {
        let location = format!("/v1/measure-sets/{}", set.id);
        record(201, Some(location), &imported_summary(set, &principal))
    })
    .await?;
    Ok(respond(outcome))
}

pub fn builtin_summary(set: &catalogue::MeasureSet) -> MeasureSetSummary {
    MeasureSetSummary {
        id: set.code.clone(),
        name: set.name.clone(),
        version: set.version.clone(),
        licence: set.licence.name.clone(),
        source: set.source.clone(),
        valid_from: set.valid_from.clone(),
        redistributable: true,
        values_visible: true,
        builtin: true,
        measure_count: set.measures.len() as i64,
        created_at: None,
    }
}

pub fn imported_summary(set: &MeasureSetRow, principal: &Principal) -> MeasureSetSummary {
    MeasureSetSummary {
        id: set.id.to_string(),
        name: set.name.clone(),
        version: set.version.clone(),
        licence: set.licence.clone(),
        source: set.source.clone(),
        valid_from: set.valid_from.clone(),
        redistributable: set.redistributable,
        values_visible: service::values_visible(set, &principal.org),
        builtin: false,
        measure_count: set.measure_count.into(),
        created_at: Some(set.created_at.and_utc().to_rfc3339()),
    }
}

pub fn builtin_measure(m: &SetMeasure) -> MeasureView {
    MeasureView {
        code: m.code.clone(),
        name: m.name.clone(),
        unit: m.unit.clone(),
        proxy_value: Some(m.proxy_value.normalize().to_string()),
        deadweight: m.deadweight.normalize().to_string(),
        attribution: m.attribution.normalize().to_string(),
        displacement: m.displacement.normalize().to_string(),
        outcomes: m.outcomes.clone(),
        description: m.description.clone(),
    }
}

pub fn imported_measure(m: &MeasureRow, values_visible: bool) -> MeasureView {
    MeasureView {
        code: m.code.clone(),
        name: m.name.clone(),
        unit: m.unit.clone(),
        proxy_value: values_visible.then(|| m.proxy_value.clone()),
        deadweight: m.deadweight.clone(),
        attribution: m.attribution.clone(),
        displacement: m.displacement.clone(),
        outcomes: m.outcome_codes().map(str::to_string).collect(),
        description: m.description.clone(),
    }
}
