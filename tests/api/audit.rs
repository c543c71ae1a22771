//! The audit log's read side on both backends: listing with cursors and filters, org isolation,
//! roles, and verification that finds an edit or a deletion made directly in the database.
//! Events come from real writes (measure-set imports) or are written raw, linked and hashed as
//! socval does.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use socval::auth::Role;
use socval::config::DatabaseUrl;
use socval::db::audit_events::{self, EventFacts};
use socval::db::{ConnectionManager, DbConnection, write_transaction};
use socval::service::audit::{self, GENESIS_HASH};

use crate::catalogue::json_of;
use crate::common::helpers::expect;
use crate::common::{Backend, ORG, TestApp, spawn_app};
use crate::on_both_backends;

/// Imports a one-measure set as admin of `org`: one `import` event in that org's chain.
async fn import_as(app: &TestApp, org: &str, version: &str) -> String {
    let body = json!({
        "name": "Audit test set", "version": version, "licence": "CC0-1.0", "source": "test",
        "valid_from": "2026-01-01",
        "measures": [{"code": "P", "name": "p", "unit": "£", "proxy_value": 1, "outcomes": ["PPN002:1a"]}]
    });
    let response = app
        .client
        .post(app.url("/v1/measure-sets"))
        .bearer_auth(app.token_for(org, &[Role::Admin]))
        .json(&body)
        .send()
        .await
        .unwrap();
    let created = json_of(response, 201).await;
    created["id"].as_str().unwrap().to_string()
}

async fn import(app: &TestApp, version: &str) -> String {
    import_as(app, ORG, version).await
}

fn auditor(app: &TestApp) -> String {
    app.token(&[Role::Auditor])
}

/// Every event the query selects, following cursors `limit` at a time.
async fn all_events(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/audit-events?limit={limit}&{query}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = json_of(app.get_as(&path, token).await, 200).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{page}");
        events.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return events,
        }
    }
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

/// The chain's part of `GET /v1/audit/verify`, and the rows it found changed.
async fn verify(app: &TestApp) -> Value {
    chain_part(&json_of(app.get_as("/v1/audit/verify", &auditor(app)).await, 200).await)
}

fn chain_part(verification: &Value) -> Value {
    json!({
        "valid": verification["valid"],
        "events_checked": verification["events_checked"],
        "first_invalid_event": verification["first_invalid_event"],
        "state_findings": verification["state_findings"],
    })
}

/// What `GET /v1/audit/verify` answers for an intact ledger.
fn intact(events_checked: u64) -> Value {
    json!({"valid": true, "events_checked": events_checked, "first_invalid_event": null, "state_findings": []})
}

/// What it answers when the walk stops at event `seq`.
fn broken(events_checked: u64, seq: i64, reason: &str) -> Value {
    json!({
        "valid": false,
        "events_checked": events_checked,
        "first_invalid_event": {"seq": seq, "reason": reason},
        "state_findings": [],
    })
}

/// Three imports by `ORG`'s admin; the seqs of their events.
async fn three_events(app: &TestApp) -> Vec<i64> {
    for version in ["1", "2", "3"] {
        import(app, version).await;
    }
    seqs(&all_events(app, &auditor(app), "", 50).await)
}

pub fn connect(url: &DatabaseUrl) -> DbConnection {
    ConnectionManager::new(url.clone(), 5000)
        .connect_now()
        .unwrap()
}

/// Lifts the append-only guard of this test's private database, as an intruder with database
/// access could, so the test can tamper with rows.
fn allow_tampering(conn: &mut DbConnection) {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;"
        }
        DbConnection::Postgres(_) => {
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;"
        }
    };
    conn.batch_execute(sql).unwrap();
}

pub fn tamper(url: &DatabaseUrl, statement: &str) {
    let mut conn = connect(url);
    allow_tampering(&mut conn);
    conn.batch_execute(statement).unwrap();
}

/// `hash` recomputed as the API documents it, from the listed fields alone.
fn recomputed_hash(event: &Value) -> String {
    let field = |name: &str| event[name].as_str().unwrap();
    let canonical = json!([
        ORG,
        field("at"),
        field("actor_sub"),
        field("actor_role"),
        field("action"),
        field("entity"),
        field("entity_id"),
        field("payload_sha256")
    ])
    .to_string();
    hex::encode(Sha256::digest(
        format!("{}{canonical}", field("prev_hash")).as_bytes(),
    ))
}

