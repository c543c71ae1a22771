//! The one error type of the HTTP edge, rendered once as RFC 9457 `application/problem+json`.
//!
//! Lower layers have their own `thiserror` types and convert into [`ApiError`]; handlers return
//! `Result<_, ApiError>`. A 5xx body says "internal error" and the request id, nothing more: the
//! cause chain goes to the log only, so no SQL text, path or secret ever reaches a client.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::service::{Code, ServiceError};
use crate::telemetry::RequestContext;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const PROBLEM_BASE: &str = "https://socval.dev/problems/";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://socval.dev/problems/validation",
    "title": "Request validation failed",
    "status": 422,
    "detail": "1 field failed validation",
    "instance": "/v1/evaluations/preview",
    "request_id": "0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10",
    "errors": [{"pointer": "/scheme/criteria/2/weight", "code": "weight_not_positive", "message": "weight must be greater than 0"}]
}))]
pub struct Problem {
    /// A stable URI naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, in plain words.
    pub detail: String,
    /// A stable machine-readable code for this kind of refusal, e.g. `measure_set_exists`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Cow<'static, str>>,
    /// The request path this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The `x-request-id` of the request: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Every invalid field, when the problem is a validation failure.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Warnings found while validating, reported even though the request failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ProblemWarning>,
}

