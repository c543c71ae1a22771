//! Tenders and lots (api.md, "Tenders, lots, schemes, bids"): create (idempotent), read, list,
//! update under `If-Match`, add lots, and move a lot through its statuses.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::Json;
use super::pagination::{Page, PageParams, cursor_after};
use super::responses::{
    AuthProblems, BodyProblems, InternalProblem, NotFoundProblem, QueryProblems, StateProblems,
};
use crate::api::problem::{ApiError, FieldError};
use crate::auth::{Principal, Role};
use crate::catalogue::{self, SAMPLE_MEASURE_SET};
use crate::scoring::AuthorityType;
use crate::service::lots::Transition;
use crate::service::tenders::{LotRow, TenderQuery, TenderRow};
use crate::service::tenders::{NewLot, NewTender, TenderPatch};
use crate::service::{Actor, lots, tenders};

/// Who may change tenders, lots, schemes and bids.
pub const WRITERS: &[Role] = &[Role::Platform, Role::Commercial, Role::Admin];
/// Who may read them.
pub const READERS: &[Role] = &[Role::Platform, Role::Commercial, Role::Auditor, Role::Admin];

/// The law a procurement runs under; it chooses the default Social Value Model.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcurementRegime {
    /// Public Contracts Regulations 2015 (PPN 06/20 model).
    Pcr2015,
    /// Procurement Act 2023 (PPN 002 model).
    #[serde(rename = "procurement_act_2023")]
    ProcurementAct2023,
}

impl ProcurementRegime {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pcr2015 => "pcr2015",
            Self::ProcurementAct2023 => "procurement_act_2023",
        }
    }

    fn default_framework(self) -> &'static str {
        match self {
            Self::Pcr2015 => "PPN06-20",
            Self::ProcurementAct2023 => "PPN002",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTender {
    /// Your own id, unique in your org; look tenders up by it.
    pub external_id: Option<String>,
    /// Open Contracting id, e.g. `ocds-h6vhtk-04a1b2`.
    pub ocid: Option<String>,
    pub title: String,
    /// The contracting authority.
    pub buyer: String,
    pub authority_type: AuthorityType,
    pub procurement_regime: ProcurementRegime,
    /// Social Value Model; by default `PPN002` under the Procurement Act 2023, else `PPN06-20`.
    pub framework: Option<String>,
    /// Pinned measure set id (default `socval-sample`).
    pub measure_set: Option<String>,
    /// ISO 4217 code of every price (default `GBP`).
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
    pub external_id: Option<String>,
    pub title: String,
    #[serde(default, with = "crate::scoring::decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "400000")]
    pub value: Option<Decimal>,
}

/// Fields to change; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTender {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub ocid: Option<Option<String>>,
    pub title: Option<String>,
    pub buyer: Option<String>,
    #[serde(default, deserialize_with = "present_decimal")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>)]
    pub value: Option<Option<Decimal>>,
    pub authority_type: Option<AuthorityType>,
    pub procurement_regime: Option<ProcurementRegime>,
    pub framework: Option<String>,
    pub measure_set: Option<String>,
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
    /// Only tenders with a lot in this status.
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
    request: HttpRequest,
    body: Json<CreateTender>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(WRITERS)?);
    let key = key.for_request(&actor.org, &request, &body.1);
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
    principal.require_any(READERS)?;
    let limit = i64::from(page.limit()?);
    let after = page.after()?;
    let filters = filters.into_inner();
    let query = TenderQuery {
        status: filters.status,
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
    principal.require_any(READERS)?;
    let (tender, lots) = tenders::get(&state.db, principal.org, id.into_inner()).await?;
    Ok(with_etag(tender.version, &tender_view(&tender, &lots)))
}

/// Updates a tender. With `If-Match`, the change applies only to that version (412 otherwise,
/// nothing changed). Framework, measure set, currency, authority type and regime are fixed once a
/// lot has left `draft` (409 `tender_pinned`).
#[utoipa::path(
    tag = "tenders",
    operation_id = "update_tender",
    security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    request_body = UpdateTender,
    responses(
        (status = 200, description = "Updated", body = TenderView, headers(("ETag" = String))),
        (status = 412, description = "The tender changed since the ETag you sent", body = crate::api::problem::Problem, content_type = "application/problem+json"),
        StateProblems,
        NotFoundProblem,
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[patch("/v1/tenders/{id}")]
pub async fn update(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    request: HttpRequest,
    body: Json<UpdateTender>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(WRITERS)?);
    let expected = super::preconditions::if_match(&request);
    let patch = parse_patch(body.0)?;
    let (tender, lots) =
        tenders::update(&state.db, actor, id.into_inner(), patch, expected).await?;
    Ok(with_etag(tender.version, &tender_view(&tender, &lots)))
}

