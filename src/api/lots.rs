//! Lots (api.md, "Tenders, lots, schemes, bids"): add one to a tender (idempotent), read it, and
//! move it through its statuses `draft → open → evaluating → awarded` (or `cancelled`).

use actix_web::{HttpResponse, get, post, web};

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::Json;
use super::preconditions::with_etag;
use super::problem::ApiError;
use super::responses::{
    AuthProblems, InternalProblem, NotFoundProblem, StateProblems, WriteProblems,
};
use super::tender_input::parse_lot;
use super::tenders::{CreateLot, LotView, lot_view};
use crate::auth::{Principal, policy};
use crate::service::lots;
use crate::service::lots::Transition;

/// Adds a lot (in `draft`) to a tender. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "tenders",
    operation_id = "add_lot",
    security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateLot,
    responses(
        (status = 201, description = "Created", body = LotView),
        WriteProblems
    )
)]
#[post("/v1/tenders/{id}/lots")]
pub async fn add_lot(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: Json<CreateLot>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let key = key.for_request(&actor.org, &body.1);
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
    responses((status = 200, description = "The lot", body = LotView, headers(("ETag" = String, description = "The lot's version"))), AuthProblems, NotFoundProblem, InternalProblem)
)]
#[get("/v1/tenders/{id}/lots/{lot}")]
pub async fn get_lot(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
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
                        (status = 200, description = "The lot in its new status", body = LotView, headers(("ETag" = String, description = "The lot's version"))),
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
    let actor = state.actor(&principal, policy::WRITE_PROCUREMENT)?;
    let lot = lots::transition(&state.db, actor, tender_id, lot_id, transition).await?;
    Ok(with_etag(lot.version, &lot_view(&lot)))
}