/// Something worth a person's attention that did not, by itself, fail the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemWarning {
    /// Stable machine-readable code, e.g. `social_value_below_recommended_minimum`.
    pub code: Cow<'static, str>,
    /// Explanation for a person.
    pub message: String,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body, e.g. `/scheme/criteria/2/weight`.
    pub pointer: String,
    /// Stable machine-readable code, e.g. `invalid_body`.
    pub code: Cow<'static, str>,
    /// Explanation for a person.
    pub message: String,
}

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("{} field(s) failed validation", errors.len())]
    Validation {
        errors: Vec<FieldError>,
        warnings: Vec<ProblemWarning>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{detail}")]
    Denied { code: &'static str, detail: String },
    #[error("no such resource")]
    NotFound,
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("body larger than the {limit}-byte limit")]
    PayloadTooLarge { limit: usize },
    #[error("expected a body of type {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("the body did not arrive within {}", humantime::format_duration(*.limit))]
    RequestTimeout { limit: std::time::Duration },
    #[error("too many requests for this token; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    ServiceUnavailable(String),
    /// A stored run that is not the one the audit ledger recorded (500, never served).
    #[error(
        "evaluation run {run} does not match the audit ledger, so it is not served: its stored data changed after it was recorded; /v1/audit/verify names what differs"
    )]
    RunMismatch { run: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Set on the response of a refused run, so the request's metrics can count it by run.
#[derive(Debug, Clone)]
pub struct RefusedRun(pub String);

impl ApiError {
    pub fn invalid_body(pointer: String, message: String) -> Self {
        Self::Validation {
            errors: vec![FieldError {
                pointer,
                code: Cow::Borrowed("invalid_body"),
                message,
            }],
            warnings: Vec::new(),
        }
    }

    fn kind(&self) -> ProblemKind {
        match self {
            Self::BadRequest(_) => ProblemKind::BAD_REQUEST,
            Self::Validation { .. } => ProblemKind::VALIDATION,
            Self::Unauthorized(_) => ProblemKind::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Denied { .. } => ProblemKind::FORBIDDEN,
            Self::NotFound => ProblemKind::NOT_FOUND,
            Self::Conflict { .. } => ProblemKind::CONFLICT,
            Self::PreconditionFailed(_) => ProblemKind::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => ProblemKind::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => ProblemKind::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout { .. } => ProblemKind::REQUEST_TIMEOUT,
            Self::RateLimited { .. } => ProblemKind::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable(_) => ProblemKind::SERVICE_UNAVAILABLE,
            Self::Internal(_) | Self::RunMismatch { .. } => ProblemKind::INTERNAL,
        }
    }
}

impl From<crate::scoring::Issue> for FieldError {
    fn from(issue: crate::scoring::Issue) -> Self {
        crate::violation::Violation::from(issue).into()
    }
}

impl From<crate::violation::Violation> for FieldError {
    fn from(violation: crate::violation::Violation) -> Self {
        Self {
            pointer: violation.pointer,
            code: violation.code,
            message: violation.message,
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Unauthorized(reason) => Self::Unauthorized(reason),
            AuthError::Forbidden(reason) => Self::Forbidden(reason),
            AuthError::RateLimited {
                retry_after_secs, ..
            } => Self::RateLimited { retry_after_secs },
        }
    }
}

/// One invalid field.
pub fn field_error(pointer: &str, code: &'static str, message: &str) -> FieldError {
    FieldError {
        pointer: pointer.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// 422 listing `errors`, or nothing when there are none.
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

/// Each way a use case refuses, as its status: the one place the service layer meets HTTP.
/// 503 with `Retry-After`: the work memory stayed in use by others for the whole wait.
impl From<crate::work_memory::Exhausted> for ApiError {
    fn from(exhausted: crate::work_memory::Exhausted) -> Self {
        Self::ServiceUnavailable(exhausted.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Conflict { code, detail } => Self::Conflict {
                code: code.as_str(),
                detail,
            },
            ServiceError::Denied { code, detail } => Self::Denied {
                code: code.as_str(),
                detail,
            },
            ServiceError::PreconditionFailed { expected } => Self::PreconditionFailed(format!(
                "If-Match {expected} is not the current version: read the resource again"
            )),
            ServiceError::Invalid(violations) => Self::Validation {
                errors: violations.into_iter().map(FieldError::from).collect(),
                warnings: Vec::new(),
            },
            ServiceError::ConcurrentWrite => Self::Conflict {
                code: Code::ConcurrentWrite.as_str(),
                detail: "a concurrent request wrote the same resource first: read it again".into(),
            },
            ServiceError::Unavailable(detail) => Self::ServiceUnavailable(detail),
            ServiceError::RunMismatch { run, .. } => Self::RunMismatch { run },
            ServiceError::Internal(cause) => Self::Internal(cause),
        }
    }
}

/// Seconds a client is asked to wait before retrying a 503.
const RETRY_AFTER_UNAVAILABLE_SECS: u32 = 1;

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status
    }

    fn error_response(&self) -> HttpResponse {
        let kind = self.kind();
        let detail = match self {
            Self::Internal(cause) => {
                // The request id on the line itself, so the quoted id finds the cause even where
                // the request's span is filtered out (RUST_LOG=warn).
                let request_id = RequestContext::current().map(|c| c.request_id);
                tracing::error!(request_id, error.cause_chain = ?cause, "internal error");
                "internal error; quote the request id when reporting it".to_string()
            }
            other => other.to_string(),
        };
        let mut response = match self {
            Self::Validation { errors, warnings } => {
                kind.problem_response(detail, None, errors.clone(), warnings.clone())
            }
            Self::Conflict { code, .. } | Self::Denied { code, .. } => {
                kind.problem_response(detail, Some(Cow::Borrowed(code)), Vec::new(), Vec::new())
            }
            Self::RateLimited { .. } => kind.problem_response(
                detail,
                Some(Cow::Borrowed("rate_limited")),
                Vec::new(),
                Vec::new(),
            ),
            Self::RunMismatch { .. } => kind.problem_response(
                detail,
                Some(Cow::Borrowed("run_mismatch")),
                Vec::new(),
                Vec::new(),
            ),
            _ => kind.response(detail, Vec::new()),
        };
        match self {
            Self::Unauthorized(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            Self::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::ServiceUnavailable(_) => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECS),
                );
            }
            Self::RunMismatch { run } => {
                response.extensions_mut().insert(RefusedRun(run.clone()));
            }
            _ => {}
        }
        response
    }
}

