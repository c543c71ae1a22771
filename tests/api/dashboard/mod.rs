//! `/dashboard`: the page as served (headers, caching, no inline code), and the page in a real
//! browser (`browser.rs`) against a server seeded through the API (`seed.rs`).

mod browser;
mod seed;

use crate::common::{Backend, spawn_app};

const PAGES: [&str; 3] = ["/dashboard/", "/dashboard/app.js", "/dashboard/style.css"];

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_revalidated_by_etag() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let redirect = app.get("/dashboard").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/dashboard/");

    for page in PAGES {
        let response = app.get(page).await;
        assert_eq!(response.status(), 200, "{page}");
        let headers = response.headers().clone();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'self'"), "{policy}");
        assert!(
            !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
            "{policy}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "no-cache");
        let etag = headers["etag"].to_str().unwrap().to_string();

        let again = app
            .client
            .get(app.url(page))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{page} unchanged");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    let html = app.get("/dashboard/").await.text().await.unwrap();
    for external in ["http://", "https://", "//cdn", "fonts.googleapis"] {
        assert!(
            !html.contains(external),
            "the page loads nothing from elsewhere: {external}"
        );
    }
    let script = app.get("/dashboard/app.js").await;
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test]
async fn an_unknown_dashboard_file_is_a_problem_not_the_page() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for path in [
        "/dashboard/nope.js",
        "/dashboard/../Cargo.toml",
        "/dashboard/%2e%2e/Cargo.toml",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let post = app
        .client
        .post(app.url("/dashboard/"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD, OPTIONS");
}
