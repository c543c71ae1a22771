//! The HTTP conventions every route keeps (issue 23), on both backends: HEAD, OPTIONS, CORS for
//! the configured origins, 304 for a matching `If-None-Match`, 406 for an `Accept` nothing
//! satisfies, and the rate limit's `RateLimit-Policy` and `RateLimit` fields.

use reqwest::Method;
use serde_json::Value;
use socval::auth::Role;

use crate::common::helpers::{expect, tender_body};
use crate::common::{Backend, TestApp, spawn_app_with};
use crate::on_both_backends;

const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.token(&[Role::Platform]));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn a_tender(app: &TestApp) -> String {
    let tender = expect(
        app.send(
            "POST",
            "/v1/tenders",
            &app.token(&[Role::Platform]),
            Some(&tender_body("CONV-1")),
        )
        .await,
        201,
    )
    .await;
    format!("/v1/tenders/{}", tender["id"].as_str().unwrap())
}

on_both_backends! {
    async fn head_answers_as_get_would_without_the_body(app: TestApp) {
        let tender = a_tender(&app).await;
        for path in ["/healthz", "/v1/tenders", tender.as_str(), "/openapi.json", "/dashboard/"] {
            let get = call(&app, Method::GET, path, &[]).await;
            assert_eq!(get.status(), 200, "{path}");
            let length = get.bytes().await.unwrap().len();
            let head = call(&app, Method::HEAD, path, &[]).await;
            assert_eq!(head.status(), 200, "HEAD {path}");
            assert_eq!(
                head.headers()["content-length"].to_str().unwrap(),
                length.to_string(),
                "HEAD {path} says how long GET is"
            );
            assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} has no body");
        }
        // A path that serves no GET is 405 for HEAD too, and says so.
        let refused = call(&app, Method::HEAD, "/v1/schemes/validate", &[]).await;
        assert_eq!(refused.status(), 405);
        assert_eq!(refused.headers()["allow"], "POST, OPTIONS");
    }

    async fn options_lists_the_methods_of_a_path(app: TestApp) {
        let tender = a_tender(&app).await;
        let options = call(&app, Method::OPTIONS, "/v1/tenders", &[]).await;
        assert_eq!(options.status(), 204);
        assert_eq!(options.headers()["allow"], "GET, POST, HEAD, OPTIONS");
        let one = call(&app, Method::OPTIONS, &tender, &[]).await;
        assert_eq!(one.headers()["allow"], "GET, PATCH, HEAD, OPTIONS");
        assert_eq!(call(&app, Method::OPTIONS, "/v1/no-such-thing", &[]).await.status(), 404);
        let picky = call(&app, Method::OPTIONS, "/v1/tenders", &[("accept", "application/xml")]).await;
        assert_eq!(picky.status(), 204, "an answer without a body suits any Accept");
        let wrong = call(&app, Method::DELETE, "/v1/tenders", &[]).await;
        assert_eq!(wrong.status(), 405);
        assert_eq!(wrong.headers()["allow"], "GET, POST, HEAD, OPTIONS");
    }

    async fn a_get_whose_etag_the_client_holds_is_304(app: TestApp) {
        let tender = a_tender(&app).await;
        let first = call(&app, Method::GET, &tender, &[]).await;
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        for held in [etag.clone(), format!("W/{etag}"), format!("\"99\", {etag}"), "*".to_string()] {
            let again = call(&app, Method::GET, &tender, &[("if-none-match", &held)]).await;
            assert_eq!(again.status(), 304, "If-None-Match: {held}");
            assert_eq!(again.headers()["etag"], etag.as_str());
            assert!(again.bytes().await.unwrap().is_empty());
        }
        let stale = call(&app, Method::GET, &tender, &[("if-none-match", "\"99\"")]).await;
        assert_eq!(stale.status(), 200);
        let head = call(&app, Method::HEAD, &tender, &[("if-none-match", &etag)]).await;
        assert_eq!(head.status(), 304, "HEAD revalidates as GET does");
        // A write's answer is never 304, whatever the request holds.
        let patched = app.client.patch(app.url(&tender)).bearer_auth(app.token(&[Role::Platform]))
            .header("if-none-match", &etag).header("if-match", &etag)
            .json(&serde_json::json!({"title": "Renamed"})).send().await.unwrap();
        assert_eq!(patched.status(), 200);
    }

    async fn an_accept_that_allows_nothing_served_is_406_and_changes_nothing(app: TestApp) {
        let refused = call(&app, Method::GET, "/v1/tenders", &[("accept", "application/xml")]).await;
        assert_eq!(refused.status(), 406);
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
        let body: Value = refused.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("application/json"), "{body}");
        assert_eq!(call(&app, Method::GET, "/v1/tenders", &[("accept", "text/csv")]).await.status(), 406);
        for fine in ["application/json", "application/*", "*/*", "application/xml, application/json;q=0.1"] {
            assert_eq!(call(&app, Method::GET, "/v1/tenders", &[("accept", fine)]).await.status(), 200, "{fine}");
        }
        // A write refused for its Accept is refused before it is done.
        let token = app.token(&[Role::Platform]);
        let write = app.client.post(app.url("/v1/tenders")).bearer_auth(&token)
            .header("accept", "application/xml").json(&tender_body("CONV-406")).send().await.unwrap();
        assert_eq!(write.status(), 406);
        let list = expect(app.send("GET", "/v1/tenders?external_id=CONV-406", &token, None).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
    }
}

