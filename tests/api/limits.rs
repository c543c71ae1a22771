//! Hostile input and hostile clients over real HTTP: huge, deeply nested, long and non-UTF-8
//! bodies, clients that are slow or many, and callers over the rate limit each get a clear answer,
//! and the server goes on serving everyone else.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use socval::auth::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::helpers::expect;
use crate::common::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

const WORKED_EXAMPLE: &str = include_str!("../golden/worked_example.json");

async fn post_bytes(app: &TestApp, path: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(&[Role::Platform]))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The problem document of `response`, checked to be `application/problem+json` with `status`.
async fn problem(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let content_type = response.headers()["content-type"].clone();
    let body: Value = response.json().await.unwrap();
    assert_eq!(actual, status, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], status);
    body
}

async fn still_serving(app: &TestApp) {
    assert_eq!(app.get("/healthz").await.status(), 200);
}

fn has_error(problem: &Value, pointer: &str, code: &str) -> bool {
    problem["errors"].as_array().is_some_and(|errors| {
        errors
            .iter()
            .any(|e| e["pointer"] == pointer && e["code"] == code)
    })
}

/// Sends `head` (and whatever body bytes follow it) on a raw connection, then reads whatever the
/// server answers until it closes the connection, giving up after `patience`.
async fn raw_exchange(app: &TestApp, head: &str, patience: Duration) -> (String, Duration) {
    let mut stream = connect(app).await;
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(patience, stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server kept the connection open for {patience:?}"
    );
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_whether_its_length_is_declared_or_streamed() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let oversized = format!("{WORKED_EXAMPLE}{}", " ".repeat(2 * 1024 * 1024));
    let declared = post_bytes(&app, "/v1/schemes/validate", oversized.into_bytes()).await;
    problem(declared, 413).await;

    // Chunked, so no Content-Length warns the server: it counts as the body arrives.
    let token = app.token(&[Role::Platform]);
    let chunk = format!("100000\r\n{}\r\n", " ".repeat(0x10_0000));
    let head = format!(
        "POST /v1/schemes/validate HTTP/1.1\r\nhost: socval\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{chunk}{chunk}"
    );
    let (answer, _) = raw_exchange(&app, &head, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");

    // Refused before its body is read, a chunked upload is not drained either: the connection
    // closes after the answer (the body above has no last chunk, so draining would never end).
    let unauthenticated = head.replace(&format!("authorization: Bearer {token}\r\n"), "");
    let (answer, _) = raw_exchange(&app, &unauthenticated, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    still_serving(&app).await;
}

#[tokio::test]
async fn invalid_utf8_is_a_400_problem() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for path in ["/v1/schemes/validate", "/v1/evaluations/preview"] {
        let in_a_string = br#"{"scheme": {"authority_type": "other", "criteria": [{"id": "#;
        let body = [&in_a_string[..], b"\"\xff\xfe\"}]}}"].concat();
        let body = problem(post_bytes(&app, path, body).await, 400).await;
        assert_eq!(
            body["type"], "https://socval.dev/problems/malformed-request",
            "{body}"
        );
        problem(
            post_bytes(&app, path, b"\xef\xbb\xbf\xff{}".to_vec()).await,
            400,
        )
        .await;
    }
}

#[tokio::test]
async fn a_scheme_of_ten_thousand_criteria_is_refused_naming_the_field_and_the_limit() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let criteria: Vec<Value> = (0..10_000)
        .map(|i| json!({"id": format!("q{i}"), "type": "quality", "weight": "0.01", "scale": {"min": 0, "max": 10}}))
        .collect();
    let body = json!({"scheme": {"authority_type": "other", "criteria": criteria}});
    let refused = problem(
        post_bytes(&app, "/v1/schemes/validate", body.to_string().into_bytes()).await,
        422,
    )
    .await;
    assert!(
        has_error(&refused, "/scheme/criteria", "invalid_body"),
        "{refused}"
    );
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_preview_may_compute_at_most_a_hundred_thousand_scores() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    // 100 quantitative criteria need no marks, so each bid is a few bytes: 1,001 of them would
    // make 100,100 scores from a 150 kB body.
    let mut criteria = vec![json!({"id": "price", "type": "price", "weight": "50.5"})];
    criteria.extend((0..99).map(|i| {
        json!({"id": format!("sv{i}"), "type": "social_value", "weight": "0.5", "outcome": "PPN06-20:MAC2.2", "method": "quantitative"})
    }));
    let bids: Vec<Value> = (0..1_001)
        .map(|i| json!({"id": format!("b{i}"), "price": 1000 + i, "submitted_at": "2026-03-01T10:00:00Z"}))
        .collect();
    let body = json!({"scheme": {"authority_type": "other", "criteria": criteria}, "bids": bids});
    let refused = problem(
        post_bytes(
            &app,
            "/v1/evaluations/preview",
            body.to_string().into_bytes(),
        )
        .await,
        422,
    )
    .await;
    assert!(has_error(&refused, "/bids", "too_many_bids"), "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1001 × 100"),
        "{refused}"
    );
}

