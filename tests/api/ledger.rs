//! Ledger v2 on both backends: every event holds the entity's state, an auditor rebuilds any
//! entity as of any moment from the events alone, verification names each row edited, deleted or
//! inserted in the database, and a rewritten run is refused when read.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};
use socval::auth::Role;
use socval::config::DatabaseUrl;
use socval::service::audit;

use crate::audit::tamper;
use crate::common::helpers::expect;
use crate::common::{Backend, ORG, TestApp, TestDatabase, spawn_app_on};
use crate::evaluations::marked_lot;
use crate::on_both_backends;

fn evaluator(app: &TestApp) -> String {
    socval::auth::token::mint(
        &app.config,
        "solo",
        ORG,
        &[Role::Evaluator],
        std::time::Duration::from_secs(300),
    )
    .unwrap()
}

/// A lot taken through a whole evaluation: two bids, marks (one changed 50 → 80), a moderated
/// mark, a run and its award. Returns the lot's path, the bids, and the run's id.
async fn awarded_lot(app: &TestApp, external_id: &str) -> (String, Vec<String>, String) {
    let (lot, bids) = marked_lot(app, external_id, &["1000", "1200"], "2026-03-01T10:00:00Z").await;
    let mark = json!({"score": 80, "rationale": "re-read section 3"});
    expect(
        app.send(
            "PUT",
            &format!("{lot}/bids/{}/marks/q1", bids[0]),
            &evaluator(app),
            Some(&mark),
        )
        .await,
        200,
    )
    .await;
    let commercial = app.token(&[Role::Commercial]);
    let moderated = json!({"score": 60, "rationale": "panel agreed"});
    expect(
        app.send(
            "PUT",
            &format!("{lot}/bids/{}/moderated-marks/sv", bids[1]),
            &commercial,
            Some(&moderated),
        )
        .await,
        200,
    )
    .await;
    let run = expect(
        app.send("POST", &format!("{lot}/evaluations"), &commercial, None)
            .await,
        201,
    )
    .await;
    let run_id = run["id"].as_str().unwrap().to_string();
    let award = json!({"evaluation_id": run_id, "note": "best value"});
    expect(
        app.send("POST", &format!("{lot}/award"), &commercial, Some(&award))
            .await,
        201,
    )
    .await;
    (lot, bids, run_id)
}

async fn verification(app: &TestApp) -> Value {
    expect(
        app.send(
            "GET",
            "/v1/audit/verify",
            &app.token(&[Role::Auditor]),
            None,
        )
        .await,
        200,
    )
    .await
}

/// The one finding verification makes after a tamper, checked for its entity, id and problem.
async fn the_finding(app: &TestApp, entity: &str, id: &str, problem: &str) -> Value {
    let verification = verification(app).await;
    assert_eq!(verification["valid"], false, "{verification}");
    assert!(
        verification["first_invalid_event"].is_null(),
        "the chain itself is intact: {verification}"
    );
    let findings = verification["state_findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{verification}");
    let finding = findings[0].clone();
    assert_eq!(finding["entity"], entity, "{finding}");
    assert_eq!(finding["entity_id"], id, "{finding}");
    assert_eq!(finding["problem"], problem, "{finding}");
    finding
}

fn lot_id(lot: &str) -> &str {
    lot.rsplit('/').next().unwrap()
}

async fn history(app: &TestApp, entity: &str, id: &str, as_of: Option<&str>) -> reqwest::Response {
    let query = as_of
        .map(|at| format!("?as_of={}", at.replace('+', "%2B")))
        .unwrap_or_default();
    app.get_as(
        &format!("/v1/audit/entities/{entity}/{id}{query}"),
        &app.token(&[Role::Auditor]),
    )
    .await
}

