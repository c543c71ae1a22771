//! `/metrics` speaks Prometheus and labels requests by route template, never by raw path.

use socval::auth::Role;

use crate::on_both_backends;

on_both_backends! {
    async fn requests_are_counted_by_method_route_template_and_status(app: TestApp) {
        let token = app.token(&[Role::Auditor]);
        app.get_as("/v1/whoami", &token).await;
        app.get_as("/v1/whoami", &token).await;
        app.get("/v1/whoami").await;
        app.get("/random/path/12345").await;

        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = response.text().await.unwrap();
        for expected in [
            r#"http_requests_total{method="GET",route="/v1/whoami",status="200"} 2"#,
            r#"http_requests_total{method="GET",route="/v1/whoami",status="401"} 1"#,
            r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
            r#"http_request_duration_seconds_bucket{method="GET",route="/v1/whoami",status="200",le="+Inf"} 2"#,
            r#"db_pool_connections{state="max"} 4"#,
            "socval_build_info{",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        assert!(!text.contains("12345"), "raw paths never become labels");
    }

    async fn no_method_name_an_anonymous_client_invents_creates_series(app: TestApp) {
        let series = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
        let brew = |n: usize| {
            let method = reqwest::Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
            app.client.request(method, app.url("/v1/whoami")).send()
        };
        brew(0).await.unwrap();
        app.get("/metrics").await; // so that /metrics' own series exist before counting
        let before = series(&app.get("/metrics").await.text().await.unwrap());
        for n in 1..50 {
            brew(n).await.unwrap();
        }
        let text = app.get("/metrics").await.text().await.unwrap();
        assert!(!text.contains("BREW"), "{text}");
        assert!(text.contains(r#"http_requests_total{method="other",route="/v1/whoami",status="405"} 50"#), "{text}");
        assert_eq!(series(&text), before, "49 more method names added no series");
    }
}
