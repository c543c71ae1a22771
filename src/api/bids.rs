//! Bids on an open lot (api.md, "Tenders, lots, schemes, bids"): single and batch submission
//! (idempotent), reading, withdrawal, and mapping free-text commitments to measures.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::{self, Json};
use super::pagination::{Page, PageParams, cursor_after};
use super::problem::{field_error, refuse};
use super::responses::{
    AuthProblems, InternalProblem, NotFoundProblem, QueryProblems, StateProblems, WriteProblems,
};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::catalogue::suggest::Suggestion;
use crate::service::bids::{BidRef, BidRow, CommitmentRow, LotRef};
use crate::service::bids::{NewBid, NewCommitment};
use crate::service::{ServiceError, bids, confirmation, lots, mapping};

/// Most bids one batch may carry; the route's body limit is sized for it.
pub const MAX_BATCH: usize = 1_000;
pub const BATCH_BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBid {
    /// Your own id for the bid, unique in your org.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    pub supplier: SupplierInput,
    /// Total price (string or number), > 0, in the tender's currency.
    #[serde(with = "crate::scoring::decimal::exact")]
    #[schema(value_type = crate::scoring::DecimalInput, example = "98500")]
    pub price: Decimal,
    /// Must be the tender's currency when given.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub currency: Option<String>,
    /// When the supplier submitted (RFC 3339); default: when socval received it.
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-03-01T10:00:00Z")]
    pub submitted_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierInput {
    #[schema(example = "Greenfield Services Ltd")]
    #[serde(deserialize_with = "super::limits::bounded::<_, 1000>")]
    #[schema(max_length = 1000)]
    pub name: String,
    /// e.g. a Companies House number.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub id: Option<String>,
    /// The supplier says it is a small or medium-sized enterprise (fewer than 250 staff, and
    /// turnover under £44 million or balance sheet under £38 million). Descriptive only: never
    /// scored; the OCDS export counts it (`smeFinalStageBids`). Left out: not said.
    #[serde(default)]
    pub sme: Option<bool>,
    /// The supplier says it is a voluntary, community or social enterprise. Descriptive only:
    /// never scored; the OCDS export counts it (`vcseFinalStageBids`). Left out: not said.
    #[serde(default)]
    pub vcse: Option<bool>,
}

/// `{measure, quantity}`, or free text `{description, quantity?, unit?}` that a person maps later.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    #[schema(example = "SVS-APPRENTICE-WEEKS")]
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub measure: Option<String>,
    #[serde(default, with = "crate::scoring::decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "52")]
    pub quantity: Option<Decimal>,
    #[schema(example = "We will employ 12 apprentices from the local area")]
    #[serde(default, deserialize_with = "super::limits::optional::<_, 20000>")]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidBatch {
    /// 1 to 1,000 bids, stored all together or not at all.
    pub bids: Vec<CreateBid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmMeasure {
    /// The measure this commitment counts towards.
    #[serde(deserialize_with = "super::limits::bounded::<_, 200>")]
    #[schema(max_length = 200)]
    pub measure: String,
    /// The quantity committed, when the supplier's text gave none (refused when it gave one: the
    /// supplier's figure stands).
    #[serde(default, with = "crate::scoring::decimal::option")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "4")]
    pub quantity: Option<Decimal>,
    /// Its unit, when the supplier's text gave none.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub unit: Option<String>,
    /// Why this measure (and quantity): kept in the audit log.
    #[schema(example = "four local apprentices, as section 3.2 says")]
    #[serde(deserialize_with = "super::limits::bounded::<_, 20000>")]
    #[schema(max_length = 20000)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidView {
    pub id: String,
    pub lot_id: String,
    pub external_id: Option<String>,
    /// `{name, id}`, with `sme` and `vcse` when the supplier said.
    #[schema(value_type = Object)]
    pub supplier: serde_json::Value,
    pub price: String,
    pub currency: String,
    pub submitted_at: String,
    /// `submitted` or `withdrawn`.
    pub status: String,
    /// The version of the lot's scheme in force when the bid was submitted.
    pub scheme_version: i32,
    pub created_at: String,
    pub withdrawn_at: Option<String>,
    pub commitments: Vec<CommitmentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentView {
    /// Position in the bid; the `{n}` of `…/commitments/{n}/measure`.
    pub index: i32,
    pub measure: Option<String>,
    pub quantity: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    /// Who confirmed the measure of a free-text commitment, and when.
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchView {
    pub items: Vec<BidView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentMapping {
    pub index: i32,
    pub description: Option<String>,
    /// The measure, once confirmed.
    pub measure: Option<String>,
    /// Ranked suggestions from the tender's measure set.
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidMapping {
    pub bid_id: String,
    pub measure_set: String,
    /// The free-text commitments of the bid.
    pub items: Vec<CommitmentMapping>,
}

/// Submits a bid to an open lot. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "bids",
    operation_id = "submit_bid",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateBid,
    responses((status = 201, description = "Stored", body = BidView), WriteProblems)
)]
#[post("/v1/tenders/{id}/lots/{lot}/bids")]
pub async fn submit(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    key: IdempotencyKey,
    body: Json<CreateBid>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let key = key.for_request(&actor.org, &body.1);
    let lot = LotRef::from(path.into_inner());
    let tender_id = lot.tender_id.to_string();
    let bids = vec![new_bid(body.0)];
    let outcome = bids::submit(&state.db, actor, lot, bids, false, key, move |stored| {
        let view = stored.first().map(|(b, c)| bid_view(b, c)).transpose()?;
        let location = stored
            .first()
            .map(|(b, _)| format!("/v1/tenders/{tender_id}/lots/{}/bids/{}", b.lot_id, b.id));
        record(201, location, &view)
    })
    .await?;
    if !outcome.replayed() {
        state.metrics.observe_bids(1);
    }
    Ok(respond(outcome))
}

/// Submits up to 1,000 bids at once: all are stored, or none (422 lists every failing bid by its
/// index). Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "bids",
    operation_id = "submit_bid_batch",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = BidBatch,
    responses((status = 201, description = "All stored", body = BatchView), WriteProblems)
)]
#[post("/v1/tenders/{id}/lots/{lot}/bids/batch")]
pub async fn submit_batch(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    key: IdempotencyKey,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let (body, raw) =
        json::read_json::<BidBatch>(&request, payload.into_inner(), BATCH_BODY_LIMIT).await?;
    let key = key.for_request(&actor.org, &raw);
    let (tender_id, lot_id) = path.into_inner();
    let batch = body.bids;
    if batch.is_empty() || batch.len() > MAX_BATCH {
        refuse(vec![field_error(
            "/bids",
            "invalid_batch_size",
            "a batch holds 1 to 1,000 bids",
        )])?;
    }
    let count = batch.len();
    let bids_in: Vec<NewBid> = batch.into_iter().map(new_bid).collect();
    let lot = LotRef { tender_id, lot_id };
    let outcome = bids::submit(&state.db, actor, lot, bids_in, true, key, |stored| {
        record(
            201,
            None,
            &BatchView {
                items: stored
                    .iter()
                    .map(|(b, c)| bid_view(b, c))
                    .collect::<Result<_, _>>()?,
            },
        )
    })
    .await?;
    if !outcome.replayed() {
        state.metrics.observe_bids(count);
    }
    Ok(respond(outcome))
}

/// The bids of a lot, oldest first (withdrawn ones included, marked).
#[utoipa::path(
    tag = "bids",
    operation_id = "list_bids",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), PageParams),
    responses((status = 200, description = "A page of bids", body = Page<BidView>), NotFoundProblem, QueryProblems, AuthProblems, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}/bids")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<BidView>>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let limit = i64::from(page.limit()?);
    let after = page.after()?;
    let stored = bids::list(
        &state.db,
        principal.org,
        LotRef::from(path.into_inner()),
        after,
        limit + 1,
    )
    .await?;
    let more = stored.len() as i64 > limit;
    let items: Vec<BidView> = stored
        .iter()
        .take(limit as usize)
        .map(|(b, c)| bid_view(b, c))
        .collect::<Result<_, _>>()?;
    let next_cursor = more
        .then(|| items.last().map(|b| cursor_after(&b.id)))
        .flatten();
    Ok(web::Json(Page { items, next_cursor }))
}

