//! The races of issue 14, each run as one trial on a fresh lot, with real parallel clients spread
//! over the deployment's replicas and released together. Each asserts its invariant and that no
//! request was answered 5xx.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use socval::auth::Role;
use tokio::sync::Barrier;

use crate::http::{Answer, all_pages, bid, evaluated_lot, expect, open_lot, scheme, send};
use crate::replicas::Cluster;

const BIDDERS: usize = 4;
/// A bidder stops after this many bids even if the lot never closed (then `close` failed).
const MAX_BIDS_PER_BIDDER: usize = 400;

pub fn assert_no_server_error(answers: &[Answer], race: &str) {
    let failed: Vec<&Answer> = answers.iter().filter(|a| a.status >= 500).collect();
    assert!(failed.is_empty(), "{race}: 5xx answers: {failed:?}");
}

/// A few milliseconds that differ from trial to trial, so `close` lands at a different point of
/// the bidding each time.
fn jitter(trial: usize) -> Duration {
    Duration::from_millis(5 + (trial as u64 * 7) % 25)
}

/// What a late-bid trial saw: bids acknowledged before the lot closed.
pub struct LateBids {
    pub acknowledged: usize,
}

/// 4 clients bid in a loop while another closes the lot. Invariant: every bid answered 201 is
/// stored, its audit event precedes the `close` event, and every other bid was refused
/// `lot_not_open`: no bid committed after close.
pub async fn bids_against_close(cluster: Arc<Cluster>, trial: usize) -> LateBids {
    let lot = open_lot(&cluster).await;
    let platform = cluster.token(&[Role::Platform]);
    let start = Arc::new(Barrier::new(BIDDERS + 1));
    let mut bidders = Vec::new();
    for bidder in 0..BIDDERS {
        let (cluster, lot, token, start) = (
            cluster.clone(),
            lot.clone(),
            platform.clone(),
            start.clone(),
        );
        bidders.push(tokio::spawn(async move {
            start.wait().await;
            let mut answers = Vec::new();
            for n in 0..MAX_BIDS_PER_BIDDER {
                let price = 1000 + (bidder * MAX_BIDS_PER_BIDDER + n) as u32;
                let answer = send(
                    &cluster,
                    bidder,
                    "POST",
                    &format!("{lot}/bids"),
                    &token,
                    &[],
                    Some(&bid(price)),
                )
                .await;
                let refused = answer.status != 201;
                answers.push(answer);
                if refused {
                    break;
                }
            }
            answers
        }));
    }
    start.wait().await;
    tokio::time::sleep(jitter(trial)).await;
    let close = send(
        &cluster,
        trial,
        "POST",
        &format!("{lot}/close"),
        &platform,
        &[],
        None,
    )
    .await;
    let mut answers = vec![close.clone()];
    for bidder in bidders {
        answers.extend(bidder.await.unwrap());
    }
    assert_no_server_error(&answers, "bids against close");
    assert_eq!(close.status, 200, "close: {}", close.body);

    let acknowledged: BTreeSet<String> = answers
        .iter()
        .filter(|a| a.status == 201)
        .map(Answer::id)
        .collect();
    for refused in answers.iter().skip(1).filter(|a| a.status != 201) {
        assert_eq!(
            (refused.status, refused.code()),
            (409, "lot_not_open"),
            "{}",
            refused.body
        );
    }
    let stored: BTreeSet<String> = all_pages(&cluster, &format!("{lot}/bids"), &platform)
        .await
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        stored, acknowledged,
        "the stored bids are exactly those acknowledged"
    );

    let tender = lot.split('/').nth(3).unwrap();
    let auditor = cluster.token(&[Role::Auditor]);
    let events = all_pages(
        &cluster,
        &format!("/v1/audit-events?tender={tender}"),
        &auditor,
    )
    .await;
    let seq_of = |event: &Value| event["seq"].as_i64().unwrap();
    let close_seq = events
        .iter()
        .find(|e| e["action"] == "close")
        .map(seq_of)
        .expect("a close event");
    let submits: Vec<&Value> = events.iter().filter(|e| e["action"] == "submit").collect();
    assert_eq!(
        submits.len(),
        acknowledged.len(),
        "one submit event per acknowledged bid"
    );
    let late: Vec<&&Value> = submits.iter().filter(|e| seq_of(e) > close_seq).collect();
    assert!(
        late.is_empty(),
        "bids committed after close (event {close_seq}): {late:?}"
    );
    LateBids {
        acknowledged: acknowledged.len(),
    }
}

