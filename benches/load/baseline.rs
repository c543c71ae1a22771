//! The load benchmarks' yardstick: the least an actix-web JSON endpoint can do, on the same
//! runtime, worker count and serde setup as socval. `benches/load/compare.sh` reports socval's
//! figures as a ratio to this server's answer to the same request:
//! - `POST /echo`: parse the body and serialise it back (socval's POSTs of the same body);
//! - `GET /healthz`: a tiny JSON answer (socval's `/healthz`);
//! - `GET /documents/{name}`: serialise a JSON document read at start, each named in
//!   `BASELINE_DOCUMENTS` (`name=path` pairs separated by spaces): socval's GET of a stored
//!   evaluation run, given that run's JSON, and a preview, given that preview's own answer.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};

/// socval's allocator: the yardstick must not win or lose by its allocator alone.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

type Documents = Arc<HashMap<String, serde_json::Value>>;

async fn document(documents: web::Data<Documents>, name: web::Path<String>) -> HttpResponse {
    match documents.get(name.as_str()) {
        Some(document) => HttpResponse::Ok().json(document),
        None => HttpResponse::NotFound().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::var("BASELINE_BIND").unwrap_or_else(|_| "127.0.0.1:18090".into());
    let mut held = HashMap::new();
    let named = std::env::var("BASELINE_DOCUMENTS").unwrap_or_default();
    for pair in named.split_whitespace() {
        let (name, path) = pair.split_once('=').ok_or_else(|| {
            std::io::Error::other(format!("BASELINE_DOCUMENTS: `{pair}` is not name=path"))
        })?;
        held.insert(
            name.to_string(),
            serde_json::from_slice(&std::fs::read(path)?)?,
        );
    }
    let held: Documents = Arc::new(held);
    HttpServer::new(move || {
        App::new()
            .app_data(web::JsonConfig::default().limit(32 * 1024 * 1024))
            .app_data(web::Data::new(held.clone()))
            .route("/echo", web::post().to(echo))
            .route("/healthz", web::get().to(healthz))
            .route("/documents/{name}", web::get().to(document))
    })
    .bind(bind)?
    .run()
    .await
}
