//! The HTTP conventions every route keeps, in one place rather than in each handler:
//!
//! - `HEAD` is answered as `GET` would be, without the body (RFC 9110 §9.3.2): the request is
//!   routed as a `GET`, and actix's codec, which saw the `HEAD`, leaves the body out while keeping
//!   its `Content-Length`.
//! - A `GET` whose `If-None-Match` names the response's `ETag` is `304 Not Modified` (weak
//!   comparison, §13.1.2).
//! - A request whose `Accept` allows nothing the route serves is `406` problem+json (§12.5.1):
//!   a `GET` is checked against what the handler chose to send (it has changed nothing), any
//!   other method before it runs (every write answers JSON).
//! - With the rate limit on, every `/v1` answer says how much of it is left (`RateLimit-Policy`
//!   and `RateLimit`, draft-ietf-httpapi-ratelimit-headers-08 and later), 429s included.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, Accept, Header, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::mime;
use actix_web::{HttpMessage, HttpResponse};

use crate::api::problem::{PROBLEM_CONTENT_TYPE, ProblemKind};
use crate::auth::RateLimitState;

/// Marks a request that arrived as `HEAD`, so that answers about methods can name it.
#[derive(Debug, Clone, Copy)]
pub struct ArrivedAsHead;

pub async fn conventions(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(ArrivedAsHead);
    }
    let safe = req.method() == Method::GET;
    let accept = Accept::parse(req.request()).ok().filter(|a| !a.is_empty());
    // OPTIONS answers with no body, so no Accept can refuse it.
    if !safe
        && req.method() != Method::OPTIONS
        && let Some(accept) = &accept
        && !allows(accept, mime::APPLICATION_JSON.essence_str())
    {
        return Ok(req.into_response(not_acceptable(&["application/json"])));
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.call(req).await?.map_into_boxed_body();
    let response = match (safe, response.status()) {
        (true, StatusCode::OK) => {
            if let Some(accept) = &accept
                && let Some(served) = content_type(&response)
                && !allows(accept, &served)
            {
                let (request, _) = response.into_parts();
                ServiceResponse::new(request, not_acceptable(&[&served]))
            } else if etag_matches(&response, if_none_match.as_ref()) {
                not_modified(response)
            } else {
                response
            }
        }
        _ => response,
    };
    Ok(with_rate_limit_fields(response))
}

/// Whether `accept` allows the media type `essence` (`type/subtype`): a range that names it, its
/// type's `*`, or `*/*`, with a quality above zero. A problem document is JSON to a client that
/// takes JSON.
fn allows(accept: &Accept, essence: &str) -> bool {
    let (kind, _) = essence.split_once('/').unwrap_or((essence, ""));
    accept.iter().any(|item| {
        let range = item.item.essence_str();
        let quality_above_zero = item.quality > header::Quality::ZERO;
        quality_above_zero
            && (range == "*/*"
                || range == essence
                || range.strip_suffix("/*") == Some(kind)
                || (range == "application/json" && essence == PROBLEM_CONTENT_TYPE))
    })
}

fn content_type(response: &ServiceResponse) -> Option<String> {
    let value = response
        .headers()
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    value
        .parse::<mime::Mime>()
        .ok()
        .map(|m| m.essence_str().to_string())
}

fn not_acceptable(served: &[&str]) -> HttpResponse {
    ProblemKind::NOT_ACCEPTABLE.response(
        format!(
            "the Accept header allows nothing this route serves; it serves {}",
            served.join(", ")
        ),
        Vec::new(),
    )
}

