//! Social value fractions (scoring.md, Computation 3–5).

use rust_decimal::Decimal;

use super::model::QuantitativeBasis;
use super::plan::{MarkRule, QuantRule};
use super::ratio::Ratio;

/// `f = (mark − min) ÷ (max − min)`; the mark lies within the (valid) scale.
pub(crate) fn mark_ratio(rule: &MarkRule, mark: Decimal) -> Ratio {
    Ratio::new(mark - rule.min, rule.range)
}

/// The quantitative fraction of one bid, and for `percent_of_price_target` the SV as % of price.
///
/// `max_sv` is the highest criterion SV£ among qualified bids (`relative_to_highest` only).
pub(crate) fn quant_ratio(
    rule: &QuantRule,
    sv: Decimal,
    price: Decimal,
    max_sv: Decimal,
) -> (Ratio, Option<Decimal>) {
    match rule.basis {
        QuantitativeBasis::RelativeToHighest if max_sv.is_zero() => (Ratio::ZERO, None),
        QuantitativeBasis::RelativeToHighest => (Ratio::new(sv, max_sv), None),
        QuantitativeBasis::PercentOfPriceTarget => {
            let percent = sv
                .checked_div(price)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED));
            // f = min(1, SV£ × 100 ÷ (P × target)); where a product leaves the decimal range,
            // from the share itself, which beyond the range is astronomically above any target.
            let ratio = match (
                sv.checked_mul(Decimal::ONE_HUNDRED),
                price.checked_mul(rule.target),
            ) {
                (Some(num), Some(den)) => Ratio::new(num, den).capped(),
                _ => match percent.and_then(|p| p.checked_div(rule.target)) {
                    Some(f) if f < Decimal::ONE => Ratio::whole(f),
                    _ => Ratio::ONE,
                },
            };
            (ratio, percent)
        }
    }
}