/// A kind of problem: its status, stable type URI and title.
#[derive(Debug, Clone, Copy)]
pub struct ProblemKind {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: &'static str,
}

impl ProblemKind {
    pub const BAD_REQUEST: Self = Self::new(
        StatusCode::BAD_REQUEST,
        "malformed-request",
        "Malformed request",
    );
    pub const VALIDATION: Self = Self::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
        "Request validation failed",
    );
    pub const UNAUTHORIZED: Self = Self::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Missing or invalid bearer token",
    );
    pub const FORBIDDEN: Self = Self::new(StatusCode::FORBIDDEN, "forbidden", "Role not allowed");
    pub const NOT_FOUND: Self = Self::new(StatusCode::NOT_FOUND, "not-found", "Not found");
    pub const CONFLICT: Self = Self::new(StatusCode::CONFLICT, "conflict", "Conflict");
    pub const PRECONDITION_FAILED: Self = Self::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        "Precondition failed",
    );
    pub const METHOD_NOT_ALLOWED: Self = Self::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
    );
    pub const NOT_ACCEPTABLE: Self = Self::new(
        StatusCode::NOT_ACCEPTABLE,
        "not-acceptable",
        "Not acceptable",
    );
    pub const PAYLOAD_TOO_LARGE: Self = Self::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Payload too large",
    );
    pub const UNSUPPORTED_MEDIA_TYPE: Self = Self::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
    );
    pub const REQUEST_TIMEOUT: Self = Self::new(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        "Request timeout",
    );
    pub const TOO_MANY_REQUESTS: Self = Self::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
    );
    pub const SERVICE_UNAVAILABLE: Self = Self::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "service-unavailable",
        "Service unavailable",
    );
    pub const INTERNAL: Self = Self::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
    );

    const fn new(status: StatusCode, slug: &'static str, title: &'static str) -> Self {
        Self {
            status,
            slug,
            title,
        }
    }

    /// The kind for a status produced outside our handlers (routing, actix extractors).
    pub fn for_status(status: StatusCode) -> Self {
        [
            Self::BAD_REQUEST,
            Self::UNAUTHORIZED,
            Self::FORBIDDEN,
            Self::NOT_FOUND,
            Self::METHOD_NOT_ALLOWED,
            Self::NOT_ACCEPTABLE,
            Self::CONFLICT,
            Self::PRECONDITION_FAILED,
            Self::PAYLOAD_TOO_LARGE,
            Self::UNSUPPORTED_MEDIA_TYPE,
            Self::VALIDATION,
            Self::REQUEST_TIMEOUT,
            Self::TOO_MANY_REQUESTS,
            Self::SERVICE_UNAVAILABLE,
        ]
        .into_iter()
        .find(|kind| kind.status == status)
        .unwrap_or(if status.is_client_error() {
            Self::new(status, "client-error", "Client error")
        } else {
            Self::INTERNAL
        })
    }

    /// Builds the problem response, stamped with the current request's path and id.
    pub fn response(self, detail: String, errors: Vec<FieldError>) -> HttpResponse {
        self.problem_response(detail, None, errors, Vec::new())
    }

    fn problem_response(
        self,
        detail: String,
        code: Option<Cow<'static, str>>,
        errors: Vec<FieldError>,
        warnings: Vec<ProblemWarning>,
    ) -> HttpResponse {
        let context = RequestContext::current();
        let problem = Problem {
            problem_type: format!("{PROBLEM_BASE}{}", self.slug),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail,
            code,
            instance: context.as_ref().map(|c| c.path.clone()),
            request_id: context.map(|c| c.request_id),
            errors,
            warnings,
        };
        HttpResponse::build(self.status)
            .content_type(PROBLEM_CONTENT_TYPE)
            .json(problem)
    }
}

#[cfg(test)]
mod tests;
