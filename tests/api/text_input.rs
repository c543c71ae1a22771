//! NUL and the other C0 controls (all but tab, LF and CR) are refused wherever text comes in —
//! body fields and keys (422 at the pointer), path segments and query parameters (400 naming the
//! parameter) — the same on both backends, and nothing is stored.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::helpers::{expect, tender_body};
use crate::evaluations::marked_lot;
use crate::on_both_backends;

async fn refused_at(response: reqwest::Response, pointer: &str) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 422, "{pointer}: {body}");
    assert_eq!(body["errors"][0]["pointer"], pointer, "{body}");
    assert_eq!(body["errors"][0]["code"], "invalid_body", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("control character U+"),
        "{body}"
    );
}

async fn bad_request_naming(response: reqwest::Response, name: &str) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 400, "{name}: {body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(name) && detail.contains("control character"),
        "{name}: {detail}"
    );
}

on_both_backends! {
    async fn control_characters_are_refused_in_bodies_paths_and_queries(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let commercial = app.token(&[Role::Commercial]);
        let auditor = app.token(&[Role::Auditor]);
        let admin = app.token(&[Role::Admin]);
        let (lot, bids) = marked_lot(&app, "CTRL-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let tender = lot.split('/').nth(3).unwrap().to_string();
        let (open_tender, open_lot_id) = app.open_lot("CTRL-2").await;
        let open = format!("/v1/tenders/{open_tender}/lots/{open_lot_id}");
        let bid = &bids[0];
        let tenders_before = expect(app.send("GET", "/v1/tenders", &platform, None).await, 200).await;

        let mut nul_title = tender_body("CTRL-3");
        nul_title["title"] = json!("Facilities\u{0}management");
        let mut nul_key = tender_body("CTRL-4");
        nul_key.as_object_mut().unwrap().insert("ti\u{0}tle".into(), json!("x"));
        let measure_set = json!({"name": "Set\u{7}", "version": "1", "licence": "CC-BY-4.0",
            "source": "ours", "valid_from": "2026-04-01",
            "measures": [{"code": "M1", "name": "Jobs", "unit": "FTE", "proxy_value": "1",
                          "outcomes": ["PPN06-20:MAC2.1"]}]});
        let bodies: Vec<(&str, String, &str, Value, &str)> = vec![
            ("POST", "/v1/tenders".into(), &platform, nul_title, "/title"),
            ("POST", "/v1/tenders".into(), &platform, nul_key, "/ti\u{0}tle"),
            ("PATCH", format!("/v1/tenders/{tender}"), &platform, json!({"buyer": "Dept\u{0}"}), "/buyer"),
            ("POST", format!("/v1/tenders/{tender}/lots"), &platform, json!({"title": "\u{1b}[31mNorth"}), "/title"),
            ("POST", format!("{open}/bids"), &platform,
             json!({"supplier": {"name": "Acme\u{0}"}, "price": "10", "submitted_at": "2026-03-01T10:00:00Z"}),
             "/supplier/name"),
            ("POST", format!("{lot}/evaluators"), &commercial, json!({"sub": "eve\u{0}"}), "/sub"),
            ("PUT", format!("{lot}/bids/{bid}/moderated-marks/q1"), &commercial,
             json!({"score": 50, "rationale": "agreed\u{0}"}), "/rationale"),
            ("POST", format!("{lot}/award"), &commercial,
             json!({"evaluation_id": "x", "note": "lowest\u{8}price"}), "/note"),
            ("POST", "/v1/measure-sets".into(), &admin, measure_set, "/name"),
        ];
        for (method, path, token, body, pointer) in &bodies {
            refused_at(app.send(method, path, token, Some(body)).await, pointer).await;
        }
        let solo = socval::auth::token::mint(&app.config, "solo", crate::common::ORG, &[Role::Evaluator],
            std::time::Duration::from_secs(300)).unwrap();
        refused_at(
            app.send("POST", &format!("{lot}/conflict-declarations"), &solo,
                 Some(&json!({"conflict": false, "details": "none\u{0}"}))).await,
            "/details",
        ).await;

        for (path, token, name) in [
            ("/v1/tenders/a%00b".to_string(), &platform, "path parameter `id`"),
            (format!("{lot}/bids/x%00"), &platform, "path parameter `bid`"),
            (format!("/v1/tenders/{tender}/lots/%1F"), &platform, "path parameter `lot`"),
            ("/v1/tenders?external_id=%00".to_string(), &platform, "query parameter `external_id`"),
            ("/v1/audit-events?entity=%00".to_string(), &auditor, "query parameter `entity`"),
            ("/v1/audit-events?tender=a%01".to_string(), &auditor, "query parameter `tender`"),
            (format!("/v1/tenders/{tender}/score-history?as_of=%00"), &platform, "query parameter `as_of`"),
        ] {
            bad_request_naming(app.send("GET", &path, token, None).await, name).await;
        }
        bad_request_naming(
            app.send("PUT", &format!("{lot}/bids/{bid}/marks/q%001"), &solo, Some(&json!({"score": 1, "rationale": "r"}))).await,
            "path parameter `criterion`",
        ).await;
        let csv_import = app.client
            .post(app.url("/v1/measure-sets?name=Set%00&version=1&licence=CC-BY-4.0&source=ours&valid_from=2026-04-01"))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body("code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description\n")
            .send().await.unwrap();
        bad_request_naming(csv_import, "query parameter `name`").await;

        let tenders_after = expect(app.send("GET", "/v1/tenders", &platform, None).await, 200).await;
        assert_eq!(tenders_after["items"].as_array().unwrap().len(), tenders_before["items"].as_array().unwrap().len(), "nothing stored");
        let evaluators = expect(app.send("GET", &format!("{lot}/evaluators"), &commercial, None).await, 200).await;
        assert!(!evaluators.to_string().contains("eve"), "{evaluators}");
    }
}
