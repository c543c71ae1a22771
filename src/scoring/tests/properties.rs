//! Properties that must hold for every valid request (proptest).

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

#[derive(Debug, Clone)]
struct RawBid {
    cents: i64,
    marks: Vec<u32>,
    commitments: Vec<(usize, u32)>,
    secs: i64,
    offset_hours: i32,
}

#[derive(Debug, Clone)]
struct Raw {
    n_quality: usize,
    /// (method 0 qualitative / 1 quantitative / 2 mixed, percent target?, outcome 0/1)
    svs: Vec<(u8, bool, u8)>,
    price_method: u8,
    scales: Vec<u8>,
    knockouts: Vec<bool>,
    cuts: Vec<u32>,
    no_tie_break: bool,
    bids: Vec<RawBid>,
}

fn raw_bid() -> impl Strategy<Value = RawBid> {
    (
        100i64..=100_000_000,
        proptest::collection::vec(0u32..=100, 6),
        proptest::collection::vec((0usize..3, 0u32..=1000), 0..=4),
        0i64..200_000,
        -12i32..=12,
    )
        .prop_map(|(cents, marks, commitments, secs, offset_hours)| RawBid {
            cents,
            marks,
            commitments,
            secs,
            offset_hours,
        })
}

fn raw(max_bids: usize) -> impl Strategy<Value = Raw> {
    (
        1usize..=3,
        proptest::collection::vec((0u8..3, any::<bool>(), 0u8..2), 0..=2),
        0u8..3,
        proptest::collection::vec(0u8..3, 6),
        proptest::collection::vec((0u8..5).prop_map(|x| x == 0), 6),
        proptest::collection::vec(1u32..100, 6),
        (0u8..10).prop_map(|x| x < 3),
        proptest::collection::vec(raw_bid(), 1..=max_bids),
    )
        .prop_map(
            |(n_quality, svs, price_method, scales, knockouts, cuts, no_tie_break, bids)| Raw {
                n_quality,
                svs,
                price_method,
                scales,
                knockouts,
                cuts,
                no_tie_break,
                bids,
            },
        )
}

/// `n` positive integer weights summing to 100.
fn weights(cuts: &[u32], n: usize) -> Vec<u32> {
    let mut points: Vec<u32> = cuts.to_vec();
    points.sort_unstable();
    points.dedup();
    let mut fill = 1;
    while points.len() < n - 1 {
        if !points.contains(&fill) {
            points.push(fill);
        }
        fill += 1;
    }
    points.truncate(n - 1);
    points.sort_unstable();
    let mut out = Vec::with_capacity(n);
    let mut last = 0;
    for p in points.into_iter().chain([100]) {
        out.push(p - last);
        last = p;
    }
    out
}

const SCALES: [(i64, i64); 3] = [(0, 10), (1, 5), (0, 100)];

