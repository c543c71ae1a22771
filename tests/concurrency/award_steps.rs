//! Races on the award's steps (issue 22): each step reads what is recorded, then writes, so two
//! clients recording one step at once must be put in order by the lot's lock.

use std::sync::Arc;

use serde_json::{Value, json};
use socval::auth::Role;
use tokio::sync::Barrier;

use crate::http::{Answer, evaluated_lot, expect, send};
use crate::races::assert_no_server_error;
use crate::replicas::Cluster;

const CLIENTS: usize = 4;

/// `CLIENTS` parallel posts of `step`, the body of each made from its index.
async fn together(
    cluster: &Arc<Cluster>,
    trial: usize,
    path: &str,
    body: impl Fn(usize) -> Value,
) -> Vec<Answer> {
    let token = cluster.token(&[Role::Commercial]);
    let start = Arc::new(Barrier::new(CLIENTS));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (cluster, path, token, start, body) = (
            cluster.clone(),
            path.to_string(),
            token.clone(),
            start.clone(),
            body(client),
        );
        clients.push(tokio::spawn(async move {
            start.wait().await;
            send(
                &cluster,
                trial + client,
                "POST",
                &path,
                &token,
                &[],
                Some(&body),
            )
            .await
        }));
    }
    let mut answers = Vec::new();
    for client in clients {
        answers.push(client.await.unwrap());
    }
    answers
}

fn statuses(answers: &[Answer]) -> Vec<u16> {
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    statuses
}

/// Invariants: the same summaries posted by 4 clients at once are recorded once (one 201, the
/// others 200); 4 different publication times at once leave exactly one notice (one 201, three
/// 409 `award_step_recorded`), and the standstill is the winner's. No 5xx.
pub async fn steps_recorded_once(cluster: Arc<Cluster>, trial: usize) {
    let (lot, run) = evaluated_lot(&cluster).await;
    let commercial = cluster.token(&[Role::Commercial]);
    expect(
        &cluster,
        "POST",
        &format!("{lot}/award"),
        &commercial,
        Some(&json!({"evaluation_id": run, "note": "lowest price"})),
        201,
    )
    .await;
    let now = chrono::Utc::now();
    // After the decision, and within the clock skew the server allows ahead of it.
    let at = |seconds_on: i64| (now + chrono::Duration::seconds(seconds_on)).to_rfc3339();

    let sent = at(0);
    let summaries = together(
        &cluster,
        trial,
        &format!("{lot}/award/assessment-summaries-sent"),
        |_| json!({"sent_at": sent}),
    )
    .await;
    assert_no_server_error(&summaries, "summaries posted together");
    assert_eq!(statuses(&summaries), [200, 200, 200, 201], "{summaries:?}");

    let notices = together(
        &cluster,
        trial,
        &format!("{lot}/award/notice-published"),
        |client| json!({"published_at": at(1 + client as i64)}),
    )
    .await;
    assert_no_server_error(&notices, "notices posted together");
    assert_eq!(statuses(&notices), [201, 409, 409, 409], "{notices:?}");
    assert!(
        notices
            .iter()
            .filter(|a| a.status == 409)
            .all(|a| a.code() == "award_step_recorded"),
        "{notices:?}"
    );

    let award = expect(
        &cluster,
        "GET",
        &format!("{lot}/award"),
        &commercial,
        None,
        200,
    )
    .await;
    let steps: Vec<&str> = award["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["decision", "assessment_summaries_sent", "notice_published"],
        "{award}"
    );
    let winner = notices.iter().find(|a| a.status == 201).unwrap();
    assert_eq!(award["standstill"], winner.body["standstill"]);
}
