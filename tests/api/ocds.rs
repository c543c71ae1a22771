//! The OCDS export over HTTP on both backends: its shape, who may read it, and that it validates
//! against OCDS 1.1 with the lots, bid and awardCriteria extensions and ours merged in.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::helpers::expect;
use crate::evaluations::marked_lot;
use crate::on_both_backends;

const OCDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ocds");
const OUR_EXTENSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ocds/socval-scores");
const VALIDATOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocds/validate.py");

/// A Python with `jsonschema`: a venv under `$HOME/.cache/socval/ocds-venv`, created on first use.
/// Fails loudly when python3 or the install is unavailable: the export must not go unvalidated.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let home = std::env::var("HOME").expect("HOME is set");
        let venv = PathBuf::from(home).join(".cache/socval/ocds-venv");
        let python = venv.join("bin/python");
        let has_jsonschema = |python: &Path| {
            Command::new(python)
                .args(["-c", "import jsonschema"])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !has_jsonschema(&python) {
            let created = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .unwrap_or_else(|e| panic!("python3 is needed to validate the OCDS export: {e}"));
            assert!(
                created.success(),
                "python3 -m venv {} failed",
                venv.display()
            );
            let installed = Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "jsonschema"])
                .status()
                .expect("pip runs");
            assert!(
                installed.success() && has_jsonschema(&python),
                "could not install jsonschema into {}: run `{} -m pip install jsonschema`",
                venv.display(),
                python.display()
            );
        }
        python
    })
}

/// Validates `package` with tests/ocds/validate.py, or says loudly why it cannot.
fn validate(package: &Value) {
    if !Path::new(OCDS_DIR).join("release-schema-1.1.json").exists() {
        eprintln!(
            "NOTE: {OCDS_DIR} is missing: the OCDS export was NOT validated against the schemas \
             (only its structure was checked)"
        );
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(package).unwrap()).unwrap();
    let output = Command::new(python())
        .arg(VALIDATOR)
        .arg(file.path())
        .arg(OCDS_DIR)
        .arg(OUR_EXTENSION)
        .output()
        .expect("the validator runs");
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("OCDS validation: {report}");
    assert!(
        output.status.success(),
        "the OCDS export does not validate:\n{report}{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        serde_json::to_string_pretty(package).unwrap()
    );
    assert!(
        report.contains("valid: 1 release(s), 0 error(s)"),
        "{report}"
    );
}

