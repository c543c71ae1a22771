#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use super::*;
use actix_web::body::to_bytes;

async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
    let response = error.error_response();
    let status = response.status();
    let bytes = to_bytes(response.into_body()).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[actix_web::test]
async fn an_internal_error_never_shows_its_cause() {
    let cause = anyhow::anyhow!("SELECT secret FROM users WHERE password = 'hunter2'");
    let (status, body) = body_of(ApiError::Internal(cause)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = body.to_string();
    assert!(!text.contains("SELECT"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(body["type"], "https://socval.dev/problems/internal");
}

#[actix_web::test]
async fn a_validation_error_lists_every_field() {
    let errors = vec![
        FieldError {
            pointer: "/a".into(),
            code: "invalid_body".into(),
            message: "x".into(),
        },
        FieldError {
            pointer: "/b/0".into(),
            code: "invalid_body".into(),
            message: "y".into(),
        },
    ];
    let warnings = vec![ProblemWarning {
        code: "social_value_below_recommended_minimum".into(),
        message: "z".into(),
    }];
    let (status, body) = body_of(ApiError::Validation { errors, warnings }).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][1]["pointer"], "/b/0");
    assert_eq!(
        body["warnings"][0]["code"],
        "social_value_below_recommended_minimum"
    );
    assert_eq!(body["status"], 422);
}

#[test]
fn unauthorized_carries_the_bearer_challenge() {
    let response = ApiError::Unauthorized("expired".into()).error_response();
    assert_eq!(
        response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        PROBLEM_CONTENT_TYPE
    );
}

#[test]
fn service_errors_map_to_their_statuses_and_a_503_says_when_to_retry() {
    let status = |e: ServiceError| ApiError::from(e).status_code();
    assert_eq!(status(ServiceError::NotFound), StatusCode::NOT_FOUND);
    assert_eq!(status(ServiceError::ConcurrentWrite), StatusCode::CONFLICT);
    assert_eq!(
        status(ServiceError::conflict(Code::LotNotOpen, "closed")),
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(ServiceError::denied(Code::NotAssigned, "no")),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(ServiceError::invalid("/x", "required", "x is required")),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        status(ServiceError::corrupt("marks row 1: column score")),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let response = ApiError::from(ServiceError::Unavailable("retry".into())).error_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "1");
}

#[test]
fn statuses_from_outside_our_handlers_get_a_kind() {
    assert_eq!(
        ProblemKind::for_status(StatusCode::METHOD_NOT_ALLOWED).slug,
        "method-not-allowed"
    );
    assert_eq!(
        ProblemKind::for_status(StatusCode::IM_A_TEAPOT).slug,
        "client-error"
    );
    assert_eq!(
        ProblemKind::for_status(StatusCode::BAD_GATEWAY).slug,
        "internal"
    );
}
