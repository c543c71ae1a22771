//! The engine benchmarks' input, shared by `benches/engine.rs` (criterion) and the scaling table
//! of `benches/load/engine_scaling.rs`: deterministic bids under a 20-criterion scheme.

use serde_json::{Value, json};

/// The server's allocator, so the engine is measured as it runs there.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use socval::catalogue::builtin;
use socval::scoring::{EvaluationInput, PreviewRequest};

pub const QUALITY: usize = 14;
pub const COMMITMENTS: usize = 30;

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

/// A preview body of `bids` bids under 1 price + 14 quality + 5 social value criteria
/// (2 qualitative, 2 quantitative, 1 mixed), each bid with 30 commitments.
pub fn request_with(bids: usize) -> Value {
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

/// The stored-lot form of a preview body (measures resolved to the sample set).
pub fn input(req: &PreviewRequest) -> EvaluationInput {
    EvaluationInput {
        currency: req.currency.clone(),
        scheme: req.scheme.clone(),
        measures: builtin().sample_measures().to_vec(),
        bids: req.bids.clone(),
        framework: Some("PPN06-20".to_string()),
        evaluator_marks: Vec::new(),
    }
}
