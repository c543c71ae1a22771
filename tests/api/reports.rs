//! The social value report over HTTP on both backends.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::helpers::{expect, scheme_body, tender_body};
use crate::on_both_backends;

on_both_backends! {
    async fn the_report_sums_committed_value_and_checks_the_ten_percent_minimum(app: TestApp) {
        let platform = app.token(&[Role::Platform]);
        let (tender, lot) = app.open_lot("R-1").await;
        let bid = json!({"supplier": {"name": "S"}, "price": "1000", "commitments": [
            {"measure": "SVS-CARBON-SAVED", "quantity": "12.5"},
            {"description": "free text is not counted until mapped"}
        ]});
        expect(app.send("POST", &format!("/v1/tenders/{tender}/lots/{lot}/bids"), &platform, Some(&bid)).await, 201).await;

        // A second central-government lot at 5%, with a recorded exemption.
        let second = expect(app.send("POST", "/v1/tenders", &platform, Some(&tender_body("R-2"))).await, 201).await;
        let mut exempt = scheme_body();
        exempt["criteria"][0]["weight"] = json!(65);
        exempt["criteria"][2]["weight"] = json!(5);
        exempt["social_value_exemption"] = json!({"reason": "emergency works", "approved_by": "Permanent Secretary"});
        let second_lot = format!("/v1/tenders/{}/lots/{}", second["id"].as_str().unwrap(), second["lots"][0]["id"].as_str().unwrap());
        expect(app.send("PUT", &format!("{second_lot}/scheme"), &platform, Some(&exempt)).await, 200).await;

        let report = expect(app.send("GET", "/v1/reports/social-value", &app.token(&[Role::Auditor]), None).await, 200).await;
        let carbon = socval::catalogue::builtin().measure_set("socval-sample").unwrap()
            .measures.iter().find(|m| m.code == "SVS-CARBON-SAVED").unwrap().to_measure();
        let unit = socval::scoring::net_proxy_value(carbon.proxy_value, [carbon.deadweight, carbon.attribution, carbon.displacement]).unwrap();
        let expected = (Decimal::new(125, 1) * unit).normalize().to_string();
        assert_eq!(report["committed_total"], expected.as_str());
        assert_eq!(report["by_measure"], json!([{"code": "SVS-CARBON-SAVED", "value": expected}]));
        let outcomes: Vec<&str> = report["by_outcome"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
        assert_eq!(outcomes.len(), carbon.outcomes.len(), "{report}");

        assert_eq!(report["central_government_lots"], 2);
        assert_eq!(report["central_government_lots_at_minimum"], 1);
        assert_eq!(report["central_government_share_at_minimum_percent"], "50");
        let exempted: Vec<&Value> = report["lots"].as_array().unwrap().iter().filter(|l| !l["exemption_reason"].is_null()).collect();
        assert_eq!(exempted.len(), 1);
        assert_eq!(exempted[0]["social_value_weight_percent"], "5");
        assert_eq!(exempted[0]["exemption_approved_by"], "Permanent Secretary");

        let later = expect(app.send("GET", "/v1/reports/social-value?from=2099-01-01", &platform, None).await, 200).await;
        assert_eq!(later["committed_total"], "0");
        assert_eq!(app.send("GET", "/v1/reports/social-value?from=soon", &platform, None).await.status(), 422);
        let other = expect(app.send("GET", "/v1/reports/social-value", &app.token_for("another-buyer", &[Role::Auditor]), None).await, 200).await;
        assert_eq!(other["committed_total"], "0", "another org's bids are not counted");
        assert_eq!(other["lots"], json!([]));
    }
}
