//! The load benchmarks' yardstick: the least an actix-web JSON endpoint can do, on the same
//! runtime, worker count and serde setup as socval. `benches/load/compare.sh` reports socval's
//! figures as a ratio to this server's answer to the same request:
//! - `POST /echo`: parse the body and serialise it back (socval's POSTs of the same body);
//! - `GET /healthz`: a tiny JSON answer (socval's `/healthz`);
//! - `GET /document`: serialise the JSON document read at start from the file named by
//!   `BASELINE_DOCUMENT` (socval's GET of a stored evaluation run, given that run's JSON).

use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};

async fn echo(body: web::Json<serde_json::Value>) -> web::Json<serde_json::Value> {
    body
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

async fn document(document: web::Data<Arc<serde_json::Value>>) -> HttpResponse {
    HttpResponse::Ok().json(&**document.get_ref())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::var("BASELINE_BIND").unwrap_or_else(|_| "127.0.0.1:18090".into());
    let held: serde_json::Value = match std::env::var("BASELINE_DOCUMENT") {
        Ok(path) => serde_json::from_slice(&std::fs::read(path)?)?,
        Err(_) => serde_json::Value::Null,
    };
    let held = Arc::new(held);
    HttpServer::new(move || {
        App::new()
            .app_data(web::JsonConfig::default().limit(32 * 1024 * 1024))
            .app_data(web::Data::new(held.clone()))
            .route("/echo", web::post().to(echo))
            .route("/healthz", web::get().to(healthz))
            .route("/document", web::get().to(document))
    })
    .bind(bind)?
    .run()
    .await
}
