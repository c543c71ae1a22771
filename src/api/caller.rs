//! Who is calling: every `/v1` handler takes a [`Principal`], extracted here from the request's
//! `Authorization` header by the configured [`Authenticator`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::problem::ApiError;
use crate::auth::{Authenticator, Principal, Role};
use crate::service::Actor;

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.app_data::<web::Data<Authenticator>>() {
            Some(authenticator) => authenticator
                .admit(
                    req.headers()
                        .get(header::AUTHORIZATION)
                        .map(|v| v.as_bytes()),
                )
                .map_err(ApiError::from),
            None => Err(ApiError::Internal(anyhow::anyhow!(
                "no authenticator configured"
            ))),
        })
    }
}

impl super::AppState {
    /// The caller as the actor of a write, in the first of `allowed` roles it holds (403
    /// otherwise).
    pub fn actor(&self, principal: &Principal, allowed: &[Role]) -> Result<Actor, ApiError> {
        Ok(self.actor_as(principal, principal.require_any(allowed)?))
    }

    /// The caller as the actor of a write in `role`, already established.
    pub fn actor_as(&self, principal: &Principal, role: Role) -> Actor {
        Actor::new(principal, role)
    }
}
