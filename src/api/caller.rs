//! Who is calling: every `/v1` handler takes a [`Principal`], extracted here from the request's
//! `Authorization` header by the configured [`Authenticator`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::problem::ApiError;
use crate::auth::{AuthError, Authenticator, Principal, Role};
use crate::service::Actor;

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(authenticator) = req.app_data::<web::Data<Authenticator>>() else {
            return ready(Err(ApiError::Internal(anyhow::anyhow!(
                "no authenticator configured"
            ))));
        };
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        // What is left of the caller's budget goes on the answer, a refusal's included
        // (`api::conventions`).
        ready(match authenticator.admit(header) {
            Ok((principal, budget)) => {
                if let Some(budget) = budget {
                    req.extensions_mut().insert(budget);
                }
                Ok(principal)
            }
            Err(AuthError::RateLimited {
                retry_after_secs,
                state,
            }) => {
                req.extensions_mut().insert(state);
                Err(ApiError::RateLimited { retry_after_secs })
            }
            Err(error) => Err(ApiError::from(error)),
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
