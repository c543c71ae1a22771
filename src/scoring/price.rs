//! Price fractions over the qualified bids (scoring.md, Computation 2).

use rust_decimal::Decimal;

use super::decimal::key20;
use super::plan::PriceRule;

/// Lowest and highest price among the qualified bids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriceStats {
    pub min: Decimal,
    pub max: Decimal,
}

/// A price criterion's fraction for one qualified bid, plus what the explanation needs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PriceFraction {
    pub fraction: Decimal,
    /// Banded: `(P − Pmin) ÷ Pmin × 100`, `None` if beyond the decimal range.
    pub above: Option<Decimal>,
    pub band: usize,
    pub beyond_last_band: bool,
}

/// `price` is > 0 and within `[stats.min, stats.max]` (validation and the caller guarantee it), so
/// no division below can fail; a failure would still give 0 rather than panic.
pub(crate) fn fraction(rule: &PriceRule, price: Decimal, stats: PriceStats) -> PriceFraction {
    match rule {
        PriceRule::Lowest => PriceFraction {
            fraction: stats.min.checked_div(price).unwrap_or_default(),
            ..PriceFraction::default()
        },
        PriceRule::Linear => {
            let fraction = if stats.max == stats.min {
                Decimal::ONE
            } else {
                (stats.max - price)
                    .checked_div(stats.max - stats.min)
                    .unwrap_or_default()
            };
            PriceFraction {
                fraction,
                ..PriceFraction::default()
            }
        }
        PriceRule::Banded(bands) => banded(bands, price, stats.min),
    }
}

fn banded(bands: &[(Option<Decimal>, Decimal)], price: Decimal, min: Decimal) -> PriceFraction {
    let above = (price - min)
        .checked_div(min)
        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED));
    let key = above.map(key20);
    let found = bands.iter().position(|(edge, _)| match (edge, key) {
        (None, _) => true,
        (Some(edge), Some(key)) => *edge >= key,
        (Some(_), None) => false,
    });
    let last = bands.len().saturating_sub(1);
    let (band, beyond_last_band) = match found {
        Some(i) => (i, false),
        None => (last, true),
    };
    PriceFraction {
        fraction: bands.get(band).map(|b| b.1).unwrap_or_default(),
        above,
        band,
        beyond_last_band,
    }
}
