//! Ledger v2, signed: on both backends, what someone with write access to the database but
//! without socval's signing key can do to the log is caught and named, given a checkpoint kept
//! outside socval and the public keys alone; and a rotated key keeps old events verifying.

use std::net::TcpListener;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use serde_json::{Value, json};
use socval::auth::Role;
use socval::db::audit_events;
use socval::service::audit;

use crate::audit::{connect, tamper};
use crate::common::helpers::expect;
use crate::common::{Backend, ORG, TestApp, spawn_app_on};
use crate::on_both_backends;

async fn checkpoint(app: &TestApp) -> Value {
    expect(
        app.send(
            "GET",
            "/v1/audit/checkpoint",
            &app.token(&[Role::Auditor]),
            None,
        )
        .await,
        200,
    )
    .await
}

async fn verify_against(app: &TestApp, checkpoint: &Value) -> Value {
    expect(
        app.send(
            "POST",
            "/v1/audit/verify",
            &app.token(&[Role::Auditor]),
            Some(checkpoint),
        )
        .await,
        200,
    )
    .await
}

/// The whole answer of `GET /v1/audit/verify`.
pub async fn verify(app: &TestApp) -> Value {
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

fn seqs(app: &TestApp) -> Vec<i64> {
    let mut conn = connect(app.database_url());
    audit_events::page(&mut conn, ORG, &Default::default(), None, 10_000)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect()
}

/// Two lots' worth of events: well over ten.
async fn some_events(app: &TestApp) -> Vec<i64> {
    app.open_lot("SIG-1").await;
    app.open_lot("SIG-2").await;
    app.chained().await;
    let seqs = seqs(app);
    assert!(seqs.len() > 10, "{seqs:?}");
    seqs
}

fn problem(verification: &Value) -> String {
    verification["checkpoint"]["problem"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

on_both_backends! {
    async fn a_checkpoint_verifies_and_says_what_it_covers(app: TestApp) {
        let seqs = some_events(&app).await;
        let signed = checkpoint(&app).await;
        assert_eq!(signed["org"], ORG);
        assert_eq!(signed["seq"], *seqs.last().unwrap());
        let keys = expect(app.send("GET", "/v1/audit/keys", &app.token(&[Role::Auditor]), None).await, 200).await;
        assert_eq!(keys["keys"][0]["key_id"], signed["key_id"]);
        assert_eq!(keys["keys"][0]["status"], "current");
        let verified = verify_against(&app, &signed).await;
        assert_eq!(verified["valid"], true, "{verified}");
        assert_eq!(verified["checkpoint"], json!({"holds": true, "seq": signed["seq"], "problem": null}));

        let mut forged = signed.clone();
        forged["seq"] = json!(1);
        assert!(problem(&verify_against(&app, &forged).await).contains("signature does not hold"));
        let mut theirs = signed.clone();
        theirs["org"] = json!("other-org");
        let refused = expect(app.send("POST", "/v1/audit/verify", &app.token(&[Role::Auditor]), Some(&theirs)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/org");
        assert_eq!(app.send("GET", "/v1/audit/checkpoint", &app.token(&[Role::Platform]), None).await.status(), 403);
    }

    async fn deleting_the_last_event_or_the_last_ten_is_caught_by_the_checkpoint(app: TestApp) {
        let seqs = some_events(&app).await;
        let signed = checkpoint(&app).await;
        let last = *seqs.last().unwrap();
        tamper(app.database_url(), &format!("DELETE FROM audit_events WHERE seq = {last}"));
        let found = verify_against(&app, &signed).await;
        assert_eq!(found["valid"], false);
        assert!(problem(&found).contains(&format!("event {last} that the checkpoint ends at is gone")), "{found}");
        let tenth = seqs[seqs.len() - 10];
        tamper(app.database_url(), &format!("DELETE FROM audit_events WHERE seq >= {tenth}"));
        assert!(problem(&verify_against(&app, &signed).await).contains("is gone"));
    }

    async fn deleting_all_of_an_orgs_events_is_caught(app: TestApp) {
        some_events(&app).await;
        let signed = checkpoint(&app).await;
        tamper(app.database_url(), &format!("DELETE FROM audit_events WHERE org_id = '{ORG}'"));
        let found = verify_against(&app, &signed).await;
        assert_eq!(found["events_checked"], 0);
        assert!(problem(&found).contains("the log was truncated, or the org's events deleted"), "{found}");
    }

    async fn an_edited_event_with_every_later_hash_recomputed_is_caught(app: TestApp) {
        let seqs = some_events(&app).await;
        let signed = checkpoint(&app).await;
        let edited = seqs[3];
        // Anyone can recompute SHA-256: the intruder edits event 4 and re-hashes the chain after it.
        let mut conn = connect(app.database_url());
        let rows = audit_events::page(&mut conn, ORG, &Default::default(), None, 10_000).unwrap();
        let mut prev = rows[2].hash.clone();
        let mut statements = String::new();
        for row in &rows[3..] {
            let mut facts = row.facts();
            if row.seq == edited {
                facts.actor_sub = "mallory";
            }
            let hash = audit::event_hash(&prev, &facts);
            statements.push_str(&format!(
                "UPDATE audit_events SET actor_sub = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {};",
                facts.actor_sub, row.seq
            ));
            prev = hash;
        }
        drop(conn);
        tamper(app.database_url(), &statements);
        let found = verify_against(&app, &signed).await;
        assert_eq!(found["first_invalid_event"], json!({"seq": edited, "reason": "signature_invalid"}), "{found}");
        assert!(problem(&found).contains("was rewritten"), "{found}");
    }

    async fn a_forged_appended_event_is_caught(app: TestApp) {
        some_events(&app).await;
        let mut conn = connect(app.database_url());
        let at = socval::service::now();
        // Linked and hashed correctly, signed by a key socval does not trust.
        let intruder = audit::Signer::new(SigningKey::from_bytes(&[42; 32]), Vec::new());
        socval::db::write_transaction(&mut conn, |conn| {
            crate::audit::append_raw(conn, &intruder, at, "commercial", "award", "forged")
        }).unwrap();
        let forged_seq = *seqs(&app).last().unwrap();
        let found = verify(&app).await;
        assert_eq!(found["first_invalid_event"], json!({"seq": forged_seq, "reason": "unknown_key"}), "{found}");

        tamper(app.database_url(), &format!("UPDATE audit_events SET key_id = NULL, signature = NULL WHERE seq = {forged_seq}"));
        assert_eq!(verify(&app).await["first_invalid_event"]["reason"], "unsigned");
    }
}

/// After a rotation the events the old key signed verify with it, listed as retired, and new
/// events with the new key; a verifier that does not know the old key names the first event.
async fn rotation(backend: Backend) {
    let keys = tempfile::tempdir().unwrap();
    let write_key = |name: &str, seed: u8| {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let private = keys.path().join(format!("{name}.pem"));
        std::fs::write(
            &private,
            key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
        )
        .unwrap();
        let public = keys.path().join(format!("{name}.pub.pem"));
        std::fs::write(
            &public,
            key.verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        )
        .unwrap();
        (private, public)
    };
    let (old_key, old_public) = write_key("old", 1);
    let (new_key, _) = write_key("new", 2);
    let Some(mut app) = spawn_app_on(
        backend,
        |_| {},
        |config| config.audit_signing_key = Some(old_key.clone()),
    )
    .await
    else {
        return eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    };
    app.open_lot("ROT-1").await;
    app.chained().await;
    let old_events = seqs(&app).len();

    // The same database, served by a replica that signs with the new key and trusts the old.
    let mut rotated = app.config.clone();
    rotated.audit_signing_key = Some(new_key);
    rotated.audit_retired_keys = Some(old_public.display().to_string());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = socval::startup::Application::with_listener(listener, rotated)
        .await
        .unwrap();
    app.address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let after = app;
    after.open_lot("ROT-2").await;
    after.chained().await;
    assert!(seqs(&after).len() > old_events);

    let verified = verify(&after).await;
    assert_eq!(verified["valid"], true, "{verified}");
    let keys = expect(
        after
            .send(
                "GET",
                "/v1/audit/keys",
                &after.token(&[Role::Auditor]),
                None,
            )
            .await,
        200,
    )
    .await;
    let statuses: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["current", "retired"]);
    let mut conn = connect(after.database_url());
    let rows = audit_events::page(&mut conn, ORG, &Default::default(), None, 10_000).unwrap();
    assert_eq!(
        rows.first().unwrap().key_id.as_deref(),
        keys["keys"][1]["key_id"].as_str(),
        "old events: the old key"
    );
    assert_eq!(
        rows.last().unwrap().key_id.as_deref(),
        keys["keys"][0]["key_id"].as_str(),
        "new events: the new key"
    );

    // A verifier given only the new key cannot vouch for the old events.
    let only_new = json!({"keys": [keys["keys"][0]]});
    let keyring = audit::Keyring::from_public(&serde_json::from_value(only_new).unwrap()).unwrap();
    let results = audit::verify_orgs(&mut conn, Some(ORG), &keyring, None).unwrap();
    assert_eq!(
        results[0].1.first_invalid_event.map(|e| e.reason),
        Some(audit::InvalidReason::UnknownKey)
    );
}

#[tokio::test]
async fn a_rotated_key_keeps_old_events_verifying_on_sqlite() {
    rotation(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_rotated_key_keeps_old_events_verifying_on_postgres() {
    rotation(Backend::Postgres).await;
}

/// The operator's and auditor's tools: `socval audit-checkpoint` prints what the endpoint
/// serves, and `socval check-audit --checkpoint FILE --public-keys FILE`, with nothing but the
/// public keys, names a truncation.
#[tokio::test]
async fn check_audit_with_a_checkpoint_and_only_public_keys_names_a_truncation() {
    let app = crate::common::spawn_app(Backend::Sqlite).await.unwrap();
    let seqs = some_events(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], with_key: bool| app.cli(args, with_key);
    let printed = run(&["audit-checkpoint", "--org", ORG], true);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let signed: Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(signed["seq"], *seqs.last().unwrap());
    let checkpoint_file = dir.path().join("checkpoint.json");
    std::fs::write(&checkpoint_file, &printed.stdout).unwrap();
    let keys = expect(
        app.send("GET", "/v1/audit/keys", &app.token(&[Role::Auditor]), None)
            .await,
        200,
    )
    .await;
    let keys_file = dir.path().join("keys.json");
    std::fs::write(&keys_file, keys.to_string()).unwrap();
    let args = [
        "check-audit",
        "--checkpoint",
        checkpoint_file.to_str().unwrap(),
        "--public-keys",
        keys_file.to_str().unwrap(),
    ];

    let intact = run(&args, false);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains(&format!(
        "extends the checkpoint at event {}",
        signed["seq"]
    )));

    tamper(
        app.database_url(),
        &format!("DELETE FROM audit_events WHERE seq = {}", signed["seq"]),
    );
    let truncated = run(&args, false);
    assert!(!truncated.status.success());
    let stdout = String::from_utf8_lossy(&truncated.stdout);
    assert!(
        stdout.contains(&format!(
            "{ORG}: CHECKPOINT at event {}: event {} that the checkpoint ends at is gone",
            signed["seq"], signed["seq"]
        )),
        "{stdout}"
    );
    assert_eq!(
        serde_json::to_value(&checkpoint(&app).await).unwrap()["org"],
        ORG,
        "the endpoint serves the same shape"
    );
}
