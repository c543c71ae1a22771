//! Problem documents for responses our handlers did not write: unmatched routes, wrong methods,
//! and the errors of actix's own extractors. Every error a client sees is problem+json.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};

use super::conventions::ArrivedAsHead;
use crate::api::problem::{PROBLEM_CONTENT_TYPE, ProblemKind};

/// The app's default service: 204 for `OPTIONS` and 405 for another method when the path exists
/// (both with `Allow`), else 404.
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    if let Some(pattern) = req.match_pattern() {
        // `OPTIONS` is answered for every path that exists: which methods it takes.
        let mut response = if req.method() == Method::OPTIONS {
            HttpResponse::NoContent().finish()
        } else {
            let method = match req.extensions().get::<ArrivedAsHead>() {
                Some(_) => Method::HEAD,
                None => req.method().clone(),
            };
            ProblemKind::METHOD_NOT_ALLOWED
                .response(format!("{method} is not allowed on this path"), Vec::new())
        };
        let allowed = req
            .app_data::<actix_web::web::Data<super::AppState>>()
            .and_then(|state| state.allowed_methods.get(&pattern).cloned());
        if let Some(value) = allowed.and_then(|a| header::HeaderValue::from_str(&a).ok()) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        response
    } else {
        ProblemKind::NOT_FOUND.response("no endpoint has this path".into(), Vec::new())
    }
}

/// Rewrites a bare error response (empty or plain text) as a problem document.
pub fn problem_for_bare_error<B: MessageBody>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if already_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let kind = ProblemKind::for_status(status);
    // actix's own 4xx messages are safe and useful ("Query deserialize error: ..."); a 5xx
    // message might not be, so it stays in the log.
    let detail = match response.response().error() {
        Some(error) if status.is_client_error() => error.to_string(),
        Some(error) => {
            tracing::error!(error = %error, "unhandled server error");
            "internal error; quote the request id when reporting it".into()
        }
        None => kind.title.to_string(),
    };
    let (request, _) = response.into_parts();
    let mut problem = kind.response(detail, Vec::new());
    if status != kind.status {
        *problem.status_mut() = status;
    }
    if status == StatusCode::UNAUTHORIZED {
        problem.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, problem).map_into_right_body::<B>(),
    ))
}
