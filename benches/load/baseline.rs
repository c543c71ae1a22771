//! The load benchmarks' yardstick: the least an actix-web JSON endpoint can do — parse the body
//! and serialise it back — on the same runtime, worker count and serde setup as socval.
//! `benches/load/compare.sh` reports socval's figures as a ratio to this server's: POSTs to
//! `/echo` of the same body, GETs to `/healthz` (the same tiny JSON answer as socval's).

use actix_web::{App, HttpServer, web};

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

async fn echo(body: web::Json<serde_json::Value>) -> web::Json<serde_json::Value> {
    body
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::var("BASELINE_BIND").unwrap_or_else(|_| "127.0.0.1:18090".into());
    HttpServer::new(|| {
        App::new()
            .app_data(web::JsonConfig::default().limit(32 * 1024 * 1024))
            .route("/echo", web::post().to(echo))
            .route("/healthz", web::get().to(healthz))
    })
    .bind(bind)?
    .run()
    .await
}
