//! `POST /v1/evaluations/preview`: body bytes → parse → score → the result as served. A result
//! keeps the invariants of scoring.md: one entry per bid, fractions in [0, 1], points within
//! their weight, totals within 0..=100, competition ranks from 1, and a winner exactly when one
//! bid alone holds rank 1.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use socval::scoring::{self, BidStatus, EvaluationResult, PreviewRequest};

fuzz_target!(|data: &[u8]| {
    let Some(request) = socval_fuzz::parse::<PreviewRequest>(data) else {
        return;
    };
    match scoring::preview(&request, socval::catalogue::builtin()) {
        Ok(result) => {
            check(&request, &result);
            socval_fuzz::serialise(&result);
        }
        Err(rejection) => {
            assert!(
                !rejection.errors.is_empty(),
                "a rejection names what is wrong"
            );
            socval_fuzz::pointers(rejection.errors.iter().map(|e| e.pointer.as_str()));
        }
    }
});

fn check(request: &PreviewRequest, result: &EvaluationResult<'_>) {
    let in_range = |value: Decimal, max: Decimal| value >= Decimal::ZERO && value <= max;
    assert_eq!(result.results.len(), request.bids.len());
    let mut leaders = 0;
    for bid in &result.results {
        match bid.status {
            BidStatus::Qualified => {
                let total = bid.total.expect("a qualified bid has a total");
                assert!(in_range(total, Decimal::ONE_HUNDRED), "total {total}");
                let rank = bid.rank.expect("a qualified bid has a rank");
                assert!(rank >= 1);
                leaders += usize::from(rank == 1);
            }
            BidStatus::Disqualified => assert_eq!(bid.rank, None),
        }
        for criterion in &bid.criteria {
            if let Some(fraction) = criterion.fraction {
                assert!(in_range(fraction, Decimal::ONE), "fraction {fraction}");
            }
            if let Some(points) = criterion.points {
                assert!(in_range(points, criterion.weight), "points {points}");
            }
        }
    }
    assert_eq!(result.winner.is_some(), leaders == 1);
}
