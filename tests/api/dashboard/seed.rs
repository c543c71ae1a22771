//! A realistic org built through the public API only: two tenders, a lot with five bids (one
//! knocked out, one abnormally low), two evaluators whose marks need moderating, one of them far
//! apart, and three evaluation runs whose scores move between runs.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::common::helpers::expect;

pub struct Seeded {
    pub tender: String,
    pub lot: String,
    /// The South lot: open, one bid received, not yet evaluated.
    pub open_lot: String,
    pub bids: Vec<String>,
}

struct Caller<'a> {
    app: &'a TestApp,
    token: String,
}

impl Caller<'_> {
    async fn call(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        expect(
            self.app
                .send(method, path, &self.token, body.as_ref())
                .await,
            status,
        )
        .await
    }
}

fn as_str(value: &Value) -> String {
    value.as_str().unwrap().to_string()
}

struct BidSpec {
    supplier: &'static str,
    price: &'static str,
    commitments: &'static [(&'static str, &'static str)],
    /// Marks of eva and ben on q1, then on sv.
    marks: [[i64; 2]; 2],
}

const BIDS: [BidSpec; 5] = [
    BidSpec {
        supplier: "Northern Facilities Ltd",
        price: "980000",
        commitments: &[
            ("SVS-APPRENTICE-WEEKS", "120"),
            ("SVS-CAREERS-HOURS", "400"),
            ("SVS-SPEND-LOCAL-SME", "150000"),
            ("SVS-CARBON-SAVED", "40"),
        ],
        marks: [[75, 70], [70, 65]],
    },
    BidSpec {
        supplier: "Acme Facilities Ltd",
        price: "1050000",
        commitments: &[
            ("SVS-APPRENTICE-WEEKS", "200"),
            ("SVS-JOBS-LOCAL", "3"),
            ("SVS-TRAINING-HOURS", "800"),
        ],
        marks: [[80, 35], [60, 60]],
    },
    BidSpec {
        supplier: "Bright Futures Services CIC",
        price: "1120000",
        commitments: &[
            ("SVS-APPRENTICE-WEEKS", "260"),
            ("SVS-CAREERS-HOURS", "900"),
            ("SVS-SPEND-VCSE", "80000"),
            ("SVS-FAIR-PAY", "20"),
        ],
        marks: [[70, 75], [90, 85]],
    },
    BidSpec {
        supplier: "Lowball Contracts plc",
        price: "610000",
        commitments: &[("SVS-CARBON-SAVED", "10")],
        marks: [[55, 50], [20, 25]],
    },
    BidSpec {
        supplier: "Quickfix <Services> & Co",
        price: "900000",
        commitments: &[("SVS-WASTE-DIVERTED", "30")],
        marks: [[30, 35], [40, 40]],
    },
];

fn north_scheme() -> Value {
    json!({
        "authority_type": "central_government",
        "criteria": [
            {"id": "price", "name": "Price", "type": "price", "weight": 60},
            {"id": "q1", "name": "Technical approach", "type": "quality", "weight": 25,
             "scale": {"min": 0, "max": 100}, "pass_mark": 40, "knockout": true},
            {"id": "sv", "name": "Skills and apprenticeships", "type": "social_value", "weight": 15,
             "outcome": "PPN002:O2", "method": "mixed", "scale": {"min": 0, "max": 100},
             "measures": ["SVS-APPRENTICE-WEEKS", "SVS-CAREERS-HOURS"],
             "quantitative_basis": "relative_to_highest",
             "split": {"qualitative": 50, "quantitative": 50}}
        ]
    })
}

fn south_scheme() -> Value {
    json!({
        "authority_type": "central_government",
        "social_value_exemption": {"reason": "Urgent continuity contract under section 41",
                                   "approved_by": "Commercial Director"},
        "criteria": [
            {"id": "price", "name": "Price", "type": "price", "weight": 70},
            {"id": "q1", "name": "Mobilisation plan", "type": "quality", "weight": 25, "scale": {"min": 0, "max": 10}},
            {"id": "sv", "name": "Local jobs", "type": "social_value", "weight": 5, "outcome": "PPN002:1a",
             "method": "qualitative", "scale": {"min": 0, "max": 10}}
        ]
    })
}