/// The change of a synthetic event: an entity with no state (so no row is expected for it).
const NO_STATE: &str = r#"{"state":null}"#;

/// Writes a valid chain for `ORG` straight into the database, one event per time, as socval
/// would but at chosen times.
fn write_chain(app: &TestApp, conn: &mut DbConnection, times: &[NaiveDateTime]) {
    let signer = socval::startup::audit_signer(&app.config).unwrap();
    write_transaction(conn, |conn| {
        for (n, at) in times.iter().enumerate() {
            append_raw(conn, &signer, *at, "admin", "measure_set", &n.to_string())?;
        }
        Ok::<_, socval::db::DbError>(())
    })
    .unwrap();
}

/// Appends one synthetic event to `ORG`'s chain, linked, hashed and signed as socval's sequencer
/// does: after the app's own events are chained ([`TestApp::chained`]), or it forks their chain.
pub fn append_raw(
    conn: &mut DbConnection,
    signer: &audit::Signer,
    at: NaiveDateTime,
    actor_role: &str,
    entity: &str,
    entity_id: &str,
) -> Result<(), socval::db::DbError> {
    let prev_hash =
        audit_events::head(conn, ORG)?.map_or_else(|| GENESIS_HASH.to_string(), |(_, hash)| hash);
    let payload_sha256 = audit::sha256_hex(NO_STATE.as_bytes());
    let facts = EventFacts {
        org_id: ORG,
        at,
        actor_sub: "s",
        actor_role,
        action: "import",
        entity,
        entity_id,
        payload_sha256: &payload_sha256,
    };
    let hash = audit::event_hash(&prev_hash, &facts);
    let (key_id, signature) = audit::sign_hash(signer, &hash);
    let event = audit_events::NewEvent {
        facts,
        change: NO_STATE,
        prev_hash,
        hash,
        key_id,
        signature,
    };
    audit_events::insert_all(conn, &[event])
}

