//! The outermost middleware: gives every request an id, a tracing span, a metrics sample and a
//! log line, and turns a panicking handler into a 500 problem so the worker keeps serving.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use futures_util::FutureExt;
use tracing::Instrument;

use super::AppState;
use crate::api::problem::{ProblemKind, RefusedRun};
use crate::metrics::UNMATCHED_ROUTE;
use crate::telemetry::RequestContext;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = caller_request_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    // Taken before routing: actix needs the only reference to the request while it routes.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_string());
    let method = req.method().clone();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        http.method = %method,
        http.path = %req.path(),
    );
    let context = RequestContext {
        request_id: request_id.clone(),
        path: req.path().to_string(),
    };

    // A failure becomes its response here, inside the request's scope, so the problem document
    // carries the request id.
    let outcome: Result<ServiceResponse<BoxBody>, HttpResponse> = context
        .scope(async move {
            match AssertUnwindSafe(next.call(req)).catch_unwind().await {
                Ok(Ok(response)) => Ok(response.map_into_boxed_body()),
                Ok(Err(error)) => Err(error.error_response()),
                Err(panic) => {
                    tracing::error!(panic = panic_message(&panic), "handler panicked");
                    Err(ProblemKind::INTERNAL.response(
                        "internal error; quote the request id when reporting it".into(),
                        Vec::new(),
                    ))
                }
            }
        })
        .instrument(span.clone())
        .await;

    let status = match &outcome {
        Ok(response) => response.status(),
        Err(response) => response.status(),
    };
    let elapsed = started.elapsed();
    let refused = match &outcome {
        Ok(response) => response
            .response()
            .extensions()
            .get::<RefusedRun>()
            .cloned(),
        Err(response) => response.extensions().get::<RefusedRun>().cloned(),
    };
    if let (Some(state), Some(RefusedRun(run))) = (&state, refused) {
        state.metrics.observe_refused_run(&run);
    }
    if let Some(state) = state {
        state.metrics.observe_request(
            method.as_str(),
            &route,
            status.as_u16(),
            elapsed.as_secs_f64(),
        );
    }
    span.in_scope(|| {
        tracing::info!(
            http.status = status.as_u16(),
            http.route = %route,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request served"
        );
    });
    let request_id = HeaderValue::from_str(&request_id).ok();
    match outcome {
        Ok(mut response) => {
            if let Some(id) = request_id {
                response.headers_mut().insert(REQUEST_ID, id);
            }
            Ok(response)
        }
        Err(mut response) => {
            if let Some(id) = request_id {
                response.headers_mut().insert(REQUEST_ID, id);
            }
            Err(InternalError::from_response("request failed", response).into())
        }
    }
}

/// The caller's `x-request-id`, when it is a sane token worth keeping (visible ASCII, ≤ 128 bytes):
/// anything else could forge log lines, so it is replaced.
fn caller_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b));
    sane.then(|| value.to_string())
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(non-string panic payload)")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use actix_web::middleware::from_fn;
    use actix_web::{App, test, web};

    use super::*;

    async fn panics() -> HttpResponse {
        panic!("boom in a handler")
    }

    async fn fine() -> HttpResponse {
        HttpResponse::Ok().body("fine")
    }

    /// What the HTTP dispatcher does: an `Err` from the service is rendered by its error.
    async fn respond(
        app: &impl actix_web::dev::Service<
            actix_http::Request,
            Response = ServiceResponse<BoxBody>,
            Error = actix_web::Error,
        >,
        uri: &str,
    ) -> HttpResponse {
        match test::try_call_service(app, test::TestRequest::get().uri(uri).to_request()).await {
            Ok(response) => response.into_parts().1,
            Err(error) => error.error_response(),
        }
    }

    #[actix_web::test]
    async fn a_panicking_handler_is_a_500_problem_and_the_next_request_is_served() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(observe))
                .route("/panic", web::get().to(panics))
                .route("/fine", web::get().to(fine)),
        )
        .await;

        let response = respond(&app, "/panic").await;
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key(REQUEST_ID));
        let bytes = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["type"], "https://socval.dev/problems/internal");
        assert!(!body.to_string().contains("boom"), "{body}");
        assert!(body["request_id"].is_string(), "{body}");

        assert_eq!(respond(&app, "/fine").await.status(), 200);
    }

    #[actix_web::test]
    async fn a_sane_caller_request_id_is_kept_and_a_hostile_one_replaced() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(observe))
                .route("/", web::get().to(fine)),
        )
        .await;
        let kept = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/")
                .insert_header((REQUEST_ID, "trace-123"))
                .to_request(),
        )
        .await;
        assert_eq!(kept.headers().get(REQUEST_ID).unwrap(), "trace-123");

        let replaced = test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/")
                .insert_header((REQUEST_ID, "x\" injected=\"1"))
                .to_request(),
        )
        .await;
        assert_ne!(
            replaced.headers().get(REQUEST_ID).unwrap(),
            "x\" injected=\"1"
        );
    }
}
