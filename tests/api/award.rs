//! The award as the law runs it, over HTTP on both backends: the decision, the assessment
//! summaries and the contract award notice under the Procurement Act 2023, the decision notices
//! under PCR 2015, and the standstill each starts, counted in UK dates.

use serde_json::{Value, json};
use socval::auth::Role;
use socval::catalogue::holidays::Calendar;
use socval::catalogue::standstill::Standstill;

use crate::audit::tamper;
use crate::common::TestApp;
use crate::common::helpers::{expect, tender_body};
use crate::evaluations::marked_lot_of;
use crate::on_both_backends;

/// A lot of a tender under `regime`, evaluated and awarded: `(lot path, bids, the award)`.
async fn awarded(app: &TestApp, external_id: &str, regime: &str) -> (String, Vec<String>, Value) {
    let mut tender = tender_body(external_id);
    tender["procurement_regime"] = json!(regime);
    tender["framework"] = json!("PPN002");
    let (lot, bids) = marked_lot_of(app, tender, &["1000", "1200"], "2026-03-01T10:00:00Z").await;
    let platform = app.token(&[Role::Platform]);
    let commercial = app.token(&[Role::Commercial]);
    let run = expect(
        app.send("POST", &format!("{lot}/evaluations"), &platform, None)
            .await,
        201,
    )
    .await;
    let award = expect(
        app.send(
            "POST",
            &format!("{lot}/award"),
            &commercial,
            Some(&json!({"evaluation_id": run["id"], "note": "best value"})),
        )
        .await,
        201,
    )
    .await;
    (lot, bids, award)
}