on_both_backends! {
    async fn events_are_listed_in_chain_order_page_by_page(app: TestApp) {
        let ids = [import(&app, "1").await, import(&app, "2").await, import(&app, "3").await];

        let first = json_of(app.get_as("/v1/audit-events?limit=2", &auditor(&app)).await, 200).await;
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = json_of(app.get_as(&format!("/v1/audit-events?limit=2&cursor={cursor}"), &auditor(&app)).await, 200).await;
        assert_eq!(second["items"].as_array().unwrap().len(), 1);
        assert!(second["next_cursor"].is_null(), "{second}");

        let events = all_events(&app, &auditor(&app), "", 1).await;
        assert!(seqs(&events).is_sorted() && events.len() == 3, "{events:?}");
        for (event, id) in events.iter().zip(&ids) {
            assert_eq!(event["action"], "import");
            assert_eq!(event["entity"], "measure_set");
            assert_eq!(&event["entity_id"], id);
            assert_eq!(event["actor_sub"], "tester");
            assert_eq!(event["actor_role"], "admin");
            assert_eq!(event["payload_sha256"].as_str().unwrap().len(), 64);
            assert_eq!(event["hash"].as_str().unwrap(), recomputed_hash(event), "the documented formula holds");
        }
        assert_eq!(events[0]["prev_hash"], GENESIS_HASH);
        assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
        assert_eq!(events[2]["prev_hash"], events[1]["hash"]);
    }

    async fn after_seq_resumes_a_follower_and_refuses_a_negative_seq(app: TestApp) {
        for version in ["1", "2", "3"] {
            import(&app, version).await;
        }
        let all = all_events(&app, &auditor(&app), "", 50).await;
        let first = all[0]["seq"].as_i64().unwrap();
        let rest = all_events(&app, &auditor(&app), &format!("after_seq={first}"), 50).await;
        assert_eq!(seqs(&rest), seqs(&all[1..]));
        let refused = json_of(app.get_as("/v1/audit-events?after_seq=-1", &auditor(&app)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/after_seq", "{refused}");
    }

    async fn filters_select_by_entity_id_and_time(app: TestApp) {
        let ids = [import(&app, "1").await, import(&app, "2").await, import(&app, "3").await];
        app.chained().await;
        let mut conn = connect(app.database_url());
        let signer = socval::startup::audit_signer(&app.config).unwrap();
        write_transaction(&mut conn, |conn| {
            append_raw(conn, &signer, socval::service::now(), "platform", "tender", "tender-1")
        }).unwrap();
        let token = auditor(&app);
        let all = all_events(&app, &token, "", 50).await;
        assert_eq!(all.len(), 4);

        let of_sets = all_events(&app, &token, "entity=measure_set", 2).await;
        assert_eq!(seqs(&of_sets), seqs(&all[..3]));
        let of_second = all_events(&app, &token, &format!("entity_id={}", ids[1]), 50).await;
        assert_eq!(seqs(&of_second), seqs(&all[1..2]));
        let of_tender = all_events(&app, &token, "entity=tender&entity_id=tender-1", 50).await;
        assert_eq!(seqs(&of_tender), seqs(&all[3..]));
        assert_eq!(of_tender[0]["actor_role"], "platform");
        assert!(all_events(&app, &token, "entity=measure_set&entity_id=tender-1", 50).await.is_empty());

        let since_second = all[1]["at"].as_str().unwrap().replace('+', "%2B");
        let later = all_events(&app, &token, &format!("since={since_second}"), 50).await;
        assert_eq!(seqs(&later), seqs(&all[1..]), "`since` is inclusive");
        assert_eq!(all_events(&app, &token, "since=2000-01-01T00:00:00Z", 50).await.len(), 4);
        assert!(all_events(&app, &token, "since=2999-01-01T00:00:00Z", 50).await.is_empty());
    }

    async fn the_tender_filter_gathers_the_tender_its_lots_and_their_bids(app: TestApp) {
        let (tender, lot) = app.open_lot("T-1").await;
        app.open_lot("T-2").await;
        import(&app, "1").await;
        let body = json!({
            "external_id": "bid-1", "supplier": {"name": "Acme"}, "price": "100",
            "submitted_at": "2026-03-01T10:00:00Z", "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "1"}]
        });
        let bids = format!("/v1/tenders/{tender}/lots/{lot}/bids");
        let submitted = expect(app.send("POST", &bids, &app.token(&[Role::Platform]), Some(&body)).await, 201).await;
        let bid = submitted["id"].as_str().unwrap();

        let token = auditor(&app);
        let all = all_events(&app, &token, "", 500).await;
        let lots_of_t1: Vec<&str> = all.iter()
            .filter(|e| e["entity"] == "lot" && e["change"]["state"]["tender_id"] == tender.as_str())
            .map(|e| e["entity_id"].as_str().unwrap())
            .collect();
        assert!(lots_of_t1.contains(&lot.as_str()) && lots_of_t1.len() >= 2, "both lots of T-1: {lots_of_t1:?}");
        let of_t1: Vec<Value> = all.iter()
            // An entity under a lot or bid (a scheme version, a mark) is named `{lot or bid}:…`.
            .filter(|e| {
                let parent = e["entity_id"].as_str().unwrap().split(':').next().unwrap();
                parent == tender || parent == bid || lots_of_t1.contains(&parent)
            })
            .cloned()
            .collect();
        for entity in ["tender", "lot", "scheme", "bid"] {
            assert!(of_t1.iter().any(|e| e["entity"] == entity), "a {entity} event: {of_t1:?}");
        }
        assert_eq!(all_events(&app, &token, &format!("tender={tender}"), 2).await, of_t1);
        let lot_events = all_events(&app, &token, &format!("tender={tender}&entity=lot"), 50).await;
        assert_eq!(lot_events.len(), of_t1.iter().filter(|e| e["entity"] == "lot").count());
        assert!(all_events(&app, &token, "tender=no-such-tender", 50).await.is_empty());
        let outsider = app.token_for("other-org", &[Role::Auditor]);
        assert!(all_events(&app, &outsider, &format!("tender={tender}"), 50).await.is_empty());
        assert_eq!(verify(&app).await, intact(all.len() as u64));
    }

    async fn bad_query_parameters_are_named(app: TestApp) {
        let token = auditor(&app);
        for (query, pointer) in [
            ("since=yesterday", "/since"),
            ("since=2026-03-01", "/since"),
            ("limit=0", "/limit"),
            ("cursor=%%%", "/cursor"),
            ("cursor=YWJj", "/cursor"), // base64url of "abc": not a sequence number
        ] {
            let problem = json_of(app.get_as(&format!("/v1/audit-events?{query}"), &token).await, 422).await;
            assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}: {problem}");
            assert_eq!(problem["errors"][0]["code"], "invalid_query");
        }
    }

    async fn another_org_sees_none_of_the_events_and_keeps_its_own_chain(app: TestApp) {
        import(&app, "1").await;
        import(&app, "2").await;
        let other = app.token_for("other-org", &[Role::Auditor, Role::Admin]);
        assert!(all_events(&app, &other, "", 50).await.is_empty());
        assert!(all_events(&app, &other, "entity=measure_set", 50).await.is_empty());
        let empty = json_of(app.get_as("/v1/audit/verify", &other).await, 200).await;
        assert_eq!(chain_part(&empty), intact(0));

        import_as(&app, "other-org", "3").await;
        let theirs = all_events(&app, &other, "", 50).await;
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0]["prev_hash"], GENESIS_HASH, "each org's chain starts at genesis");
        assert_eq!(all_events(&app, &auditor(&app), "", 50).await.len(), 2);
        assert_eq!(verify(&app).await["valid"], true);
    }

    async fn only_auditors_and_admins_may_read_the_log(app: TestApp) {
        for path in ["/v1/audit-events", "/v1/audit/verify"] {
            for role in [Role::Platform, Role::Commercial, Role::Evaluator] {
                let response = app.get_as(path, &app.token(&[role])).await;
                assert_eq!(response.status(), 403, "{path} as {role:?}");
            }
            assert_eq!(app.get(path).await.status(), 401, "{path} without a token");
            for role in [Role::Auditor, Role::Admin] {
                assert_eq!(app.get_as(path, &app.token(&[role])).await.status(), 200, "{path} as {role:?}");
            }
        }
    }

    async fn the_chain_verifies_after_several_writes(app: TestApp) {
        assert_eq!(verify(&app).await, intact(0));
        for version in ["1", "2", "3", "4"] {
            import(&app, version).await;
        }
        let admin_view = json_of(app.get_as("/v1/audit/verify", &app.token(&[Role::Admin])).await, 200).await;
        assert_eq!(chain_part(&admin_view), intact(4));
        assert_eq!(admin_view["rows_checked"], 4, "the four measure sets: {admin_view}");
    }

    async fn an_event_edited_in_the_database_is_named(app: TestApp) {
        let seqs = three_events(&app).await;
        tamper(app.database_url(), &format!("UPDATE audit_events SET actor_sub = 'mallory' WHERE seq = {}", seqs[1]));
        assert_eq!(verify(&app).await, broken(2, seqs[1], "hash_mismatch"));
    }

    async fn an_event_deleted_from_the_database_breaks_the_next_link(app: TestApp) {
        let seqs = three_events(&app).await;
        tamper(app.database_url(), &format!("DELETE FROM audit_events WHERE seq = {}", seqs[1]));
        let mut found = verify(&app).await;
        // The set whose import event went is stored with no event recording it.
        let findings = found["state_findings"].take();
        assert_eq!(findings.as_array().unwrap().len(), 1, "{findings}");
        assert_eq!(findings[0]["problem"], "unrecorded");
        assert_eq!(findings[0]["entity"], "measure_set");
        found["state_findings"] = json!([]);
        assert_eq!(found, broken(2, seqs[2], "broken_link"));
    }

    async fn stored_times_hash_the_same_after_the_round_trip(app: TestApp) {
        // Times whose written form varies (no fraction, 3 or 6 digits, edge microseconds):
        // each must read back to the same RFC 3339 string the hash was computed over.
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let times: Vec<_> = [(0, 0), (1, 100_000), (2, 120_000), (3, 123_000), (4, 1), (5, 999_999), (59, 123_456)]
            .into_iter()
            .map(|(second, micro)| day.and_hms_micro_opt(23, 59, second, micro).unwrap())
            .collect();
        let mut conn = connect(app.database_url());
        write_chain(&app, &mut conn, &times);

        let stored = audit_events::page(&mut conn, ORG, &Default::default(), None, 50).unwrap();
        assert_eq!(stored.iter().map(|row| row.at).collect::<Vec<_>>(), times);
        let listed = all_events(&app, &auditor(&app), "", 50).await;
        let shown: Vec<&str> = listed.iter().map(|e| e["at"].as_str().unwrap()).collect();
        assert_eq!(shown[0], "2026-03-01T23:59:00+00:00");
        assert_eq!(shown[2], "2026-03-01T23:59:02.120+00:00");
        assert_eq!(shown[4], "2026-03-01T23:59:04.000001+00:00");
        assert_eq!(verify(&app).await, intact(times.len() as u64));
    }

    async fn a_chain_longer_than_a_verification_page_is_walked_to_the_end(app: TestApp) {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let times: Vec<_> = (0..2_100).map(|n| start + TimeDelta::seconds(n)).collect();
        let mut conn = connect(app.database_url());
        write_chain(&app, &mut conn, &times);
        assert_eq!(verify(&app).await, intact(2_100));

        // The 1,501st event, on the second page, relinked elsewhere.
        let seq = audit_events::page(&mut conn, ORG, &Default::default(), None, 2_100).unwrap()[1_500].seq;
        let elsewhere = "f".repeat(64);
        tamper(app.database_url(), &format!("UPDATE audit_events SET prev_hash = '{elsewhere}' WHERE seq = {seq}"));
        assert_eq!(verify(&app).await, broken(1_501, seq, "broken_link"));
    }

    async fn concurrent_writers_extend_one_linear_chain(app: TestApp) {
        let versions: Vec<String> = (1..=8).map(|n| format!("concurrent-{n}")).collect();
        futures_util::future::join_all(versions.iter().map(|v| import(&app, v))).await;

        let events = all_events(&app, &auditor(&app), "", 500).await;
        assert_eq!(events.len(), 8);
        assert_eq!(events[0]["prev_hash"], GENESIS_HASH);
        for pair in events.windows(2) {
            assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "no fork: {events:?}");
        }
        assert_eq!(verify(&app).await, intact(8));
    }
}

