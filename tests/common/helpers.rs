//! Helpers every black-box test uses: requests as a caller sends them, and the usual fixtures (a
//! tender, a valid scheme, a lot open for bids).

use serde_json::{Value, json};
use socval::auth::Role;

use super::TestApp;

pub fn tender_body(external_id: &str) -> Value {
    json!({
        "external_id": external_id,
        "title": "Facilities management",
        "buyer": "Department for Example",
        "authority_type": "central_government",
        "procurement_regime": "procurement_act_2023",
        "value": "1200000",
        "lots": [{"title": "North", "external_id": format!("{external_id}-L1")}, {"title": "South"}]
    })
}

/// A scheme valid against the built-in sample set and PPN 002.
pub fn scheme_body() -> Value {
    json!({
        "authority_type": "central_government",
        "criteria": [
            {"id": "price", "type": "price", "weight": 60},
            {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 100}},
            {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
             "method": "qualitative", "scale": {"min": 0, "max": 100}}
        ]
    })
}

impl TestApp {
    /// Waits until the audit sequencer has chained every event written so far: for a test that
    /// reads the ledger's tables itself (the API's ledger reads catch up on their own).
    pub async fn chained(&self) {
        use diesel::prelude::*;
        use socval::db::schema::audit_pending;
        let mut conn = socval::db::ConnectionManager::new(self.database_url().clone(), 5000)
            .connect_now()
            .unwrap();
        for _ in 0..1000 {
            let waiting: i64 = audit_pending::table.count().get_result(&mut conn).unwrap();
            if waiting == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("audit events still pending after 10 s: is the sequencer running?");
    }

    /// `socval ARGS` as an operator runs it on this app's SQLite file: a clean environment with
    /// the database and, when `with_key`, the app's audit signing key.
    pub fn cli(&self, args: &[&str], with_key: bool) -> std::process::Output {
        let socval::config::DatabaseUrl::Sqlite { path } = self.database_url() else {
            panic!("the CLI tests run on a SQLite app")
        };
        self.cli_on(&format!("sqlite://{path}"), args, with_key)
    }

    /// [`Self::cli`] on another `DATABASE_URL`.
    pub fn cli_on(
        &self,
        database_url: &str,
        args: &[&str],
        with_key: bool,
    ) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_socval"));
        command
            .env_clear()
            .env("DATABASE_URL", database_url)
            .args(args);
        if let (true, Some(key)) = (with_key, &self.config.audit_signing_key) {
            command.env("SOCVAL_AUDIT_SIGNING_KEY", key);
        }
        command.output().unwrap()
    }

    /// `method path` with `token` and an optional JSON body.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    /// A tender with its first lot open for bids: `(tender_id, lot_id)`.
    pub async fn open_lot(&self, external_id: &str) -> (String, String) {
        self.open_lot_of(tender_body(external_id)).await
    }

    /// [`open_lot`](Self::open_lot) of the tender `body` describes.
    pub async fn open_lot_of(&self, body: Value) -> (String, String) {
        self.open_lot_with(body, scheme_body()).await
    }

    /// [`open_lot_of`](Self::open_lot_of) under `scheme`.
    pub async fn open_lot_with(&self, body: Value, scheme: Value) -> (String, String) {
        let token = self.token(&[Role::Platform]);
        let tender = expect(
            self.send("POST", "/v1/tenders", &token, Some(&body)).await,
            201,
        )
        .await;
        let (tender_id, lot_id) = (
            tender["id"].as_str().unwrap().to_string(),
            tender["lots"][0]["id"].as_str().unwrap().to_string(),
        );
        let lot = format!("/v1/tenders/{tender_id}/lots/{lot_id}");
        expect(
            self.send("PUT", &format!("{lot}/scheme"), &token, Some(&scheme))
                .await,
            200,
        )
        .await;
        expect(
            self.send("POST", &format!("{lot}/open"), &token, None)
                .await,
            200,
        )
        .await;
        (tender_id, lot_id)
    }
}

/// The response's JSON body, once its status is `status` (else the test fails showing the body).
pub async fn expect(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
