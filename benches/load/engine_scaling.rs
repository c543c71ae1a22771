//! How the engine's time grows with the number of bids: a markdown table of the median time to
//! parse a preview body, score it (`evaluate`, the pure engine), write the result, and the three
//! together (`preview` end to end), for 10 to 10,000 bids × 20 criteria × 30 commitments.
//!
//! `cargo run --release --example load-engine [bids…]` (default 10 100 1000 10000). The HTTP
//! preview caps a request at 5,000 bids; this calls the library directly.
//! `load-engine --body BIDS` prints that preview body instead (the memory harness's input).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use socval::catalogue::builtin;
use socval::scoring::{PreviewRequest, evaluate, preview};

#[path = "../support/engine_input.rs"]
mod engine_input;

/// Median milliseconds of `f` over at least 5 runs and about one second.
fn median_ms<T>(mut f: impl FnMut() -> T) -> f64 {
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 5 || (started.elapsed() < Duration::from_secs(1) && times.len() < 200) {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, bids] = &args[..]
        && flag == "--body"
    {
        let body = engine_input::request_with(bids.parse().unwrap());
        return serde_json::to_writer(std::io::stdout().lock(), &body).unwrap();
    }
    let sizes: Vec<usize> = args.iter().map(|a| a.parse().unwrap()).collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1_000, 10_000]
    } else {
        sizes
    };
    println!(
        "| bids | body | parse | evaluate (engine) | serialise | preview end to end | per bid |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for bids in sizes {
        let body = serde_json::to_vec(&engine_input::request_with(bids)).unwrap();
        let req: PreviewRequest = serde_json::from_slice(&body).unwrap();
        let input = engine_input::input(&req);
        let result = evaluate(&input, builtin()).expect("the input is valid");
        assert_eq!(result.results.len(), bids);
        let parse = median_ms(|| serde_json::from_slice::<PreviewRequest>(&body).unwrap());
        let engine = median_ms(|| evaluate(&input, builtin()).unwrap().results.len());
        let write = median_ms(|| serde_json::to_vec(&result).unwrap());
        let total = median_ms(|| {
            let req: PreviewRequest = serde_json::from_slice(&body).unwrap();
            serde_json::to_vec(&preview(&req, builtin()).unwrap()).unwrap()
        });
        println!(
            "| {bids} | {:.1} MB | {parse:.2} ms | {engine:.2} ms | {write:.2} ms | {total:.2} ms | {:.1} µs |",
            body.len() as f64 / 1e6,
            total * 1000.0 / bids as f64
        );
    }
}
