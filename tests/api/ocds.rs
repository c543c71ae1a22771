//! The OCDS export over HTTP on both backends: its shape, who may read it, the releases of the UK
//! notices (UK4 tender notice, UK6 contract award notice) after the Procurement Act's award steps,
//! and that each validates against OCDS 1.1 with every vendored extension (the UK extension among
//! them) and ours merged in.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::{expect, tender_body};
use crate::evaluations::{LotSpec, marked_lot, marked_lot_with};
use crate::on_both_backends;

const OCDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ocds");
const OUR_EXTENSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ocds/socval-scores");
const VALIDATOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ocds/validate.py");

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
    let output = Command::new(crate::common::python::python())
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

/// A scheme whose quality criterion is a knockout: a mark below 40 disqualifies.
fn knockout_scheme() -> Value {
    json!({
        "authority_type": "central_government",
        "criteria": [
            {"id": "price", "type": "price", "weight": 60},
            {"id": "q1", "name": "Technical approach", "type": "quality", "weight": 30,
             "scale": {"min": 0, "max": 100}, "pass_mark": 40, "knockout": true},
            {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
             "method": "qualitative", "scale": {"min": 0, "max": 100}}
        ]
    })
}

/// Like [`marked_lot`], on a `procurement_act_2023` tender under [`knockout_scheme`], with the
/// given suppliers (`{name, sme?, vcse?}`), each bidding 1000 more than the one before; the bids
/// at `withdrawn` are withdrawn before the lot closes. Every remaining bid is marked 50 (above the
/// pass mark) by one evaluator. `(lot path, bid ids)`.
async fn marked_act_lot(
    app: &TestApp,
    external_id: &str,
    suppliers: &[Value],
    withdrawn: &[usize],
) -> (String, Vec<String>) {
    let mut tender = tender_body(external_id);
    tender["procurement_regime"] = json!("procurement_act_2023");
    tender["framework"] = json!("PPN002");
    let bids = suppliers
        .iter()
        .enumerate()
        .map(|(i, supplier)| {
            json!({"supplier": supplier, "price": format!("{}", 1000 * (i + 1)),
                                    "submitted_at": "2026-03-01T10:00:00Z"})
        })
        .collect();
    let spec = LotSpec {
        tender,
        scheme: knockout_scheme(),
        bids,
        withdrawn: withdrawn.to_vec(),
    };
    marked_lot_with(app, spec).await
}