/// Moves the lot's decision back to `at` (UTC), as if it had been made then: the server's clock
/// is now, and a step may not precede its decision.
fn decided_at(app: &TestApp, lot: &str, at: &str) {
    let lot_id = lot.rsplit('/').next().unwrap();
    tamper(
        app.database_url(),
        &format!("UPDATE awards SET decided_at = '{at}' WHERE lot_id = '{lot_id}'"),
    );
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn step_names(award: &Value) -> Vec<&str> {
    award["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect()
}

on_both_backends! {
    async fn under_the_act_the_notice_starts_the_standstill_after_every_summary(app: TestApp) {
        let (lot, bids, award) = awarded(&app, "AW-1", "procurement_act_2023").await;
        let commercial = app.token(&[Role::Commercial]);
        assert_eq!(award["regime"], "procurement_act_2023");
        assert_eq!(award["standstill"], Value::Null);
        assert_eq!(award["standstill_ends"], Value::Null);
        assert_eq!(award["next_step"], "assessment_summaries_sent");
        assert_eq!(award["summaries"]["missing"], json!(bids));
        assert_eq!(step_names(&award), ["decision"]);

        // The notice before the summaries: 409 naming the missing step and the bids.
        let early = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now()}))).await, 409).await;
        assert_eq!(early["code"], "award_step_out_of_order");
        let detail = early["detail"].as_str().unwrap();
        assert!(detail.contains("assessment_summaries_sent") && detail.contains(&bids[0]), "{detail}");

        // Summaries to one supplier, then the other.
        let sent = now();
        let one = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": sent, "bids": [bids[0]]}))).await, 201).await;
        assert_eq!(one["summaries"]["missing"], json!([bids[1]]));
        let still = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now()}))).await, 409).await;
        assert!(still["detail"].as_str().unwrap().contains(&bids[1]), "{still}");
        let unknown = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": sent, "bids": ["no-such-bid"]}))).await, 422).await;
        assert_eq!(unknown["errors"][0]["pointer"], "/bids/0", "{unknown}");
        let both = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": sent}))).await, 201).await;
        assert_eq!(both["summaries"]["missing"], json!([]));
        assert_eq!(both["next_step"], "notice_published");

        // The same step again changes nothing; with another time it is 409.
        let again = app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": sent}))).await;
        assert_eq!(again.status(), 200);
        assert_eq!(step_names(&again.json::<Value>().await.unwrap()).len(), 3, "no new step");
        let other = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": now()}))).await, 409).await;
        assert_eq!(other["code"], "award_step_recorded");

        // The notice: the standstill is the Act's, from the notice's UK date.
        let published = now();
        let noticed = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": published, "notice_id": "FTS-2026-000123"}))).await, 201).await;
        let expected = Standstill::after_notice(&Calendar::shipped(),
            chrono::DateTime::parse_from_rfc3339(&published).unwrap().naive_utc(), None);
        let standstill = &noticed["standstill"];
        assert_eq!(standstill["computed_from"], "notice_published");
        assert_eq!(standstill["regime"], "procurement_act_2023");
        assert_eq!(standstill["working_days"], 8);
        assert_eq!(standstill["starts"], expected.starts.unwrap().to_string());
        assert_eq!(standstill["last_day"], expected.last_day.unwrap().to_string());
        assert_eq!(standstill["earliest_entry"], expected.earliest_entry.to_string());
        assert_eq!(noticed["standstill_ends"], standstill["last_day"], "kept for existing clients");
        assert_eq!(noticed["next_step"], Value::Null);
        assert_eq!(step_names(&noticed), ["decision", "assessment_summaries_sent", "assessment_summaries_sent", "notice_published"]);

        // A summary after the notice is a correction; so is another publication time.
        let late = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": now(), "bids": [bids[0]]}))).await, 409).await;
        assert_eq!(late["code"], "award_step_recorded");
        let moved = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now()}))).await, 409).await;
        assert!(moved["detail"].as_str().unwrap().contains("correction_reason"), "{moved}");
        let nothing = expect(app.send("POST", &format!("{lot}/award/notices-sent"), &commercial,
            Some(&json!({"sent_at": now(), "electronic": true}))).await, 409).await;
        assert_eq!(nothing["code"], "step_not_in_regime");
        let corrected = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": published, "notice_id": "FTS-2026-000124", "correction_reason": "the notice was republished under a new id"}))).await, 201).await;
        let steps = corrected["steps"].as_array().unwrap();
        assert_eq!(steps[3]["superseded"], true);
        assert_eq!(steps[4]["superseded"], false);
        assert_eq!(steps[4]["correction_reason"], "the notice was republished under a new id");
        assert_eq!(steps[4]["notice_id"], "FTS-2026-000124");

        // The award reads back as the last step answered, for every reader; the ledger holds it.
        let read = expect(app.send("GET", &format!("{lot}/award"), &app.token(&[Role::Auditor]), None).await, 200).await;
        assert_eq!(read, corrected);
        let auditor = app.token(&[Role::Auditor]);
        let verified = expect(app.send("GET", "/v1/audit/verify", &auditor, None).await, 200).await;
        assert_eq!(verified["valid"], true, "{verified}");
        let events = expect(app.send("GET", "/v1/audit-events?entity=award_step", &auditor, None).await, 200).await;
        let actions: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["assessment_summaries_sent", "assessment_summaries_sent", "notice_published", "correct_notice_published"]);

        // Who may: the platform may not decide; another org sees nothing.
        assert_eq!(app.send("POST", &format!("{lot}/award/notice-published"), &app.token(&[Role::Platform]),
            Some(&json!({"published_at": published}))).await.status(), 403);
        let intruder = app.token_for("another-buyer", &[Role::Commercial]);
        assert_eq!(app.send("POST", &format!("{lot}/award/notice-published"), &intruder,
            Some(&json!({"published_at": published}))).await.status(), 404);
    }

    async fn the_issues_example_counts_as_the_act_counts(app: TestApp) {
        // A notice published on Tuesday 1 December 2026: the last day is Thursday 10 December and
        // the contract may be entered into from Friday 11 December.
        let (lot, _, _) = awarded(&app, "AW-2", "procurement_act_2023").await;
        decided_at(&app, &lot, "2026-11-30 15:00:00");
        let commercial = app.token(&[Role::Commercial]);
        expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": "2026-11-30T17:00:00Z"}))).await, 201).await;
        let noticed = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": "2026-12-01T09:30:00Z"}))).await, 201).await;
        assert_eq!(noticed["standstill"]["starts"], "2026-12-01");
        assert_eq!(noticed["standstill"]["last_day"], "2026-12-10");
        assert_eq!(noticed["standstill"]["earliest_entry"], "2026-12-11");
        assert_eq!(noticed["standstill_ends"], "2026-12-10");
        // A time before the decision, or in the future, is refused naming the field.
        let before = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": "2026-11-29T09:30:00Z", "correction_reason": "x"}))).await, 422).await;
        assert_eq!(before["errors"][0]["pointer"], "/published_at", "{before}");
        let future = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": "2099-01-01T00:00:00Z", "correction_reason": "x"}))).await, 422).await;
        assert_eq!(future["errors"][0]["code"], "not_in_future", "{future}");
        let offsetless = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": "2026-12-01 09:30"}))).await, 422).await;
        assert_eq!(offsetless["errors"][0]["pointer"], "/published_at", "{offsetless}");
    }

    async fn under_pcr_2015_the_decision_notices_start_regulation_87s_standstill(app: TestApp) {
        let (lot, _, award) = awarded(&app, "AW-3", "pcr2015").await;
        decided_at(&app, &lot, "2026-11-30 15:00:00");
        let commercial = app.token(&[Role::Commercial]);
        assert_eq!(award["next_step"], "notices_sent");
        assert_eq!(award["summaries"], Value::Null);
        let wrong = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": "2026-12-01T09:00:00Z"}))).await, 409).await;
        assert_eq!(wrong["code"], "step_not_in_regime");
        assert!(wrong["detail"].as_str().unwrap().contains("notices-sent"), "{wrong}");
        // Sent electronically on Tuesday 1 December 2026: midnight at the end of the 10th day
        // after, Friday 11 December.
        let sent = expect(app.send("POST", &format!("{lot}/award/notices-sent"), &commercial,
            Some(&json!({"sent_at": "2026-12-01T16:00:00Z", "electronic": true}))).await, 201).await;
        assert_eq!(sent["standstill"]["regime"], "pcr2015");
        assert_eq!(sent["standstill"]["computed_from"], "notices_sent");
        assert_eq!(sent["standstill"]["last_day"], "2026-12-11");
        assert_eq!(sent["standstill"]["earliest_entry"], "2026-12-12");
        assert_eq!(sent["standstill"]["working_days"], Value::Null);
        // Corrected: they went by post, so the 15th day, Wednesday 16.
        let by_post = expect(app.send("POST", &format!("{lot}/award/notices-sent"), &commercial,
            Some(&json!({"sent_at": "2026-12-01T16:00:00Z", "electronic": false, "correction_reason": "posted, not emailed"}))).await, 201).await;
        assert_eq!(by_post["standstill"]["last_day"], "2026-12-16");
    }

    async fn a_step_before_the_decision_is_out_of_order_and_exemptions_are_recorded(app: TestApp) {
        let mut tender = tender_body("AW-4");
        tender["framework"] = json!("PPN002");
        let (lot, _) = marked_lot_of(&app, tender, &["1000", "1200"], "2026-03-01T10:00:00Z").await;
        let commercial = app.token(&[Role::Commercial]);
        let early = expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": now()}))).await, 409).await;
        assert_eq!(early["code"], "award_step_out_of_order");
        assert!(early["detail"].as_str().unwrap().contains("`decision`"), "{early}");

        let (lot, _, _) = awarded(&app, "AW-5", "procurement_act_2023").await;
        expect(app.send("POST", &format!("{lot}/award/assessment-summaries-sent"), &commercial,
            Some(&json!({"sent_at": now()}))).await, 201).await;
        let bad = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now(), "exemption": {"ground": "framework", "voluntary_working_days": 0}}))).await, 422).await;
        assert_eq!(bad["errors"][0]["pointer"], "/exemption/voluntary_working_days", "{bad}");
        let unknown = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now(), "exemption": {"ground": "friendship"}}))).await, 422).await;
        assert!(unknown["errors"][0]["pointer"].as_str().unwrap().starts_with("/exemption"), "{unknown}");
        let exempt = expect(app.send("POST", &format!("{lot}/award/notice-published"), &commercial,
            Some(&json!({"published_at": now(), "exemption": {"ground": "framework", "voluntary_working_days": 3}}))).await, 201).await;
        let standstill = &exempt["standstill"];
        assert_eq!(standstill["exemption"], json!({"ground": "framework", "voluntary_working_days": 3}));
        assert_eq!(standstill["working_days"], 3);
        assert!(standstill["last_day"].is_string());
    }

    async fn an_unknown_regime_is_refused(app: TestApp) {
        let mut tender = tender_body("AW-6");
        tender["procurement_regime"] = json!("pcr2006");
        let refused = expect(app.send("POST", "/v1/tenders", &app.token(&[Role::Platform]), Some(&tender)).await, 422).await;
        assert_eq!(refused["errors"][0]["pointer"], "/procurement_regime", "{refused}");
    }
}