/// `If-None-Match: *` or a list naming the response's tag, compared weakly (`W/"3"` matches `"3"`).
fn etag_matches(response: &ServiceResponse, if_none_match: Option<&HeaderValue>) -> bool {
    let (Some(tag), Some(asked)) = (
        response.headers().get(header::ETAG),
        if_none_match.and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(tag.to_str().unwrap_or_default());
    asked
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// 304 keeps the headers a 200 would have had that describe the representation (RFC 9110
/// §15.4.5), without its body.
fn not_modified(response: ServiceResponse) -> ServiceResponse {
    let (request, full) = response.into_parts();
    let mut short = HttpResponse::NotModified().finish();
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::CONTENT_LOCATION,
        header::EXPIRES,
    ] {
        if let Some(value) = full.headers().get(&name) {
            short.headers_mut().insert(name, value.clone());
        }
    }
    ServiceResponse::new(request, short)
}

fn with_rate_limit_fields(mut response: ServiceResponse) -> ServiceResponse {
    let state = response
        .request()
        .extensions()
        .get::<RateLimitState>()
        .copied();
    if let Some(state) = state {
        let headers = response.headers_mut();
        let (policy, now) = state.fields();
        if let (Ok(policy), Ok(now)) = (HeaderValue::from_str(&policy), HeaderValue::from_str(&now))
        {
            headers.insert(RATELIMIT_POLICY, policy);
            headers.insert(RATELIMIT, now);
        }
    }
    response
}

pub const RATELIMIT_POLICY: header::HeaderName =
    header::HeaderName::from_static("ratelimit-policy");
pub const RATELIMIT: header::HeaderName = header::HeaderName::from_static("ratelimit");

/// CORS for the operator's origins (`SOCVAL_CORS_ORIGINS`): exact origins only, and no
/// credentials (callers send a bearer token, never cookies), so nothing is ever wildcarded. A
/// page may send the headers the API reads and read the ones it answers with.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            super::idempotency::IDEMPOTENCY_KEY,
            super::REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            super::idempotency::REPLAYED,
            RATELIMIT_POLICY,
            RATELIMIT,
            super::REQUEST_ID,
        ])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Describes in the OpenAPI document the headers these conventions and the write contracts add:
/// `RateLimit-Policy` and `RateLimit` on every `/v1` answer, `Idempotent-Replayed` on the
/// successes of every operation that takes `Idempotency-Key`, and `Location` on every 201.
pub fn document(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for (path, item) in openapi.paths.paths.iter_mut() {
        let metered = path.starts_with("/v1/");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let idempotent = operation.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => p.name == "Idempotency-Key",
                RefOr::Ref(_) => false,
            });
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let mut add = |name: &str, description: &str| {
                    response
                        .headers
                        .entry(name.to_string())
                        .or_insert_with(|| RefOr::T(described(description)));
                };
                if metered {
                    add(
                        "RateLimit-Policy",
                        "With the rate limit on: the caller's quota, `\"per-token\";q=<requests>;w=<seconds>`",
                    );
                    add(
                        "RateLimit",
                        "With the rate limit on: what is left of it, `\"per-token\";r=<requests>;t=<seconds until full>`",
                    );
                }
                if idempotent && status.starts_with('2') {
                    add(
                        "Idempotent-Replayed",
                        "`true` when this is the first answer to the same `Idempotency-Key` again",
                    );
                }
                if status == "201" {
                    add("Location", "The URL of what was created");
                }
            }
        }
    }
}

fn described(description: &str) -> utoipa::openapi::header::Header {
    let mut header = utoipa::openapi::header::Header::default();
    header.description = Some(description.to_string());
    header
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn accept(value: &str) -> Accept {
        Accept::parse(
            &TestRequest::default()
                .insert_header((header::ACCEPT, value))
                .to_http_request(),
        )
        .unwrap()
    }

    #[test]
    fn an_accept_header_allows_its_ranges_and_nothing_at_quality_zero() {
        assert!(allows(&accept("application/json"), "application/json"));
        assert!(allows(&accept("text/*"), "text/csv"));
        assert!(allows(&accept("*/*"), "text/html"));
        assert!(allows(
            &accept("application/xml, application/json;q=0.5"),
            "application/json"
        ));
        assert!(!allows(&accept("application/xml"), "application/json"));
        assert!(!allows(&accept("application/json;q=0"), "application/json"));
        assert!(!allows(&accept("text/csv"), "application/json"));
        assert!(allows(&accept("application/json"), PROBLEM_CONTENT_TYPE));
    }
}