/// Build a valid request. `targets`: allow `percent_of_price_target`; `lowest`: force `lowest_relative`.
fn build(raw: &Raw, targets: bool, lowest: bool) -> Value {
    let n = 1 + raw.n_quality + raw.svs.len();
    let w = weights(&raw.cuts, n);
    let price_method = if lowest {
        "lowest_relative"
    } else {
        ["lowest_relative", "linear_min_max", "banded_relative"][raw.price_method as usize]
    };
    let mut criteria = vec![
        json!({"id": "p", "type": "price", "weight": w[0].to_string(), "price_method": price_method}),
    ];
    // (criterion id, scale) of every criterion that takes a mark.
    let mut marked: Vec<(String, (i64, i64))> = Vec::new();
    for j in 0..raw.n_quality {
        let scale = SCALES[raw.scales[j] as usize];
        let mut c = json!({"id": format!("q{j}"), "type": "quality", "weight": w[1 + j].to_string(),
            "scale": {"min": scale.0.to_string(), "max": scale.1.to_string()}});
        if raw.knockouts[j] {
            c["pass_mark"] = json!(Decimal::from(scale.0 + scale.1) / Decimal::TWO);
            c["knockout"] = json!(true);
        }
        criteria.push(c);
        marked.push((format!("q{j}"), scale));
    }
    for (k, (method, target, outcome)) in raw.svs.iter().enumerate() {
        let id = format!("sv{k}");
        let outcome = ["PPN06-20:MAC2.2", "PPN06-20:MAC4.1"][*outcome as usize];
        let method = ["qualitative", "quantitative", "mixed"][*method as usize];
        let mut c = json!({"id": id, "type": "social_value", "weight": w[1 + raw.n_quality + k].to_string(),
            "outcome": outcome, "method": method});
        if method != "quantitative" {
            let scale = SCALES[raw.scales[3 + k] as usize];
            c["scale"] = json!({"min": scale.0.to_string(), "max": scale.1.to_string()});
            if raw.knockouts[3 + k] {
                c["pass_mark"] = json!(Decimal::from(scale.0 + scale.1) / Decimal::TWO);
                c["knockout"] = json!(true);
            }
            marked.push((id.clone(), scale));
        }
        if method != "qualitative" && *target && targets {
            c["quantitative_basis"] = json!("percent_of_price_target");
            c["target_percent"] = json!("2.5");
        }
        if method == "mixed" {
            c["split"] = json!({"qualitative": "40", "quantitative": "60"});
        }
        criteria.push(c);
    }
    let mut scheme = json!({"authority_type": "other", "criteria": criteria});
    if raw.no_tie_break {
        scheme["tie_break"] = json!([]);
    }
    let bids: Vec<Value> = raw
        .bids
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let marks: BTreeMap<String, String> = marked
                .iter()
                .zip(&b.marks)
                .map(|((id, (lo, hi)), k)| {
                    let mark = Decimal::from(*lo) + Decimal::from(hi - lo) * Decimal::from(*k) / Decimal::ONE_HUNDRED;
                    (id.clone(), mark.normalize().to_string())
                })
                .collect();
            let offset = chrono::FixedOffset::east_opt(b.offset_hours * 3600).unwrap();
            let at = chrono::DateTime::from_timestamp(1_770_000_000 + b.secs, 0).unwrap().with_timezone(&offset);
            json!({
                "id": format!("bid-{i:02}"),
                "price": Decimal::new(b.cents, 2).to_string(),
                "submitted_at": at.to_rfc3339(),
                "marks": marks,
                "commitments": b.commitments.iter().map(|(m, q)| { let code = ["M0", "M1", "M2"][*m]; json!({"measure": code, "quantity": q.to_string()}) }).collect::<Vec<_>>()
            })
        })
        .collect();
    json!({
        "scheme": scheme,
        "measures": [
            {"code": "M0", "name": "jobs", "outcome": "PPN06-20:MAC2.2", "proxy_value": "1000"},
            {"code": "M1", "name": "training", "outcome": "PPN06-20:MAC2.2", "proxy_value": "250.5", "deadweight": "0.1"},
            {"code": "M2", "name": "carbon", "outcome": "PPN06-20:MAC4.1", "proxy_value": "40", "displacement": "0.25"}
        ],
        "bids": bids
    })
}

fn per_bid(r: &EvaluationResult<'_>) -> BTreeMap<String, Value> {
    r.results
        .iter()
        .map(|b| (b.bid_id.to_string(), serde_json::to_value(b).unwrap()))
        .collect()
}

