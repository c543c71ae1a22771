//! From computed scores to the result document: ranks, winner, warnings, flags, per-bid results.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::ENGINE_VERSION;
use super::codes::{Flag, Warning, WarningCode};
use super::decimal::{Display2, approx};
use super::engine::{BidWork, Keys};
use super::flags::{self, Separated};
use super::model::Method;
use super::plan::{Ctx, Plan, PreparedBid};
use super::rank::{self, RankKey};
use super::result::{
    BidResult, BidStatus, EvaluationResult, OutcomeValue, SocialValueSummary, Subtotals,
};
use super::sum::Acc;

pub(crate) fn result<'a>(
    ctx: &Ctx<'a>,
    plan: &Plan<'a>,
    mut prepared: Vec<PreparedBid<'a>>,
    work: Vec<BidWork<'a>>,
    keys: &Keys,
    inputs_sha256: String,
) -> EvaluationResult<'a> {
    let bids: &'a [crate::scoring::model::Bid] = ctx.bids.unwrap_or_default();
    let ids: Vec<&'a str> = bids.iter().map(|b| b.id.as_str()).collect();
    let qualified: Vec<usize> = work
        .iter()
        .enumerate()
        .filter(|(_, w)| w.qualified)
        .map(|(i, _)| i)
        .collect();
    let rank_keys: Vec<RankKey> = keys
        .keys
        .iter()
        .map(|k| {
            k.unwrap_or(RankKey {
                primary: Decimal::ZERO,
                social_value: Decimal::ZERO,
                quality: Decimal::ZERO,
                price: Decimal::ZERO,
                submitted_at: chrono::DateTime::UNIX_EPOCH.fixed_offset(),
            })
        })
        .collect();
    let ranked = rank::rank(plan.method, &plan.tie_break, &qualified, &rank_keys, &ids);

    let mut warnings = plan.warnings.clone();
    let leaders: Vec<&'a str> = ranked
        .iter()
        .filter(|r| r.1 == 1)
        .filter_map(|r| ids.get(r.0).copied())
        .collect();
    let winner = match leaders.as_slice() {
        [] => {
            warnings.push(Warning {
                code: WarningCode::NoQualifiedBids,
                message: "no bid qualified: there is no winner".to_string(),
            });
            None
        }
        [one] => Some(*one),
        many => {
            warnings.push(Warning {
                code: WarningCode::WinnerUndetermined,
                message: format!(
                    "bids {} share rank 1 after every tie-break step: a person must decide",
                    many.join(", ")
                ),
            });
            None
        }
    };

    // Flags of the qualified bids.
    let prices: Vec<Decimal> = qualified
        .iter()
        .filter_map(|&i| prepared.get(i).map(|p| p.price))
        .collect();
    let means = flags::mean_of_others(&prices);
    let mut bid_flags: Vec<Vec<Flag>> = vec![Vec::new(); work.len()];
    for (&i, mean) in qualified.iter().zip(means) {
        let (Some(pb), Some(fl)) = (prepared.get(i), bid_flags.get_mut(i)) else {
            continue;
        };
        fl.extend(flags::abnormally_low(
            ctx.currency,
            pb.price,
            mean,
            plan.alt_threshold,
        ));
        fl.extend(flags::social_value_high(
            pb.sv_percent,
            plan.sv_outlier_percent,
        ));
    }
    let mut by_rank: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for r in ranked.iter().filter(|r| r.2) {
        by_rank
            .entry(r.1)
            .or_default()
            .extend(ids.get(r.0).copied());
    }
    for &(i, rank, tied) in &ranked {
        if !tied {
            continue;
        }
        let me = ids.get(i).copied().unwrap_or_default();
        let others: Vec<&str> = by_rank
            .get(&rank)
            .map(|v| v.iter().copied().filter(|id| *id != me).collect())
            .unwrap_or_default();
        if let Some(fl) = bid_flags.get_mut(i) {
            fl.push(flags::tie_unresolved(rank, &others));
        }
    }
    tie_broken_flags(plan, &ranked, &rank_keys, &ids, &mut bid_flags);
    discrepancy_flags(ctx, plan, &work, &mut bid_flags);

    // Result order: qualified by rank then id, then disqualified by id.
    let mut order: Vec<(usize, Option<u32>)> = ranked.iter().map(|r| (r.0, Some(r.1))).collect();
    let mut out_of_rank: Vec<usize> = work
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.qualified)
        .map(|(i, _)| i)
        .collect();
    out_of_rank.sort_by(|&a, &b| {
        let id = |i: usize| ids.get(i).map(|s| s.as_bytes());
        id(a).cmp(&id(b))
    });
    order.extend(out_of_rank.into_iter().map(|i| (i, None)));

    let mut work: Vec<Option<BidWork<'a>>> = work.into_iter().map(Some).collect();
    let mut outcome_sums: Vec<Option<Acc>> = vec![None; plan.outcomes.len()];
    let results = order
        .into_iter()
        .filter_map(|(i, rank)| {
            let w = work.get_mut(i)?.take()?;
            let pb = prepared.get_mut(i)?;
            let bid = bids.get(i)?;
            let fl = bid_flags.get_mut(i).map(std::mem::take).unwrap_or_default();
            let ppqp = keys.ppqp.get(i).copied().flatten();
            Some(bid_result(
                plan,
                pb,
                &bid.id,
                w,
                rank,
                ppqp,
                fl,
                &mut outcome_sums,
            ))
        })
        .collect();

    EvaluationResult {
        engine_version: ENGINE_VERSION,
        inputs_sha256,
        method: plan.method,
        winner,
        warnings,
        results,
    }
}

