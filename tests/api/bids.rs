//! Bids over HTTP on both backends: single and batch submission, every refusal, retries,
//! withdrawal, mapping free text to measures — and, over every route, another org's data is 404.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::expect;
use crate::on_both_backends;

fn bid(external_id: &str, price: &str) -> Value {
    json!({
        "external_id": external_id,
        "supplier": {"name": format!("Supplier {external_id}")},
        "price": price,
        "submitted_at": "2026-03-01T10:00:00+01:00",
        "commitments": [
            {"measure": "SVS-CARBON-SAVED", "quantity": "12.5"},
            {"description": "We will employ apprentices from the local area", "quantity": 4, "unit": "people"}
        ]
    })
}

fn db_count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = socval::db::ConnectionManager::new(app.database_url().clone(), 1000)
        .connect_now()
        .unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

on_both_backends! {
    async fn bids_are_taken_while_the_lot_is_open_and_withdrawn_bids_stay_stored(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("B-1").await;
        let bids = format!("/v1/tenders/{tender}/lots/{lot}/bids");
        let response = app.send("POST", &bids, &token, Some(&bid("bid-1", "98500.50"))).await;
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let stored = expect(response, 201).await;
        assert_eq!(stored["price"], "98500.5");
        assert_eq!(stored["currency"], "GBP");
        assert_eq!(stored["submitted_at"], "2026-03-01T10:00:00+01:00");
        assert_eq!(stored["commitments"][0]["quantity"], "12.5");
        assert_eq!(stored["commitments"][1]["measure"], Value::Null, "free text waits for a person");
        assert_eq!(expect(app.send("GET", &location, &token, None).await, 200).await, stored);

        let withdrawn = expect(app.send("POST", &format!("{location}/withdraw"), &token, None).await, 200).await;
        assert_eq!(withdrawn["status"], "withdrawn");
        let again = expect(app.send("POST", &format!("{location}/withdraw"), &token, None).await, 409).await;
        assert_eq!(again["code"], "bid_withdrawn");
        let list = expect(app.send("GET", &bids, &token, None).await, 200).await;
        assert_eq!(list["items"][0]["status"], "withdrawn", "a withdrawn bid stays stored");

        expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/close"), &token, None).await, 200).await;
        let late = expect(app.send("POST", &bids, &token, Some(&bid("bid-2", "90000"))).await, 409).await;
        assert_eq!(late["code"], "lot_not_open");
    }

    async fn a_bad_bid_is_422_with_every_failure(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("B-2").await;
        let mut bad = bid("bid-x", "0");
        bad["currency"] = json!("EUR");
        bad["supplier"]["name"] = json!("");
        bad["commitments"] = json!([
            {"measure": "NOT-A-MEASURE", "quantity": 1},
            {"measure": "SVS-CARBON-SAVED", "quantity": -2},
            {"measure": "SVS-CARBON-SAVED"},
            {"unit": "hours"}
        ]);
        let problem = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &token, Some(&bad)).await, 422).await;
        let found: Vec<(&str, &str)> = problem["errors"].as_array().unwrap().iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
        assert_eq!(found, [
            ("/supplier/name", "required"),
            ("/price", "price_not_positive"),
            ("/currency", "currency_mismatch"),
            ("/commitments/0/measure", "unknown_measure"),
            ("/commitments/1/quantity", "quantity_negative"),
            ("/commitments/2/quantity", "required"),
            ("/commitments/3", "invalid_commitment"),
        ]);
        assert_eq!(db_count(&app, "bids"), 0);
    }

    async fn a_batch_is_stored_whole_or_not_at_all(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("B-3").await;
        let batch = format!("/v1/tenders/{tender}/lots/{lot}/bids/batch");
        let mut bids: Vec<Value> = (0..5).map(|i| bid(&format!("batch-{i}"), "1000")).collect();
        bids[1]["price"] = json!("-1");
        bids[3]["commitments"][0]["measure"] = json!("NOPE");
        bids[4]["external_id"] = json!("batch-0");
        let problem = expect(app.send("POST", &batch, &token, Some(&json!({"bids": bids}))).await, 422).await;
        let pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert_eq!(pointers, ["/bids/1/price", "/bids/3/commitments/0/measure", "/bids/4/external_id"]);
        assert_eq!(db_count(&app, "bids"), 0, "nothing partial");

        let good: Vec<Value> = (0..100).map(|i| bid(&format!("ok-{i}"), &format!("{}", 1000 + i))).collect();
        let stored = expect(app.send("POST", &batch, &token, Some(&json!({"bids": good}))).await, 201).await;
        assert_eq!(stored["items"].as_array().unwrap().len(), 100);
        assert_eq!(db_count(&app, "bids"), 100);
        assert_eq!(db_count(&app, "commitments"), 200);
        let verification = expect(app.send("GET", "/v1/audit/verify", &app.token(&[Role::Auditor]), None).await, 200).await;
        assert_eq!(verification["valid"], true, "{verification}");
        assert_eq!(
            verification["events_checked"], 106,
            "the tender and its two lots, the scheme and the lot's new version, open, then one per bid: {verification}"
        );

        let too_many: Vec<Value> = (0..1001).map(|i| bid(&format!("big-{i}"), "1")).collect();
        let problem = expect(app.send("POST", &batch, &token, Some(&json!({"bids": too_many}))).await, 422).await;
        assert_eq!(problem["errors"][0]["code"], "invalid_batch_size");

        let clash = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &token, Some(&bid("ok-7", "5"))).await, 409).await;
        assert_eq!(clash["code"], "external_id_exists");

        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(metrics.contains("socval_bids_ingested_total 100"), "{metrics}");
    }

    async fn simultaneous_retries_of_one_bid_store_it_once(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("B-4").await;
        let url = app.url(&format!("/v1/tenders/{tender}/lots/{lot}/bids"));
        let requests = (0..8).map(|_| {
            app.client.post(&url).bearer_auth(&token).header("idempotency-key", "bid-retry").json(&bid("r-1", "500")).send()
        });
        let mut bodies = Vec::new();
        for response in futures_util::future::join_all(requests).await {
            let response = response.unwrap();
            assert_eq!(response.status(), 201);
            bodies.push(response.text().await.unwrap());
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(db_count(&app, "bids"), 1);
    }

    async fn free_text_commitments_get_suggestions_and_a_person_confirms_the_measure(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("B-5").await;
        let stored = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &platform, Some(&bid("m-1", "900"))).await, 201).await;
        let path = format!("/v1/tenders/{tender}/lots/{lot}/bids/{}", stored["id"].as_str().unwrap());

        let mapping = expect(app.send("GET", &format!("{path}/mapping"), &platform, None).await, 200).await;
        assert_eq!(mapping["measure_set"], "socval-sample");
        assert_eq!(mapping["items"].as_array().unwrap().len(), 1, "only the free-text commitment");
        assert_eq!(mapping["items"][0]["index"], 1);
        let suggested: Vec<&str> = mapping["items"][0]["suggestions"].as_array().unwrap().iter()
            .map(|s| s["code"].as_str().unwrap()).collect();
        assert!(suggested.iter().take(3).any(|c| *c == "SVS-APPRENTICE-WEEKS" || *c == "SVS-JOBS-LOCAL"), "{suggested:?}");

        let confirm = format!("{path}/commitments/1/measure");
        let jobs = json!({"measure": "SVS-JOBS-LOCAL", "reason": "local hires, section 3"});
        assert_eq!(app.send("PUT", &confirm, &platform, Some(&jobs)).await.status(), 403, "a commercial user confirms");
        let commercial = app.token(&[Role::Commercial]);
        let unknown = expect(app.send("PUT", &confirm, &commercial, Some(&json!({"measure": "NOPE", "reason": "r"}))).await, 422).await;
        assert_eq!(unknown["errors"][0]["code"], "unknown_measure");
        assert_eq!(app.send("PUT", &format!("{path}/commitments/9/measure"), &commercial, Some(&jobs)).await.status(), 404);
        // The supplier's words stand: a declared measure is not remapped, a stated quantity not
        // changed, and the confirmer says why.
        let declared = expect(app.send("PUT", &format!("{path}/commitments/0/measure"), &commercial, Some(&jobs)).await, 409).await;
        assert_eq!(declared["code"], "commitment_declared");
        let restated = expect(app.send("PUT", &confirm, &commercial, Some(&json!({"measure": "SVS-JOBS-LOCAL", "quantity": 40, "reason": "r"}))).await, 422).await;
        assert_eq!((restated["errors"][0]["pointer"].as_str(), restated["errors"][0]["code"].as_str()), (Some("/quantity"), Some("quantity_declared")));
        let unexplained = expect(app.send("PUT", &confirm, &commercial, Some(&json!({"measure": "SVS-JOBS-LOCAL", "reason": " "}))).await, 422).await;
        assert_eq!(unexplained["errors"][0]["pointer"], "/reason");
        let confirmed = expect(app.send("PUT", &confirm, &commercial, Some(&jobs)).await, 200).await;
        assert_eq!(confirmed["commitments"][1]["measure"], "SVS-JOBS-LOCAL");
        assert_eq!(confirmed["commitments"][1]["quantity"], "4", "as the supplier stated it");
        assert_eq!(confirmed["commitments"][1]["confirmed_by"], "tester");
        assert_eq!(confirmed["commitments"][0]["measure"], "SVS-CARBON-SAVED", "untouched");
    }

    async fn a_free_text_commitment_without_a_quantity_is_confirmed_with_one(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let commercial = app.token(&[Role::Commercial]);
        let (tender, lot) = app.open_lot("B-Q").await;
        let body = json!({"supplier": {"name": "Vague Ltd"}, "price": "900", "submitted_at": "2026-03-01T10:00:00Z",
                          "commitments": [{"description": "We will hire local apprentices"}]});
        let stored = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &platform, Some(&body)).await, 201).await;
        let confirm = format!("/v1/tenders/{tender}/lots/{lot}/bids/{}/commitments/0/measure", stored["id"].as_str().unwrap());
        let missing = expect(app.send("PUT", &confirm, &commercial, Some(&json!({"measure": "SVS-JOBS-LOCAL", "reason": "r"}))).await, 422).await;
        assert_eq!((missing["errors"][0]["pointer"].as_str(), missing["errors"][0]["code"].as_str()), (Some("/quantity"), Some("required")), "never a silent £0");
        let confirmed = expect(app.send("PUT", &confirm, &commercial,
            Some(&json!({"measure": "SVS-JOBS-LOCAL", "quantity": "3", "unit": "FTE", "reason": "clarification letter of 2 March"}))).await, 200).await;
        assert_eq!((confirmed["commitments"][0]["quantity"].as_str(), confirmed["commitments"][0]["unit"].as_str()), (Some("3"), Some("FTE")));
    }

    async fn another_orgs_tenders_lots_and_bids_are_404_on_every_route(app: TestApp) {
        let owner = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("X-1").await;
        let stored = expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &owner, Some(&bid("x-bid", "10"))).await, 201).await;
        let bid_id = stored["id"].as_str().unwrap();
        let base = format!("/v1/tenders/{tender}");
        let lot_path = format!("{base}/lots/{lot}");
        let bid_path = format!("{lot_path}/bids/{bid_id}");
        let routes: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", base.clone(), None),
            ("PATCH", base.clone(), Some(json!({"title": "taken over"}))),
            ("POST", format!("{base}/lots"), Some(json!({"title": "extra"}))),
            ("GET", lot_path.clone(), None),
            ("GET", format!("{lot_path}/scheme"), None),
            ("PUT", format!("{lot_path}/scheme"), Some(crate::common::helpers::scheme_body())),
            ("POST", format!("{lot_path}/open"), None),
            ("POST", format!("{lot_path}/close"), None),
            ("POST", format!("{lot_path}/cancel"), None),
            ("GET", format!("{lot_path}/bids"), None),
            ("POST", format!("{lot_path}/bids"), Some(bid("intruder", "1"))),
            ("POST", format!("{lot_path}/bids/batch"), Some(json!({"bids": [bid("intruder-2", "1")]}))),
            ("GET", bid_path.clone(), None),
            ("POST", format!("{bid_path}/withdraw"), None),
            ("GET", format!("{bid_path}/mapping"), None),
            ("PUT", format!("{bid_path}/commitments/1/measure"), Some(json!({"measure": "SVS-JOBS-LOCAL", "reason": "r"}))),
        ];
        let intruder = app.token_for("another-buyer", &[Role::Platform, Role::Commercial, Role::Admin]);
        for (method, path, body) in &routes {
            let response = app.send(method, path, &intruder, body.as_ref()).await;
            assert_eq!(response.status(), 404, "{method} {path}");
        }
        // Nothing changed for the owner.
        let bid = expect(app.send("GET", &bid_path, &owner, None).await, 200).await;
        assert_eq!(bid["status"], "submitted");
        let tender_now = expect(app.send("GET", &base, &owner, None).await, 200).await;
        assert_eq!(tender_now["version"], 1);
        assert_eq!(tender_now["lots"][0]["status"], "open");
    }
}