#[tokio::test]
async fn each_answer_says_what_is_left_of_the_rate_limit() {
    for backend in BACKENDS {
        let Some(app) = spawn_app_with(backend, |config| {
            config.rate_limit_per_minute = 60;
            config.rate_limit_burst = 3;
        })
        .await
        else {
            eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
            continue;
        };
        let token = app.token(&[Role::Platform]);
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let answer = app.get_as("/v1/whoami", &token).await;
            assert_eq!(answer.status(), 200);
            assert_eq!(
                answer.headers()["ratelimit-policy"],
                "\"per-token\";q=3;w=3"
            );
            remaining.push(answer.headers()["ratelimit"].to_str().unwrap().to_string());
        }
        assert_eq!(
            remaining,
            [
                "\"per-token\";r=2;t=1",
                "\"per-token\";r=1;t=2",
                "\"per-token\";r=0;t=3"
            ]
        );
        let refused = app.get_as("/v1/whoami", &token).await;
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        assert_eq!(refused.headers()["ratelimit"], "\"per-token\";r=0;t=3");
        assert!(
            !app.get("/healthz")
                .await
                .headers()
                .contains_key("ratelimit"),
            "only /v1 is limited"
        );
    }
    let unlimited = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let answer = unlimited
        .get_as("/v1/whoami", &unlimited.token(&[Role::Platform]))
        .await;
    assert!(
        !answer.headers().contains_key("ratelimit-policy"),
        "no limit, no fields"
    );
}