/// The operator's view: `socval check-audit` as a process, on the database a server wrote.
#[tokio::test]
async fn check_audit_passes_an_intact_chain_and_names_the_edited_event() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let seqs = three_events(&app).await;
    import_as(&app, "other-org", "4").await;
    app.chained().await;
    let DatabaseUrl::Sqlite { path } = app.database_url() else {
        unreachable!("a SQLite app")
    };
    let check = |args: &[&str]| app.cli(&[&["check-audit"], args].concat(), true);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();

    let intact = check(&[]);
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    assert_eq!(
        text(&intact.stdout),
        format!(
            "{ORG}: chain valid, events checked: 3, rows checked: 3\nother-org: chain valid, events checked: 1, rows checked: 1\n"
        )
    );

    let second = seqs[1];
    tamper(
        app.database_url(),
        &format!("UPDATE audit_events SET entity_id = 'forged' WHERE seq = {second}"),
    );

    let broken = check(&[]);
    assert!(!broken.status.success());
    let stdout = text(&broken.stdout);
    assert!(
        stdout.contains(&format!("{ORG}: INVALID at event {second}: hash mismatch")),
        "{stdout}"
    );
    assert!(
        stdout.contains("other-org: chain valid, events checked: 1, rows checked: 1"),
        "{stdout}"
    );
    let stderr = text(&broken.stderr);
    assert!(
        stderr.contains(&format!("org `{ORG}` at event {second}")),
        "{stderr}"
    );

    let missing = app.cli_on(&format!("sqlite://{path}.typo"), &["check-audit"], true);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("DATABASE_URL"),
        "{}",
        text(&missing.stderr)
    );
    assert!(
        !std::path::Path::new(&format!("{path}.typo")).exists(),
        "no empty database was created"
    );

    let other_only = check(&["--org", "other-org"]);
    assert!(other_only.status.success());
    assert_eq!(
        text(&other_only.stdout),
        "other-org: chain valid, events checked: 1, rows checked: 1\n"
    );
}
