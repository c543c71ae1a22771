//! Flags ask a person to look at a bid; they never change a score (scoring.md, Flags).

use rust_decimal::Decimal;

use super::codes::{Flag, FlagCode};
use super::decimal::{approx, key20};
use super::format::Money;
use super::model::TieBreakStep;

/// Spread above which evaluators' marks for one criterion are flagged, as % of the scale range.
pub const MARKS_DISCREPANCY_PERCENT: u32 = 40;

/// Mean price of the other qualified bids, for each qualified bid, in the order given.
///
/// Uses the exact sum when it fits; otherwise sums `price ÷ (n − 1)` terms; a bid alone gets `None`.
pub(crate) fn mean_of_others(prices: &[Decimal]) -> Vec<Option<Decimal>> {
    let n = prices.len();
    if n < 2 {
        return vec![None; n];
    }
    let others = Decimal::from(n - 1);
    let sum = prices
        .iter()
        .try_fold(Decimal::ZERO, |s, p| s.checked_add(*p));
    match sum {
        Some(sum) => prices
            .iter()
            .map(|p| (sum - *p).checked_div(others))
            .collect(),
        None => {
            let scaled = prices
                .iter()
                .try_fold(Decimal::ZERO, |s, p| s.checked_add(p.checked_div(others)?));
            prices
                .iter()
                .map(|p| scaled?.checked_sub(p.checked_div(others)?))
                .collect()
        }
    }
}

/// `abnormally_low_price`: `P < (1 − alt_threshold) × mean of the other qualified bids`.
pub(crate) fn abnormally_low(
    currency: &str,
    price: Decimal,
    mean_others: Option<Decimal>,
    alt_threshold: Decimal,
) -> Option<Flag> {
    let mean = mean_others?;
    let share = Decimal::ONE - alt_threshold;
    let limit = share.checked_mul(mean)?;
    // Rounding is monotonic: a price at or above the exact limit cannot be below it after rounding.
    if price >= limit {
        return None;
    }
    (key20(price) < key20(limit)).then(|| Flag {
        code: FlagCode::AbnormallyLowPrice,
        message: format!(
            "price {} is below {}% of the mean price of the other qualified bids ({}): \
             ask the supplier to explain it before deciding",
            Money(currency, price),
            approx(share * Decimal::ONE_HUNDRED, 2).0,
            Money(currency, approx_money(mean)),
        ),
    })
}

fn approx_money(d: Decimal) -> Decimal {
    if d.normalize().scale() > 2 {
        super::decimal::round_half_up(d, 2)
    } else {
        d
    }
}

/// `social_value_unusually_high`: total SV£ ÷ price × 100 above `sv_outlier_percent`.
pub(crate) fn social_value_high(percent: Decimal, outlier: Decimal) -> Option<Flag> {
    // Rounding is monotonic: a share at or below the exact threshold stays so after rounding.
    if percent <= outlier {
        return None;
    }
    (key20(percent) > key20(outlier)).then(|| Flag {
        code: FlagCode::SocialValueUnusuallyHigh,
        message: format!(
            "committed social value is {}% of the price, above the {}% that calls for a check \
             that the commitments are deliverable",
            approx(percent, 2).0,
            approx(outlier, 2).0
        ),
    })
}

/// `tie_unresolved`: still equal after every tie-break step.
pub(crate) fn tie_unresolved(rank: u32, others: &[&str]) -> Flag {
    Flag {
        code: FlagCode::TieUnresolved,
        message: format!(
            "shares rank {rank} with {} after every tie-break step: a person must decide",
            others.join(", ")
        ),
    }
}

/// One other bid whose ranking key a bid shares, the step that separated them, and whether it
/// ranked the bid above that one.
pub(crate) struct Separated<'a> {
    pub other: &'a str,
    pub step: TieBreakStep,
    pub above: bool,
}

/// `tie_broken`: an equal ranking key (`key`, e.g. "total 60") with other bids, separated by the
/// tie-break chain (scoring.md, "Version 1.1").
pub(crate) fn tie_broken(key: &str, separated: &[Separated<'_>]) -> Flag {
    let others: Vec<&str> = separated.iter().map(|s| s.other).collect();
    let steps: Vec<String> = separated
        .iter()
        .map(|s| {
            let step = step_name(s.step);
            if s.above {
                format!("the {step} step ranked this bid above {}", s.other)
            } else {
                format!("the {step} step ranked {} above this bid", s.other)
            }
        })
        .collect();
    Flag {
        code: FlagCode::TieBroken,
        message: format!(
            "equal {key} with {}; {}",
            words_list(&others),
            steps.join("; ")
        ),
    }
}

fn step_name(step: TieBreakStep) -> &'static str {
    match step {
        TieBreakStep::SocialValue => "social value",
        TieBreakStep::Quality => "quality",
        TieBreakStep::Price => "price",
        TieBreakStep::SubmittedAt => "submission time",
    }
}

/// "A", "A and B", "A, B and C".
fn words_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether evaluators' marks spread by more than 40% of the scale range (for moderation views too).
pub fn marks_spread_exceeds(scale_min: Decimal, scale_max: Decimal, marks: &[Decimal]) -> bool {
    let Some((lo, hi)) = spread(marks) else {
        return false;
    };
    let share = Decimal::from(MARKS_DISCREPANCY_PERCENT) / Decimal::ONE_HUNDRED;
    match (hi.checked_sub(lo), scale_max.checked_sub(scale_min)) {
        // share ≤ 1, so share × range cannot overflow.
        (Some(spread), Some(range)) => key20(spread) > key20(range * share),
        (None, Some(_)) => true,
        _ => false,
    }
}

fn spread(marks: &[Decimal]) -> Option<(Decimal, Decimal)> {
    let lo = marks.iter().min()?;
    let hi = marks.iter().max()?;
    Some((*lo, *hi))
}

/// `marks_discrepancy` for one criterion of one bid.
pub(crate) fn marks_discrepancy(
    criterion_id: &str,
    scale_min: Decimal,
    scale_max: Decimal,
    marks: &[Decimal],
) -> Option<Flag> {
    if !marks_spread_exceeds(scale_min, scale_max, marks) {
        return None;
    }
    let (lo, hi) = spread(marks)?;
    Some(Flag {
        code: FlagCode::MarksDiscrepancy,
        message: format!(
            "evaluators' marks for {criterion_id} range from {} to {}, more than {MARKS_DISCREPANCY_PERCENT}% \
             of the scale {} to {}: moderate before relying on the consensus mark",
            lo.normalize(),
            hi.normalize(),
            scale_min.normalize(),
            scale_max.normalize()
        ),
    })
}