/// Write JSON with every object's keys in reverse order and decimal strings as bare numbers.
fn write_shuffled(v: &Value, key: Option<&str>, in_marks: bool, out: &mut String) {
    const DECIMAL_KEYS: [&str; 17] = [
        "price",
        "weight",
        "quantity",
        "proxy_value",
        "deadweight",
        "attribution",
        "displacement",
        "min",
        "max",
        "pass_mark",
        "target_percent",
        "qualitative",
        "quantitative",
        "alt_threshold",
        "sv_outlier_percent",
        "up_to_percent_above_lowest",
        "fraction",
    ];
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().rev().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                write_shuffled(item, Some(k), k == "marks", out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_shuffled(item, key, false, out);
            }
            out.push(']');
        }
        Value::String(s)
            if (in_marks || key.is_some_and(|k| DECIMAL_KEYS.contains(&k)))
                && parse_exact(s).is_ok() =>
        {
            out.push_str(s);
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

proptest! {
    // 256 cases by default; PROPTEST_CASES=N runs more.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn ranks_form_a_competition_ranking_and_totals_lie_in_0_to_100(raw in raw(8)) {
        let r = ok(&build(&raw, true, false));
        let qualified: Vec<&BidResult> = r.results.iter().filter(|b| b.status == BidStatus::Qualified).collect();
        for (pos, b) in qualified.iter().enumerate() {
            let rank = b.rank.unwrap();
            let total = b.total.unwrap();
            prop_assert!(total >= Decimal::ZERO && total <= Decimal::ONE_HUNDRED, "total {total}");
            if pos == 0 {
                prop_assert_eq!(rank, 1);
            } else {
                let prev = qualified[pos - 1];
                let shared = rank == prev.rank.unwrap();
                prop_assert!(shared || rank as usize == pos + 1, "rank {rank} at position {pos}");
                prop_assert!(key20(prev.total.unwrap()) >= key20(total));
                if shared {
                    prop_assert!(prev.bid_id < b.bid_id);
                    prop_assert!(b.flags.iter().any(|f| f.code == FlagCode::TieUnresolved));
                }
            }
            for c in &b.criteria {
                let points = c.points.unwrap();
                prop_assert!(points >= Decimal::ZERO && points <= c.weight);
            }
        }
        prop_assert!(r.results.iter().skip(qualified.len()).all(|b| b.rank.is_none() && b.flags.is_empty()));
        let leaders = qualified.iter().filter(|b| b.rank == Some(1)).count();
        prop_assert_eq!(r.winner.is_some(), leaders == 1);
    }

    #[test]
    fn permuting_the_bids_changes_nothing(raw in raw(8), seed in any::<u64>()) {
        let v = build(&raw, true, false);
        let r1 = ok(&v);
        let mut shuffled = v.clone();
        let bids = shuffled["bids"].as_array_mut().unwrap();
        // A deterministic permutation from the seed.
        let n = bids.len();
        for i in (1..n).rev() {
            let j = ((seed >> (i % 32)) as usize ^ i.wrapping_mul(2654435761)) % (i + 1);
            bids.swap(i, j);
        }
        let r2 = ok(&shuffled);
        prop_assert_eq!(&r1.winner, &r2.winner);
        prop_assert_eq!(&r1.inputs_sha256, &r2.inputs_sha256);
        prop_assert_eq!(per_bid(&r1), per_bid(&r2));
        prop_assert_eq!(to_json(&r1), to_json(&r2));
    }

    #[test]
    fn scaling_every_price_keeps_the_weighted_sum_ranking(raw in raw(8), k in prop::sample::select(vec!["2", "10", "0.5", "3", "1000", "0.07"])) {
        let v = build(&raw, false, true);
        let mut scaled = v.clone();
        for b in scaled["bids"].as_array_mut().unwrap() {
            let p = d(b["price"].as_str().unwrap()) * d(k);
            b["price"] = json!(p.to_string());
        }
        let ranks = |r: &EvaluationResult<'_>| -> BTreeMap<String, Option<u32>> {
            r.results.iter().map(|b| (b.bid_id.to_string(), b.rank)).collect()
        };
        let (r1, r2) = (ok(&v), ok(&scaled));
        prop_assert_eq!(ranks(&r1), ranks(&r2));
        prop_assert_eq!(r1.winner, r2.winner);
    }

    #[test]
    fn absolute_criteria_do_not_depend_on_other_bids(raw in raw(6)) {
        let v = build(&raw, true, false);
        let all = ok(&v);
        let mut alone = v.clone();
        let first = alone["bids"][0].clone();
        alone["bids"] = json!([first]);
        let alone = ok(&alone);
        let (a, b) = (bid(&all, "bid-00"), bid(&alone, "bid-00"));
        prop_assert_eq!(&a.disqualification_reasons, &b.disqualification_reasons);
        for (x, y) in a.criteria.iter().zip(&b.criteria) {
            let absolute = x.kind == CriterionType::Quality
                || (x.kind == CriterionType::SocialValue && x.input.social_value.is_none());
            if absolute {
                prop_assert_eq!(x.fraction, y.fraction);
                prop_assert_eq!(x.points, y.points);
                prop_assert_eq!(x.explanation().to_string(), y.explanation().to_string());
            }
        }
        prop_assert_eq!(serde_json::to_value(&a.social_value).unwrap(), serde_json::to_value(&b.social_value).unwrap());
    }

    #[test]
    fn inputs_sha256_is_stable_under_key_order_and_number_spelling(raw in raw(5)) {
        let v = build(&raw, true, false);
        let r1 = ok(&v);
        // Round-trip through the typed request, then write keys in reverse order, numbers bare.
        let typed = serde_json::to_value(parse(&v)).unwrap();
        let mut text = String::new();
        write_shuffled(&typed, None, false, &mut text);
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        let r2 = ok(&reparsed);
        prop_assert_eq!(&r1.inputs_sha256, &r2.inputs_sha256);
        prop_assert_eq!(to_json(&r1), to_json(&r2));
    }
}