on_both_backends! {
    async fn deeply_nested_json_is_refused_and_the_server_keeps_serving(app: TestApp) {
        let (tender, lot) = app.open_lot("LIM-1").await;
        let bids = format!("/v1/tenders/{tender}/lots/{lot}/bids");
        let deep = "[".repeat(100_000);
        for path in ["/v1/schemes/validate", "/v1/evaluations/preview", bids.as_str()] {
            for body in [deep.clone(), format!(r#"{{"scheme": {{"criteria": {deep}"#), format!(r#"{{"supplier": {deep}"#)] {
                let response = post_bytes(&app, path, body.into_bytes()).await;
                let status = response.status().as_u16();
                assert!(status == 400 || status == 422, "{path}: {status}");
                problem(response, status).await;
            }
        }
        still_serving(&app).await;
    }

    async fn a_bid_of_ten_thousand_commitments_is_stored(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("LIM-2").await;
        let commitments: Vec<Value> = (0..10_000)
            .map(|i| json!({"measure": "SVS-CARBON-SAVED", "quantity": i}))
            .collect();
        let bid = json!({"supplier": {"name": "Many Promises Ltd"}, "price": "1000", "commitments": commitments});
        let stored = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &token, Some(&bid)).await, 201).await;
        assert_eq!(stored["commitments"].as_array().unwrap().len(), 10_000);
        assert_eq!(stored["commitments"][9_999]["quantity"], "9999");
    }
}

/// A server that cuts slow clients off after half a second.
async fn impatient_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |config| config.request_timeout_ms = 500)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = impatient_app().await;
    let (answer, waited) = raw_exchange(
        &app,
        "POST /v1/schemes/validate HTTP/1.1\r\nhost: socval\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    still_serving(&app).await;
}