/// How an award trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardOutcome {
    /// The award committed first: every run fired with it was refused.
    Awarded,
    /// A run committed first: the award on the older run was refused.
    Superseded,
}

/// An award on run 1 fired together with 3 new runs. Invariant: an award that succeeds has no
/// run after it (each run fired with it is refused `lot_not_evaluating` and the lot holds run 1
/// alone); an award that fails does so as `evaluation_superseded`, because a run won.
pub async fn award_against_runs(cluster: Arc<Cluster>, trial: usize) -> AwardOutcome {
    let (lot, first) = evaluated_lot(&cluster).await;
    let platform = cluster.token(&[Role::Platform]);
    let commercial = cluster.token(&[Role::Commercial]);

    const RUNS: usize = 3;
    let start = Arc::new(Barrier::new(RUNS + 1));
    let award = {
        let (cluster, lot, token, start, first) = (
            cluster.clone(),
            lot.clone(),
            commercial.clone(),
            start.clone(),
            first.clone(),
        );
        tokio::spawn(async move {
            start.wait().await;
            let body = json!({"evaluation_id": first, "note": "lowest price"});
            send(
                &cluster,
                trial,
                "POST",
                &format!("{lot}/award"),
                &token,
                &[],
                Some(&body),
            )
            .await
        })
    };
    let mut runs = Vec::new();
    for run in 0..RUNS {
        let (cluster, lot, token, start) = (
            cluster.clone(),
            lot.clone(),
            platform.clone(),
            start.clone(),
        );
        runs.push(tokio::spawn(async move {
            start.wait().await;
            send(
                &cluster,
                trial + run + 1,
                "POST",
                &format!("{lot}/evaluations"),
                &token,
                &[],
                None,
            )
            .await
        }));
    }
    let award = award.await.unwrap();
    let mut run_answers = Vec::new();
    for run in runs {
        run_answers.push(run.await.unwrap());
    }
    let mut answers = run_answers.clone();
    answers.push(award.clone());
    assert_no_server_error(&answers, "award against runs");

    let stored = expect(
        &cluster,
        "GET",
        &format!("{lot}/evaluations"),
        &platform,
        None,
        200,
    )
    .await;
    let stored = stored.as_array().unwrap().len();
    let accepted = run_answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(
        stored,
        1 + accepted,
        "every run answered 201 is stored, and no other"
    );
    match award.status {
        201 => {
            for run in &run_answers {
                assert_eq!(
                    (run.status, run.code()),
                    (409, "lot_not_evaluating"),
                    "a run beside a successful award: {}",
                    run.body
                );
            }
            AwardOutcome::Awarded
        }
        _ => {
            assert_eq!(
                (award.status, award.code()),
                (409, "evaluation_superseded"),
                "{}",
                award.body
            );
            assert!(accepted >= 1, "superseded, yet no run was accepted");
            AwardOutcome::Superseded
        }
    }
}

/// 10 concurrent `PUT …/scheme`, then 10 more that all send the `If-Match` of the version they
/// read. Invariant: one new version per successful PUT (versions 1..=10, no 5xx); of the
/// conditional ones exactly one wins and the others are 412.
pub async fn concurrent_scheme_writes(cluster: Arc<Cluster>, trial: usize) {
    let lot = crate::http::draft_lot(&cluster).await;
    let platform = cluster.token(&[Role::Platform]);
    const WRITERS: usize = 10;
    let put_all = |if_match: Option<&'static str>| {
        let start = Arc::new(Barrier::new(WRITERS));
        (0..WRITERS)
            .map(|writer| {
                let (cluster, lot, token, start) = (
                    cluster.clone(),
                    lot.clone(),
                    platform.clone(),
                    start.clone(),
                );
                tokio::spawn(async move {
                    start.wait().await;
                    let headers: Vec<(&str, &str)> =
                        if_match.map(|tag| ("If-Match", tag)).into_iter().collect();
                    send(
                        &cluster,
                        trial + writer,
                        "PUT",
                        &format!("{lot}/scheme"),
                        &token,
                        &headers,
                        Some(&scheme()),
                    )
                    .await
                })
            })
            .collect::<Vec<_>>()
    };

    let mut answers = Vec::new();
    for writer in put_all(None) {
        answers.push(writer.await.unwrap());
    }
    assert_no_server_error(&answers, "scheme writes");
    let mut versions: Vec<i64> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 200, "{}", a.body);
            a.body["version"].as_i64().unwrap()
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..=WRITERS as i64).collect::<Vec<_>>(),
        "one version per PUT"
    );

    let mut conditional = Vec::new();
    for writer in put_all(Some("\"10\"")) {
        conditional.push(writer.await.unwrap());
    }
    assert_no_server_error(&conditional, "conditional scheme writes");
    let won: Vec<&Answer> = conditional.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "exactly one conditional PUT wins: {conditional:?}"
    );
    assert_eq!(won[0].body["version"], 11);
    assert!(
        conditional
            .iter()
            .all(|a| a.status == 200 || a.status == 412),
        "{conditional:?}"
    );
    let current = expect(
        &cluster,
        "GET",
        &format!("{lot}/scheme"),
        &platform,
        None,
        200,
    )
    .await;
    assert_eq!(current["version"], 11);
}

