//! Fractions kept as numerator ÷ denominator, so that a criterion's points are computed with all
//! multiplications first and one division last (scoring.md, "Version 1.1"): `60 × 300,000 ÷
//! 900,000` is exactly `20`, where `60 × (300,000 ÷ 900,000)` rounds the third first and gives
//! `19.999999999999999999999999998`.

use rust_decimal::Decimal;

use super::sum::mul;

/// `num ÷ den`, with `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    num: Decimal,
    den: Decimal,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio::whole(Decimal::ZERO);
    pub const ONE: Ratio = Ratio::whole(Decimal::ONE);

    pub const fn new(num: Decimal, den: Decimal) -> Ratio {
        Ratio { num, den }
    }

    pub const fn whole(value: Decimal) -> Ratio {
        Ratio::new(value, Decimal::ONE)
    }

    /// The value, with its one division (0 for a zero denominator, which validation rules out).
    pub fn value(self) -> Decimal {
        if self.den == Decimal::ONE {
            return self.num;
        }
        self.num.checked_div(self.den).unwrap_or_default()
    }

    /// `factor × num ÷ den`: the product first, one division last. Should the product leave the
    /// decimal range (inputs far beyond 12 significant digits), `factor × value()` instead.
    pub fn times(self, factor: Decimal) -> Decimal {
        match factor.checked_mul(self.num) {
            Some(product) if self.den == Decimal::ONE => product,
            Some(product) => product.checked_div(self.den).unwrap_or_default(),
            None => mul(factor, self.value()).unwrap_or_default(),
        }
    }

    /// `part` percent of this ratio, folded into it: `part × num ÷ (100 × den)` (a mixed
    /// criterion's split). Beyond the decimal range, the share of the value.
    pub fn share(self, part: Decimal) -> Ratio {
        match (
            part.checked_mul(self.num),
            self.den.checked_mul(Decimal::ONE_HUNDRED),
        ) {
            (Some(num), Some(den)) => Ratio::new(num, den),
            _ => Ratio::whole(mul(part, self.value()).unwrap_or_default() / Decimal::ONE_HUNDRED),
        }
    }

    /// At most 1.
    pub fn capped(self) -> Ratio {
        if self.num >= self.den {
            Ratio::ONE
        } else {
            self
        }
    }
}

/// A criterion's fraction and points, each computed from its ratio with one division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Score {
    pub fraction: Decimal,
    pub points: Decimal,
}

impl Score {
    pub fn of(ratio: Ratio, weight: Decimal) -> Score {
        Score {
            fraction: ratio.value(),
            points: ratio.times(weight),
        }
    }

    /// The two parts of a mixed criterion, added: fractions and points are each in [0, 1] and
    /// [0, 100], so the sums always fit.
    pub fn plus(self, other: Score) -> Score {
        Score {
            fraction: self.fraction + other.fraction,
            points: self.points + other.points,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn points_divide_once_after_multiplying() {
        let third = Ratio::new(d("300000"), d("900000"));
        assert_eq!(third.times(d("60")).to_string(), "20");
        assert_eq!(
            mul(d("60"), third.value()).unwrap().to_string(),
            "19.999999999999999999999999998"
        );
        assert_eq!(
            Ratio::new(d("1"), d("3")).times(d("10")).to_string(),
            "3.3333333333333333333333333333"
        );
    }

    #[test]
    fn a_share_folds_the_split_into_the_ratio() {
        let share = Ratio::new(d("1"), d("3")).share(d("60"));
        assert_eq!(share, Ratio::new(d("60"), d("300")));
        assert_eq!(share.times(d("30")).to_string(), "6");
    }

    #[test]
    fn capped_stops_at_one_and_whole_values_are_not_divided() {
        assert_eq!(Ratio::new(d("5"), d("4")).capped(), Ratio::ONE);
        assert_eq!(Ratio::new(d("3"), d("4")).capped().value(), d("0.75"));
        assert_eq!(Ratio::whole(d("0.8")).times(d("60")), d("48.0"));
    }

    #[test]
    fn products_beyond_the_decimal_range_fall_back_to_the_value() {
        let huge = Ratio::new(Decimal::MAX, Decimal::MAX);
        assert_eq!(huge.times(d("60")), d("60"));
    }
}