/// Adds a lot (in `draft`) to a tender. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "tenders",
    operation_id = "add_lot",
    security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateLot,
    responses(
        (status = 201, description = "Created", body = LotView),
        StateProblems,
        NotFoundProblem,
        BodyProblems,
        AuthProblems,
        InternalProblem
    )
)]
#[post("/v1/tenders/{id}/lots")]
pub async fn add_lot(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    request: HttpRequest,
    body: Json<CreateLot>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(WRITERS)?);
    let key = key.for_request(&actor.org, &request, &body.1);
    let lot = parse_lot(body.0, "")?;
    let outcome = lots::add(&state.db, actor, id.into_inner(), lot, key, |lot| {
        record(
            201,
            Some(format!("/v1/tenders/{}/lots/{}", lot.tender_id, lot.id)),
            &lot_view(lot),
        )
    })
    .await?;
    Ok(respond(outcome))
}

/// A lot, with the status moves possible now.
#[utoipa::path(
    tag = "tenders",
    operation_id = "get_lot",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The lot", body = LotView), AuthProblems, NotFoundProblem, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}")]
pub async fn get_lot(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(READERS)?;
    let (tender_id, lot_id) = path.into_inner();
    let (_, lot) = lots::get(&state.db, principal.org, tender_id, lot_id).await?;
    Ok(with_etag(lot.version, &lot_view(&lot)))
}

macro_rules! transition_endpoint {
    ($name:ident, $path:literal, $transition:expr, $operation:literal, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(
                    tag = "tenders",
                    operation_id = $operation,
                    security(("bearer" = [])),
                    params(("id" = String, Path), ("lot" = String, Path)),
                    responses(
                        (status = 200, description = "The lot in its new status", body = LotView),
                        StateProblems,
                        AuthProblems,
                        NotFoundProblem,
                        InternalProblem
                    )
                )]
        #[post($path)]
        pub async fn $name(
            principal: Principal,
            state: web::Data<AppState>,
            path: web::Path<(String, String)>,
        ) -> Result<HttpResponse, ApiError> {
            move_lot(principal, state, path.into_inner(), $transition).await
        }
    };
}

transition_endpoint!(
    open_lot,
    "/v1/tenders/{id}/lots/{lot}/open",
    Transition::Open,
    "open_lot",
    "Opens a lot for bids (`draft → open`); needs a scheme. 409 `invalid_transition` names the current status and the moves allowed."
);
transition_endpoint!(
    close_lot,
    "/v1/tenders/{id}/lots/{lot}/close",
    Transition::Close,
    "close_lot",
    "Closes bidding and starts evaluation (`open → evaluating`); bids and the scheme are locked from now on."
);
transition_endpoint!(
    cancel_lot,
    "/v1/tenders/{id}/lots/{lot}/cancel",
    Transition::Cancel,
    "cancel_lot",
    "Cancels a lot that is not yet awarded."
);

async fn move_lot(
    principal: Principal,
    state: web::Data<AppState>,
    (tender_id, lot_id): (String, String),
    transition: Transition,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::new(&principal, principal.require_any(WRITERS)?);
    let lot = lots::transition(&state.db, actor, tender_id, lot_id, transition).await?;
    Ok(with_etag(lot.version, &lot_view(&lot)))
}

