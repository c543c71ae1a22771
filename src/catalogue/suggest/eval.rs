//! Accuracy on the labelled commitments (`tests/fixtures/mapping/commitments.jsonl`) against the
//! built-in `socval-sample` measure set, read through the real catalogue API.
//!
//! `cargo test suggest::eval -- --nocapture` prints top-1 and top-3; `-- --ignored` also runs the
//! sweep that chose [`Params::DEFAULT`].

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::*;
use crate::catalogue::builtin;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    expected: String,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mapping/commitments.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)))
        .collect()
}

fn sample_docs() -> Vec<SuggestDoc> {
    builtin()
        .measure_set("socval-sample")
        .expect("the built-in sample measure set")
        .measures
        .iter()
        .map(SuggestDoc::from)
        .collect()
}

struct Accuracy {
    total: usize,
    top1: usize,
    top3: usize,
    /// Sum of 1 / rank of the expected measure over every case (0 when not suggested).
    reciprocal_ranks: Decimal,
    misses: Vec<String>,
}

impl Accuracy {
    fn percent(hits: usize, total: usize) -> Decimal {
        (Decimal::from(hits) * Decimal::ONE_HUNDRED / Decimal::from(total)).round_dp(1)
    }
}

fn measure<'a>(s: &Suggester, cases: impl IntoIterator<Item = &'a Case>) -> Accuracy {
    let mut acc = Accuracy {
        total: 0,
        top1: 0,
        top3: 0,
        reciprocal_ranks: Decimal::ZERO,
        misses: Vec::new(),
    };
    for c in cases {
        acc.total += 1;
        let all = s.suggest(&c.text, s.len());
        let rank = all.iter().position(|g| g.code == c.expected);
        if let Some(r) = rank {
            acc.reciprocal_ranks += Decimal::ONE / Decimal::from(r + 1);
        }
        let rank = rank.filter(|&r| r < 3);
        let got = all.get(..3).unwrap_or(&all);
        if rank == Some(0) {
            acc.top1 += 1;
        }
        if rank.is_some() {
            acc.top3 += 1;
        }
        if rank != Some(0) {
            let top: Vec<String> = got
                .iter()
                .map(|g| format!("{} {}", g.code, g.score))
                .collect();
            acc.misses.push(format!(
                "  {:?} [{}] expected {} got {:?}",
                c.text,
                rank.map_or("-".to_string(), |r| (r + 1).to_string()),
                c.expected,
                top
            ));
        }
    }
    acc
}

#[test]
fn the_evaluation_set_is_large_labelled_with_sample_codes_and_spread_over_every_measure() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} commitments", cases.len());
    let mut per_code: BTreeMap<String, usize> =
        sample_docs().into_iter().map(|d| (d.code, 0)).collect();
    for c in &cases {
        *per_code
            .get_mut(&c.expected)
            .unwrap_or_else(|| panic!("{} is not a sample measure", c.expected)) += 1;
    }
    for (code, n) in per_code {
        assert!(n >= 4, "{code} has only {n} commitments");
    }
}

#[test]
fn suggests_the_labelled_measure_in_the_top_3_for_at_least_70_percent_of_commitments() {
    let cases = cases();
    let acc = measure(&Suggester::new(sample_docs()), &cases);
    println!(
        "mapping suggestions on {} commitments: top-1 {}/{} = {}%, top-3 {}/{} = {}%",
        acc.total,
        acc.top1,
        acc.total,
        Accuracy::percent(acc.top1, acc.total),
        acc.top3,
        acc.total,
        Accuracy::percent(acc.top3, acc.total),
    );
    println!("not first:\n{}", acc.misses.join("\n"));
    assert!(
        acc.top3 * 10 >= acc.total * 7,
        "top-3 accuracy {}% is below 70%",
        Accuracy::percent(acc.top3, acc.total)
    );
}

/// The measurements behind [`Params::DEFAULT`] and the synonym design.
#[test]
#[ignore = "a parameter sweep for tuning; run with --ignored --nocapture"]
fn sweep() {
    let cases = cases();
    let d = Params::DEFAULT;
    let dec = |s: &str| s.parse::<Decimal>().unwrap();
    let mut variants: Vec<(String, Params, bool)> = vec![
        ("default".into(), d, true),
        ("no synonyms".into(), d, false),
        (
            "synonyms term→expansion only".into(),
            Params {
                reverse_synonyms: false,
                ..d
            },
            true,
        ),
    ];
    for w in ["1", "1.5", "2", "3", "5"] {
        variants.push((format!("name {w}"), Params { name: dec(w), ..d }, true));
    }
    for w in ["0.25", "0.5", "0.75", "1"] {
        variants.push((
            format!("synonyms {w}"),
            Params {
                synonyms: dec(w),
                ..d
            },
            true,
        ));
    }
    for w in ["0.25", "0.5", "1"] {
        variants.push((format!("unit {w}"), Params { unit: dec(w), ..d }, true));
    }
    for w in ["0.25", "0.5", "1"] {
        variants.push((
            format!("bigram {w}"),
            Params {
                bigram: dec(w),
                ..d
            },
            true,
        ));
    }
    for k in ["0.6", "0.9", "1.2", "1.6", "2"] {
        variants.push((format!("k1 {k}"), Params { k1: dec(k), ..d }, true));
    }
    for b in ["0", "0.25", "0.5", "0.75", "1"] {
        variants.push((format!("b {b}"), Params { b: dec(b), ..d }, true));
    }
    for (name, syn, bigram) in [
        ("1", "1", "0"),
        ("1.5", "1", "0"),
        ("1.5", "0.75", "0"),
        ("1", "1", "0.5"),
        ("2", "1", "0.5"),
        ("1.5", "1", "0.5"),
    ] {
        variants.push((
            format!("name {name} synonyms {syn} bigram {bigram}"),
            Params {
                name: dec(name),
                synonyms: dec(syn),
                bigram: dec(bigram),
                ..d
            },
            true,
        ));
    }
    let none = Synonyms::default();
    for (label, params, with_synonyms) in variants {
        let syn = if with_synonyms {
            synonyms::builtin()
        } else {
            &none
        };
        let suggester = Suggester::with(sample_docs(), syn, &params);
        let line = |acc: Accuracy| {
            format!(
                "top-1 {:>5}% top-3 {:>5}% MRR {:.4}",
                Accuracy::percent(acc.top1, acc.total),
                Accuracy::percent(acc.top3, acc.total),
                (acc.reciprocal_ranks / Decimal::from(acc.total)).round_dp(4)
            )
        };
        println!(
            "{label:40} all: {} | odd lines: {} | even lines: {}",
            line(measure(&suggester, &cases)),
            line(measure(&suggester, cases.iter().step_by(2))),
            line(measure(&suggester, cases.iter().skip(1).step_by(2))),
        );
    }
}
