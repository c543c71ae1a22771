//! Problem responses shared by many operations, described once for the OpenAPI document.
//! These types only describe responses; handlers produce them through `ApiError`.
#![expect(
    dead_code,
    reason = "the enums describe responses for OpenAPI; never constructed"
)]

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{RefOr, Response};

use crate::api::problem::Problem;

#[derive(IntoResponses)]
pub enum AuthProblems {
    /// Missing, malformed, forged, expired or wrong-audience bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The token is valid but grants no role this operation allows.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// The caller (`org` and `sub` of the token) went over the rate limit of this replica
    /// (`SOCVAL_RATE_LIMIT_PER_MINUTE`, off by default); `code` is `rate_limited`.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before the next request is allowed"))
    )]
    TooManyRequests(Problem),
}

#[derive(IntoResponses)]
pub enum InternalProblem {
    /// An unexpected failure; the body names the request id to quote.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
    /// The database is unavailable, or (previews and exports) the work memory
    /// (`SOCVAL_WORK_MEMORY_MIB`) stayed in use by other requests for the whole wait.
    #[response(
        status = 503,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
    )]
    Unavailable(Problem),
}

#[derive(IntoResponses)]
pub enum BodyProblems {
    /// The body is not well-formed JSON (including invalid UTF-8 and nesting deeper than 128).
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// The body did not arrive within `SOCVAL_REQUEST_TIMEOUT_MS`; the connection is closed.
    #[response(status = 408, content_type = "application/problem+json")]
    Timeout(Problem),
    /// The body exceeds the size limit of this route.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    WrongMediaType(Problem),
    /// The body breaks a rule: `errors` lists every failure with a JSON Pointer and a code
    /// (`invalid_body` for a missing, unknown or mistyped field); `warnings` may accompany them.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

#[derive(IntoResponses)]
pub enum NotFoundProblem {
    /// No such resource (or one the caller's org may not see).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

#[derive(IntoResponses)]
pub enum QueryProblems {
    /// A query parameter does not parse as its type (e.g. `limit=ten`).
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// A query parameter is out of range or not understood: `errors` names it with the code
    /// `invalid_query` (pointer `/limit`, `/cursor`, …).
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

#[derive(IntoResponses)]
pub enum StateProblems {
    /// The request conflicts with the current state: `code` says how (`invalid_transition`,
    /// `lot_not_open`, `scheme_frozen`, `external_id_exists`, `idempotency_key_reused`, …).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
}

#[derive(IntoResponses)]
enum PreconditionProblem {
    /// `If-Match` names no version that is still current (or none socval issued): nothing changed.
    #[response(status = 412, content_type = "application/problem+json")]
    Failed(Problem),
}

/// [`WriteProblems`] of a write under `If-Match`, and its 412.
pub struct ConditionalWriteProblems;

impl IntoResponses for ConditionalWriteProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = WriteProblems::responses();
        responses.extend(PreconditionProblem::responses());
        responses
    }
}

/// Everything a write to an existing resource may answer besides its success: the problems of
/// its state, lookup, body, caller and the server.
pub struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            StateProblems::responses(),
            NotFoundProblem::responses(),
            BodyProblems::responses(),
            AuthProblems::responses(),
            InternalProblem::responses(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}
