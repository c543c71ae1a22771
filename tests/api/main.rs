//! Black-box HTTP tests: the real server on a random port, a fresh database per test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod auth;
mod award;
mod bids;
mod catalogue;
mod cli;
mod conventions;
mod dashboard;
mod docs;
mod errors;
mod evaluations;
mod health;
mod holidays;
mod idempotency;
mod ledger;
mod limits;
mod metrics;
mod migrations;
mod ocds;
mod reports;
mod scoring;
mod signatures;
mod tenders;
mod text_input;
mod work_memory;