on_both_backends! {
    async fn the_ocds_export_of_an_awarded_lot_validates_and_carries_the_scores(app: TestApp) {
        let (lot, bids) = marked_lot(&app, "OC-1", &["1000.50", "1200", "1300"], "2026-03-01T10:00:00Z").await;
        let tender = lot.split('/').nth(3).unwrap().to_string();
        let lot_id = lot.split('/').nth(5).unwrap().to_string();
        let platform = app.token(&[Role::Platform]);
        let commercial = app.token(&[Role::Commercial]);
        let run = expect(app.send("POST", &format!("{lot}/evaluations"), &platform, None).await, 201).await;
        expect(app.send("POST", &format!("{lot}/award"), &commercial,
            Some(&json!({"evaluation_id": run["id"], "note": "best value"}))).await, 201).await;

        let path = format!("/v1/tenders/{tender}/ocds");
        let package = expect(app.send("GET", &path, &app.token(&[Role::Auditor]), None).await, 200).await;

        assert_eq!(package["version"], "1.1");
        assert!(package["uri"].as_str().unwrap().ends_with(&path));
        let extensions = package["extensions"].as_array().unwrap();
        for name in ["ocds_lots_extension", "ocds_bid_extension", "ocds_awardCriteria_extension", "socval-scores"] {
            assert!(extensions.iter().any(|e| e.as_str().unwrap().contains(name)), "{name}");
        }
        let releases = package["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release["ocid"], format!("ocds-socval-{tender}"), "no ocid set: the fallback");
        assert_eq!(release["tag"], json!(["tender", "award"]));
        assert_eq!(release["initiationType"], "tender");
        assert_eq!(release["buyer"]["name"], "Department for Example");

        let lots = release["tender"]["lots"].as_array().unwrap();
        assert_eq!(lots.len(), 2);
        let ours = lots.iter().find(|l| l["id"] == lot_id.as_str()).unwrap();
        assert_eq!(ours["status"], "complete");
        let criteria = ours["awardCriteria"]["criteria"].as_array().unwrap();
        let types: Vec<_> = criteria.iter().map(|c| c["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["price", "quality", "quality"], "social value is a quality criterion");
        let weights: Vec<_> = criteria.iter().map(|c| c["numbers"][0]["number"].as_f64().unwrap()).collect();
        assert_eq!(weights, [60.0, 30.0, 10.0]);
        assert!(criteria.iter().all(|c| c["numbers"][0]["weight"] == "percentageExact"));
        let draft = lots.iter().find(|l| l["id"] != lot_id.as_str()).unwrap();
        assert_eq!(draft["status"], "planning");
        assert!(draft.get("awardCriteria").is_none(), "no scheme, no criteria");

        let details = release["bids"]["details"].as_array().unwrap();
        assert_eq!(details.len(), 3);
        let winner = details.iter().find(|d| d["id"] == bids[0].as_str()).unwrap();
        assert_eq!(winner["status"], "valid");
        assert_eq!(winner["value"], json!({"amount": 1000.5, "currency": "GBP"}));
        assert_eq!(winner["rank"], 1);
        assert_eq!(winner["relatedLots"], json!([lot_id]));
        let scores = &winner["socvalScores"];
        assert_eq!(scores["evaluationId"], run["id"]);
        assert_eq!(scores["inputsSha256"], run["inputs_sha256"]);
        assert_eq!(scores["engineVersion"], run["engine_version"]);
        let scored: Vec<_> = scores["criteria"].as_array().unwrap().iter().map(|c| c["criterionId"].as_str().unwrap()).collect();
        assert_eq!(scored, ["price", "q1", "sv"]);
        assert!(scores["criteria"][0]["points"].is_number());
        assert!(scores["total"].is_number());
        assert!(scores["criteria"][2]["explanation"].as_str().unwrap().len() > 5);

        let statistics = release["bids"]["statistics"].as_array().unwrap();
        let stat = |measure: &str| statistics.iter().find(|s| s["measure"] == measure).unwrap()["value"].clone();
        assert_eq!(stat("bids"), 3);
        assert_eq!(stat("validBids"), 3);

        let awards = release["awards"].as_array().unwrap();
        assert_eq!(awards.len(), 1);
        assert_eq!(awards[0]["status"], "pending", "in standstill");
        assert_eq!(awards[0]["relatedLots"], json!([lot_id]));
        assert_eq!(awards[0]["value"]["amount"], 1000.5);
        let supplier_id = awards[0]["suppliers"][0]["id"].clone();
        assert_eq!(winner["tenderers"][0]["id"], supplier_id);
        let party = release["parties"].as_array().unwrap().iter().find(|p| p["id"] == supplier_id).unwrap();
        assert_eq!(party["roles"], json!(["tenderer", "supplier"]));

        validate(&package);

        // The extension the package names is served.
        let ext = app.get("/ocds/extensions/socval-scores/release-schema.json").await;
        assert_eq!(ext.status(), 200);
        let patch: Value = ext.json().await.unwrap();
        assert!(patch["definitions"]["Bid"]["properties"]["socvalScores"].is_object());
    }

    async fn the_ocds_export_of_a_fresh_tender_validates_and_is_closed_to_others(app: TestApp) {
        let (tender, _) = app.open_lot("OC-2").await;
        let path = format!("/v1/tenders/{tender}/ocds");
        let package = expect(app.send("GET", &path, &app.token(&[Role::Commercial]), None).await, 200).await;
        let release = &package["releases"][0];
        assert_eq!(release["tag"], json!(["tender"]));
        assert!(release.get("awards").is_none());
        assert_eq!(release["tender"]["status"], "active");
        assert_eq!(release["tender"]["value"], json!({"amount": 1200000, "currency": "GBP"}));
        validate(&package);

        assert_eq!(app.send("GET", &path, &app.token_for("other-org", &[Role::Admin]), None).await.status(), 404);
        assert_eq!(app.send("GET", &path, &app.token(&[Role::Evaluator]), None).await.status(), 403);
        assert_eq!(app.get(&path).await.status(), 401);
    }
}