#[tokio::test]
async fn cors_lets_the_configured_origins_call_and_no_other() {
    for backend in BACKENDS {
        let Some(app) = spawn_app_with(backend, |config| {
            config.cors_origins = Some("https://buyer.example, http://localhost:3000".into());
        })
        .await
        else {
            eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
            continue;
        };
        let preflight = |origin: &'static str| {
            app.client
                .request(Method::OPTIONS, app.url("/v1/tenders"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, idempotency-key",
                )
                .send()
        };
        let allowed = preflight("https://buyer.example").await.unwrap();
        assert!(allowed.status().is_success(), "{}", allowed.status());
        let headers = allowed.headers();
        assert_eq!(
            headers["access-control-allow-origin"], "https://buyer.example",
            "the origin itself, never *"
        );
        assert!(
            !headers.contains_key("access-control-allow-credentials"),
            "no cookies are ever invited"
        );
        let methods = headers["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST"), "{methods}");
        let allowed_headers = headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            allowed_headers.contains("idempotency-key")
                && allowed_headers.contains("authorization"),
            "{allowed_headers}"
        );

        let refused = preflight("https://intruder.example").await.unwrap();
        assert!(
            !refused
                .headers()
                .contains_key("access-control-allow-origin")
        );

        let token = app.token(&[Role::Platform]);
        let read = app
            .client
            .get(app.url("/v1/tenders"))
            .bearer_auth(&token)
            .header("origin", "http://localhost:3000")
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), 200);
        assert_eq!(
            read.headers()["access-control-allow-origin"],
            "http://localhost:3000"
        );
        let exposed = read.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for name in [
            "etag",
            "location",
            "idempotent-replayed",
            "ratelimit",
            "retry-after",
            "link",
        ] {
            assert!(exposed.contains(name), "{name} in {exposed}");
        }
        let foreign = app
            .client
            .get(app.url("/v1/tenders"))
            .bearer_auth(&token)
            .header("origin", "https://intruder.example")
            .send()
            .await
            .unwrap();
        assert!(
            !foreign
                .headers()
                .contains_key("access-control-allow-origin")
        );
    }
    // None configured: no CORS at all; OPTIONS is the plain answer.
    let closed = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let answer = closed
        .client
        .request(Method::OPTIONS, closed.url("/v1/tenders"))
        .header("origin", "https://buyer.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    assert!(!answer.headers().contains_key("access-control-allow-origin"));
}

on_both_backends! {
    async fn the_array_lists_page_with_a_link_and_keep_their_shape(app: TestApp) {
        let (lot, _) = crate::evaluations::marked_lot(&app, "CONV-PAGE", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let platform = app.token(&[Role::Platform]);
        for _ in 0..3 {
            expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        }
        let auditor = app.token(&[Role::Auditor]);
        for (list, total) in [("evaluations", 3), ("marks", 4), ("evaluators", 1)] {
            let whole = app.get_as(&format!("{lot}/{list}"), &auditor).await;
            assert!(!whole.headers().contains_key("link"), "{list}: no limit, no link");
            let whole: Value = whole.json().await.unwrap();
            assert_eq!(whole.as_array().unwrap().len(), total, "{list}: still the whole array");

            let mut path = format!("{lot}/{list}?limit=1");
            let mut seen = Vec::new();
            loop {
                let page = app.get_as(&path, &auditor).await;
                assert_eq!(page.status(), 200, "{path}");
                let link = page.headers().get("link").map(|l| l.to_str().unwrap().to_string());
                let items: Value = page.json().await.unwrap();
                assert_eq!(items.as_array().unwrap().len(), 1, "{path}");
                seen.push(items[0].clone());
                let Some(link) = link else { break };
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                path = link.trim_start_matches('<').split('>').next().unwrap().to_string();
            }
            assert_eq!(Value::Array(seen), whole, "{list}: the pages, in order, are the whole list");
        }
        // A generated client that cannot set `Accept` asks with `?format=`.
        let runs = expect(app.send("GET", &format!("{lot}/evaluations"), &auditor, None).await, 200).await;
        let run = format!("{lot}/evaluations/{}", runs[0]["id"].as_str().unwrap());
        let csv = app.get_as(&format!("{run}?format=csv"), &auditor).await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(csv.text().await.unwrap().starts_with("bid_id,"));
        let bad = expect(app.send("GET", &format!("{lot}/evaluations?limit=0"), &auditor, None).await, 422).await;
        assert_eq!(bad["errors"][0]["pointer"], "/limit");
        let forged = expect(app.send("GET", &format!("{lot}/marks?limit=1&cursor=%%%"), &auditor, None).await, 422).await;
        assert_eq!(forged["errors"][0]["pointer"], "/cursor");
    }
}
