//! Price fractions over the qualified bids (scoring.md, Computation 2).

use rust_decimal::Decimal;

use super::decimal::key20;
use super::plan::PriceRule;
use super::ratio::Ratio;

/// Lowest and highest price among the qualified bids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriceStats {
    pub min: Decimal,
    pub max: Decimal,
}

/// A price criterion's fraction for one qualified bid, as a ratio (points divide once), plus what
/// the explanation needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriceFraction {
    pub ratio: Ratio,
    /// Banded: `(P − Pmin) ÷ Pmin × 100`, `None` if beyond the decimal range.
    pub above: Option<Decimal>,
    pub band: usize,
    pub beyond_last_band: bool,
}

impl PriceFraction {
    fn of(ratio: Ratio) -> Self {
        PriceFraction {
            ratio,
            above: None,
            band: 0,
            beyond_last_band: false,
        }
    }
}

/// `price` is > 0 and within `[stats.min, stats.max]` (validation and the caller guarantee it), so
/// no ratio has a zero denominator.
pub(crate) fn fraction(rule: &PriceRule, price: Decimal, stats: PriceStats) -> PriceFraction {
    match rule {
        PriceRule::Lowest => PriceFraction::of(Ratio::new(stats.min, price)),
        PriceRule::Linear if stats.max == stats.min => PriceFraction::of(Ratio::ONE),
        PriceRule::Linear => {
            PriceFraction::of(Ratio::new(stats.max - price, stats.max - stats.min))
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
        ratio: Ratio::whole(bands.get(band).map(|b| b.1).unwrap_or_default()),
        above,
        band,
        beyond_last_band,
    }
}