/// One bid with its commitments.
#[utoipa::path(
    tag = "bids",
    operation_id = "get_bid",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path)),
    responses((status = 200, description = "The bid", body = BidView), NotFoundProblem, AuthProblems, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}/bids/{bid}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<BidView>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let bid = BidRef::from(path.into_inner());
    let (bid, commitments) = bids::get(&state.db, principal.org, bid).await?;
    Ok(web::Json(bid_view(&bid, &commitments)?))
}

/// Withdraws a bid while the lot is open; it stays stored and takes no part in evaluation.
#[utoipa::path(
    tag = "bids",
    operation_id = "withdraw_bid",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path)),
    responses((status = 200, description = "Withdrawn", body = BidView), StateProblems, NotFoundProblem, AuthProblems, InternalProblem)
)]
#[post("/v1/tenders/{id}/lots/{lot}/bids/{bid}/withdraw")]
pub async fn withdraw(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<BidView>, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let bid = BidRef::from(path.into_inner());
    let (bid, commitments) = bids::withdraw(&state.db, actor, bid).await?;
    Ok(web::Json(bid_view(&bid, &commitments)?))
}

/// Suggested measures for each free-text commitment of a bid, from the tender's measure set.
#[utoipa::path(
    tag = "bids",
    operation_id = "get_bid_mapping",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path)),
    responses((status = 200, description = "Suggestions per free-text commitment", body = BidMapping), NotFoundProblem, AuthProblems, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}/bids/{bid}/mapping")]