const WRITERS: usize = 8;
const BIDS_PER_WRITER: usize = 12;
const LOTS: usize = 4;

/// 8 clients bid into 4 lots of one org, spread over the replicas, while a follower reads
/// `GET /v1/audit-events` from its last `seq` on, as a feed consumer would. Invariant: the
/// follower never skips an event (what it read is exactly the chain as it stands afterwards,
/// in order), every acknowledged bid has one `submit` event, and the chain verifies.
pub async fn cursor_against_writers(cluster: Arc<Cluster>, trial: usize) {
    let mut lots = Vec::new();
    for _ in 0..LOTS {
        lots.push(open_lot(&cluster).await);
    }
    let platform = cluster.token(&[Role::Platform]);
    let auditor = cluster.token(&[Role::Auditor]);
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (cluster, lot, token, start) = (
            cluster.clone(),
            lots[(writer + trial) % LOTS].clone(),
            platform.clone(),
            start.clone(),
        );
        writers.push(tokio::spawn(async move {
            start.wait().await;
            let mut answers = Vec::new();
            for n in 0..BIDS_PER_WRITER {
                let price = 1000 + (writer * BIDS_PER_WRITER + n) as u32;
                let path = format!("{lot}/bids");
                answers.push(
                    send(
                        &cluster,
                        writer,
                        "POST",
                        &path,
                        &token,
                        &[],
                        Some(&bid(price)),
                    )
                    .await,
                );
            }
            answers
        }));
    }
    let done = Arc::new(AtomicBool::new(false));
    let follower = {
        let (cluster, token, done) = (cluster.clone(), auditor.clone(), done.clone());
        tokio::spawn(async move {
            let (mut seen, mut after, mut reads) = (Vec::<Value>::new(), 0_i64, 0_usize);
            while !done.load(Ordering::SeqCst) || reads == 0 {
                let path = format!("/v1/audit-events?limit=7&after_seq={after}");
                let page = send(&cluster, reads, "GET", &path, &token, &[], None).await;
                assert_eq!(page.status, 200, "{}", page.body);
                for event in page.body["items"].as_array().unwrap() {
                    after = event["seq"].as_i64().unwrap();
                    seen.push(event.clone());
                }
                reads += 1;
            }
            (seen, after)
        })
    };
    start.wait().await;
    let mut answers = Vec::new();
    for writer in writers {
        answers.extend(writer.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let (mut seen, after) = follower.await.unwrap();
    assert_no_server_error(&answers, "bids against a cursor follower");
    assert!(
        answers.iter().all(|a| a.status == 201),
        "every bid is accepted"
    );
    // What the follower has yet to read, then the chain as it stands: its reading must be that
    // chain exactly, with nothing skipped.
    seen.extend(
        all_pages(
            &cluster,
            &format!("/v1/audit-events?after_seq={after}"),
            &auditor,
        )
        .await,
    );
    let chain = all_pages(&cluster, "/v1/audit-events", &auditor).await;
    let seqs = |events: &[Value]| {
        events
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        seqs(&seen),
        seqs(&chain),
        "the follower skipped or repeated an event"
    );
    let submitted: BTreeSet<String> = chain
        .iter()
        .filter(|e| e["action"] == "submit")
        .map(|e| e["entity_id"].as_str().unwrap().to_string())
        .collect();
    for answer in &answers {
        assert!(
            submitted.contains(&answer.id()),
            "bid {} has no event",
            answer.id()
        );
    }
    let verified = expect(&cluster, "GET", "/v1/audit/verify", &auditor, None, 200).await;
    assert_eq!(verified["valid"], true, "{verified}");
}