use super::super::decimal::key20;

/// The exact decimal of `num ÷ den` (positive integers), when it terminates within 28 places and
/// 28 significant digits: the oracle of "Version 1.1", computed in integers, not by the engine.
fn terminating(num: i128, den: i128) -> Option<Decimal> {
    let (mut rest, mut places) = (den, 0u32);
    for factor in [2, 5] {
        while rest % factor == 0 {
            rest /= factor;
        }
    }
    if rest != 1 {
        return None;
    }
    let mut scaled = num;
    while scaled % den != 0 {
        scaled = scaled.checked_mul(10)?;
        places += 1;
    }
    let mantissa = scaled / den;
    (places <= 28 && mantissa.unsigned_abs() < 10u128.pow(28))
        .then(|| Decimal::try_from_i128_with_scale(mantissa, places).ok())
        .flatten()
}

/// A lowest price and a dearer one (in pence, at most 12 significant digits), often a whole
/// multiple of it so that `weight × lowest ÷ price` terminates (60 × 1 ÷ 3 = 20).
fn two_prices() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![
        (1i64..10_000_000, 1i64..=40).prop_map(|(low, k)| (low, low * k)),
        (1i64..100_000_000_000, 1i64..100_000_000_000).prop_map(|(a, b)| (a.min(b), a.max(b))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn points_whose_rational_value_terminates_are_exact(weight in 1u32..=99, (low, high) in two_prices()) {
        let pounds = |pence: i64| (Decimal::from(pence) / Decimal::ONE_HUNDRED).to_string();
        let v = json!({
            "scheme": {"authority_type": "other", "criteria": [
                {"id": "p", "type": "price", "weight": weight.to_string(), "price_method": "lowest_relative"},
                {"id": "q", "type": "quality", "weight": (100 - weight).to_string(), "scale": {"min": "0", "max": "10"}}
            ]},
            "measures": [],
            "bids": [
                {"id": "low", "price": pounds(low), "submitted_at": "2026-03-01T12:00:00Z", "marks": {"q": "0"}},
                {"id": "high", "price": pounds(high), "submitted_at": "2026-03-01T12:00:00Z", "marks": {"q": "0"}}
            ]
        });
        let r = ok(&v);
        let points = crit(bid(&r, "high"), "p").points.unwrap();
        if let Some(exact) = terminating(i128::from(weight) * i128::from(low), i128::from(high)) {
            prop_assert_eq!(points, exact, "{} × {} ÷ {}", weight, low, high);
            prop_assert_eq!(points.normalize().to_string(), exact.normalize().to_string());
        }
    }

    #[test]
    fn total_is_the_exact_sum_of_points(raw in raw(8)) {
        let r = ok(&build(&raw, true, false));
        for b in r.results.iter().filter(|b| b.status == BidStatus::Qualified) {
            let points: Vec<Decimal> = b.criteria.iter().map(|c| c.points.unwrap()).collect();
            let scale = points.iter().map(Decimal::scale).max().unwrap_or(0);
            let exact: i128 = points
                .iter()
                .map(|p| p.mantissa() * 10i128.pow(scale - p.scale()))
                .sum();
            let total = b.total.unwrap();
            match Decimal::try_from_i128_with_scale(exact, scale) {
                // It fits: the total is that sum, to the last digit.
                Ok(sum) => prop_assert_eq!(total, sum, "{:?}", points),
                // Beyond 28 digits: rounded once, to the places the total kept.
                Err(_) => {
                    let unit = 10i128.pow(scale - total.scale());
                    let at_scale = total.mantissa() * unit;
                    prop_assert!((at_scale - exact).abs() * 2 <= unit, "{} vs {:?}", total, points);
                }
            }
        }
    }

    #[test]
    fn tie_broken_appears_exactly_when_an_equal_key_is_ranked_apart(raw in raw(8)) {
        let r = ok(&build(&raw, true, false));
        let qualified: Vec<&BidResult> = r.results.iter().filter(|b| b.status == BidStatus::Qualified).collect();
        for b in &qualified {
            let ranked_apart = qualified.iter().any(|c| {
                c.bid_id != b.bid_id && key20(c.total.unwrap()) == key20(b.total.unwrap()) && c.rank != b.rank
            });
            let flagged = b.flags.iter().any(|f| f.code == FlagCode::TieBroken);
            prop_assert_eq!(flagged, ranked_apart, "{}: {:?}", b.bid_id, b.flags);
        }
    }
}
