//! Who is calling: every `/v1` handler takes a [`Principal`], extracted here from the request's
//! `Authorization` header by the configured [`Authenticator`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::problem::ApiError;
use crate::auth::{Authenticator, Principal};

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