/// Evaluates the lot and awards it on that run: the run.
async fn evaluate_and_award(app: &TestApp, lot: &str) -> Value {
    let run = expect(
        app.send(
            "POST",
            &format!("{lot}/evaluations"),
            &app.token(&[Role::Platform]),
            None,
        )
        .await,
        201,
    )
    .await;
    expect(
        app.send(
            "POST",
            &format!("{lot}/award"),
            &app.token(&[Role::Commercial]),
            Some(&json!({"evaluation_id": run["id"], "note": "best value"})),
        )
        .await,
        201,
    )
    .await;
    run
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An RFC 3339 moment as the export writes it: UTC, whole seconds.
fn to_seconds(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The start of a UK day (`YYYY-MM-DD`, Europe/London), plus `days`, in UTC.
fn uk_midnight(day: &str, days: u64) -> String {
    use chrono::TimeZone;
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .checked_add_days(chrono::Days::new(days))
        .unwrap();
    chrono_tz::Europe::London
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The statistic of `measure` for `lot`, if the release has one.
fn statistic(release: &Value, lot: &str, measure: &str) -> Option<Value> {
    release["bids"]["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["measure"] == measure && s["relatedLot"] == lot)
        .map(|s| {
            assert_eq!(s["id"], format!("{lot}-{measure}"));
            s["value"].clone()
        })
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
        for name in ["ocds_lots_extension", "ocds_bid_extension", "ocds_awardCriteria_extension", "socval-scores",
                     "ocds_submissionTerms_extension", "ocds_suitability_extension"] {
            assert!(extensions.iter().any(|e| e.as_str().unwrap().contains(name)), "{name}");
        }
        assert!(extensions.iter().any(|e| e == "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"));
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
        assert!(criteria.iter().all(|c| c["numbers"].as_array().unwrap().len() == 1), "no knockout, no threshold");
        assert_eq!(ours["awardCriteria"]["description"],
            "Price 60%, quality 30%, social value 10%. PPN002 minimum social value weighting for central \
             government: 10% of the total weight (required unless an exemption is recorded).");
        assert!(ours["awardCriteria"].get("weightingDescription").is_none(), "a weighted sum");
        assert_eq!(release["tender"]["documents"], json!([{"id": format!("{lot_id}-UK4"), "documentType": "tenderNotice",
            "noticeType": "UK4", "title": "Tender notice: North", "relatedLots": [lot_id]}]), "the draft lot has none");
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
        assert_eq!(stat("finalStageBids"), 3);
        for unknown in ["smeFinalStageBids", "vcseFinalStageBids"] {
            assert!(statistics.iter().all(|s| s["measure"] != unknown), "no supplier says: {unknown} is unknown");
        }

        let awards = release["awards"].as_array().unwrap();
        assert_eq!(awards.len(), 1);
        assert_eq!(awards[0]["status"], "pending", "in standstill");
        assert_eq!(awards[0]["relatedLots"], json!([lot_id]));
        assert_eq!(awards[0]["value"]["amount"], 1000.5);
        let supplier_id = awards[0]["suppliers"][0]["id"].clone();
        assert_eq!(winner["tenderers"][0]["id"], supplier_id);
        let party = release["parties"].as_array().unwrap().iter().find(|p| p["id"] == supplier_id).unwrap();
        assert_eq!(party["roles"], json!(["tenderer", "supplier"]));
        // No step after the decision yet: no standstill, no summaries, no award notice.
        let award = expect(app.send("GET", &format!("{lot}/award"), &commercial, None).await, 200).await;
        assert_eq!(awards[0]["date"], to_seconds(award["decided_at"].as_str().unwrap()));
        for absent in ["standstillPeriod", "assessmentSummariesDateSent", "documents"] {
            assert!(awards[0].get(absent).is_none(), "{absent}");
        }

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

    async fn the_acts_award_steps_show_in_the_uk4_and_uk6_notice_releases(app: TestApp) {
        // One supplier says both, one neither, one only that it is not an SME.
        let suppliers = [json!({"name": "Acme", "sme": true, "vcse": true}), json!({"name": "Brill"}),
                         json!({"name": "Corvid", "sme": false})];
        let (lot, bids) = marked_act_lot(&app, "OC-ACT", &suppliers, &[]).await;
        let tender = lot.split('/').nth(3).unwrap().to_string();
        let lot_id = lot.split('/').nth(5).unwrap().to_string();
        let commercial = app.token(&[Role::Commercial]);
        let auditor = app.token(&[Role::Auditor]);
        let export = format!("/v1/tenders/{tender}/ocds");
        let uk6 = format!("{export}?notice=UK6&lot={lot_id}");
        assert_eq!(app.send("GET", &uk6, &auditor, None).await.status(), 404, "no award yet");

        let run = evaluate_and_award(&app, &lot).await;
        assert_eq!(run["result"]["winner"], bids[0].as_str());
        // Decided, nothing after: the award notice's release has the award and no notice yet.
        let decided = expect(app.send("GET", &uk6, &auditor, None).await, 200).await;
        let award = &decided["releases"][0]["awards"][0];
        assert!(award.get("documents").is_none() && award.get("standstillPeriod").is_none(), "{award}");
        validate(&decided);

        let sent = now();
        expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": sent}))).await, 201).await;
        let published = now();
        let noticed = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": published, "notice_id": "FTS-2026-000777"}))).await, 201).await;
        let standstill = &noticed["standstill"];
        let last_day = standstill["last_day"].as_str().unwrap();

        // UK4: the tender notice: the tender, its lots with their award criteria, the notice.
        let package = expect(app.send("GET", &format!("{export}?notice=UK4"), &auditor, None).await, 200).await;
        assert!(package["uri"].as_str().unwrap().ends_with(&format!("{export}?notice=UK4")));
        assert!(package["extensions"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().contains("cabinetoffice/ocds_uk_extension")));
        let releases = package["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release["tag"], json!(["tender"]));
        for absent in ["awards", "bids"] {
            assert!(release.get(absent).is_none(), "{absent}");
        }
        assert_eq!(release["parties"].as_array().unwrap().len(), 1, "the buyer only");
        let lots = release["tender"]["lots"].as_array().unwrap();
        let ours = lots.iter().find(|l| l["id"] == lot_id.as_str()).unwrap();
        let criteria = ours["awardCriteria"]["criteria"].as_array().unwrap();
        let q1 = criteria.iter().find(|c| c["name"] == "Technical approach").unwrap();
        assert_eq!(q1["numbers"], json!([{"number": 30, "weight": "percentageExact"}, {"number": 40, "threshold": "minimumScore"}]));
        assert!(criteria.iter().filter(|c| c["name"] != "Technical approach").all(|c| c["numbers"].as_array().unwrap().len() == 1));
        let description = ours["awardCriteria"]["description"].as_str().unwrap();
        assert!(description.starts_with("Price 60%, quality 30%, social value 10%. PPN002 minimum"), "{description}");
        assert_eq!(release["tender"]["documents"], json!([{"id": format!("{lot_id}-UK4"), "documentType": "tenderNotice",
            "noticeType": "UK4", "title": "Tender notice: North", "relatedLots": [lot_id]}]));
        validate(&package);

        // UK6: the lot's contract award notice, after the summaries and the notice.
        let package = expect(app.send("GET", &uk6, &auditor, None).await, 200).await;
        assert!(package["uri"].as_str().unwrap().ends_with(&uk6));
        let releases = package["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release["tag"], json!(["award"]));
        assert_ne!(release["id"], decided["releases"][0]["id"], "a new release once the notice is out");
        let awards = release["awards"].as_array().unwrap();
        assert_eq!(awards.len(), 1);
        let award = &awards[0];
        assert_eq!(award["status"], "pending", "in standstill");
        assert_eq!(award["date"], to_seconds(&published), "the notice's publication");
        assert_eq!(award["relatedLots"], json!([lot_id]));
        assert_eq!(award["value"], json!({"amount": 1000, "currency": "GBP"}));
        assert_eq!(award["suppliers"][0]["name"], "Acme");
        assert_eq!(award["standstillPeriod"]["endDate"], uk_midnight(last_day, 1), "midnight at the end of {last_day}, UK time");
        assert_eq!(award["standstillPeriod"]["startDate"], uk_midnight(standstill["starts"].as_str().unwrap(), 0));
        assert_eq!(award["assessmentSummariesDateSent"], to_seconds(&sent));
        assert_eq!(award["documents"], json!([{"id": format!("{lot_id}-UK6"), "documentType": "awardNotice",
            "noticeType": "UK6", "title": "Contract award notice: North", "datePublished": to_seconds(&published),
            "relatedLots": [lot_id]}]));
        let roles: Vec<_> = release["parties"].as_array().unwrap().iter().map(|p| p["roles"].clone()).collect();
        assert_eq!(roles, [json!(["buyer"]), json!(["supplier"])], "the buyer and the winner");
        assert!(release["bids"].get("details").is_none(), "statistics only");
        assert_eq!(statistic(release, &lot_id, "finalStageBids"), Some(json!(3)));
        assert_eq!(statistic(release, &lot_id, "bids"), Some(json!(3)));
        // Brill says neither: neither count is known, so neither is published (not 1, not 0).
        assert_eq!(statistic(release, &lot_id, "smeFinalStageBids"), None);
        assert_eq!(statistic(release, &lot_id, "vcseFinalStageBids"), None);
        validate(&package);

        // The whole tender carries the same award, and both notices' documents.
        let whole = expect(app.send("GET", &export, &auditor, None).await, 200).await;
        let release = &whole["releases"][0];
        assert_eq!(release["tag"], json!(["tender", "award"]));
        assert_eq!(release["awards"][0], *award);
        assert_eq!(release["tender"]["documents"][0]["noticeType"], "UK4");
        assert_eq!(statistic(release, &lot_id, "smeFinalStageBids"), None);
        validate(&whole);
    }

    async fn sme_and_vcse_final_stage_bids_are_counted_once_every_assessed_supplier_says(app: TestApp) {
        // The withdrawn bid's supplier says nothing: it was not assessed, so it does not matter.
        let suppliers = [json!({"name": "Acme", "sme": true, "vcse": false}), json!({"name": "Brill", "sme": true, "vcse": true}),
                         json!({"name": "Corvid", "sme": false, "vcse": false}), json!({"name": "Dray"})];
        let (lot, bids) = marked_act_lot(&app, "OC-SME", &suppliers, &[3]).await;
        let bid = expect(app.send("GET", &format!("{lot}/bids/{}", bids[1]), &app.token(&[Role::Commercial]), None).await, 200).await;
        assert_eq!(bid["supplier"], json!({"name": "Brill", "id": null, "sme": true, "vcse": true}), "the bid shows what its supplier said");
        let run = evaluate_and_award(&app, &lot).await;
        assert_eq!(run["result"]["results"].as_array().unwrap().len(), 3, "never scored: all three qualify as before");
        let tender = lot.split('/').nth(3).unwrap().to_string();
        let lot_id = lot.split('/').nth(5).unwrap().to_string();
        let package = expect(app.send("GET", &format!("/v1/tenders/{tender}/ocds?notice=UK6&lot={lot_id}"),
            &app.token(&[Role::Auditor]), None).await, 200).await;
        let release = &package["releases"][0];
        assert_eq!(statistic(release, &lot_id, "finalStageBids"), Some(json!(3)));
        assert_eq!(statistic(release, &lot_id, "smeFinalStageBids"), Some(json!(2)));
        assert_eq!(statistic(release, &lot_id, "vcseFinalStageBids"), Some(json!(1)));
        assert_eq!(statistic(release, &lot_id, "bids"), Some(json!(3)), "received, not withdrawn");
        validate(&package);
    }

    async fn a_notice_release_that_cannot_be_made_is_refused_naming_the_parameter(app: TestApp) {
        let (tender, lot_id) = app.open_lot("OC-3").await;
        let token = app.token(&[Role::Auditor]);
        let export = format!("/v1/tenders/{tender}/ocds");
        for (query, pointer) in [
            ("notice=UK6", "/lot"),
            ("notice=UK6&lot=", "/lot"),
            ("notice=UK9", "/notice"),
            ("notice=uk4", "/notice"),
            ("lot=abc", "/lot"),
            ("notice=UK4&lot=abc", "/lot"),
        ] {
            let response = app.send("GET", &format!("{export}?{query}"), &token, None).await;
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{query}");
            let problem = expect(response, 422).await;
            assert_eq!(problem["errors"][0]["pointer"], pointer, "{query}: {problem}");
            assert_eq!(problem["errors"][0]["code"], "invalid_query", "{query}");
        }
        // An open lot has no award, and a lot the tender lacks none either.
        for lot in [lot_id.as_str(), "no-such-lot"] {
            let response = app.send("GET", &format!("{export}?notice=UK6&lot={lot}"), &token, None).await;
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            expect(response, 404).await;
        }
        // The tender notice of an open lot is there, and a refusal never reveals another org's tender.
        let package = expect(app.send("GET", &format!("{export}?notice=UK4"), &token, None).await, 200).await;
        assert_eq!(package["releases"][0]["tender"]["documents"][0]["id"], format!("{lot_id}-UK4"));
        validate(&package);
        let other = app.token_for("other-org", &[Role::Admin]);
        assert_eq!(app.send("GET", &format!("{export}?notice=UK4"), &other, None).await.status(), 404);
    }
}
