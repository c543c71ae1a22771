//! `GET /v1/whoami`: the smallest authorised endpoint, proving the path from token to handler.

use actix_web::{get, web};

use super::responses::{AuthProblems, InternalProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, Role};

/// The caller as socval sees it: subject, organisation and the roles it may act in.
/// Any socval role may call it; a valid token that grants none is refused with 403.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's principal", body = Principal),
        AuthProblems,
        InternalProblem
    )
)]
#[get("/v1/whoami")]
pub async fn whoami(principal: Principal) -> Result<web::Json<Principal>, ApiError> {
    principal.require_any(Role::ALL)?;
    Ok(web::Json(principal))
}
