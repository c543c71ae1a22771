//! `Idempotency-Key` on every creating POST: a retry with the same key and the same request (as
//! canonical JSON: key order and whitespace do not matter) gets the first response again, marked
//! `Idempotent-Replayed`; the key with another request is 409 `idempotency_key_reused`;
//! concurrent retries create one resource.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::expect;
use crate::evaluations::marked_lot;
use crate::on_both_backends;

struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

async fn post(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &str,
    content_type: &str,
) -> Answer {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let text = response.text().await.unwrap();
    Answer {
        status,
        replayed,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// The first call, its retry (the same document written differently), and a different request
/// under the same key.
async fn check_retry(
    app: &TestApp,
    path: &str,
    token: &str,
    first: &str,
    rewritten: &str,
    other: &str,
) -> Value {
    let key = format!("key-{path}");
    let made = post(app, path, token, &key, first, "application/json").await;
    assert_eq!(
        (made.status, made.replayed),
        (201, false),
        "{path}: {}",
        made.body
    );
    let again = post(app, path, token, &key, rewritten, "application/json").await;
    assert_eq!(
        (again.status, again.replayed),
        (201, true),
        "{path}: {}",
        again.body
    );
    assert_eq!(
        again.body, made.body,
        "{path}: the first response, byte for byte"
    );
    let reused = post(app, path, token, &key, other, "application/json").await;
    assert_eq!(
        (reused.status, reused.body["code"].as_str()),
        (409, Some("idempotency_key_reused")),
        "{path}"
    );
    made.body
}

on_both_backends! {
    async fn every_creating_post_replays_its_first_answer(app: TestApp) {
        let commercial = app.token(&[Role::Commercial]);
        let platform = app.token(&[Role::Platform]);
        let (lot, _) = marked_lot(&app, "IDEM-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;

        check_retry(&app, &format!("{lot}/evaluators"), &commercial,
            r#"{"sub": "second"}"#, "{ \"sub\" : \"second\" }", r#"{"sub": "third"}"#).await;
        let second = socval::auth::token::mint(&app.config, "second", crate::common::ORG, &[Role::Evaluator],
            std::time::Duration::from_secs(300)).unwrap();
        check_retry(&app, &format!("{lot}/conflict-declarations"), &second,
            r#"{"conflict": false, "details": "none"}"#, r#"{"details": "none", "conflict": false}"#,
            r#"{"conflict": true, "details": "my brother bids"}"#).await;

        // A run: no body, so a retry is the same request; the evaluation list holds one new run.
        let runs_before = expect(app.send("GET", &format!("{lot}/evaluations"), &platform, None).await, 200).await;
        let run = post(&app, &format!("{lot}/evaluations"), &platform, "run-1", "", "application/json").await;
        assert_eq!(run.status, 201, "{}", run.body);
        let rerun = post(&app, &format!("{lot}/evaluations"), &platform, "run-1", "", "application/json").await;
        assert_eq!((rerun.status, rerun.replayed), (201, true));
        assert_eq!(rerun.body["id"], run.body["id"]);
        let runs_after = expect(app.send("GET", &format!("{lot}/evaluations"), &platform, None).await, 200).await;
        assert_eq!(runs_after.as_array().unwrap().len(), runs_before.as_array().unwrap().len() + 1);

        let run_id = run.body["id"].as_str().unwrap();
        let award = check_retry(&app, &format!("{lot}/award"), &commercial,
            &json!({"evaluation_id": run_id, "note": "best value"}).to_string(),
            &json!({"note": "best value", "evaluation_id": run_id}).to_string(),
            &json!({"evaluation_id": run_id, "note": "another reason"}).to_string()).await;
        let read = expect(app.send("GET", &format!("{lot}/award"), &platform, None).await, 200).await;
        assert_eq!(read, award, "GET …/award answers what the award call did");

        let admin = app.token(&[Role::Admin]);
        let set = |name: &str| json!({"name": name, "version": "1", "licence": "CC-BY-4.0", "source": "ours",
            "valid_from": "2026-04-01", "measures": [{"code": "M1", "name": "Jobs", "unit": "FTE",
            "proxy_value": "1", "outcomes": ["PPN06-20:MAC2.1"]}]});
        let first = set("Idempotent set");
        let mut rewritten = serde_json::to_string_pretty(&first).unwrap();
        rewritten.push('\n');
        check_retry(&app, "/v1/measure-sets", &admin, &first.to_string(), &rewritten,
            &set("Another set").to_string()).await;
    }

    async fn a_csv_import_is_the_same_request_only_with_the_same_metadata(app: TestApp) {
        let admin = app.token(&[Role::Admin]);
        let csv = "code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description\nM1,Jobs,FTE,1,0,0,0,PPN06-20:MAC2.1,\n";
        let path = |name: &str| format!("/v1/measure-sets?name={name}&version=1&licence=CC-BY-4.0&source=ours&valid_from=2026-04-01");
        let made = post(&app, &path("CSV%20set"), &admin, "csv-1", csv, "text/csv").await;
        assert_eq!(made.status, 201, "{}", made.body);
        let again = post(&app, &path("CSV%20set"), &admin, "csv-1", csv, "text/csv").await;
        assert_eq!((again.status, again.replayed), (201, true));
        let other = post(&app, &path("Other%20set"), &admin, "csv-1", csv, "text/csv").await;
        assert_eq!(other.status, 409, "other metadata under the same key: {}", other.body);
    }

    async fn concurrent_retries_of_an_award_make_one_award(app: TestApp) {
        let commercial = app.token(&[Role::Commercial]);
        let platform = app.token(&[Role::Platform]);
        let (lot, _) = marked_lot(&app, "IDEM-2", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        let body = json!({"evaluation_id": run["id"], "note": "best value"}).to_string();
        let path = format!("{lot}/award");
        let tries = (0..6).map(|_| post(&app, &path, &commercial, "award-once", &body, "application/json"));
        let answers = futures_util::future::join_all(tries).await;
        assert!(answers.iter().all(|a| a.status == 201), "every retry gets the award");
        assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1, "one made it, the others replay it");
        assert!(answers.iter().all(|a| a.body == answers[0].body));
    }
}
