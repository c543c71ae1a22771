//! The computation of scoring.md over a validated, resolved request.
//!
//! Order: absolute parts and knockouts for every bid; then, over the qualified bids, the relative
//! parts (price, `relative_to_highest` social value) and totals; under `price_per_quality_point` a bid
//! left with no quality points is disqualified and the relative parts are recomputed without it.
//! Then ranking, flags, warnings and the result.

use rust_decimal::Decimal;

use super::assemble;
use super::canonical;
use super::codes::{DisqualificationReason, ErrorCode, Issue, ReasonCode, Rejection};
use super::decimal::key20;
use super::explain::{Dq, Why};
use super::model::{CriterionType, Method};
use super::plan::{Ctx, MarkRule, Plan, PlanCriterion, PreparedBid};
use super::price::{self, PriceStats};
use super::rank::RankKey;
use super::ratio::{Ratio, Score};
use super::result::{CriterionInput, CriterionResult, EvaluationResult};
use super::social_value::{mark_ratio, quant_ratio};
use super::sum::Acc;

/// Working state of one bid.
pub(crate) struct BidWork<'a> {
    pub criteria: Vec<CriterionResult<'a>>,
    pub reasons: Vec<DisqualificationReason>,
    /// Index of the first knockout criterion failed.
    pub first_knockout: Option<usize>,
    pub qualified: bool,
    pub sub_price: Option<Decimal>,
    pub sub_quality: Option<Decimal>,
    pub sub_sv: Option<Decimal>,
    /// Weighted sum: all points; price per quality point: the non-price points.
    pub total: Option<Decimal>,
}

/// Evaluation-wide figures over the qualified bids.
pub(crate) struct Stats {
    pub price: Option<PriceStats>,
    /// Highest criterion SV£ per criterion (zero where not relative).
    pub max_sv: Vec<Decimal>,
}

/// What a mark gives, remembered per criterion: marks repeat (levels), a division is dear, and
/// the answer is the same whichever bid asks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MarkScore {
    /// `(mark − min) ÷ (max − min)`.
    pub fraction: Decimal,
    /// The mark's part of the criterion's score: all of it, or for a mixed criterion the
    /// qualitative share, folded in before the one division.
    pub part: Score,
}

struct MarkMemo(Vec<Vec<((i128, u32), MarkScore)>>);

impl MarkMemo {
    const CAPACITY: usize = 16;

    fn score(
        &mut self,
        criterion: usize,
        pc: &PlanCriterion<'_>,
        rule: &MarkRule,
        mark: Decimal,
    ) -> MarkScore {
        // The exact representation (mantissa and scale) is the key: `5` and `5.0` are cached apart.
        let key = (mark.mantissa(), mark.scale());
        let Some(cache) = self.0.get_mut(criterion) else {
            return mark_score(pc, rule, mark);
        };
        if let Some(&(_, score)) = cache.iter().find(|(k, _)| *k == key) {
            return score;
        }
        let score = mark_score(pc, rule, mark);
        if cache.len() < Self::CAPACITY {
            cache.push((key, score));
        }
        score
    }
}

fn mark_score(pc: &PlanCriterion<'_>, rule: &MarkRule, mark: Decimal) -> MarkScore {
    let ratio = mark_ratio(rule, mark);
    match pc.split {
        Some((qualitative, _)) => MarkScore {
            fraction: ratio.value(),
            part: Score::of(ratio.share(qualitative), pc.weight),
        },
        None => {
            let part = Score::of(ratio, pc.weight);
            MarkScore {
                fraction: part.fraction,
                part,
            }
        }
    }
}