on_both_backends! {
    async fn a_whole_evaluation_verifies_row_by_row(app: TestApp) {
        awarded_lot(&app, "LEDGER-1").await;
        let verification = verification(&app).await;
        assert_eq!(verification["valid"], true, "{verification}");
        assert_eq!(verification["state_findings"], json!([]));
        // Tender, 2 lots, a scheme, 2 bids, 4 marks, 1 moderated mark, the run, the award, the
        // evaluator and the declaration.
        assert_eq!(verification["rows_checked"], 15, "{verification}");
        assert_eq!(verification["head"].as_str().unwrap().len(), 64);
    }

    async fn an_auditor_rebuilds_a_marks_history_from_the_api_alone(app: TestApp) {
        let (_, bids, _) = awarded_lot(&app, "LEDGER-2").await;
        let id = format!("{}:q1:solo", bids[0]);
        let now = expect(history(&app, "mark", &id, None).await, 200).await;
        let versions = now["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{now}");
        assert_eq!(now["state"]["score"], "80");
        assert_eq!(now["state"]["rationale"], "re-read section 3");
        for version in versions {
            assert_eq!(version["actor_sub"], "solo");
            assert_eq!(version["actor_role"], "evaluator");
            assert_eq!(version["action"], "mark");
        }
        assert_eq!(versions[0]["patch"][0]["op"], "add");
        assert_eq!(versions[0]["patch"][0]["value"]["score"], "50");
        // Who changed it from 50 to 80, and when: the patch tests the old value, then replaces it.
        let patch = versions[1]["patch"].as_array().unwrap();
        assert!(patch.contains(&json!({"op": "test", "path": "/score", "value": "50"})), "{patch:?}");
        assert!(patch.contains(&json!({"op": "replace", "path": "/score", "value": "80"})), "{patch:?}");

        // As of the first version's moment, the mark was 50.
        let first_at = versions[0]["at"].as_str().unwrap();
        let then = expect(history(&app, "mark", &id, Some(first_at)).await, 200).await;
        assert_eq!(then["state"]["score"], "50");
        assert_eq!(then["versions"].as_array().unwrap().len(), 1);
        assert_eq!(history(&app, "mark", &id, Some("2000-01-01T00:00:00Z")).await.status(), 404, "not yet marked then");

        // The same from the events: the listed change is the state, and it hashes to payload_sha256.
        let events = expect(app.send("GET", "/v1/audit-events?entity=mark", &app.token(&[Role::Auditor]), None).await, 200).await;
        let of_mark: Vec<&Value> = events["items"].as_array().unwrap().iter().filter(|e| e["entity_id"] == id.as_str()).collect();
        assert_eq!(of_mark.len(), 2);
        assert_eq!(of_mark[1]["change"]["state"], now["state"]);
        let canonical = of_mark[1]["change"].to_string();
        assert_eq!(of_mark[1]["payload_sha256"].as_str().unwrap(), socval::service::audit::sha256_hex(canonical.as_bytes()));

        // Another org's auditor, an unknown kind and a bad moment.
        let outsider = app.token_for("other-org", &[Role::Auditor]);
        assert_eq!(app.get_as(&format!("/v1/audit/entities/mark/{id}"), &outsider).await.status(), 404);
        assert_eq!(history(&app, "marks", &id, None).await.status(), 404);
        let bad = expect(history(&app, "mark", &id, Some("yesterday")).await, 422).await;
        assert_eq!(bad["errors"][0]["pointer"], "/as_of");
        assert_eq!(app.get_as(&format!("/v1/audit/entities/mark/{id}"), &app.token(&[Role::Commercial])).await.status(), 403);
    }

    async fn an_edited_price_is_named_with_the_field(app: TestApp) {
        let (_, bids, _) = awarded_lot(&app, "LEDGER-3").await;
        tamper(app.database_url(), &format!("UPDATE bids SET price = '1' WHERE id = '{}'", bids[1]));
        let finding = the_finding(&app, "bid", &bids[1], "differs").await;
        assert_eq!(finding["differences"], json!([{"pointer": "/price", "recorded": "1200", "stored": "1"}]));
        assert!(finding["message"].as_str().unwrap().contains(r#"its stored /price is "1" but the ledger recorded "1200""#), "{finding}");
    }

    async fn an_edited_commitment_is_named_within_its_bid(app: TestApp) {
        let (_, bids, _) = awarded_lot(&app, "LEDGER-4").await;
        tamper(app.database_url(), &format!("INSERT INTO commitments (bid_id, position, measure, quantity) VALUES ('{}', 0, 'SVS-CARBON-SAVED', '1000000')", bids[0]));
        let finding = the_finding(&app, "bid", &bids[0], "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/commitments/0", "{finding}");
    }

    async fn an_edited_mark_and_moderated_mark_are_named(app: TestApp) {
        let (_, bids, _) = awarded_lot(&app, "LEDGER-5").await;
        tamper(app.database_url(), &format!("UPDATE marks SET score = '100' WHERE bid_id = '{}' AND criterion_id = 'sv'", bids[0]));
        let finding = the_finding(&app, "mark", &format!("{}:sv:solo", bids[0]), "differs").await;
        assert_eq!(finding["differences"], json!([{"pointer": "/score", "recorded": "50", "stored": "100"}]));
        tamper(app.database_url(), &format!("UPDATE marks SET score = '50' WHERE bid_id = '{}' AND criterion_id = 'sv'", bids[0]));

        tamper(app.database_url(), &format!("UPDATE moderated_marks SET score = '0' WHERE bid_id = '{}'", bids[1]));
        let finding = the_finding(&app, "moderated_mark", &format!("{}:sv", bids[1]), "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/score");
    }

    async fn an_edited_scheme_and_award_are_named(app: TestApp) {
        let (lot, bids, _) = awarded_lot(&app, "LEDGER-6").await;
        let lot = lot_id(&lot).to_string();
        tamper(app.database_url(), &format!("UPDATE schemes SET body = replace(body, '\"60\"', '\"99\"') WHERE lot_id = '{lot}'"));
        let finding = the_finding(&app, "scheme", &format!("{lot}:1"), "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/body");
        tamper(app.database_url(), &format!("UPDATE schemes SET body = replace(body, '\"99\"', '\"60\"') WHERE lot_id = '{lot}'"));
        assert_eq!(verification(&app).await["valid"], true, "put back, it verifies again");

        tamper(app.database_url(), &format!("UPDATE awards SET winner_bid_id = '{}' WHERE lot_id = '{lot}'", bids[1]));
        let finding = the_finding(&app, "award", &lot, "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/winner_bid_id");
    }

    async fn deleted_and_inserted_rows_are_named(app: TestApp) {
        let (lot, bids, _) = awarded_lot(&app, "LEDGER-7").await;
        let lot = lot_id(&lot).to_string();
        tamper(app.database_url(), &format!("DELETE FROM marks WHERE bid_id = '{}' AND criterion_id = 'sv'", bids[1]));
        let finding = the_finding(&app, "mark", &format!("{}:sv:solo", bids[1]), "missing").await;
        assert!(finding["message"].as_str().unwrap().contains("its row is gone"), "{finding}");
        tamper(app.database_url(), &format!(
            "INSERT INTO marks (lot_id, bid_id, criterion_id, evaluator_sub, org_id, score, rationale, updated_at)
             VALUES ('{lot}', '{}', 'sv', 'solo', '{ORG}', '50', 'evidence in section 3', '2026-03-01 10:00:00')", bids[1]));
        let finding = the_finding(&app, "mark", &format!("{}:sv:solo", bids[1]), "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/updated_at", "put back by hand, only its time differs");

        tamper(app.database_url(), &format!(
            "INSERT INTO marks (lot_id, bid_id, criterion_id, evaluator_sub, org_id, score, rationale, updated_at)
             VALUES ('{lot}', '{}', 'q1', 'mallory', '{ORG}', '100', 'forged', '2026-03-01 10:00:00')", bids[1]));
        let verification = verification(&app).await;
        let unrecorded: Vec<&Value> = verification["state_findings"].as_array().unwrap().iter()
            .filter(|f| f["problem"] == "unrecorded").collect();
        assert_eq!(unrecorded.len(), 1, "{verification}");
        assert_eq!(unrecorded[0]["entity_id"], format!("{}:q1:mallory", bids[1]));
    }

    async fn a_rewritten_run_is_refused_and_named(app: TestApp) {
        let (lot, _, run) = awarded_lot(&app, "LEDGER-8").await;
        let commercial = app.token(&[Role::Commercial]);
        let path = format!("{lot}/evaluations/{run}");
        let served = expect(app.send("GET", &path, &commercial, None).await, 200).await;
        assert_eq!(served["id"], run.as_str());

        // Evaluations refuse UPDATE at the database; an intruder lifts that too.
        let unlock = match app.database_url() {
            socval::config::DatabaseUrl::Sqlite { .. } => "DROP TRIGGER IF EXISTS evaluations_no_update;",
            socval::config::DatabaseUrl::Postgres { .. } => "ALTER TABLE evaluations DISABLE TRIGGER USER;",
        };
        tamper(app.database_url(), &format!(
            "{unlock} UPDATE evaluations SET result = replace(result, '\"rank\":1', '\"rank\":3') WHERE id = '{run}'"));
        let refused = expect(app.send("GET", &path, &commercial, None).await, 500).await;
        assert_eq!(refused["code"], "run_mismatch", "{refused}");
        assert!(refused["detail"].as_str().unwrap().contains(&run), "{refused}");
        assert!(refused["request_id"].is_string());
        for summary in ["summaries", "evaluations"] {
            let response = app.send("GET", &format!("{lot}/{summary}"), &commercial, None).await;
            assert_ne!(response.status(), 200, "{summary} is not served from the rewritten run");
        }
        let finding = the_finding(&app, "run", &run, "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/stored_result_sha256");
        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(metrics.contains(&format!("socval_runs_refused_total{{run=\"{run}\"}}")), "the metric names the run");

        tamper(app.database_url(), &format!(
            "UPDATE evaluations SET result = replace(result, '\"rank\":3', '\"rank\":1'), inputs = replace(inputs, '\"1200\"', '\"1\"') WHERE id = '{run}'"));
        assert_eq!(expect(app.send("GET", &path, &commercial, None).await, 500).await["code"], "run_mismatch");
        let finding = the_finding(&app, "run", &run, "differs").await;
        assert_eq!(finding["differences"][0]["pointer"], "/stored_inputs_sha256");
    }
}

/// Fills the test's database with what release f1a2975 wrote (`tests/fixtures/ledger-v1`).
fn load_release_f1a2975(database: &TestDatabase) {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ledger-v1");
    match (&database.url, database.schema()) {
        (DatabaseUrl::Sqlite { path }, _) => {
            std::fs::copy(format!("{fixtures}/socval.sqlite"), path).unwrap();
        }
        (DatabaseUrl::Postgres { url }, Some(schema)) => {
            // The dump names the `public` schema; the test's world is its own schema.
            let dump = std::fs::read_to_string(format!("{fixtures}/postgres.sql")).unwrap();
            let sql = dump.replace("public.", &format!("\"{schema}\"."));
            let mut conn = diesel::PgConnection::establish(url).unwrap();
            conn.batch_execute(&sql).unwrap();
        }
        (DatabaseUrl::Postgres { .. }, None) => {
            unreachable!("a PostgreSQL test database has a schema")
        }
    }
}

/// A database made by the release before ledger v2 migrates: its old chain is verified and
/// recorded, one baseline event per live entity is written, and from then on every row is
/// covered, on both backends.
async fn a_release_f1a2975_database_migrates_and_verifies(backend: Backend) {
    let Some(app) = spawn_app_on(backend, load_release_f1a2975, |_| {}).await else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let auditor = app.token_for("fixture-org", &[Role::Auditor]);
    let verified = expect(
        app.send("GET", "/v1/audit/verify", &auditor, None).await,
        200,
    )
    .await;
    assert_eq!(verified["valid"], true, "{verified}");
    let baseline = &verified["baseline"];
    assert_eq!(baseline["old_chain_valid"], true, "{verified}");
    assert_eq!(
        baseline["old_events_checked"], 43,
        "the fixture's chain: {verified}"
    );
    assert!(baseline["migrated_at"].is_string());
    // Tender, 2 lots, 3 scheme versions, 4 bids, 15 marks, 7 moderated marks, the run, the award,
    // 2 evaluators and 2 declarations: one baseline event each, and each row checked.
    assert_eq!(baseline["baseline_events"], 38, "{verified}");
    assert_eq!(verified["rows_checked"], 38);
    assert_eq!(verified["events_checked"], 43 + 38);
    let other = app.token_for("other-org", &[Role::Auditor]);
    let theirs = expect(app.send("GET", "/v1/audit/verify", &other, None).await, 200).await;
    assert_eq!(
        (
            theirs["valid"].clone(),
            theirs["baseline"]["baseline_events"].clone()
        ),
        (json!(true), json!(4)),
        "{theirs}"
    );

    // A mark's history: the events from before v2 kept no content; the baseline holds its state.
    let marks = expect(
        app.send("GET", "/v1/audit-events?entity=mark", &auditor, None)
            .await,
        200,
    )
    .await;
    let baselined = &marks["items"][0];
    assert_eq!(baselined["action"], "baseline");
    assert_eq!(baselined["actor_role"], "system");
    assert_eq!(baselined["change"]["context"]["migrated"], true);
    let id = baselined["entity_id"].as_str().unwrap();
    let history = expect(
        app.send(
            "GET",
            &format!("/v1/audit/entities/mark/{id}"),
            &auditor,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(history["state"], baselined["change"]["state"]);
    assert_eq!(
        history["versions"].as_array().unwrap().last().unwrap()["action"],
        "baseline"
    );

    // The old run is served: it matches the state its baseline recorded.
    let runs = expect(
        app.send("GET", "/v1/audit-events?entity=run", &auditor, None)
            .await,
        200,
    )
    .await;
    let run = &runs["items"][0]["change"]["state"];
    let path = format!(
        "/v1/tenders/{}/lots/{}/evaluations/{}",
        run["tender_id"].as_str().unwrap(),
        run["lot_id"].as_str().unwrap(),
        run["id"].as_str().unwrap()
    );
    let commercial = app.token_for("fixture-org", &[Role::Commercial]);
    assert_eq!(
        expect(app.send("GET", &path, &commercial, None).await, 200).await["engine_version"],
        "1.0.0"
    );

    // The old award keeps the standstill it stored, counted from its decision, never recomputed;
    // no step can be added to it.
    let award_path = format!(
        "/v1/tenders/{}/lots/{}/award",
        run["tender_id"].as_str().unwrap(),
        run["lot_id"].as_str().unwrap()
    );
    let award = expect(app.send("GET", &award_path, &commercial, None).await, 200).await;
    assert_eq!(award["standstill_ends"], "2026-12-11", "{award}");
    assert_eq!(award["standstill"]["computed_from"], "decision");
    assert_eq!(award["standstill"]["last_day"], "2026-12-11");
    assert_eq!(award["standstill"]["earliest_entry"], "2026-12-12");
    assert_eq!(award["next_step"], Value::Null);
    let step = expect(
        app.send(
            "POST",
            &format!("{award_path}/notice-published"),
            &commercial,
            Some(&json!({"published_at": "2026-12-01T22:00:00Z"})),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(step["code"], "award_step_recorded", "{step}");

    // Migrating again writes nothing more; an old row edited afterwards is named.
    let signer = socval::startup::audit_signer(&app.config).unwrap();
    socval::service::migrate_blocking(&socval::db::Db::new(&app.config), &signer).unwrap();
    let again = expect(
        app.send("GET", "/v1/audit/verify", &auditor, None).await,
        200,
    )
    .await;
    assert_eq!(again["events_checked"], verified["events_checked"]);
    let winner = run["id"].as_str().unwrap();
    tamper(
        app.database_url(),
        &format!("UPDATE awards SET note = 'edited' WHERE evaluation_id = '{winner}'"),
    );
    let edited = expect(
        app.send("GET", "/v1/audit/verify", &auditor, None).await,
        200,
    )
    .await;
    assert_eq!(edited["state_findings"][0]["entity"], "award", "{edited}");
    assert_eq!(
        edited["state_findings"][0]["differences"][0]["pointer"],
        "/note"
    );
}

#[tokio::test]
async fn a_release_f1a2975_sqlite_file_migrates_and_verifies() {
    a_release_f1a2975_database_migrates_and_verifies(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_release_f1a2975_postgres_dump_migrates_and_verifies() {
    a_release_f1a2975_database_migrates_and_verifies(Backend::Postgres).await;
}

/// The operator's view of the same: `socval check-audit` names the edited row and the field, and
/// `socval audit-entity` prints what the API's rebuild answers.
#[tokio::test]
async fn the_cli_names_an_edited_row_and_rebuilds_an_entity() {
    let app = crate::common::spawn_app(Backend::Sqlite).await.unwrap();
    let (_, bids, _) = awarded_lot(&app, "LEDGER-CLI").await;
    let socval = |args: &[&str]| app.cli(args, true);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let clean = socval(&["check-audit"]);
    assert!(clean.status.success(), "{}", text(&clean.stderr));

    tamper(
        app.database_url(),
        &format!("UPDATE bids SET price = '1' WHERE id = '{}'", bids[1]),
    );
    let found = socval(&["check-audit"]);
    assert!(!found.status.success());
    let stdout = text(&found.stdout);
    assert!(stdout.contains(&format!("{ORG}: ROW Differs: bid {}: its stored /price is \"1\" but the ledger recorded \"1200\"", bids[1])), "{stdout}");
    assert!(
        text(&found.stderr).contains("audit ledger does not verify"),
        "{}",
        text(&found.stderr)
    );

    let id = format!("{}:q1:solo", bids[0]);
    let printed = socval(&["audit-entity", "--org", ORG, "mark", &id]);
    assert!(printed.status.success(), "{}", text(&printed.stderr));
    let printed: Value = serde_json::from_slice(&printed.stdout).unwrap();
    let served = expect(history(&app, "mark", &id, None).await, 200).await;
    assert_eq!(printed, served);
    let unknown = socval(&["audit-entity", "--org", ORG, "marks", &id]);
    assert!(
        text(&unknown.stderr).contains("not an entity the ledger holds"),
        "{}",
        text(&unknown.stderr)
    );
}

/// A write committed while the sequencer has not chained its event yet: verification compares
/// the row with that pending event (no false `differs`), counts it, and still names a row that
/// changed with no event at all; the next ledger read chains it.
async fn pending_events_are_checked_and_then_chained(backend: Backend) {
    // The app's sequencer then wakes only on its own commits: a change made straight in the
    // database stays pending until the app's next ledger read.
    let Some(app) = spawn_app_on(
        backend,
        |_| {},
        |config| config.audit_sequencer_poll_ms = 3_600_000,
    )
    .await
    else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    let (tender, _) = app.open_lot("PENDING-1").await;
    let verified = crate::signatures::verify(&app).await;
    let chained = verified["events_checked"].as_u64().unwrap();

    let mut conn = crate::audit::connect(app.database_url());
    socval::db::write_transaction(&mut conn, |conn| {
        conn.batch_execute(&format!(
            "UPDATE tenders SET title = 'Renamed' WHERE id = '{tender}'"
        ))?;
        let author = audit::Author {
            org: ORG,
            sub: "tester",
            role: "platform",
        };
        audit::record(
            conn,
            author,
            "update",
            audit::Entity::Tender,
            &[&tender],
            &Value::Null,
        )
    })
    .unwrap();
    let keyring = socval::startup::audit_signer(&app.config)
        .unwrap()
        .keyring();
    let offline = |conn: &mut socval::db::DbConnection| {
        let found = audit::verify_orgs(conn, Some(ORG), &keyring, None).unwrap();
        serde_json::to_value(&found[0].1).unwrap()
    };
    let found = offline(&mut conn);
    assert_eq!(found["valid"], true, "{found}");
    assert_eq!(
        (
            found["events_checked"].as_u64(),
            found["events_pending"].as_u64()
        ),
        (Some(chained), Some(1))
    );

    conn.batch_execute(&format!(
        "UPDATE tenders SET title = 'Edited' WHERE id = '{tender}'"
    ))
    .unwrap();
    let found = offline(&mut conn);
    assert_eq!(found["state_findings"][0]["problem"], "differs", "{found}");
    assert_eq!(found["state_findings"][0]["recorded_seq"], Value::Null);
    let message = found["state_findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"Renamed\"") && message.contains("not chained yet"),
        "{message}"
    );
    conn.batch_execute(&format!(
        "UPDATE tenders SET title = 'Renamed' WHERE id = '{tender}'"
    ))
    .unwrap();

    let verified = crate::signatures::verify(&app).await;
    assert_eq!(verified["valid"], true, "{verified}");
    assert_eq!(
        (
            verified["events_checked"].as_u64(),
            verified["events_pending"].as_u64()
        ),
        (Some(chained + 1), Some(0))
    );
}

#[tokio::test]
async fn pending_events_are_checked_and_then_chained_on_sqlite() {
    pending_events_are_checked_and_then_chained(Backend::Sqlite).await;
}

#[tokio::test]
async fn pending_events_are_checked_and_then_chained_on_postgres() {
    pending_events_are_checked_and_then_chained(Backend::Postgres).await;
}