/// `tie_broken` for each qualified bid whose ranking key equals that of a bid ranked apart from it
/// by the tie-break chain (`ranked` is in rank order, so equal keys are neighbours).
fn tie_broken_flags(
    plan: &Plan<'_>,
    ranked: &[(usize, u32, bool)],
    keys: &[RankKey],
    ids: &[&str],
    bid_flags: &mut [Vec<Flag>],
) {
    let primary = |i: usize| keys.get(i).map(|k| k.primary);
    for group in ranked.chunk_by(|a, b| primary(a.0) == primary(b.0)) {
        for &(i, rank, _) in group {
            let Some(mine) = keys.get(i) else { continue };
            let separated: Vec<Separated<'_>> = group
                .iter()
                .filter(|other| other.1 != rank)
                .filter_map(|&(j, other_rank, _)| {
                    Some(Separated {
                        other: ids.get(j)?,
                        step: rank::separating_step(&plan.tie_break, mine, keys.get(j)?)?,
                        above: rank < other_rank,
                    })
                })
                .collect();
            if separated.is_empty() {
                continue;
            }
            let key = match plan.method {
                Method::WeightedSum => format!("total {}", approx(mine.primary, 2).0),
                Method::PricePerQualityPoint => {
                    format!("price per quality point {}", approx(mine.primary, 2).0)
                }
            };
            if let Some(flags) = bid_flags.get_mut(i) {
                flags.push(flags::tie_broken(&key, &separated));
            }
        }
    }
}

fn discrepancy_flags(
    ctx: &Ctx<'_>,
    plan: &Plan<'_>,
    work: &[BidWork<'_>],
    bid_flags: &mut [Vec<Flag>],
) {
    if ctx.evaluator_marks.is_empty() {
        return;
    }
    let bids = ctx.bids.unwrap_or_default();
    let bid_index: BTreeMap<&str, usize> = bids
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.as_str(), i))
        .collect();
    let crit_index: BTreeMap<&str, usize> = plan
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    for em in ctx.evaluator_marks {
        let (Some(&b), Some(&c)) = (
            bid_index.get(em.bid_id.as_str()),
            crit_index.get(em.criterion_id.as_str()),
        ) else {
            continue;
        };
        let qualified = work.get(b).is_some_and(|w| w.qualified);
        let rule = plan.criteria.get(c).and_then(|c| c.mark.as_ref());
        if let (true, Some(rule), Some(fl)) = (qualified, rule, bid_flags.get_mut(b)) {
            fl.extend(flags::marks_discrepancy(
                &em.criterion_id,
                rule.min,
                rule.max,
                &em.marks,
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bid_result<'a>(
    plan: &Plan<'a>,
    pb: &mut PreparedBid<'a>,
    id: &'a str,
    w: BidWork<'a>,
    rank: Option<u32>,
    ppqp: Option<Decimal>,
    flags: Vec<Flag>,
    outcome_sums: &mut [Option<Acc>],
) -> BidResult<'a> {
    let qualified = w.qualified;
    let by_measure = std::mem::take(&mut pb.commitments);
    let mut touched = 0usize;
    for mv in &by_measure {
        for &o in plan
            .measures
            .get(mv.index as usize)
            .map_or(&[][..], |pm| &pm.outcomes)
        {
            if let Some(slot) = outcome_sums.get_mut(o as usize) {
                touched += usize::from(slot.is_none());
                slot.get_or_insert(Acc::ZERO).add(mv.value);
            }
        }
    }
    let mut by_outcome = Vec::with_capacity(touched);
    by_outcome.extend(
        plan.outcomes
            .iter()
            .zip(outcome_sums.iter_mut())
            .filter_map(|(code, slot)| {
                // Subset sums of the bid's total, which fits: `value()` is always `Some`.
                slot.take().map(|acc| OutcomeValue {
                    outcome: code,
                    value: acc.value().unwrap_or_default(),
                })
            }),
    );

    let ppqp = match plan.method {
        Method::WeightedSum => None,
        Method::PricePerQualityPoint => Some(ppqp.filter(|_| qualified)),
    };
    BidResult {
        bid_id: id,
        status: if qualified {
            BidStatus::Qualified
        } else {
            BidStatus::Disqualified
        },
        rank: rank.filter(|_| qualified),
        disqualification_reasons: w.reasons,
        total: w.total,
        total_display: w.total.map(Display2),
        ppqp_display: ppqp.map(|p| p.map(Display2)),
        ppqp,
        subtotals: Subtotals {
            price: w.sub_price,
            quality: w.sub_quality,
            social_value: w.sub_sv,
        },
        social_value: SocialValueSummary {
            value: pb.sv_total,
            percent_of_price: pb.sv_percent,
            by_measure,
            by_outcome,
        },
        criteria: w.criteria,
        flags: if qualified { flags } else { Vec::new() },
    }
}
