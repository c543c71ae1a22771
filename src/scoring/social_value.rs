//! Social value fractions (scoring.md, Computation 3–5).

use rust_decimal::Decimal;

use super::model::QuantitativeBasis;
use super::plan::{MarkRule, QuantRule};

/// `f = (mark − min) ÷ (max − min)`; the mark lies within the (valid) scale.
pub(crate) fn mark_fraction(rule: &MarkRule, mark: Decimal) -> Decimal {
    (mark - rule.min)
        .checked_div(rule.range)
        .unwrap_or_default()
}

/// The quantitative fraction of one bid, and for `percent_of_price_target` the SV as % of price.
///
/// `max_sv` is the highest criterion SV£ among qualified bids (`relative_to_highest` only).
pub(crate) fn quant_fraction(
    rule: &QuantRule,
    sv: Decimal,
    price: Decimal,
    max_sv: Decimal,
) -> (Decimal, Option<Decimal>) {
    match rule.basis {
        QuantitativeBasis::RelativeToHighest => {
            if max_sv.is_zero() {
                (Decimal::ZERO, None)
            } else {
                (sv.checked_div(max_sv).unwrap_or_default(), None)
            }
        }
        QuantitativeBasis::PercentOfPriceTarget => {
            let percent = sv
                .checked_div(price)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED));
            // Beyond the decimal range the share is astronomically above any target: f = 1.
            let f = match percent.and_then(|p| p.checked_div(rule.target)) {
                Some(f) if f < Decimal::ONE => f,
                _ => Decimal::ONE,
            };
            (f, percent)
        }
    }
}

/// `f = (split.qualitative × f_qual + split.quantitative × f_quant) ÷ 100`.
pub(crate) fn mixed_fraction(
    split: (Decimal, Decimal),
    f_qual: Decimal,
    f_quant: Decimal,
) -> Decimal {
    // Parts are in [0, 100] and fractions in [0, 1]: nothing here can overflow.
    (split.0 * f_qual + split.1 * f_quant)
        .checked_div(Decimal::ONE_HUNDRED)
        .unwrap_or_default()
}
