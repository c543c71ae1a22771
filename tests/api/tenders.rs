//! Tenders, lots and schemes over HTTP on both backends: the lifecycle, every refusal, retries
//! with `Idempotency-Key` (also concurrent ones), optimistic concurrency and org isolation.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::{expect, scheme_body, tender_body};
use crate::on_both_backends;

async fn audit_actions(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    app.chained().await;
    use socval::db::schema::audit_events::dsl as audit;
    let mut conn = socval::db::ConnectionManager::new(app.database_url().clone(), 1000)
        .connect_now()
        .unwrap();
    audit::audit_events
        .order(audit::seq)
        .select(audit::action)
        .load(&mut conn)
        .unwrap()
}

on_both_backends! {
    async fn a_scheme_replaced_after_bids_needs_a_reason_and_each_bid_keeps_its_version(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("SB-1").await;
        let lot = format!("/v1/tenders/{tender}/lots/{lot}");
        let bid = |name: &str| json!({"supplier": {"name": name}, "price": "100", "submitted_at": "2026-03-01T10:00:00Z"});
        let first = expect(app.send("POST", &format!("{lot}/bids"), &token, Some(&bid("First"))).await, 201).await;
        assert_eq!(first["scheme_version"], 1);

        let refused = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme_body())).await, 409).await;
        assert_eq!(refused["code"], "reason_required");
        let blank = app.send("PUT", &format!("{lot}/scheme?reason=%20"), &token, Some(&scheme_body())).await;
        assert_eq!(blank.status(), 409, "a blank reason is no reason");
        let changed = expect(app.send("PUT", &format!("{lot}/scheme?reason=clarification%202"), &token, Some(&scheme_body())).await, 200).await;
        assert_eq!(changed["version"], 2);

        let second = expect(app.send("POST", &format!("{lot}/bids"), &token, Some(&bid("Second"))).await, 201).await;
        assert_eq!(second["scheme_version"], 2);
        let first_again = expect(app.send("GET", &format!("{lot}/bids/{}", first["id"].as_str().unwrap()), &token, None).await, 200).await;
        assert_eq!(first_again["scheme_version"], 1, "a bid keeps the version it answered");
    }

    async fn a_run_takes_bids_on_an_earlier_scheme_only_when_the_buyer_accepts_them(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let commercial = app.token(&[Role::Commercial]);
        let tender = expect(app.send("POST", "/v1/tenders", &platform, Some(&tender_body("SB-2"))).await, 201).await;
        let lot = format!("/v1/tenders/{}/lots/{}", tender["id"].as_str().unwrap(), tender["lots"][0]["id"].as_str().unwrap());
        let scheme = |price: u32| json!({"authority_type": "central_government", "criteria": [
            {"id": "price", "type": "price", "weight": price},
            {"id": "sv", "type": "social_value", "weight": 100 - price, "outcome": "PPN002:O4", "method": "quantitative"}]});
        expect(app.send("PUT", &format!("{lot}/scheme"), &platform, Some(&scheme(90))).await, 200).await;
        expect(app.send("POST", &format!("{lot}/open"), &platform, None).await, 200).await;
        let bid = |name: &str| json!({"supplier": {"name": name}, "price": "100", "submitted_at": "2026-03-01T10:00:00Z",
                                      "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "1"}]});
        let early = expect(app.send("POST", &format!("{lot}/bids"), &platform, Some(&bid("Early"))).await, 201).await;
        let early = early["id"].as_str().unwrap().to_string();
        expect(app.send("PUT", &format!("{lot}/scheme?reason=weights%20corrected"), &platform, Some(&scheme(80))).await, 200).await;
        expect(app.send("POST", &format!("{lot}/bids"), &platform, Some(&bid("Late"))).await, 201).await;
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;

        let refused = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 409).await;
        assert_eq!(refused["code"], "bids_on_earlier_scheme");
        assert!(refused["detail"].as_str().unwrap().contains(&format!("{early} (version 1)")), "{refused}");
        let accept = json!({"accept_earlier_scheme": [early]});
        assert_eq!(app.send("POST", &format!("{lot}/evaluations"), &platform, Some(&accept)).await.status(), 403, "the buyer decides");
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &commercial, Some(&accept)).await, 201).await;
        assert_eq!(run["result"]["results"].as_array().unwrap().len(), 2);
    }

    async fn a_scheme_put_honours_if_match_with_the_strong_comparison(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let tender = expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("IFM-1"))).await, 201).await;
        let lot = format!("/v1/tenders/{}/lots/{}/scheme", tender["id"].as_str().unwrap(), tender["lots"][0]["id"].as_str().unwrap());
        let put = |tag: &'static str| {
            let request = app.client.put(app.url(&lot)).bearer_auth(&token).json(&scheme_body());
            async move { request.header("if-match", tag).send().await.unwrap() }
        };
        let first = put("\"0\"").await;
        assert_eq!(first.status(), 200, "\"0\" is the version before the first scheme");
        assert_eq!(first.headers()["etag"], "\"1\"");
        for stale in ["\"999\"", "\"0\"", "W/\"1\"", "1"] {
            let refused = put(stale).await;
            assert_eq!(refused.status(), 412, "If-Match {stale}");
            assert_eq!(refused.headers()["content-type"], "application/problem+json");
        }
        assert_eq!(put("\"1\"").await.status(), 200);
        assert_eq!(put("*").await.status(), 200);
        let current = expect(app.send("GET", &lot, &token, None).await, 200).await;
        assert_eq!(current["version"], 3, "only the three matching PUTs made versions");
    }

    async fn a_tender_goes_from_draft_to_evaluating_with_every_step_audited(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let response = app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-1"))).await;
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let tender = expect(response, 201).await;
        assert_eq!(tender["framework"], "PPN002", "the Procurement Act's model by default");
        assert_eq!(tender["measure_set"], "socval-sample");
        assert_eq!(tender["currency"], "GBP");
        assert_eq!(tender["value"], "1200000");
        assert_eq!(tender["lots"].as_array().unwrap().len(), 2);
        assert_eq!(tender["lots"][0]["status"], "draft");
        assert_eq!(tender["lots"][0]["allowed_transitions"], json!(["open", "cancel"]));

        let read = app.send("GET", &location, &token, None).await;
        assert_eq!(read.headers()["etag"], "\"1\"");
        assert_eq!(expect(read, 200).await["id"], tender["id"]);

        let lot = format!("{location}/lots/{}", tender["lots"][0]["id"].as_str().unwrap());
        let refused = expect(app.send("POST", &format!("{lot}/open"), &token, None).await, 409).await;
        assert_eq!(refused["code"], "scheme_required");

        let scheme = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme_body())).await, 200).await;
        assert_eq!(scheme["version"], 1);
        let scheme = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme_body())).await, 200).await;
        assert_eq!(scheme["version"], 2, "each PUT is a new version");
        assert_eq!(expect(app.send("GET", &format!("{lot}/scheme"), &token, None).await, 200).await["version"], 2);

        assert_eq!(expect(app.send("POST", &format!("{lot}/open"), &token, None).await, 200).await["status"], "open");
        let closed = expect(app.send("POST", &format!("{lot}/close"), &token, None).await, 200).await;
        assert_eq!(closed["status"], "evaluating");

        let frozen = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme_body())).await, 409).await;
        assert_eq!(frozen["code"], "scheme_frozen");
        let invalid = expect(app.send("POST", &format!("{lot}/open"), &token, None).await, 409).await;
        assert_eq!(invalid["code"], "invalid_transition");
        assert!(invalid["detail"].as_str().unwrap().contains("`evaluating`"), "{invalid}");
        assert!(invalid["detail"].as_str().unwrap().contains("allowed: cancel"), "{invalid}");

        // The tender, its two lots; each scheme version and the lot that now names it.
        assert_eq!(
            audit_actions(&app).await,
            ["create", "create", "create", "put_scheme", "put_scheme", "put_scheme", "put_scheme", "open", "close"]
        );
    }

    async fn a_scheme_the_engine_refuses_is_422_with_pointers_into_the_scheme(app: TestApp) {
        let token = app.token(&[Role::Commercial]);
        let tender = expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-2"))).await, 201).await;
        let lot = format!("/v1/tenders/{}/lots/{}", tender["id"].as_str().unwrap(), tender["lots"][0]["id"].as_str().unwrap());
        let mut scheme = scheme_body();
        scheme["criteria"][2]["weight"] = json!(5);
        let problem = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme)).await, 422).await;
        let codes: Vec<(&str, &str)> = problem["errors"].as_array().unwrap().iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
        assert!(codes.contains(&("/criteria", "weights_sum_not_100")), "{codes:?}");

        let mut other_authority = scheme_body();
        other_authority["authority_type"] = json!("local_authority");
        let problem = expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&other_authority)).await, 422).await;
        assert_eq!(problem["errors"][0]["pointer"], "/authority_type");
        assert_eq!(problem["errors"][0]["code"], "authority_type_mismatch");
        assert_eq!(app.send("GET", &format!("{lot}/scheme"), &token, None).await.status(), 404, "nothing stored");
    }

    async fn a_bad_tender_is_422_with_every_failure(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let mut body = tender_body("T-3");
        body["currency"] = json!("pounds");
        body["framework"] = json!("PPN99");
        body["title"] = json!(" ");
        body["lots"] = json!([]);
        let problem = expect(app.send("POST", "/v1/tenders", &token, Some(&body)).await, 422).await;
        let pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert_eq!(pointers, ["/framework", "/currency", "/title", "/lots"]);

        let mut hidden = tender_body("T-4");
        hidden["measure_set"] = json!("no-such-set");
        let problem = expect(app.send("POST", "/v1/tenders", &token, Some(&hidden)).await, 422).await;
        assert_eq!(problem["errors"][0]["code"], "unknown_measure_set");
    }

    async fn updates_respect_if_match_and_pinned_fields(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let tender = expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-5"))).await, 201).await;
        let path = format!("/v1/tenders/{}", tender["id"].as_str().unwrap());
        let patch = |etag: &'static str, body: Value| {
            app.client.patch(app.url(&path)).bearer_auth(&token).header("if-match", etag).json(&body).send()
        };
        let stale = expect(patch("\"9\"", json!({"title": "Renamed"})).await.unwrap(), 412).await;
        assert_eq!(stale["type"], "https://socval.dev/problems/precondition-failed");
        assert_eq!(expect(app.send("GET", &path, &token, None).await, 200).await["title"], "Facilities management", "no change made");

        let response = patch("\"1\"", json!({"title": "Renamed", "ocid": "ocds-abc-1", "value": null})).await.unwrap();
        assert_eq!(response.headers()["etag"], "\"2\"");
        let updated = expect(response, 200).await;
        assert_eq!(updated["title"], "Renamed");
        assert_eq!(updated["ocid"], "ocds-abc-1");
        assert_eq!(updated["value"], Value::Null);
        assert_eq!(expect(patch("\"1\"", json!({"title": "Again"})).await.unwrap(), 412).await["status"], 412, "the old ETag is stale now");
        assert_eq!(patch("W/\"2\"", json!({"title": "Weak"})).await.unwrap().status(), 412, "a weak tag never matches (RFC 9110)");

        let updates = audit_actions(&app).await.iter().filter(|a| *a == "update").count();
        for nothing in [json!({"title": null}), json!({"title": "Renamed"}), json!({})] {
            let response = patch("\"2\"", nothing.clone()).await.unwrap();
            assert_eq!(response.headers()["etag"], "\"2\"", "{nothing}: no new version");
            expect(response, 200).await;
        }
        let after = audit_actions(&app).await.iter().filter(|a| *a == "update").count();
        assert_eq!(after, updates, "a PATCH that changes nothing writes no event");

        let lot = format!("{path}/lots/{}", tender["lots"][0]["id"].as_str().unwrap());
        expect(app.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme_body())).await, 200).await;
        expect(app.send("POST", &format!("{lot}/open"), &token, None).await, 200).await;
        let pinned = expect(patch("\"2\"", json!({"currency": "EUR"})).await.unwrap(), 409).await;
        assert_eq!(pinned["code"], "tender_pinned");
    }

    async fn a_retried_create_replays_the_first_response_and_another_body_is_refused(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let post = |body: Value| {
            app.client.post(app.url("/v1/tenders")).bearer_auth(&token).header("idempotency-key", "create-T-6").json(&body).send()
        };
        let first = post(tender_body("T-6")).await.unwrap();
        assert_eq!(first.status(), 201);
        let first_body = first.text().await.unwrap();
        let again = post(tender_body("T-6")).await.unwrap();
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.text().await.unwrap(), first_body, "byte for byte");

        let reused = expect(post(tender_body("T-other")).await.unwrap(), 409).await;
        assert_eq!(reused["code"], "idempotency_key_reused");
        let list = expect(app.send("GET", "/v1/tenders", &token, None).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }

    async fn simultaneous_retries_with_one_key_create_one_tender(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let requests = (0..8).map(|_| {
            app.client.post(app.url("/v1/tenders")).bearer_auth(&token)
                .header("idempotency-key", "same-key").json(&tender_body("T-7")).send()
        });
        let responses = futures_util::future::join_all(requests).await;
        let mut bodies = Vec::new();
        for response in responses {
            let response = response.unwrap();
            assert_eq!(response.status(), 201);
            bodies.push(response.text().await.unwrap());
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "every retry got the first response");
        let list = expect(app.send("GET", "/v1/tenders", &token, None).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(audit_actions(&app).await, ["create", "create", "create"], "one tender with its two lots");
    }

    async fn external_ids_are_unique_and_findable(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-8"))).await, 201).await;
        let clash = expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-8"))).await, 409).await;
        assert_eq!(clash["code"], "external_id_exists");
        // Another org may use the same external id.
        let other = app.token_for("another-buyer", &[Role::Platform]);
        expect(app.send("POST", "/v1/tenders", &other, Some(&tender_body("T-8"))).await, 201).await;

        expect(app.send("POST", "/v1/tenders", &token, Some(&tender_body("T-9"))).await, 201).await;
        let found = expect(app.send("GET", "/v1/tenders?external_id=T-9", &token, None).await, 200).await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        assert_eq!(found["items"][0]["external_id"], "T-9");

        let page = expect(app.send("GET", "/v1/tenders?limit=1", &token, None).await, 200).await;
        assert_eq!(page["items"][0]["external_id"], "T-8");
        let cursor = page["next_cursor"].as_str().unwrap();
        let next = expect(app.send("GET", &format!("/v1/tenders?limit=1&cursor={cursor}"), &token, None).await, 200).await;
        assert_eq!(next["items"][0]["external_id"], "T-9");
        assert_eq!(next["next_cursor"], Value::Null);

        app.open_lot("T-10").await;
        let open = expect(app.send("GET", "/v1/tenders?status=open", &token, None).await, 200).await;
        assert_eq!(open["items"].as_array().unwrap().len(), 1);
        assert_eq!(open["items"][0]["external_id"], "T-10");
    }

    async fn roles_are_checked(app: TestApp) {
        let auditor = app.token(&[Role::Auditor]);
        assert_eq!(app.send("POST", "/v1/tenders", &auditor, Some(&tender_body("T-11"))).await.status(), 403);
        assert_eq!(app.send("GET", "/v1/tenders", &auditor, None).await.status(), 200);
        let evaluator = app.token(&[Role::Evaluator]);
        assert_eq!(app.send("GET", "/v1/tenders", &evaluator, None).await.status(), 403);
        assert_eq!(app.get("/v1/tenders").await.status(), 401);
    }
}
