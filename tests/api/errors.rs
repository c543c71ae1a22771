//! Everything a client gets wrong is answered with problem+json and the right status, carrying
//! the request id.

use crate::on_both_backends;

async fn problem(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], request_id.as_str());
    assert_eq!(body["status"], status);
    (status, body)
}

on_both_backends! {
    async fn an_unknown_route_is_a_404_problem(app: TestApp) {
        let (status, body) = problem(app.get("/v1/no-such-thing").await).await;
        assert_eq!(status, 404);
        assert_eq!(body["type"], "https://socval.dev/problems/not-found");
        assert_eq!(body["instance"], "/v1/no-such-thing");
    }

    async fn a_wrong_method_is_a_405_problem(app: TestApp) {
        let response = app.client.delete(app.url("/v1/whoami")).send().await.unwrap();
        assert_eq!(response.headers()["allow"], "GET, HEAD, OPTIONS", "RFC 9110: a 405 lists what is allowed");
        let (status, body) = problem(response).await;
        assert_eq!(status, 405);
        assert_eq!(body["type"], "https://socval.dev/problems/method-not-allowed");

        let templated = app.client.delete(app.url("/v1/tenders/some-id")).send().await.unwrap();
        assert_eq!(templated.status(), 405);
        assert_eq!(templated.headers()["allow"], "GET, PATCH, HEAD, OPTIONS");
    }
}

#[tokio::test]
async fn a_caller_request_id_is_echoed_and_one_is_made_otherwise() {
    let app = crate::common::spawn_app(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let echoed = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "platform-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "platform-trace-42");

    let first = app.get("/healthz").await;
    let second = app.get("/healthz").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id(&first).len(), 36, "a UUID");
    assert_ne!(id(&first), id(&second));
}

/// `X-Content-Type-Options: nosniff` on every response: JSON, problems, operational endpoints and
/// the printable assessment summary alike.
#[tokio::test]
async fn every_response_says_nosniff() {
    let app = crate::common::spawn_app(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    let token = app.token(&[socval::auth::Role::Platform]);
    for response in [
        app.get("/healthz").await,
        app.get("/metrics").await,
        app.get("/v1/whoami").await,
        app.get_as("/v1/whoami", &token).await,
        app.get_as("/v1/no-such-thing", &token).await,
        app.get_as("/v1/tenders/a%00b", &token).await,
        app.get("/openapi.json").await,
    ] {
        let url = response.url().to_string();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{url}"
        );
    }
}
