//! The concurrency suite (issue 14): races of real parallel clients against real `socval`
//! processes, on SQLite, on PostgreSQL, and on two replicas sharing one PostgreSQL. `cargo test`
//! runs 10 trials of each race; `SOCVAL_RACE_TRIALS=50 cargo test --test concurrency` runs 50.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod award_steps;
#[path = "../common/mod.rs"]
mod common;
mod http;
mod races;
mod replicas;

use std::sync::Arc;

use races::AwardOutcome;
use replicas::{Cluster, Deployment};

fn trials() -> usize {
    std::env::var("SOCVAL_RACE_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
}

async fn cluster(deployment: Deployment) -> Option<Arc<Cluster>> {
    let cluster = Cluster::start(deployment).await.map(Arc::new);
    if cluster.is_none() {
        eprintln!("SOCVAL_TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
    }
    cluster
}

async fn late_bids(deployment: Deployment) {
    let Some(cluster) = cluster(deployment).await else {
        return;
    };
    let mut acknowledged = Vec::new();
    for trial in 0..trials() {
        acknowledged.push(
            races::bids_against_close(cluster.clone(), trial)
                .await
                .acknowledged,
        );
    }
    eprintln!(
        "{deployment:?}: bids acknowledged before close, per trial: {acknowledged:?}; 0 late"
    );
}

async fn awards(deployment: Deployment) {
    let Some(cluster) = cluster(deployment).await else {
        return;
    };
    let mut outcomes = Vec::new();
    for trial in 0..trials() {
        outcomes.push(races::award_against_runs(cluster.clone(), trial).await);
    }
    let awarded = outcomes
        .iter()
        .filter(|o| **o == AwardOutcome::Awarded)
        .count();
    eprintln!(
        "{deployment:?}: award won {awarded}, a run won {}; 0 awards beside an accepted run",
        outcomes.len() - awarded
    );
}

async fn schemes(deployment: Deployment) {
    let Some(cluster) = cluster(deployment).await else {
        return;
    };
    for trial in 0..trials() {
        races::concurrent_scheme_writes(cluster.clone(), trial).await;
    }
}

async fn award_steps(deployment: Deployment) {
    let Some(cluster) = cluster(deployment).await else {
        return;
    };
    for trial in 0..trials() {
        award_steps::steps_recorded_once(cluster.clone(), trial).await;
    }
}

async fn cursor(deployment: Deployment) {
    let Some(cluster) = cluster(deployment).await else {
        return;
    };
    for trial in 0..trials() {
        races::cursor_against_writers(cluster.clone(), trial).await;
    }
}

macro_rules! races_on {
    ($($name:ident: $deployment:expr;)*) => {
        $(
            mod $name {
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn no_bid_commits_after_close() {
                    late_bids($deployment).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn no_award_beside_an_accepted_run() {
                    awards($deployment).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn one_scheme_version_per_successful_put() {
                    schemes($deployment).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn an_award_step_posted_together_is_recorded_once() {
                    award_steps($deployment).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn a_cursor_follower_never_skips_a_committed_event() {
                    cursor($deployment).await
                }
            }
        )*
    };
}

races_on! {
    sqlite: Deployment::Sqlite;
    postgres: Deployment::Postgres { replicas: 1 };
    postgres_two_replicas: Deployment::Postgres { replicas: 2 };
}
