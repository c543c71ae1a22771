//! Exact sums of many decimals (SV£ per criterion and outcome, points per type).

use rust_decimal::Decimal;

/// Powers of ten that fit an `i128`, for rescaling sums.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const POW10: [i128; 29] = {
    let mut table = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// An exact running sum of decimals: a 128-bit mantissa at the largest scale seen so far.
///
/// Adding a `Decimal` to a `Decimal` rescales both every time, which made sums the dearest part of
/// scoring; this keeps one integer and converts once. It is exact wherever a `Decimal` sum is exact
/// (and, beyond 28 digits, rounds once at the end instead of at every step). `None` means the sum
/// left the 128-bit range: callers then fall back to checked `Decimal` arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sum {
    mantissa: i128,
    scale: u32,
}

impl Sum {
    pub const ZERO: Sum = Sum {
        mantissa: 0,
        scale: 0,
    };

    /// `self + d`, or `None` on overflow of the 128-bit mantissa.
    #[inline]
    pub fn add(self, d: Decimal) -> Option<Sum> {
        let (m, s) = (d.mantissa(), d.scale());
        if s == self.scale {
            return Some(Sum {
                mantissa: self.mantissa.checked_add(m)?,
                scale: s,
            });
        }
        if s < self.scale {
            let factor = *POW10.get((self.scale - s) as usize)?;
            Some(Sum {
                mantissa: self.mantissa.checked_add(m.checked_mul(factor)?)?,
                scale: self.scale,
            })
        } else {
            let factor = *POW10.get((s - self.scale) as usize)?;
            Some(Sum {
                mantissa: self.mantissa.checked_mul(factor)?.checked_add(m)?,
                scale: s,
            })
        }
    }

    /// The sum as a `Decimal`, rounding half-even (as `rust_decimal` does) only if it has more than
    /// 28 significant digits; `None` if it is beyond the `Decimal` range.
    pub fn value(self) -> Option<Decimal> {
        // 2^96 bounds a Decimal's mantissa.
        const LIMIT: u128 = 1 << 96;
        let (m, s) = (self.mantissa, self.scale);
        // The digits to drop, counted first and then rounded away together: dropping them one at
        // a time would round twice (…49052 → …4905 → …490, where the value is …491).
        let mut drop = 0u32;
        while m.unsigned_abs() / POW10.get(drop as usize).copied()?.unsigned_abs() >= LIMIT {
            drop += 1;
        }
        if drop == 0 {
            return Decimal::try_from_i128_with_scale(m, s).ok();
        }
        loop {
            let scale = s.checked_sub(drop)?;
            let unit = *POW10.get(drop as usize)?;
            let (q, r) = (m / unit, (m % unit).abs());
            let half = unit / 2;
            let rounded = if r > half || (r == half && q % 2 != 0) {
                q + m.signum()
            } else {
                q
            };
            // Rounding up may reach the bound (…999.5): then one digit more, from the exact value.
            if rounded.unsigned_abs() < LIMIT {
                return Decimal::try_from_i128_with_scale(rounded, scale).ok();
            }
            drop += 1;
        }
    }
}

/// `a × b`: in 128-bit integers when the exact product fits a `Decimal` (the usual case; the same
/// mantissa and scale `rust_decimal` gives), else `rust_decimal`'s checked multiplication (which
/// rounds beyond 28 digits). `None` on overflow.
#[inline]
pub(crate) fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale() + b.scale();
    if scale <= 28
        && let Some(m) = a.mantissa().checked_mul(b.mantissa())
        && m.unsigned_abs() < (1u128 << 96)
        && m != 0
    {
        return Decimal::try_from_i128_with_scale(m, scale).ok();
    }
    a.checked_mul(b)
}

/// A running sum: [`Sum`] while it fits 128 bits, then checked `Decimal` additions, then overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acc {
    Fast(Sum),
    Slow(Decimal),
    Overflow,
}

impl Acc {
    pub const ZERO: Acc = Acc::Fast(Sum::ZERO);

    #[inline]
    pub fn add(&mut self, d: Decimal) {
        if let Acc::Fast(s) = self {
            // The common case: same scale, no overflow.
            if d.scale() == s.scale
                && let Some(m) = s.mantissa.checked_add(d.mantissa())
            {
                s.mantissa = m;
                return;
            }
            if let Some(next) = s.add(d) {
                *s = next;
                return;
            }
        }
        self.add_slow(d);
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, d: Decimal) {
        *self = match *self {
            Acc::Fast(s) => s
                .value()
                .and_then(|v| v.checked_add(d))
                .map_or(Acc::Overflow, Acc::Slow),
            Acc::Slow(v) => v.checked_add(d).map_or(Acc::Overflow, Acc::Slow),
            Acc::Overflow => Acc::Overflow,
        }
    }

    /// The sum; `None` if it is beyond the `Decimal` range.
    pub fn value(self) -> Option<Decimal> {
        match self {
            Acc::Fast(s) => s.value(),
            Acc::Slow(v) => Some(v),
            Acc::Overflow => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scoring::tests::d;

    #[test]
    fn mul_matches_rust_decimal_exactly() {
        let values: Vec<&str> = "0 1 -1 0.1 3 2.50 1000 0.3333333333333333333333333333 20000 0.8 \
             123456789.123456789 79228162514264337593543950335 -0.000001 60 0.55 7.5"
            .split_whitespace()
            .collect();
        for &a in &values {
            for &b in &values {
                let (x, y) = (d(a), d(b));
                let want = x.checked_mul(y);
                let got = mul(x, y);
                assert_eq!(got, want, "{a} × {b}");
                if let (Some(g), Some(w)) = (got, want)
                    && !w.is_zero()
                {
                    assert_eq!(g.to_string(), w.to_string(), "{a} × {b}: representation");
                }
            }
        }
    }

    #[test]
    fn a_sum_beyond_28_digits_is_rounded_once() {
        // 91.6488…949052 has 30 digits: rounded to 28 at once it ends …491; dropping a digit at a
        // time would give …490 (…49052 → …4905 → …490, half-even).
        let mut sum = Sum::ZERO;
        for part in ["2.6488563130991595415688949052", "89"] {
            sum = sum.add(d(part)).unwrap();
        }
        assert_eq!(
            sum.value().unwrap().to_string(),
            "91.64885631309915954156889491"
        );
        // Half-even where the dropped digits are exactly half.
        let half = ["2.6488563130991595415688949050", "89"]
            .into_iter()
            .try_fold(Sum::ZERO, |sum, part| sum.add(d(part)))
            .unwrap();
        assert_eq!(
            half.value().unwrap().to_string(),
            "91.64885631309915954156889490"
        );
    }

    #[test]
    fn sums_are_exact_and_match_decimal_addition() {
        let values = [
            "0.1",
            "0.2",
            "1000",
            "0.3333333333333333333333333333",
            "12.5",
            "-3",
            "0",
        ];
        let mut acc = Acc::ZERO;
        let mut plain = Decimal::ZERO;
        for v in values {
            acc.add(d(v));
            plain += d(v);
        }
        assert_eq!(acc.value().unwrap(), plain);
        assert!(matches!(acc, Acc::Fast(_)));
        // Beyond 128 bits the sum carries on in Decimal, and past the Decimal range it overflows.
        let mut big = Acc::ZERO;
        big.add(d("0.0000000000000000000000000001"));
        big.add(d("79228162514264337593543950"));
        assert_eq!(big.value().unwrap(), d("79228162514264337593543950.000"));
        let mut over = Acc::ZERO;
        over.add(Decimal::MAX);
        over.add(Decimal::MAX);
        assert_eq!(over.value(), None);
    }
}