pub(crate) fn compute<'a>(
    ctx: &Ctx<'a>,
    plan: &Plan<'a>,
    prepared: Vec<PreparedBid<'a>>,
) -> Result<EvaluationResult<'a>, Rejection> {
    let mut memo = MarkMemo(vec![Vec::new(); plan.criteria.len()]);
    let mut sums = Vec::with_capacity(plan.criteria.len());
    let mut work: Vec<BidWork<'a>> = prepared
        .iter()
        .map(|pb| absolute(ctx, plan, pb, &mut memo, &mut sums))
        .collect();
    loop {
        let stats = stats(plan, &prepared, &work);
        for (w, pb) in work.iter_mut().zip(&prepared) {
            relative(plan, pb, w, &stats);
        }
        if plan.method == Method::WeightedSum || !drop_no_quality_points(&mut work) {
            break;
        }
    }
    for w in work.iter_mut().filter(|w| !w.qualified) {
        let cause = match w.first_knockout.and_then(|i| plan.criteria.get(i)) {
            Some(c) => Dq::Knockout(c.id),
            None => Dq::NoQualityPoints,
        };
        for cr in w.criteria.iter_mut().filter(|cr| cr.fraction.is_none()) {
            cr.why.dq = Some(cause);
        }
    }
    let keys = rank_keys(plan, &prepared, &work)?;
    let sha = canonical::sha256_hex(&canonical::encode(ctx, plan, &prepared));
    Ok(assemble::result(ctx, plan, prepared, work, &keys, sha))
}

/// Marks, knockouts and each criterion's SV£: everything that does not depend on other bids.
fn absolute<'a>(
    ctx: &Ctx<'a>,
    plan: &Plan<'a>,
    pb: &PreparedBid<'a>,
    memo: &mut MarkMemo,
    sums: &mut Vec<Acc>,
) -> BidWork<'a> {
    let mut criteria: Vec<CriterionResult<'a>> = plan
        .criteria
        .iter()
        .zip(&ctx.scheme.criteria)
        .map(|(pc, c)| {
            let target = pc.quant.as_ref().is_some_and(|q| !q.is_relative());
            CriterionResult {
                criterion_id: pc.id,
                kind: pc.kind,
                weight: pc.weight,
                input: CriterionInput {
                    price: (pc.price.is_some() || target).then_some(pb.price),
                    mark: None,
                    social_value: pc.quant.as_ref().map(|_| Decimal::ZERO),
                },
                fraction: None,
                points: None,
                why: Why::new(c, ctx.currency),
            }
        })
        .collect();
    sums.clear();
    sums.resize(criteria.len(), Acc::ZERO);
    for mv in &pb.commitments {
        for &c in plan
            .measures
            .get(mv.index as usize)
            .map_or(&[][..], |pm| &pm.criteria)
        {
            if let Some(acc) = sums.get_mut(c as usize) {
                acc.add(mv.value);
            }
        }
    }
    for (cr, acc) in criteria.iter_mut().zip(sums.iter()) {
        if let Some(sv) = cr.input.social_value.as_mut() {
            // A criterion's SV£ sums some of the bid's non-negative values, so it is at most their
            // total, which validation computed: it always fits.
            *sv = acc.value().unwrap_or_default();
        }
    }
    let mut reasons = Vec::new();
    let mut first_knockout = None;
    for (i, ((pc, cr), mark)) in plan
        .criteria
        .iter()
        .zip(&mut criteria)
        .zip(&pb.marks)
        .enumerate()
    {
        let (Some(rule), Some(mark)) = (&pc.mark, *mark) else {
            continue;
        };
        cr.input.mark = Some(mark);
        let score = memo.score(i, pc, rule, mark);
        cr.why.f_qual = Some(score.fraction);
        cr.why.mark_part = Some(score.part);
        if let Some(pass) = rule.pass_mark
            && rule.knockout
            && mark < pass
        {
            cr.why.failed_knockout = true;
            first_knockout = first_knockout.or(Some(i));
            reasons.push(DisqualificationReason {
                code: ReasonCode::KnockoutFailed,
                criterion_id: Some(pc.id.to_string()),
                message: format!(
                    "mark {} on {} is below the pass mark of {} (knockout)",
                    mark.normalize(),
                    pc.id,
                    pass.normalize()
                ),
            });
        }
    }
    BidWork {
        criteria,
        qualified: reasons.is_empty(),
        reasons,
        first_knockout,
        sub_price: None,
        sub_quality: None,
        sub_sv: None,
        total: None,
    }
}