pub async fn get_mapping(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<BidMapping>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let bid = BidRef::from(path.into_inner());
    let lot = bid.lot.clone();
    let (bid, commitments) = bids::get(&state.db, principal.org.clone(), bid).await?;
    let (tender, _) = lots::get(&state.db, principal.org, lot.tender_id, lot.lot_id).await?;
    let set_id = tender.measure_set;
    let index = state.suggesters.index(&state.db, set_id.clone()).await?;
    let items = commitments
        .iter()
        .filter(|c| c.description.is_some())
        .map(|c| CommitmentMapping {
            index: c.position,
            description: c.description.clone(),
            measure: c.measure.clone(),
            suggestions: c
                .description
                .as_deref()
                .map(|text| mapping::suggest(&index, text, None, 5))
                .unwrap_or_default(),
        })
        .collect();
    Ok(web::Json(BidMapping {
        bid_id: bid.id.into(),
        measure_set: set_id,
        items,
    }))
}

/// A person (commercial or admin) confirms the measure a commitment counts towards.
#[utoipa::path(
    tag = "bids",
    operation_id = "confirm_commitment_measure",
    security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("bid" = String, Path), ("n" = usize, Path, description = "The commitment's index")),
    request_body = ConfirmMeasure,
    responses((status = 200, description = "The bid with the confirmed mapping", body = BidView), WriteProblems)
)]
#[put("/v1/tenders/{id}/lots/{lot}/bids/{bid}/commitments/{n}/measure")]
pub async fn confirm(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, usize)>,
    body: Json<ConfirmMeasure>,
) -> Result<web::Json<BidView>, ApiError> {
    let actor = state.actor(&principal, policy::DECIDE)?;
    let (tender_id, lot_id, bid_id, n) = path.into_inner();
    let bid = BidRef::from((tender_id, lot_id, bid_id));
    let ConfirmMeasure {
        measure,
        quantity,
        unit,
        reason,
    } = body.0;
    let confirmed = confirmation::Confirmation {
        measure,
        quantity,
        unit,
        reason,
    };
    let (bid, commitments) =
        confirmation::confirm_measure(&state.db, actor, bid, n, confirmed).await?;
    Ok(web::Json(bid_view(&bid, &commitments)?))
}

fn new_bid(bid: CreateBid) -> NewBid {
    let SupplierInput {
        name,
        id,
        sme,
        vcse,
    } = bid.supplier;
    NewBid {
        external_id: bid.external_id,
        supplier_name: name,
        supplier_id: id,
        supplier_sme: sme,
        supplier_vcse: vcse,
        price: bid.price,
        currency: bid.currency,
        submitted_at: bid.submitted_at,
        commitments: bid
            .commitments
            .into_iter()
            .map(|c| NewCommitment {
                measure: c.measure,
                quantity: c.quantity,
                description: c.description,
                unit: c.unit,
            })
            .collect(),
    }
}

pub fn bid_view(bid: &BidRow, commitments: &[CommitmentRow]) -> Result<BidView, ServiceError> {
    Ok(BidView {
        id: bid.id.to_string(),
        lot_id: bid.lot_id.to_string(),
        external_id: bid.external_id.clone(),
        supplier: bid
            .supplier()
            .map(|s| supplier_view(&s))
            .map_err(ServiceError::from)?,
        price: bid.price.clone(),
        currency: bid.currency.clone(),
        submitted_at: bid.submitted_at.clone(),
        status: bid.status.to_string(),
        scheme_version: bid.scheme_version,
        created_at: bid.created_at.and_utc().to_rfc3339(),
        withdrawn_at: bid.withdrawn_at.map(|t| t.and_utc().to_rfc3339()),
        commitments: commitments.iter().map(commitment_view).collect(),
    })
}

/// The supplier as declared: `{name, id}`, with `sme` and `vcse` when the supplier said.
fn supplier_view(supplier: &crate::scoring::Supplier) -> serde_json::Value {
    let mut view = serde_json::Map::new();
    view.insert("name".into(), supplier.name.clone().into());
    view.insert("id".into(), supplier.id.clone().into());
    if let Some(sme) = supplier.sme {
        view.insert("sme".into(), sme.into());
    }
    if let Some(vcse) = supplier.vcse {
        view.insert("vcse".into(), vcse.into());
    }
    serde_json::Value::Object(view)
}

pub fn commitment_view(c: &CommitmentRow) -> CommitmentView {
    CommitmentView {
        index: c.position,
        measure: c.measure.clone(),
        quantity: c.quantity.clone(),
        description: c.description.clone(),
        unit: c.unit.clone(),
        confirmed_by: c.confirmed_by.clone(),
        confirmed_at: c.confirmed_at.map(|t| t.and_utc().to_rfc3339()),
    }
}
