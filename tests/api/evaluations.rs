//! The evaluation side over HTTP on both backends: evaluators, declarations, marks, moderation and
//! immutable evaluation runs, with every refusal.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::{expect, tender_body};
use crate::on_both_backends;

fn evaluator(app: &TestApp, sub: &str) -> String {
    socval::auth::token::mint(
        &app.config,
        sub,
        crate::common::ORG,
        &[Role::Evaluator],
        std::time::Duration::from_secs(300),
    )
    .unwrap()
}

async fn submit(app: &TestApp, lot: &str, external_id: &str, price: &str) -> String {
    let body = json!({"external_id": external_id, "supplier": {"name": external_id}, "price": price,
                      "submitted_at": "2026-03-01T10:00:00Z",
                      "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "10"}]});
    let bid = expect(
        app.send(
            "POST",
            &format!("{lot}/bids"),
            &app.token(&[Role::Platform]),
            Some(&body),
        )
        .await,
        201,
    )
    .await;
    bid["id"].as_str().unwrap().to_string()
}

fn mark(score: i64) -> Value {
    json!({"score": score, "rationale": "evidence in section 3"})
}

/// A closed lot whose bids (`price` each) are marked 50 on every criterion by one evaluator.
pub async fn marked_lot(
    app: &TestApp,
    external_id: &str,
    prices: &[&str],
    submitted_at: &str,
) -> (String, Vec<String>) {
    marked_lot_of(app, tender_body(external_id), prices, submitted_at).await
}

/// [`marked_lot`] of the tender `tender` describes.
pub async fn marked_lot_of(
    app: &TestApp,
    tender: Value,
    prices: &[&str],
    submitted_at: &str,
) -> (String, Vec<String>) {
    let bids = prices
        .iter()
        .enumerate()
        .map(|(i, price)| json!({"supplier": {"name": format!("S{i}")}, "price": price, "submitted_at": submitted_at}))
        .collect();
    marked_lot_with(
        app,
        LotSpec {
            tender,
            scheme: crate::common::helpers::scheme_body(),
            bids,
            withdrawn: Vec::new(),
        },
    )
    .await
}

/// What [`marked_lot_with`] makes: a tender, its first lot's scheme, the bids as posted, and which
/// of them are withdrawn before the lot closes.
pub struct LotSpec {
    pub tender: Value,
    pub scheme: Value,
    pub bids: Vec<Value>,
    pub withdrawn: Vec<usize>,
}

/// A closed lot as `spec` says, each bid still in marked 50 on `q1` and `sv` by one evaluator:
/// `(lot path, bid ids)`.
pub async fn marked_lot_with(app: &TestApp, spec: LotSpec) -> (String, Vec<String>) {
    let (tender, lot_id) = app.open_lot_with(spec.tender, spec.scheme).await;
    let lot = format!("/v1/tenders/{tender}/lots/{lot_id}");
    let platform = app.token(&[Role::Platform]);
    let mut bids = Vec::new();
    for body in &spec.bids {
        let stored = expect(
            app.send("POST", &format!("{lot}/bids"), &platform, Some(body))
                .await,
            201,
        )
        .await;
        bids.push(stored["id"].as_str().unwrap().to_string());
    }
    for &i in &spec.withdrawn {
        let path = format!("{lot}/bids/{}/withdraw", bids[i]);
        expect(app.send("POST", &path, &platform, None).await, 200).await;
    }
    expect(
        app.send("POST", &format!("{lot}/close"), &platform, None)
            .await,
        200,
    )
    .await;
    expect(
        app.send(
            "POST",
            &format!("{lot}/evaluators"),
            &app.token(&[Role::Commercial]),
            Some(&json!({"sub": "solo"})),
        )
        .await,
        201,
    )
    .await;
    let e = evaluator(app, "solo");
    expect(
        app.send(
            "POST",
            &format!("{lot}/conflict-declarations"),
            &e,
            Some(&json!({"conflict": false, "details": "none"})),
        )
        .await,
        201,
    )
    .await;
    let marked = bids
        .iter()
        .enumerate()
        .filter(|(i, _)| !spec.withdrawn.contains(i));
    for (_, bid) in marked {
        for criterion in ["q1", "sv"] {
            expect(
                app.send(
                    "PUT",
                    &format!("{lot}/bids/{bid}/marks/{criterion}"),
                    &e,
                    Some(&mark(50)),
                )
                .await,
                200,
            )
            .await;
        }
    }
    (lot, bids)
}

/// Stored data that no longer reads back is never taken for missing data: a mark edited to `abc`
/// in the database makes the evaluation fail with 500 (not 422 "no evaluator has marked it"), and
/// the log names the table, the row and the column.
#[tokio::test]
async fn a_corrupt_stored_mark_is_a_500_whose_log_names_its_row() {
    for backend in [
        crate::common::Backend::Sqlite,
        crate::common::Backend::Postgres,
    ] {
        let workdir = tempfile::tempdir().unwrap();
        let log = workdir.path().join("server.log");
        let Some(app) = crate::common::spawn_process_app(backend, &log).await else {
            eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
            continue;
        };
        let (lot, bids) =
            marked_lot(&app, "CORRUPT-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        crate::audit::tamper(
            app.database_url(),
            &format!(
                "UPDATE marks SET score = 'abc' WHERE bid_id = '{}' AND criterion_id = 'q1'",
                bids[0]
            ),
        );
        let response = app
            .send(
                "POST",
                &format!("{lot}/evaluations"),
                &app.token(&[Role::Platform]),
                None,
            )
            .await;
        assert_eq!(response.status(), 500, "{backend:?}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "https://socval.dev/problems/internal");
        // (Not a bare "abc": a hex request id may well contain it.)
        assert!(
            !problem.to_string().contains("`abc`") && !problem.to_string().contains("marks row"),
            "the cause stays in the log: {problem}"
        );
        let request_id = problem["request_id"].as_str().unwrap();
        let logged = std::fs::read_to_string(&log).unwrap();
        let line = logged
            .lines()
            .find(|l| l.contains(request_id) && l.contains("internal error"));
        let line = line.unwrap_or_else(|| panic!("no log line for {request_id} in:\n{logged}"));
        let row = format!(
            "marks row (lot {}, bid {}, criterion q1, evaluator solo): column score holds `abc`",
            lot.rsplit('/').next().unwrap(),
            bids[0]
        );
        assert!(line.contains(&row), "{backend:?}: `{row}` not in {line}");
    }
}

on_both_backends! {
    async fn a_withdrawn_bid_takes_no_mark_and_no_moderated_mark(app: TestApp) {
        let (tender, lot_id) = app.open_lot("WD-1").await;
        let lot = format!("/v1/tenders/{tender}/lots/{lot_id}");
        let kept = submit(&app, &lot, "kept", "1000").await;
        let gone = submit(&app, &lot, "gone", "1100").await;
        let platform = app.token(&[Role::Platform]);
        expect(app.send("POST", &format!("{lot}/bids/{gone}/withdraw"), &platform, None).await, 200).await;
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;
        let commercial = app.token(&[Role::Commercial]);
        expect(app.send("POST", &format!("{lot}/evaluators"), &commercial, Some(&json!({"sub": "solo"}))).await, 201).await;
        let e = evaluator(&app, "solo");
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &e, Some(&json!({"conflict": false, "details": "none"}))).await, 201).await;
        expect(app.send("PUT", &format!("{lot}/bids/{kept}/marks/q1"), &e, Some(&mark(50))).await, 200).await;
        for (path, token) in [(format!("{lot}/bids/{gone}/marks/q1"), &e), (format!("{lot}/bids/{gone}/moderated-marks/q1"), &commercial)] {
            let refused = expect(app.send("PUT", &path, token, Some(&mark(50))).await, 409).await;
            assert_eq!(refused["code"], "bid_withdrawn", "{path}");
        }
        let mapping = json!({"measure": "SVS-JOBS-LOCAL", "reason": "r", "quantity": 1});
        let refused = expect(app.send("PUT", &format!("{lot}/bids/{gone}/commitments/0/measure"), &commercial, Some(&mapping)).await, 409).await;
        assert_eq!(refused["code"], "bid_withdrawn", "no mapping either");
    }

    async fn a_csv_export_never_carries_a_formula(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let tender = expect(app.send("POST", "/v1/tenders", &platform, Some(&crate::common::helpers::tender_body("CSV-1"))).await, 201).await;
        let lot = format!("/v1/tenders/{}/lots/{}", tender["id"].as_str().unwrap(), tender["lots"][0]["id"].as_str().unwrap());
        let formula = r#"=HYPERLINK("http://evil.example","x")"#;
        let scheme = json!({"authority_type": "central_government", "criteria": [
            {"id": formula, "type": "price", "weight": 90},
            {"id": "-sv", "type": "social_value", "weight": 10, "outcome": "PPN002:O4", "method": "quantitative"}]});
        expect(app.send("PUT", &format!("{lot}/scheme"), &platform, Some(&scheme)).await, 200).await;
        expect(app.send("POST", &format!("{lot}/open"), &platform, None).await, 200).await;
        submit(&app, &lot, "@supplier", "1000").await;
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        let csv = app.client.get(app.url(&format!("{lot}/evaluations/{}", run["id"].as_str().unwrap())))
            .bearer_auth(&platform).header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let criteria: Vec<&str> = rows.iter().map(|r| &r[4]).collect();
        assert_eq!(criteria, [format!("'{formula}").as_str(), "'-sv"], "{csv}");
        for row in &rows {
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula-like cell: {cell:?} in\n{csv}");
            }
            assert!(row[3].parse::<f64>().is_ok() && row[8].parse::<f64>().is_ok(), "numbers stay numbers: {row:?}");
        }
    }

    async fn a_run_reads_back_byte_for_byte_as_stored(app: TestApp) {
        let (lot, _) = marked_lot(&app, "RAW-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &app.token(&[Role::Platform]), None).await, 201).await;
        let id = run["id"].as_str().unwrap();
        let body = app.send("GET", &format!("{lot}/evaluations/{id}"), &app.token(&[Role::Auditor]), None).await.text().await.unwrap();
        let lot_id = lot.rsplit('/').next().unwrap();
        let stored = socval::db::evaluations::find_evaluation(&mut crate::audit::connect(app.database_url()), crate::common::ORG, lot_id, id)
            .unwrap()
            .unwrap()
            .result;
        assert!(body.contains(&format!("\"result\":{stored}")), "the stored text, not a rebuilt one:\n{body}\n{stored}");
        // Spliced, it is still the document the list serialises for the same run.
        let one: Value = serde_json::from_str(&body).unwrap();
        let list = expect(app.send("GET", &format!("{lot}/evaluations"), &app.token(&[Role::Auditor]), None).await, 200).await;
        assert_eq!(one, list[0], "{body}");
    }

    async fn an_award_rests_on_the_latest_run(app: TestApp) {
        let (lot, bids) = marked_lot(&app, "W-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let platform = app.token(&[Role::Platform]);
        let commercial = app.token(&[Role::Commercial]);
        let first = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        let latest = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;

        let award = |evaluation: &Value| json!({"evaluation_id": evaluation["id"], "note": "best value"});
        assert_eq!(app.send("POST", &format!("{lot}/award"), &platform, Some(&award(&latest))).await.status(), 403, "commercial awards");
        let superseded = expect(app.send("POST", &format!("{lot}/award"), &commercial, Some(&award(&first))).await, 409).await;
        assert_eq!(superseded["code"], "evaluation_superseded");

        let awarded = expect(app.send("POST", &format!("{lot}/award"), &commercial, Some(&award(&latest))).await, 201).await;
        assert_eq!(awarded["winner_bid_id"], bids[0].as_str(), "the lower price wins equal marks");
        assert_eq!(awarded["standstill_ends"], Value::Null, "standstill starts with the award notice");
        assert_eq!(awarded["next_step"], "assessment_summaries_sent");
        let lot_now = expect(app.send("GET", &lot, &platform, None).await, 200).await;
        assert_eq!(lot_now["status"], "awarded");
        assert_eq!(lot_now["allowed_transitions"], json!([]));
        let again = expect(app.send("POST", &format!("{lot}/award"), &commercial, Some(&award(&latest))).await, 409).await;
        assert_eq!(again["code"], "lot_not_evaluating");
    }

    async fn score_history_answers_what_the_scores_said_at_any_moment(app: TestApp) {
        let (lot, bids) = marked_lot(&app, "H-1", &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let tender = lot.split('/').nth(3).unwrap().to_string();
        let platform = app.token(&[Role::Platform]);
        let first = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        // Moderation lifts the dearer bid's quality mark: the second run ranks it first.
        expect(app.send("PUT", &format!("{lot}/bids/{}/moderated-marks/q1", bids[1]), &app.token(&[Role::Commercial]),
            Some(&json!({"score": 100, "rationale": "reviewed"}))).await, 200).await;
        let second = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        assert_ne!(first["result"]["winner"], second["result"]["winner"]);

        let auditor = app.token(&[Role::Auditor]);
        let history = expect(app.send("GET", &format!("/v1/tenders/{tender}/score-history"), &auditor, None).await, 200).await;
        let ids: Vec<&Value> = history["items"].as_array().unwrap().iter().map(|i| &i["evaluation_id"]).collect();
        assert_eq!(ids, [&first["id"], &second["id"]]);

        let then = first["created_at"].as_str().unwrap();
        let at_first = expect(app.send("GET", &format!("/v1/tenders/{tender}/score-history?as_of={}", then.replace('+', "%2B")), &auditor, None).await, 200).await;
        assert_eq!(at_first["items"].as_array().unwrap().len(), 1);
        assert_eq!(at_first["items"][0]["evaluation_id"], first["id"]);
        assert_eq!(at_first["items"][0]["winner"], first["result"]["winner"]);
        let before = expect(app.send("GET", &format!("/v1/tenders/{tender}/score-history?as_of=2020-01-01T00:00:00Z"), &auditor, None).await, 200).await;
        assert_eq!(before["items"], json!([]));

        let one_bid = expect(app.send("GET", &format!("/v1/tenders/{tender}/score-history?bid={}", bids[0]), &auditor, None).await, 200).await;
        assert!(one_bid["items"].as_array().unwrap().iter().all(|i| i["scores"].as_array().unwrap().len() == 1));
        assert_eq!(app.send("GET", &format!("/v1/tenders/{tender}/score-history?as_of=yesterday"), &auditor, None).await.status(), 422);
        let intruder = app.token_for("another-buyer", &[Role::Auditor]);
        assert_eq!(app.send("GET", &format!("/v1/tenders/{tender}/score-history"), &intruder, None).await.status(), 404);
    }

    async fn a_supplier_gets_an_assessment_summary_as_json_and_a_printable_page(app: TestApp) {
        let (lot, bids) = marked_lot(&app, "S-1", &["1000", "1250"], "2026-03-01T10:00:00Z").await;
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &app.token(&[Role::Platform]), None).await, 201).await;
        let path = format!("{lot}/evaluations/{}/assessment-summaries/{}", run["id"].as_str().unwrap(), bids[1]);
        let token = app.token(&[Role::Commercial]);
        let summary = expect(app.send("GET", &path, &token, None).await, 200).await;
        assert_eq!(summary["supplier"], "S1");
        assert_eq!(summary["rank"], 2);
        assert_eq!(summary["winner_bid_id"], bids[0].as_str());
        let price = summary["criteria"].as_array().unwrap().iter().find(|c| c["criterion_id"] == "price").unwrap();
        assert_eq!(price["points"], "48.00", "1000 ÷ 1250 × 60");
        assert_eq!(price["winner_points"], "60.00");
        assert!(price["explanation"].as_str().unwrap().contains("£1,250"), "{price}");

        let page = app.client.get(app.url(&path)).bearer_auth(&token).header("accept", "text/html").send().await.unwrap();
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(page.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
        let html = page.text().await.unwrap();
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("Assessment summary") && html.contains("48.00"), "{html}");
        assert!(!html.contains("<script"), "no script in a printable page");

        let unknown = format!("{lot}/evaluations/{}/assessment-summaries/no-such-bid", run["id"].as_str().unwrap());
        assert_eq!(app.send("GET", &unknown, &token, None).await.status(), 404);
    }

    async fn a_tie_at_rank_one_cannot_be_awarded(app: TestApp) {
        // Same price, same marks, same submission time: the engine must not pick by chance.
        let (lot, _) = marked_lot(&app, "W-2", &["1000", "1000"], "2026-03-01T10:00:00Z").await;
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &app.token(&[Role::Platform]), None).await, 201).await;
        assert_eq!(run["result"]["winner"], Value::Null);
        let refused = expect(app.send("POST", &format!("{lot}/award"), &app.token(&[Role::Commercial]),
            Some(&json!({"evaluation_id": run["id"], "note": "x"}))).await, 409).await;
        assert_eq!(refused["code"], "winner_undetermined");
    }

    async fn a_lot_is_marked_moderated_and_evaluated_reproducibly(app: TestApp) {
        let (tender, lot_id) = app.open_lot("E-1").await;
        let lot = format!("/v1/tenders/{tender}/lots/{lot_id}");
        let a = submit(&app, &lot, "A", "100000").await;
        let b = submit(&app, &lot, "B", "90000").await;
        let c = submit(&app, &lot, "C", "95000").await;
        let platform = app.token(&[Role::Platform]);
        expect(app.send("POST", &format!("{lot}/bids/{c}/withdraw"), &platform, None).await, 200).await;

        let commercial = app.token(&[Role::Commercial]);
        let (e1, e2, outsider) = (evaluator(&app, "e1"), evaluator(&app, "e2"), evaluator(&app, "e3"));
        // Marks are given only once the lot is closed.
        let early = expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &e1, Some(&mark(80))).await, 403).await;
        assert_eq!(early["code"], "not_assigned");
        for sub in ["e1", "e2"] {
            expect(app.send("POST", &format!("{lot}/evaluators"), &commercial, Some(&json!({"sub": sub}))).await, 201).await;
        }
        let twice = expect(app.send("POST", &format!("{lot}/evaluators"), &commercial, Some(&json!({"sub": "e1"}))).await, 409).await;
        assert_eq!(twice["code"], "evaluator_assigned");
        assert_eq!(app.send("POST", &format!("{lot}/evaluators"), &platform, Some(&json!({"sub": "e9"}))).await.status(), 403);

        let undeclared = expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &e1, Some(&mark(80))).await, 403).await;
        assert_eq!(undeclared["code"], "conflict_declaration_required");
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &e1, Some(&json!({"conflict": false, "details": "none"}))).await, 201).await;
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &e2, Some(&json!({"conflict": true, "bid_id": b, "details": "former employer"}))).await, 201).await;
        let outsider_declares = expect(app.send("POST", &format!("{lot}/conflict-declarations"), &outsider, Some(&json!({"conflict": false, "details": "none"}))).await, 403).await;
        assert_eq!(outsider_declares["code"], "not_assigned");

        let still_open = expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &e1, Some(&mark(80))).await, 409).await;
        assert_eq!(still_open["code"], "lot_not_evaluating");
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;

        for (bid, criterion, score) in [(&a, "q1", 80), (&a, "sv", 60), (&b, "q1", 60), (&b, "sv", 80)] {
            expect(app.send("PUT", &format!("{lot}/bids/{bid}/marks/{criterion}"), &e1, Some(&mark(score))).await, 200).await;
        }
        expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &e2, Some(&mark(20))).await, 200).await;
        expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/sv"), &e2, Some(&mark(60))).await, 200).await;
        let conflicted = expect(app.send("PUT", &format!("{lot}/bids/{b}/marks/q1"), &e2, Some(&mark(60))).await, 403).await;
        assert_eq!(conflicted["code"], "conflict_of_interest");
        let out_of_scale = expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &e1, Some(&mark(150))).await, 422).await;
        assert_eq!(out_of_scale["errors"][0]["code"], "mark_out_of_scale");
        let not_marked = expect(app.send("PUT", &format!("{lot}/bids/{a}/marks/price"), &e1, Some(&mark(5))).await, 422).await;
        assert_eq!(not_marked["errors"][0]["code"], "mark_not_expected");
        assert_eq!(app.send("PUT", &format!("{lot}/bids/{a}/marks/q1"), &commercial, Some(&mark(50))).await.status(), 403, "only evaluators mark");

        // Each evaluator sees its own marks only; the commercial team sees all.
        let own = expect(app.send("GET", &format!("{lot}/marks"), &e2, None).await, 200).await;
        assert_eq!(own.as_array().unwrap().len(), 2);
        assert!(own.as_array().unwrap().iter().all(|m| m["by"] == "e2"), "{own}");
        let all = expect(app.send("GET", &format!("{lot}/marks"), &commercial, None).await, 200).await;
        assert_eq!(all.as_array().unwrap().len(), 6);
        let outsider_marks = expect(app.send("GET", &format!("{lot}/marks"), &outsider, None).await, 403).await;
        assert_eq!(outsider_marks["code"], "not_assigned");

        // Two evaluators disagree on A/q1: the run is refused until it is moderated.
        let refused = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 422).await;
        let pending: Vec<(&str, &str)> = refused["errors"].as_array().unwrap().iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
        assert_eq!(pending, [(format!("/bids/{a}/marks/q1").as_str(), "unmoderated"), (format!("/bids/{a}/marks/sv").as_str(), "unmoderated")]);

        let moderation = expect(app.send("GET", &format!("{lot}/moderation"), &commercial, None).await, 200).await;
        let item = |bid: &str, criterion: &str| moderation["items"].as_array().unwrap().iter()
            .find(|i| i["bid_id"] == bid && i["criterion_id"] == criterion).unwrap().clone();
        assert_eq!(moderation["items"].as_array().unwrap().len(), 4, "two active bids × two marked criteria");
        assert_eq!(item(&a, "q1")["spread"], "60");
        assert_eq!(item(&a, "q1")["marks_discrepancy"], true);
        assert_eq!(item(&a, "q1")["status"], "unmoderated");
        assert_eq!(item(&a, "sv")["marks_discrepancy"], false);
        assert_eq!(item(&b, "q1")["status"], "single_evaluator");
        assert_eq!(item(&b, "q1")["consensus"], "60");
        assert_eq!(app.send("GET", &format!("{lot}/moderation"), &e1, None).await.status(), 403, "evaluators see only their own marks");

        for criterion in ["q1", "sv"] {
            expect(app.send("PUT", &format!("{lot}/bids/{a}/moderated-marks/{criterion}"), &commercial, Some(&json!({"score": 70, "rationale": "agreed at moderation"}))).await, 200).await;
        }
        let response = app.send("POST", &format!("{lot}/evaluations"), &platform, None).await;
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let first = expect(response, 201).await;
        assert_eq!(first["scheme_version"], 1);
        let results = first["result"]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "the withdrawn bid takes no part");
        let a_result = results.iter().find(|r| r["bid_id"] == a.as_str()).unwrap();
        assert!(a_result["flags"].as_array().unwrap().iter().any(|f| f["code"] == "marks_discrepancy"), "{a_result}");
        // A: 0.9 × 60 + 0.7 × 30 + 0.7 × 10 = 82; B: 60 + 18 + 8 = 86.
        assert_eq!(first["result"]["winner"], b.as_str());
        assert_eq!(a_result["total_display"], "82.00");

        let second = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        assert_eq!(second["inputs_sha256"], first["inputs_sha256"], "unchanged inputs, same hash");
        assert_eq!(second["result"], first["result"], "and the same result");
        assert_ne!(second["id"], first["id"]);

        let list = expect(app.send("GET", &format!("{lot}/evaluations"), &app.token(&[Role::Auditor]), None).await, 200).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!(expect(app.send("GET", &location, &platform, None).await, 200).await, first);
        let csv = app.client.get(app.url(&location)).bearer_auth(&platform).header("accept", "text/csv").send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count(), 1 + 2 * 3, "a header, then one row per bid and criterion:\n{csv}");
        assert!(csv.starts_with("bid_id,status,rank,total,criterion_id"), "{csv}");

        let intruder = app.token_for("another-buyer", &[Role::Commercial, Role::Platform, Role::Evaluator]);
        for (method, path) in [("GET", format!("{lot}/evaluations")), ("GET", location.clone()), ("GET", format!("{lot}/moderation")),
                               ("POST", format!("{lot}/evaluations")), ("GET", format!("{lot}/evaluators"))] {
            assert_eq!(app.send(method, &path, &intruder, None).await.status(), 404, "{method} {path}");
        }
    }

    async fn an_evaluation_run_cannot_be_changed_in_the_database(app: TestApp) {
        use diesel::connection::SimpleConnection;
        let (tender, lot_id) = app.open_lot("E-2").await;
        let lot = format!("/v1/tenders/{tender}/lots/{lot_id}");
        let bid = submit(&app, &lot, "solo", "1000").await;
        let platform = app.token(&[Role::Platform]);
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;
        let commercial = app.token(&[Role::Commercial]);
        expect(app.send("POST", &format!("{lot}/evaluators"), &commercial, Some(&json!({"sub": "solo-evaluator"}))).await, 201).await;
        let e = evaluator(&app, "solo-evaluator");
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &e, Some(&json!({"conflict": false, "details": "none"}))).await, 201).await;
        for criterion in ["q1", "sv"] {
            expect(app.send("PUT", &format!("{lot}/bids/{bid}/marks/{criterion}"), &e, Some(&mark(50))).await, 200).await;
        }
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        assert_eq!(run["result"]["winner"], bid.as_str(), "a single evaluator's marks count without moderation");

        let mut conn = socval::db::ConnectionManager::new(app.database_url().clone(), 1000).connect_now().unwrap();
        let update = conn.batch_execute("UPDATE evaluations SET result = '{}'");
        assert!(update.unwrap_err().to_string().contains("immutable"));
        let delete = conn.batch_execute("DELETE FROM evaluations");
        assert!(delete.unwrap_err().to_string().contains("immutable"));
    }
}

