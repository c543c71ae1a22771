//! The work-memory budget over real HTTP: a preview reserves its memory by its declared length
//! before its body is read, so a client still sending a large body holds the budget; others wait,
//! then get 503 with `Retry-After`, and are served once the memory is free again.

use std::time::{Duration, Instant};

use serde_json::Value;
use socval::auth::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::helpers::{expect, tender_body};
use crate::common::{Backend, TestApp, spawn_app_with};

const WORKED_EXAMPLE: &str = include_str!("../golden/worked_example.json");
const WAIT_MS: u64 = 300;

/// A server with 4 MiB of work memory, for which 1 MiB of body (5 MiB by the estimate) is the
/// whole budget.
async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.work_memory_mib = 4;
        config.work_memory_wait_ms = WAIT_MS;
    })
    .await
}

/// A preview whose client sends its headers and half its 1 MiB body, then stops: the budget is
/// held from the headers on. Returns the connection and the rest of the body.
async fn hold_the_budget(app: &TestApp) -> (TcpStream, Vec<u8>) {
    let mut body = WORKED_EXAMPLE.trim_end().as_bytes().to_vec();
    body.resize(1024 * 1024, b' ');
    let head = format!(
        "POST /v1/evaluations/preview HTTP/1.1\r\nhost: socval\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        app.token(&[Role::Platform]),
        body.len()
    );
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let rest = body.split_off(body.len() / 2);
    stream.write_all(&body).await.unwrap();
    // Until the server has read the headers and reserved, nothing is held.
    tokio::time::sleep(Duration::from_millis(200)).await;
    (stream, rest)
}

async fn finish(mut stream: TcpStream, rest: Vec<u8>) -> String {
    stream.write_all(&rest).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the held preview is answered")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// 503 problem+json with `Retry-After`, after waiting about the configured time.
async fn refused_for_memory(response: reqwest::Response, asked: Instant) {
    assert!(
        asked.elapsed() >= Duration::from_millis(WAIT_MS),
        "it waited first"
    );
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let problem = expect(response, 503).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("work memory (4 MiB"), "{detail}");
}

async fn preview(app: &TestApp) -> reqwest::Response {
    app.client
        .post(app.url("/v1/evaluations/preview"))
        .bearer_auth(app.token(&[Role::Platform]))
        .header("content-type", "application/json")
        .body(WORKED_EXAMPLE)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_preview_waits_for_work_memory_then_gets_503_and_is_served_once_it_is_free() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let (held, rest) = hold_the_budget(&app).await;

    let asked = Instant::now();
    refused_for_memory(preview(&app).await, asked).await;
    // Requests that hold no work memory are served meanwhile.
    assert_eq!(app.get("/healthz").await.status(), 200);

    // The held preview, its body complete, is scored like any other: the golden result.
    let answer = finish(held, rest).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let result: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let golden: Value =
        serde_json::from_str(include_str!("../golden/worked_example.result.json")).unwrap();
    assert_eq!(result, golden);

    // The memory came back with the answer.
    assert_eq!(preview(&app).await.status(), 200);
}

#[tokio::test]
async fn a_preview_that_waits_less_than_the_wait_is_served() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let (held, rest) = hold_the_budget(&app).await;
    let waiting = tokio::spawn({
        let (client, url, token) = (
            app.client.clone(),
            app.url("/v1/evaluations/preview"),
            app.token(&[Role::Platform]),
        );
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(WORKED_EXAMPLE)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    tokio::time::sleep(Duration::from_millis(WAIT_MS / 3)).await;
    assert!(finish(held, rest).await.starts_with("HTTP/1.1 200"));
    assert_eq!(
        waiting.await.unwrap(),
        200,
        "admitted once memory came free"
    );
}

/// The OCDS export reserves from the same budget: refused while a preview holds it all.
async fn an_export_shares_the_budget_with_previews(backend: Backend) {
    let Some(app) = spawn(backend).await else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let platform = app.token(&[Role::Platform]);
    let tender = expect(
        app.send("POST", "/v1/tenders", &platform, Some(&tender_body("WM-1")))
            .await,
        201,
    )
    .await;
    let export = format!("/v1/tenders/{}/ocds", tender["id"].as_str().unwrap());
    let (held, rest) = hold_the_budget(&app).await;
    let asked = Instant::now();
    refused_for_memory(app.get_as(&export, &platform).await, asked).await;
    assert!(finish(held, rest).await.starts_with("HTTP/1.1 200"));
    let package = expect(app.get_as(&export, &platform).await, 200).await;
    assert_eq!(package["version"], "1.1");
}

#[tokio::test]
async fn an_export_shares_the_budget_with_previews_sqlite() {
    an_export_shares_the_budget_with_previews(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_export_shares_the_budget_with_previews_postgres() {
    an_export_shares_the_budget_with_previews(Backend::Postgres).await;
}
