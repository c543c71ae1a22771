//! The OpenAPI document is pinned in the repository, served as is, and browsable offline.

use crate::common::{Backend, spawn_app};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = socval::api::openapi_json().unwrap();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale; regenerate it with:\n\n    cargo run -q -- openapi > openapi/openapi.json\n"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_bearer_security_and_problem_schema() {
    let document: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["components"]["schemas"]["Problem"].is_object());
    let whoami = &document["paths"]["/v1/whoami"]["get"];
    assert_eq!(whoami["security"][0]["bearer"], serde_json::json!([]));
    assert!(whoami["responses"]["401"]["content"]["application/problem+json"].is_object());
}

#[test]
fn every_operation_has_a_unique_operation_id() {
    let document: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut ids: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().unwrap())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicated operationId among {ids:?}");
}

/// A key reused for another request is 409 `idempotency_key_reused`: every operation that takes
/// the header says so.
#[test]
fn every_idempotent_operation_documents_its_409() {
    let document: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut idempotent = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let takes_key = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "Idempotency-Key");
            if takes_key {
                idempotent += 1;
                assert!(operation["responses"]["409"].is_object(), "{method} {path}");
            }
        }
    }
    assert_eq!(idempotent, 12, "every creating POST and each award step");
}

#[tokio::test]
async fn openapi_json_is_served_exactly_as_committed() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), COMMITTED);
}

#[tokio::test]
async fn the_docs_page_loads_only_assets_of_this_server() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'self'")
    );
    let html = page.text().await.unwrap();
    let references = attribute_values(&html, &["src=\"", "href=\""]);
    assert!(!references.is_empty(), "the page loads its assets: {html}");
    for reference in &references {
        assert!(
            !reference.contains("//"),
            "`{reference}` points at another host"
        );
        let asset = app
            .get(&format!("/docs/{}", reference.trim_start_matches("./")))
            .await;
        assert_eq!(asset.status(), 200, "asset {reference} is served");
    }

    let initializer = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("\"url\": \"/openapi.json\""),
        "{initializer}"
    );
    assert!(
        initializer.contains("\"validatorUrl\": \"none\""),
        "{initializer}"
    );
}

fn attribute_values(html: &str, prefixes: &[&str]) -> Vec<String> {
    prefixes
        .iter()
        .flat_map(|prefix| {
            html.split(prefix)
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(str::to_string)
        })
        .collect()
}
