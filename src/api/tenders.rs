//! Tenders (api.md, "Tenders, lots, schemes, bids"): create (idempotent), read, list and update
//! under `If-Match`; the request and response shapes of tenders and their lots.

use actix_web::{HttpResponse, get, patch, post, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::Json;
use super::pagination::{Page, PageParams, cursor_after};
use super::preconditions::{IfMatch, with_etag};
use super::responses::{
    AuthProblems, BodyProblems, ConditionalWriteProblems, InternalProblem, NotFoundProblem,
    QueryProblems, StateProblems,
};
use super::tender_input::{parse_new_tender, parse_patch};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::scoring::AuthorityType;
use crate::service::lots::{LotStatus, Transition};
use crate::service::tenders;
use crate::service::tenders::{LotRow, TenderQuery, TenderRow};

pub use crate::catalogue::standstill::Regime as ProcurementRegime;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTender {
    /// Your own id, unique in your org; look tenders up by it.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    /// Open Contracting id, e.g. `ocds-h6vhtk-04a1b2`.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub ocid: Option<String>,
    #[serde(deserialize_with = "super::limits::bounded::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub title: String,
    /// The contracting authority.
    #[serde(deserialize_with = "super::limits::bounded::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub buyer: String,
    pub authority_type: AuthorityType,
    pub procurement_regime: ProcurementRegime,
    /// Social Value Model; by default `PPN002` under the Procurement Act 2023, else `PPN06-20`.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub framework: Option<String>,
    /// Pinned measure set id (default `socval-sample`).
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub measure_set: Option<String>,
    /// ISO 4217 code of every price (default `GBP`).
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub currency: Option<String>,
    /// Estimated value (string or number).
    #[serde(default, with = "crate::scoring::decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "1200000")]
    pub value: Option<Decimal>,
    /// At least one lot.
    pub lots: Vec<CreateLot>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLot {
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    #[serde(deserialize_with = "super::limits::bounded::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub title: String,
    #[serde(default, with = "crate::scoring::decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "400000")]
    pub value: Option<Decimal>,
}

/// Fields to change; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTender {
    #[serde(default, deserialize_with = "super::limits::present::<_, 200>")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::limits::present::<_, 200>")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub ocid: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub buyer: Option<String>,
    #[serde(default, deserialize_with = "super::tender_input::present_decimal")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>)]
    pub value: Option<Option<Decimal>>,
    pub authority_type: Option<AuthorityType>,
    pub procurement_regime: Option<ProcurementRegime>,
    /// The measure set to pin, by id.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub measure_set: Option<String>,
    /// The Social Value Model, e.g. `PPN002`.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub framework: Option<String>,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenderView {
    pub id: String,
    pub external_id: Option<String>,
    pub ocid: Option<String>,
    pub title: String,
    pub buyer: String,
    #[schema(example = "central_government")]
    pub authority_type: String,
    #[schema(example = "procurement_act_2023")]
    pub procurement_regime: String,
    #[schema(example = "PPN002")]
    pub framework: String,
    #[schema(example = "socval-sample")]
    pub measure_set: String,
    #[schema(example = "GBP")]
    pub currency: String,
    pub value: Option<String>,
    /// Also sent as the `ETag`; send it back in `If-Match` when updating.
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub lots: Vec<LotView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LotView {
    pub id: String,
    pub tender_id: String,
    pub external_id: Option<String>,
    pub title: String,
    pub value: Option<String>,
    /// `draft`, `open`, `evaluating`, `awarded` or `cancelled`.
    #[schema(example = "draft")]
    pub status: String,
    /// The moves possible now (`open`, `close`, `cancel`).
    pub allowed_transitions: Vec<&'static str>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenderFilters {
    /// Only tenders with a lot in this status: `draft`, `open`, `evaluating`, `awarded` or
    /// `cancelled` (422 `invalid_query` for any other).
    pub status: Option<String>,
    /// Only the tender with this `external_id`.
    pub external_id: Option<String>,
}

/// Creates a tender with its lots (all in `draft`). Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "tenders",
    operation_id = "create_tender",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key: the same key and body replay the first response")),
    request_body = CreateTender,
    responses(
        (status = 201, description = "Created", body = TenderView, headers(("Location" = String, description = "The tender's URL"))),
        StateProblems,
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/tenders")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: Json<CreateTender>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let key = key.for_request(&actor.org, &body.1);
    let tender = parse_new_tender(body.0)?;
    let outcome = tenders::create(&state.db, actor, tender, key, |(tender, lots)| {
        record(
            201,
            Some(format!("/v1/tenders/{}", tender.id)),
            &tender_view(tender, lots),
        )
    })
    .await?;
    Ok(respond(outcome))
}

/// Lists the caller's org's tenders, oldest first.
#[utoipa::path(
    tag = "tenders",
    operation_id = "list_tenders",
    security(("bearer" = [])),
    params(TenderFilters, PageParams),
    responses((status = 200, description = "A page of tenders", body = Page<TenderView>), QueryProblems, AuthProblems, InternalProblem)
)]
#[get("/v1/tenders")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    filters: web::Query<TenderFilters>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<TenderView>>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let limit = i64::from(page.limit()?);
    let after = page.after()?;
    let filters = filters.into_inner();
    let query = TenderQuery {
        status: filters.status.as_deref().map(parse_status).transpose()?,
        external_id: filters.external_id,
        after_id: after,
        limit: limit + 1,
    };
    let rows = tenders::list(&state.db, principal.org, query).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<TenderView> = rows
        .iter()
        .take(limit as usize)
        .map(|(t, l)| tender_view(t, l))
        .collect();
    let next_cursor = more
        .then(|| items.last().map(|t| cursor_after(&t.id)))
        .flatten();
    Ok(web::Json(Page { items, next_cursor }))
}