pub async fn seed(app: &TestApp) -> Seeded {
    let platform = Caller {
        app,
        token: app.token(&[Role::Platform]),
    };
    let commercial = Caller {
        app,
        token: app.token(&[Role::Commercial]),
    };
    let tender = platform
        .call(
            "POST",
            "/v1/tenders",
            Some(json!({
                "external_id": "DFE-2026-041",
                "title": "Facilities management services",
                "buyer": "Department for Example",
                "authority_type": "central_government",
                "procurement_regime": "procurement_act_2023",
                "value": "2400000",
                "lots": [{"title": "North", "value": "1200000"}, {"title": "South", "value": "800000"},
                         {"title": "Scotland", "value": "400000"}]
            })),
            201,
        )
        .await;
    let tender_id = as_str(&tender["id"]);
    let lot_id = as_str(&tender["lots"][0]["id"]);
    let lot = format!("/v1/tenders/{tender_id}/lots/{lot_id}");
    let south = format!(
        "/v1/tenders/{tender_id}/lots/{}",
        as_str(&tender["lots"][1]["id"])
    );
    platform
        .call("PUT", &format!("{lot}/scheme"), Some(north_scheme()), 200)
        .await;
    platform
        .call("PUT", &format!("{south}/scheme"), Some(south_scheme()), 200)
        .await;
    platform
        .call("POST", &format!("{lot}/open"), None, 200)
        .await;
    platform
        .call("POST", &format!("{south}/open"), None, 200)
        .await;
    let early = json!({"supplier": {"name": "Southern Cleaning Co-operative"}, "price": "745000.50",
                       "submitted_at": "2026-10-02T09:30:00Z"});
    platform
        .call("POST", &format!("{south}/bids"), Some(early), 201)
        .await;

    let mut bids = Vec::new();
    for BidSpec {
        supplier,
        price,
        commitments,
        ..
    } in BIDS
    {
        let commitments: Vec<Value> = commitments
            .iter()
            .map(|(measure, quantity)| json!({"measure": measure, "quantity": quantity}))
            .collect();
        let body = json!({"supplier": {"name": supplier}, "price": price,
                          "submitted_at": "2026-10-01T11:00:00Z", "commitments": commitments});
        let bid = platform
            .call("POST", &format!("{lot}/bids"), Some(body), 201)
            .await;
        bids.push(as_str(&bid["id"]));
    }
    platform
        .call("POST", &format!("{lot}/close"), None, 200)
        .await;

    for evaluator in ["eva", "ben"] {
        commercial
            .call(
                "POST",
                &format!("{lot}/evaluators"),
                Some(json!({"sub": evaluator})),
                201,
            )
            .await;
        let marker = Caller {
            app,
            token: socval::auth::token::mint(
                &app.config,
                evaluator,
                crate::common::ORG,
                &[Role::Evaluator],
                std::time::Duration::from_secs(600),
            )
            .unwrap(),
        };
        marker
            .call(
                "POST",
                &format!("{lot}/conflict-declarations"),
                Some(json!({"conflict": false, "details": "none"})),
                201,
            )
            .await;
        let who = usize::from(evaluator == "ben");
        for (bid, BidSpec { marks, .. }) in bids.iter().zip(BIDS) {
            for (criterion, by_evaluator) in ["q1", "sv"].iter().zip(marks) {
                let body = json!({"score": by_evaluator[who], "rationale": "evidence in the method statement"});
                marker
                    .call(
                        "PUT",
                        &format!("{lot}/bids/{bid}/marks/{criterion}"),
                        Some(body),
                        200,
                    )
                    .await;
            }
        }
    }

    // Three runs: moderation agrees the lower mark, then revisits two bids.
    let rounds: [&[(usize, &str, i64)]; 3] =
        [&[], &[(1, "q1", 70), (2, "sv", 95)], &[(0, "q1", 80)]];
    for (round, changes) in rounds.iter().enumerate() {
        for (index, (bid, BidSpec { marks, .. })) in bids.iter().zip(BIDS).enumerate() {
            for (criterion, by_evaluator) in ["q1", "sv"].iter().zip(marks) {
                let changed = changes
                    .iter()
                    .find(|(i, c, _)| *i == index && c == criterion)
                    .map(|(.., score)| *score);
                if round > 0 && changed.is_none() {
                    continue;
                }
                let score = changed.unwrap_or(by_evaluator[0].min(by_evaluator[1]));
                let body = json!({"score": score, "rationale": "agreed at moderation"});
                commercial
                    .call(
                        "PUT",
                        &format!("{lot}/bids/{bid}/moderated-marks/{criterion}"),
                        Some(body),
                        200,
                    )
                    .await;
            }
        }
        platform
            .call("POST", &format!("{lot}/evaluations"), None, 201)
            .await;
    }

    // North is awarded on its latest run. Its decision is moved back to Monday 30 November 2026
    // so that its notice can be published on Tuesday 1 December (a step may not precede its
    // decision, and the server's clock is today's).
    let runs = platform
        .call("GET", &format!("{lot}/evaluations"), None, 200)
        .await;
    let latest = runs.as_array().unwrap().last().unwrap()["id"].clone();
    commercial
        .call(
            "POST",
            &format!("{lot}/award"),
            Some(json!({"evaluation_id": latest, "note": "most advantageous tender"})),
            201,
        )
        .await;
    crate::audit::tamper(
        app.database_url(),
        &format!("UPDATE awards SET decided_at = '2026-11-30 15:00:00' WHERE lot_id = '{lot_id}'"),
    );
    commercial
        .call(
            "POST",
            &format!("{lot}/award/assessment-summaries-sent"),
            Some(json!({"sent_at": "2026-11-30T17:00:00Z"})),
            201,
        )
        .await;
    commercial
        .call(
            "POST",
            &format!("{lot}/award/notice-published"),
            Some(json!({"published_at": "2026-12-01T09:30:00Z", "notice_id": "FTS-2026-041-UK6"})),
            201,
        )
        .await;

    // A second buyer's tender, still open, so the list shows more than one state.
    let other = platform
        .call(
            "POST",
            "/v1/tenders",
            Some(json!({
                "title": "Catering for regional offices",
                "buyer": "Example County Council",
                "authority_type": "local_authority",
                "procurement_regime": "procurement_act_2023",
                "value": "350000",
                "lots": [{"title": "Catering", "value": "350000"}]
            })),
            201,
        )
        .await;
    let catering = format!(
        "/v1/tenders/{}/lots/{}",
        as_str(&other["id"]),
        as_str(&other["lots"][0]["id"])
    );
    let mut scheme = crate::common::helpers::scheme_body();
    scheme["authority_type"] = json!("local_authority");
    scheme["criteria"][1]["weight"] = json!(20);
    scheme["criteria"][2]["weight"] = json!(20);
    platform
        .call("PUT", &format!("{catering}/scheme"), Some(scheme), 200)
        .await;
    platform
        .call("POST", &format!("{catering}/open"), None, 200)
        .await;

    Seeded {
        tender: tender_id,
        lot: lot_id,
        open_lot: as_str(&tender["lots"][1]["id"]),
        bids,
    }
}