#[tokio::test]
async fn a_client_that_stops_sending_its_body_gets_a_408_problem_and_is_disconnected() {
    let app = impatient_app().await;
    let token = app.token(&[Role::Platform]);
    let head = format!(
        "POST /v1/schemes/validate HTTP/1.1\r\nhost: socval\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"scheme\": "
    );
    let (answer, waited) = raw_exchange(&app, &head, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("https://socval.dev/problems/request-timeout"),
        "{answer}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    still_serving(&app).await;
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_cut_off_at_the_timeout_however_steady() {
    let app = impatient_app().await;
    let token = app.token(&[Role::Platform]);
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /v1/schemes/validate HTTP/1.1\r\nhost: socval\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // A one-byte chunk every 100 ms never leaves the connection idle, yet the body is due in
    // 500 ms; chunked, so the server cannot know how much is still to come.
    let mut answer = Vec::new();
    while started.elapsed() < Duration::from_secs(5) {
        if stream.write_all(b"1\r\n \r\n").await.is_err() {
            break;
        }
        let mut buffer = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn two_thousand_idle_connections_do_not_keep_a_request_from_being_served() {
    let app = spawn_app_with(Backend::Sqlite, |config| config.request_timeout_ms = 2_000)
        .await
        .unwrap();
    let mut idle = Vec::with_capacity(2_000);
    for _ in 0..2_000 {
        idle.push(connect(&app).await);
    }
    let started = Instant::now();
    let response = app.get_as("/v1/whoami", &app.token(&[Role::Auditor])).await;
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // And the idle ones are let go once the request timeout has passed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut closed = 0;
    for stream in idle.iter_mut().step_by(100) {
        let mut buffer = [0u8; 256];
        // A 408, the end of the stream or a reset: anything but silence.
        if tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer))
            .await
            .is_ok()
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 20,
        "every sampled idle connection was closed by the server"
    );
}

#[tokio::test]
async fn a_token_over_the_rate_limit_gets_429_with_retry_after_and_no_one_else_does() {
    let app = spawn_app_with(Backend::Sqlite, |config| config.rate_limit_per_minute = 3)
        .await
        .unwrap();
    let busy = app.token(&[Role::Platform]);
    for _ in 0..3 {
        assert_eq!(app.get_as("/v1/whoami", &busy).await.status(), 200);
    }
    let refused = app.get_as("/v1/frameworks", &busy).await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let body = problem(refused, 429).await;
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["type"], "https://socval.dev/problems/rate-limited");

    // Another token of the same caller shares its budget; another caller has its own.
    let same_caller = app.token(&[Role::Auditor]);
    assert_eq!(app.get_as("/v1/whoami", &same_caller).await.status(), 429);
    let other_org = app.token_for("org-other", &[Role::Platform]);
    assert_eq!(app.get_as("/v1/whoami", &other_org).await.status(), 200);
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        for _ in 0..5 {
            assert_eq!(app.get(path).await.status(), 200, "{path} is never limited");
        }
    }
}

on_both_backends! {
    async fn every_text_field_has_its_length_limit(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let mut tender = crate::common::helpers::tender_body("LEN-1");
        tender["external_id"] = json!("x".repeat(1_000_000));
        let refused = expect(app.send("POST", "/v1/tenders", &platform, Some(&tender)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/external_id", "1 MB: over every limit");
        tender["external_id"] = json!("x".repeat(201));
        let refused = expect(app.send("POST", "/v1/tenders", &platform, Some(&tender)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/external_id");
        assert!(refused["errors"][0]["message"].as_str().unwrap().contains("at most 200 characters"), "{}", refused["errors"][0]);

        let mut tender = crate::common::helpers::tender_body("LEN-2");
        tender["title"] = json!("é".repeat(1_001));
        let refused = expect(app.send("POST", "/v1/tenders", &platform, Some(&tender)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/title");
        tender["title"] = json!("é".repeat(1_000));
        expect(app.send("POST", "/v1/tenders", &platform, Some(&tender)).await, 201).await;

        let (tender_id, lot_id) = app.open_lot("LEN-3").await;
        let batch = json!({"bids": [{"supplier": {"name": "n".repeat(15_000_000)}, "price": "10",
                                      "submitted_at": "2026-03-01T10:00:00Z"}]});
        let response = app.client.post(app.url(&format!("/v1/tenders/{tender_id}/lots/{lot_id}/bids/batch")))
            .bearer_auth(&platform).json(&batch).send().await.unwrap();
        let refused = expect(response, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/bids/0/supplier/name");

        // A string no field names a limit for is held to the longest one.
        let preview = json!({"scheme": {"authority_type": "other", "criteria": [
            {"id": "p", "type": "price", "weight": 100, "name": "n".repeat(20_001)}]}, "bids": []});
        let refused = expect(app.send("POST", "/v1/evaluations/preview", &platform, Some(&preview)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/scheme/criteria/0/name");
        let stored = expect(app.send("GET", &format!("/v1/tenders/{tender_id}/lots/{lot_id}/bids"), &platform, None).await, 200).await;
        assert!(stored["items"].as_array().unwrap().is_empty(), "nothing stored");
    }
}
