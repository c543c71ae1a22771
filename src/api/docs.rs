//! `/openapi.json` and the interactive docs at `/docs`, all served from the binary: the Swagger UI
//! assets are vendored, and the validator badge (which would call an outside host) is off.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::Config;

use super::AppState;

pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

pub async fn docs_asset(tail: web::Path<String>) -> HttpResponse {
    let config = Arc::new(Config::new(["/openapi.json"]).validator_url("none"));
    match utoipa_swagger_ui::serve(&tail, config) {
        Ok(Some(file)) => HttpResponse::Ok()
            .content_type(file.content_type)
            // The page loads only its own assets and calls only this API.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
            ))
            .body(file.bytes.into_owned()),
        Ok(None) => crate::api::problem::ProblemKind::NOT_FOUND
            .response("no such documentation asset".into(), Vec::new()),
        Err(error) => HttpResponse::from_error(crate::api::problem::ApiError::Internal(
            anyhow::anyhow!("serving docs asset: {error}"),
        )),
    }
}
