//! Requests as a race sees them: the status and the JSON body, with every 5xx kept for the
//! no-server-error invariant.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::replicas::Cluster;

/// A response: its status and its body (`null` when it is not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_string()
    }
}

pub async fn send(
    cluster: &Cluster,
    replica: usize,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut request = cluster
        .client
        .request(method.parse().unwrap(), cluster.url(replica, path))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// `send` on replica 0 that must answer `status`.
pub async fn expect(
    cluster: &Cluster,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
    status: u16,
) -> Value {
    let answer = send(cluster, 0, method, path, token, &[], body).await;
    assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
    answer.body
}

/// A price-and-quantitative-social-value scheme: a run needs no marks.
pub fn scheme() -> Value {
    json!({
        "authority_type": "central_government",
        "criteria": [
            {"id": "price", "type": "price", "weight": 90},
            {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:O4",
             "method": "quantitative"}
        ]
    })
}

pub fn bid(price: u32) -> Value {
    json!({"supplier": {"name": format!("Supplier {price}")}, "price": price.to_string(),
           "submitted_at": "2026-11-30T10:00:00Z",
           "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "10"}]})
}

/// A new tender whose first lot is in `draft`: the lot's path.
pub async fn draft_lot(cluster: &Cluster) -> String {
    let token = cluster.token(&[Role::Platform]);
    let tender = expect(
        cluster,
        "POST",
        "/v1/tenders",
        &token,
        Some(&json!({
            "title": "Facilities management", "buyer": "Department for Example",
            "authority_type": "central_government", "procurement_regime": "procurement_act_2023",
            "lots": [{"title": "North"}]
        })),
        201,
    )
    .await;
    format!(
        "/v1/tenders/{}/lots/{}",
        tender["id"].as_str().unwrap(),
        tender["lots"][0]["id"].as_str().unwrap()
    )
}

/// A new lot with its scheme, open for bids.
pub async fn open_lot(cluster: &Cluster) -> String {
    let token = cluster.token(&[Role::Platform]);
    let lot = draft_lot(cluster).await;
    expect(
        cluster,
        "PUT",
        &format!("{lot}/scheme"),
        &token,
        Some(&scheme()),
        200,
    )
    .await;
    expect(cluster, "POST", &format!("{lot}/open"), &token, None, 200).await;
    lot
}

/// A lot with two bids, closed and evaluated once: its path and the run's id.
pub async fn evaluated_lot(cluster: &Cluster) -> (String, String) {
    let lot = open_lot(cluster).await;
    let platform = cluster.token(&[Role::Platform]);
    for price in [1000, 1200] {
        expect(
            cluster,
            "POST",
            &format!("{lot}/bids"),
            &platform,
            Some(&bid(price)),
            201,
        )
        .await;
    }
    expect(
        cluster,
        "POST",
        &format!("{lot}/close"),
        &platform,
        None,
        200,
    )
    .await;
    let run = expect(
        cluster,
        "POST",
        &format!("{lot}/evaluations"),
        &platform,
        None,
        201,
    )
    .await;
    let run = run["id"].as_str().unwrap().to_string();
    (lot, run)
}

/// Every item of a paged list, following `next_cursor`.
pub async fn all_pages(cluster: &Cluster, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let page_path = match &cursor {
            Some(c) => format!("{path}{separator}limit=500&cursor={c}"),
            None => format!("{path}{separator}limit=500"),
        };
        let page = expect(cluster, "GET", &page_path, token, None, 200).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}