fn stats(plan: &Plan<'_>, prepared: &[PreparedBid<'_>], work: &[BidWork<'_>]) -> Stats {
    let has_price = plan.criteria.iter().any(|c| c.price.is_some());
    let relative: Vec<usize> = plan
        .criteria
        .iter()
        .enumerate()
        .filter(|(_, c)| c.quant.as_ref().is_some_and(|q| q.is_relative()))
        .map(|(i, _)| i)
        .collect();
    let mut price: Option<PriceStats> = None;
    let mut max_sv = vec![Decimal::ZERO; plan.criteria.len()];
    for (w, pb) in work.iter().zip(prepared).filter(|(w, _)| w.qualified) {
        if has_price {
            let p = pb.price;
            price = Some(match price {
                None => PriceStats { min: p, max: p },
                Some(s) => PriceStats {
                    min: s.min.min(p),
                    max: s.max.max(p),
                },
            });
        }
        for &i in &relative {
            let sv = w.criteria.get(i).and_then(|cr| cr.input.social_value);
            if let (Some(sv), Some(max)) = (sv, max_sv.get_mut(i))
                && sv > *max
            {
                *max = sv;
            }
        }
    }
    Stats { price, max_sv }
}

/// Fractions, points and sums of one bid, given the qualified bids' figures.
fn relative(plan: &Plan<'_>, pb: &PreparedBid<'_>, w: &mut BidWork<'_>, stats: &Stats) {
    let qualified = w.qualified;
    // `None` once a criterion of that type is not scored.
    let (mut price, mut quality, mut sv) = (Some(Acc::ZERO), Some(Acc::ZERO), Some(Acc::ZERO));
    // Σ points (weighted sum) or Σ non-price points (ppqp) in one exact sum, rounded once at the
    // end if ever (scoring.md, "Version 1.1"), not the sum of rounded subtotals.
    let mut total = Some(Acc::ZERO);
    let in_total = |kind| plan.method == Method::WeightedSum || kind != CriterionType::Price;
    for ((pc, cr), max_sv) in plan.criteria.iter().zip(&mut w.criteria).zip(&stats.max_sv) {
        let score = criterion_score(pc, pb, cr, qualified, stats.price, *max_sv);
        cr.fraction = score.map(|s| s.fraction);
        cr.points = score.map(|s| s.points);
        let sum = match pc.kind {
            CriterionType::Price => &mut price,
            CriterionType::Quality => &mut quality,
            CriterionType::SocialValue => &mut sv,
        };
        for sum in [Some(sum), in_total(pc.kind).then_some(&mut total)]
            .into_iter()
            .flatten()
        {
            match (sum.as_mut(), cr.points) {
                (Some(acc), Some(p)) => acc.add(p),
                _ => *sum = None,
            }
        }
    }
    // Points sum to at most 100: the values always fit.
    w.sub_price = price.and_then(Acc::value);
    w.sub_quality = quality.and_then(Acc::value);
    w.sub_sv = sv.and_then(Acc::value);
    w.total = total.and_then(Acc::value).filter(|_| qualified);
}

/// A criterion's fraction and points for one bid, each with one division (scoring.md, "Version
/// 1.1"); `None` where the criterion is not scored (a relative part of a disqualified bid).
fn criterion_score(
    pc: &PlanCriterion<'_>,
    pb: &PreparedBid<'_>,
    cr: &mut CriterionResult<'_>,
    qualified: bool,
    price_stats: Option<PriceStats>,
    max_sv: Decimal,
) -> Option<Score> {
    if let Some(rule) = &pc.price {
        let stats = price_stats.filter(|_| qualified)?;
        let pf = price::fraction(rule, pb.price, stats);
        cr.why.low = Some(stats.min);
        cr.why.high = Some(stats.max);
        cr.why.percent = pf.above;
        cr.why.band = u16::try_from(pf.band).unwrap_or(u16::MAX);
        cr.why.beyond_last_band = pf.beyond_last_band;
        return Some(Score::of(pf.ratio, pc.weight));
    }
    let quant: Option<Ratio> = match &pc.quant {
        Some(rule) if rule.is_relative() && !qualified => None,
        Some(rule) => {
            let sv = cr.input.social_value.unwrap_or_default();
            let (ratio, percent) = quant_ratio(rule, sv, pb.price, max_sv);
            cr.why.percent = percent;
            cr.why.high = Some(max_sv);
            Some(ratio)
        }
        None => None,
    };
    // Cleared first: the relative step runs again after a bid is disqualified (ppqp).
    cr.why.f_quant = None;
    match (pc.mark.is_some(), pc.quant.is_some(), pc.split) {
        (true, true, Some((_, quantitative))) => {
            let quant = quant?;
            cr.why.f_quant = Some(quant.value());
            Some(
                cr.why
                    .mark_part?
                    .plus(Score::of(quant.share(quantitative), pc.weight)),
            )
        }
        (true, false, _) => cr.why.mark_part,
        (false, true, _) => {
            // The fraction shown is the score's own: one division, not two.
            let score = Score::of(quant?, pc.weight);
            cr.why.f_quant = Some(score.fraction);
            Some(score)
        }
        _ => None,
    }
}