/// A JSON response with `ETag: "<version>"`.
pub fn with_etag(version: i32, body: &impl Serialize) -> HttpResponse {
    let mut response = HttpResponse::Ok().json(body);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

fn parse_new_tender(body: CreateTender) -> Result<NewTender, ApiError> {
    let mut errors = Vec::new();
    let framework = body
        .framework
        .unwrap_or_else(|| body.procurement_regime.default_framework().to_string());
    check_framework(&framework, "/framework", &mut errors);
    let currency = body.currency.unwrap_or_else(|| "GBP".into());
    check_currency(&currency, "/currency", &mut errors);
    check_text(&body.title, "/title", &mut errors);
    check_text(&body.buyer, "/buyer", &mut errors);
    check_value(body.value, "/value", &mut errors);
    if body.lots.is_empty() {
        errors.push(field_error(
            "/lots",
            "required",
            "a tender has at least one lot",
        ));
    }
    let mut lots = Vec::new();
    for (index, lot) in body.lots.into_iter().enumerate() {
        match parse_lot(lot, &format!("/lots/{index}")) {
            Ok(lot) => lots.push(lot),
            Err(ApiError::Validation {
                errors: lot_errors, ..
            }) => errors.extend(lot_errors),
            Err(other) => return Err(other),
        }
    }
    refuse(errors)?;
    Ok(NewTender {
        external_id: body.external_id,
        ocid: body.ocid,
        title: body.title,
        buyer: body.buyer,
        authority_type: authority_str(body.authority_type),
        framework,
        measure_set: body
            .measure_set
            .unwrap_or_else(|| SAMPLE_MEASURE_SET.into()),
        currency,
        value: body.value,
        procurement_regime: body.procurement_regime.as_str().into(),
        lots,
    })
}

fn parse_lot(lot: CreateLot, prefix: &str) -> Result<NewLot, ApiError> {
    let mut errors = Vec::new();
    check_text(&lot.title, &format!("{prefix}/title"), &mut errors);
    check_value(lot.value, &format!("{prefix}/value"), &mut errors);
    refuse(errors)?;
    Ok(NewLot {
        external_id: lot.external_id,
        title: lot.title,
        value: lot.value,
    })
}

fn parse_patch(body: UpdateTender) -> Result<TenderPatch, ApiError> {
    let mut errors = Vec::new();
    if let Some(framework) = &body.framework {
        check_framework(framework, "/framework", &mut errors);
    }
    if let Some(currency) = &body.currency {
        check_currency(currency, "/currency", &mut errors);
    }
    if let Some(title) = &body.title {
        check_text(title, "/title", &mut errors);
    }
    if let Some(buyer) = &body.buyer {
        check_text(buyer, "/buyer", &mut errors);
    }
    check_value(body.value.flatten(), "/value", &mut errors);
    refuse(errors)?;
    Ok(TenderPatch {
        external_id: body.external_id,
        ocid: body.ocid,
        title: body.title,
        buyer: body.buyer,
        value: body.value,
        authority_type: body.authority_type.map(authority_str),
        framework: body.framework,
        measure_set: body.measure_set,
        currency: body.currency,
        procurement_regime: body.procurement_regime.map(|r| r.as_str().into()),
    })
}

fn check_framework(code: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if catalogue::builtin().framework(code).is_none() {
        errors.push(field_error(
            pointer,
            "unknown_framework",
            "not a framework socval holds (see GET /v1/frameworks)",
        ));
    }
}

fn check_currency(code: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(field_error(
            pointer,
            "invalid_currency",
            "an ISO 4217 code: three capital letters, e.g. GBP",
        ));
    }
}

fn check_text(text: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() {
        errors.push(field_error(pointer, "required", "must not be empty"));
    }
}

fn check_value(value: Option<Decimal>, pointer: &str, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
        errors.push(field_error(
            pointer,
            "negative_value",
            "must not be negative",
        ));
    }
}

pub fn field_error(pointer: &str, code: &'static str, message: &str) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        code: code.into(),
        message: message.into(),
    }
}

pub fn refuse(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation {
            errors,
            warnings: Vec::new(),
        })
    }
}

fn authority_str(authority: AuthorityType) -> String {
    serde_json::to_value(authority)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A field that was present (possibly `null`), told apart from an absent one.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn present_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Decimal>>, D::Error> {
    crate::scoring::decimal::option::deserialize(d).map(Some)
}

pub fn tender_view(tender: &TenderRow, lots: &[LotRow]) -> TenderView {
    TenderView {
        id: tender.id.clone(),
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
        id: lot.id.clone(),
        tender_id: lot.tender_id.clone(),
        external_id: lot.external_id.clone(),
        title: lot.title.clone(),
        value: lot.value.clone(),
        allowed_transitions: Transition::allowed_from(&lot.status),
        status: lot.status.clone(),
        version: lot.version,
        created_at: lot.created_at.and_utc().to_rfc3339(),
        updated_at: lot.updated_at.and_utc().to_rfc3339(),
    }
}
