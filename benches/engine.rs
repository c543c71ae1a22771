//! Scoring engine benchmark: 1,000 bids × 20 criteria × 30 commitments each.
//!
//! `cargo bench --bench engine`. Target: `evaluate` under 2 ms on the project's 2-core machines.
//! The other two figures show what a preview request costs around it: parsing the JSON body and
//! writing the result (explanations and display values are formatted at that point).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use socval::catalogue::builtin;
use socval::scoring::{PreviewRequest, evaluate};

const BIDS: usize = 1_000;

#[path = "support/engine_input.rs"]
mod engine_input;

use engine_input::{QUALITY, input, request_with};

/// 1 price + 14 quality + 5 social value criteria (2 qualitative, 2 quantitative, 1 mixed).
fn request() -> Value {
    request_with(BIDS)
}

fn bench(c: &mut Criterion) {
    let body = serde_json::to_vec(&request()).unwrap();
    let req: PreviewRequest = serde_json::from_slice(&body).unwrap();
    let input = input(&req);
    let result = evaluate(&input, builtin()).expect("the benchmark input is valid");
    assert_eq!(result.results.len(), BIDS);
    assert!(
        result
            .results
            .iter()
            .all(|b| b.criteria.len() == 1 + QUALITY + 5)
    );

    let mut group = c.benchmark_group("engine");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("evaluate 1000 bids x 20 criteria x 30 commitments", |b| {
        b.iter(|| evaluate(black_box(&input), builtin()))
    });
    group.bench_function("parse preview body (1000 bids)", |b| {
        b.iter(|| serde_json::from_slice::<PreviewRequest>(black_box(&body)).unwrap())
    });
    group.bench_function("serialise result (1000 bids)", |b| {
        b.iter(|| serde_json::to_vec(black_box(&result)).unwrap())
    });
    // What one preview request of 100 bids costs the engine end to end (body in, body out).
    let small = serde_json::to_vec(&request_with(100)).unwrap();
    group.bench_function(
        "preview end to end (100 bids: parse, score, serialise)",
        |b| {
            b.iter(|| {
                let req: PreviewRequest = serde_json::from_slice(black_box(&small)).unwrap();
                let result = socval::scoring::preview(&req, builtin()).unwrap();
                serde_json::to_vec(&result).unwrap()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