on_both_backends! {
    async fn an_evaluator_sees_their_assignments_then_the_scheme_and_priceless_bids(app: TestApp) {
        let (tender, lot_id) = app.open_lot("EV-1").await;
        let lot = format!("/v1/tenders/{tender}/lots/{lot_id}");
        let first = submit(&app, &lot, "first", "1000").await;
        let second = submit(&app, &lot, "second", "1100").await;
        let platform = app.token(&[Role::Platform]);
        expect(app.send("POST", &format!("{lot}/close"), &platform, None).await, 200).await;
        let commercial = app.token(&[Role::Commercial]);
        for sub in ["jo", "sam"] {
            expect(app.send("POST", &format!("{lot}/evaluators"), &commercial, Some(&json!({"sub": sub}))).await, 201).await;
        }
        let jo = evaluator(&app, "jo");
        let mine = expect(app.send("GET", "/v1/me/assignments", &jo, None).await, 200).await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!((mine["items"][0]["lot_id"].as_str(), mine["items"][0]["declared"].as_bool()), (Some(lot_id.as_str()), Some(false)));

        // Before the declaration: the assignment only.
        for path in [format!("{lot}/scheme"), format!("{lot}/bids-to-mark")] {
            let refused = expect(app.send("GET", &path, &jo, None).await, 403).await;
            assert_eq!(refused["code"], "conflict_declaration_required", "{path}");
        }
        for path in [lot.clone(), format!("{lot}/bids"), format!("{lot}/bids/{first}"), format!("{lot}/evaluations")] {
            assert_eq!(app.send("GET", &path, &jo, None).await.status(), 403, "{path}: never");
        }
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &jo,
            Some(&json!({"conflict": true, "bid_id": second, "details": "my cousin bids"}))).await, 201).await;
        let scheme = expect(app.send("GET", &format!("{lot}/scheme"), &jo, None).await, 200).await;
        assert_eq!(scheme["version"], 1);
        expect(app.send("PUT", &format!("{lot}/bids/{first}/marks/q1"), &jo, Some(&mark(60))).await, 200).await;
        let bids = expect(app.send("GET", &format!("{lot}/bids-to-mark"), &jo, None).await, 200).await;
        let bids = bids.as_array().unwrap();
        assert_eq!(bids.len(), 1, "not the bid declared a conflict with: {bids:?}");
        assert_eq!(bids[0]["id"], first.as_str());
        assert!(bids[0].get("price").is_none() && !bids[0].to_string().contains("1000"), "no price: {}", bids[0]);
        assert_eq!(bids[0]["supplier"]["name"], "first");
        assert_eq!(bids[0]["marks"][0]["score"], "60");
        let declared = expect(app.send("GET", "/v1/me/assignments", &jo, None).await, 200).await;
        assert_eq!(declared["items"][0]["declared"], true);

        let sam = evaluator(&app, "sam");
        expect(app.send("POST", &format!("{lot}/conflict-declarations"), &sam,
            Some(&json!({"conflict": true, "details": "I advise a bidder"}))).await, 201).await;
        let refused = expect(app.send("GET", &format!("{lot}/bids-to-mark"), &sam, None).await, 403).await;
        assert_eq!(refused["code"], "conflict_of_interest");
        let stranger = evaluator(&app, "kim");
        let refused = expect(app.send("GET", &format!("{lot}/scheme"), &stranger, None).await, 403).await;
        assert_eq!(refused["code"], "not_assigned");
        let other_org = app.token_for("another-buyer", &[Role::Evaluator]);
        assert_eq!(app.send("GET", &format!("{lot}/bids-to-mark"), &other_org, None).await.status(), 404);
    }
}
