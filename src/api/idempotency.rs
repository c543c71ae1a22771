//! The HTTP side of `Idempotency-Key`: read the header, fingerprint the request, and send a
//! recorded response (a replay says so in `Idempotent-Replayed: true`).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::api::problem::ApiError;
use crate::service::audit::sha256_hex;
use crate::service::idempotency::{Outcome, Recorded, RequestKey};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The caller's `Idempotency-Key`, if it sent one (1–255 visible ASCII characters), with the
/// method and target it came on: a key is bound to its request.
pub struct IdempotencyKey {
    key: Option<String>,
    /// `METHOD path?query`: the query too, for a CSV import's metadata travels there.
    target: String,
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get(IDEMPOTENCY_KEY) {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Ok(key)
                    if (1..=255).contains(&key.len())
                        && key.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(Some(key.to_string()))
                }
                _ => Err(ApiError::BadRequest(
                    "Idempotency-Key must be 1 to 255 visible ASCII characters".into(),
                )),
            },
        };
        let path = req
            .uri()
            .path_and_query()
            .map_or(req.path(), |p| p.as_str());
        let target = format!("{} {path}", req.method());
        ready(key.map(|key| Self { key, target }))
    }
}

impl IdempotencyKey {
    /// The key bound to this org and this request: its method, path, query and body. A JSON body is
    /// compared as canonical JSON (keys sorted, no whitespace), so a retry that serialises the
    /// same document differently is still the same request; any other body byte for byte.
    pub fn for_request(&self, org: &str, body: &[u8]) -> Option<RequestKey> {
        self.key.as_ref().map(|key| {
            let mut fingerprint = format!("{}\n", self.target).into_bytes();
            match serde_json::from_slice::<serde_json::Value>(body) {
                // serde_json's maps are ordered by key (no `preserve_order`): this is canonical.
                Ok(document) => fingerprint.extend(document.to_string().into_bytes()),
                Err(_) => fingerprint.extend_from_slice(body),
            }
            RequestKey {
                org: org.to_string(),
                key: key.clone(),
                request_hash: sha256_hex(&fingerprint),
            }
        })
    }
}

/// A response to record: status, `Location`, and the JSON body.
pub fn record(
    status: u16,
    location: Option<String>,
    body: &impl Serialize,
) -> Result<Recorded, crate::service::ServiceError> {
    Ok(Recorded {
        status,
        location,
        body: serde_json::to_string(body)
            .map_err(|e| crate::service::ServiceError::Internal(e.into()))?,
    })
}

/// Sends a recorded response; replays are marked.
pub fn respond(outcome: Outcome) -> HttpResponse {
    let replayed = outcome.replayed();
    let (Outcome::Done(recorded) | Outcome::Replayed(recorded)) = outcome;
    let status = actix_web::http::StatusCode::from_u16(recorded.status)
        .unwrap_or(actix_web::http::StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if let Some(location) = recorded.location {
        response.insert_header((header::LOCATION, location));
    }
    if replayed {
        response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    }
    response.body(recorded.body)
}
