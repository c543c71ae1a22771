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
use serde_json::{Value, json};
use socval::catalogue::builtin;
use socval::scoring::{EvaluationInput, PreviewRequest, evaluate};

const BIDS: usize = 1_000;
const QUALITY: usize = 14;
const COMMITMENTS: usize = 30;

/// A small deterministic generator (no `rand` dependency needed for fixed test data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// 1 price + 14 quality + 5 social value criteria (2 qualitative, 2 quantitative, 1 mixed).
fn request() -> Value {
    request_with(BIDS)
}

fn request_with(bids: usize) -> Value {
    let mut criteria = vec![json!({"id": "price", "type": "price", "weight": "40"})];
    for q in 0..QUALITY {
        let mut c = json!({"id": format!("q{q:02}"), "type": "quality", "weight": "3",
            "scale": {"min": "0", "max": "10", "levels": ["0", "2", "4", "5", "6", "8", "10"]}});
        if q == 0 {
            c["pass_mark"] = json!("2");
            c["knockout"] = json!(true);
        }
        criteria.push(c);
    }
    let sv = |id: &str, outcome: &str, method: &str| json!({"id": id, "type": "social_value", "weight": "3.6", "outcome": outcome, "method": method});
    criteria.push({
        let mut c = sv("sv-wellbeing", "PPN06-20:MAC7.1", "qualitative");
        c["scale"] = json!({"min": "0", "max": "100"});
        c
    });
    criteria.push({
        let mut c = sv("sv-pay", "PPN06-20:MAC6.1", "qualitative");
        c["scale"] = json!({"min": "0", "max": "100"});
        c
    });
    criteria.push(sv("sv-supply", "PPN06-20:MAC3.1", "quantitative"));
    criteria.push({
        let mut c = sv("sv-carbon", "PPN06-20:MAC4.1", "quantitative");
        c["quantitative_basis"] = json!("percent_of_price_target");
        c["target_percent"] = json!("1.5");
        c
    });
    criteria.push({
        let mut c = sv("sv-skills", "PPN06-20:MAC2.3", "mixed");
        c["scale"] = json!({"min": "0", "max": "100"});
        c["split"] = json!({"qualitative": "50", "quantitative": "50"});
        c
    });

    let measures: Vec<String> = builtin()
        .sample_measures()
        .iter()
        .map(|m| m.code.clone())
        .collect();
    let levels = ["0", "2", "4", "5", "6", "8", "10"];
    let mut rng = Lcg(42);
    let bids: Vec<Value> = (0..bids)
        .map(|i| {
            let mut marks = serde_json::Map::new();
            for q in 0..QUALITY {
                marks.insert(format!("q{q:02}"), json!(levels[rng.next(7) as usize]));
            }
            for id in ["sv-wellbeing", "sv-pay", "sv-skills"] {
                marks.insert(id.to_string(), json!(rng.next(101).to_string()));
            }
            let commitments: Vec<Value> = (0..COMMITMENTS)
                .map(|_| {
                    let m = &measures[rng.next(measures.len() as u64) as usize];
                    // Realistic sizes: a few FTE, weeks or tonnes per commitment (about 20% SV/price).
                    let quantity = format!("{}.{}", rng.next(5), rng.next(10));
                    json!({"measure": m, "quantity": quantity})
                })
                .collect();
            let price = format!("{}.{:02}", 500_000 + rng.next(1_000_000), rng.next(100));
            json!({
                "id": format!("bid-{i:04}"),
                "supplier": {"name": format!("Supplier {i}")},
                "price": price,
                "submitted_at": format!("2026-03-01T{:02}:{:02}:{:02}Z", rng.next(24), rng.next(60), rng.next(60)),
                "marks": marks,
                "commitments": commitments
            })
        })
        .collect();
    json!({
        "scheme": {"authority_type": "central_government", "criteria": criteria},
        "bids": bids
    })
}

fn input(req: &PreviewRequest) -> EvaluationInput {
    EvaluationInput {
        currency: req.currency.clone(),
        scheme: req.scheme.clone(),
        measures: builtin().sample_measures().to_vec(),
        bids: req.bids.clone(),
        framework: Some("PPN06-20".to_string()),
        evaluator_marks: Vec::new(),
    }
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