/// A tender with its lots; the `ETag` is its version.
#[utoipa::path(
    tag = "tenders",
    operation_id = "get_tender",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The tender", body = TenderView, headers(("ETag" = String))),
        AuthProblems,
        NotFoundProblem,
        InternalProblem
    )
)]
#[get("/v1/tenders/{id}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let (tender, lots) = tenders::get(&state.db, principal.org, id.into_inner()).await?;
    Ok(with_etag(tender.version, &tender_view(&tender, &lots)))
}

/// Updates a tender. With `If-Match`, the change applies only to that version (412 otherwise,
/// nothing changed). Framework, measure set, currency, authority type and regime are fixed once a
/// lot has left `draft` (409 `tender_pinned`).
#[utoipa::path(tag = "tenders", operation_id = "update_tender", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag you read")), request_body = UpdateTender,
    responses((status = 200, description = "Updated", body = TenderView, headers(("ETag" = String))), ConditionalWriteProblems))]
#[patch("/v1/tenders/{id}")]
pub async fn update(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<UpdateTender>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let patch = parse_patch(body.0)?;
    let (tender, lots) =
        tenders::update(&state.db, actor, id.into_inner(), patch, if_match.0).await?;
    Ok(with_etag(tender.version, &tender_view(&tender, &lots)))
}

/// A `status` filter: one of the lot statuses (422 otherwise, rather than an empty page).
fn parse_status(text: &str) -> Result<LotStatus, ApiError> {
    text.parse().map_err(|_| {
        let names: Vec<&str> = LotStatus::ALL.iter().map(|s| s.as_str()).collect();
        super::pagination::invalid_query(
            "/status",
            format!("`status` is one of {}", names.join(", ")),
        )
    })
}

pub fn tender_view(tender: &TenderRow, lots: &[LotRow]) -> TenderView {
    TenderView {
        id: tender.id.to_string(),
        external_id: tender.external_id.clone(),
        ocid: tender.ocid.clone(),
        title: tender.title.clone(),
        buyer: tender.buyer.clone(),
        authority_type: tender.authority_type.clone(),
        procurement_regime: tender.procurement_regime.clone(),
        framework: tender.framework.clone(),
        measure_set: tender.measure_set.clone(),
        currency: tender.currency.clone(),
        value: tender.value.clone(),
        version: tender.version,
        created_at: tender.created_at.and_utc().to_rfc3339(),
        updated_at: tender.updated_at.and_utc().to_rfc3339(),
        lots: lots.iter().map(lot_view).collect(),
    }
}

pub fn lot_view(lot: &LotRow) -> LotView {
    LotView {
        id: lot.id.to_string(),
        tender_id: lot.tender_id.to_string(),
        external_id: lot.external_id.clone(),
        title: lot.title.clone(),
        value: lot.value.clone(),
        allowed_transitions: Transition::allowed_from(lot.status),
        status: lot.status.to_string(),
        version: lot.version,
        created_at: lot.created_at.and_utc().to_rfc3339(),
        updated_at: lot.updated_at.and_utc().to_rfc3339(),
    }
}