/// Disqualify qualified bids whose quality points are 0 (at 20 places). Returns whether any was.
fn drop_no_quality_points(work: &mut [BidWork<'_>]) -> bool {
    let mut changed = false;
    for w in work.iter_mut().filter(|w| w.qualified) {
        if key20(w.total.unwrap_or_default()).is_zero() {
            w.qualified = false;
            w.total = None;
            w.reasons.push(DisqualificationReason {
                code: ReasonCode::NoQualityPoints,
                criterion_id: None,
                message: "the bid has no quality points, so its price per quality point cannot be computed"
                    .to_string(),
            });
            changed = true;
        }
    }
    changed
}

/// Ranking keys of the qualified bids (`None` for the others), and each one's exact ppqp.
pub(crate) struct Keys {
    pub keys: Vec<Option<RankKey>>,
    pub ppqp: Vec<Option<Decimal>>,
}

fn rank_keys(plan: &Plan, prepared: &[PreparedBid], work: &[BidWork]) -> Result<Keys, Rejection> {
    let mut keys = Vec::with_capacity(work.len());
    let mut ppqps = Vec::with_capacity(work.len());
    let mut errors = Vec::new();
    for (i, (w, pb)) in work.iter().zip(prepared).enumerate() {
        let Some(total) = w.total.filter(|_| w.qualified) else {
            keys.push(None);
            ppqps.push(None);
            continue;
        };
        let (primary, ppqp) = match plan.method {
            Method::WeightedSum => (at_scale(key20(total), 20), None),
            Method::PricePerQualityPoint => match pb.price.checked_div(key20(total)) {
                Some(ppqp) => (
                    at_scale(super::decimal::round_half_up(ppqp, 12), 12),
                    Some(ppqp),
                ),
                None => {
                    errors.push(Issue::new(
                        format!("/bids/{i}/price"),
                        ErrorCode::ValueOutOfRange,
                        "price ÷ quality points is too large to compute exactly",
                    ));
                    (Decimal::ZERO, None)
                }
            },
        };
        keys.push(Some(RankKey {
            primary,
            social_value: at_scale(key20(w.sub_sv.unwrap_or_default()), 20),
            quality: at_scale(key20(w.sub_quality.unwrap_or_default()), 20),
            price: at_scale(key20(pb.price), 20),
            submitted_at: pb.submitted_at,
        }));
        ppqps.push(ppqp);
    }
    if !errors.is_empty() {
        return Err(Rejection {
            errors,
            warnings: plan.warnings.clone(),
        });
    }
    Ok(Keys { keys, ppqp: ppqps })
}

/// The same value written with exactly `scale` places when that fits (it then compares with
/// other keys without rescaling, which makes sorting cheaper); otherwise unchanged. Either way
/// it compares equal to `d`.
fn at_scale(d: Decimal, scale: u32) -> Decimal {
    let Some(factor) = scale
        .checked_sub(d.scale())
        .and_then(|k| 10i128.checked_pow(k))
    else {
        return d;
    };
    d.mantissa()
        .checked_mul(factor)
        .filter(|m| m.unsigned_abs() < (1u128 << 96))
        .and_then(|m| Decimal::try_from_i128_with_scale(m, scale).ok())
        .unwrap_or(d)
}
