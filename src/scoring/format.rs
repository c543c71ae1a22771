//! Writing decimals as text without allocating: the JSON strings of a result (a 1,000-bid result
//! holds ~150,000 decimals), `*_display` values, and the numbers and money in explanations.

use std::fmt;

use rust_decimal::Decimal;

use super::decimal::round_half_up;

/// A decimal's text in a stack buffer (at most 29 digits, a point, a sign and leading zeros).
pub(crate) struct DecStr {
    buf: [u8; 64],
    start: usize,
}

impl DecStr {
    /// Normalised: no trailing zeros, no `-0` (`"87"`, `"0.9"`, `"-3.25"`).
    pub fn normalized(d: Decimal) -> Self {
        let (mut m, mut scale) = (d.mantissa().unsigned_abs(), d.scale());
        if m == 0 {
            return Self::build(false, 0, 0);
        }
        while scale > 0 && rem10(m) == 0 {
            div10(&mut m);
            scale -= 1;
        }
        Self::build(d.is_sign_negative(), m, scale)
    }

    /// Exactly `places` decimals, rounding half-up once if the value has more (`"87.00"`).
    pub fn fixed(d: Decimal, places: u32) -> Self {
        let r = if d.scale() > places {
            round_half_up(d, places)
        } else {
            d
        };
        let (mut m, scale) = (r.mantissa().unsigned_abs(), r.scale());
        for _ in scale..places {
            m = m.saturating_mul(10);
        }
        Self::build(r.is_sign_negative() && m != 0, m, places.max(scale))
    }

    fn build(negative: bool, mut m: u128, scale: u32) -> Self {
        let mut out = DecStr {
            buf: [0; 64],
            start: 64,
        };
        for _ in 0..scale {
            let digit = div10(&mut m);
            out.push(b'0' + digit);
        }
        if scale > 0 {
            out.push(b'.');
        }
        loop {
            let digit = div10(&mut m);
            out.push(b'0' + digit);
            if m == 0 {
                break;
            }
        }
        if negative {
            out.push(b'-');
        }
        out
    }

    fn push(&mut self, byte: u8) {
        if let Some(at) = self.start.checked_sub(1)
            && let Some(slot) = self.buf.get_mut(at)
        {
            *slot = byte;
            self.start = at;
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits, '.' and '-' are ever written.
        self.buf
            .get(self.start..)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("0")
    }
}

/// `m % 10`; 64-bit arithmetic when it fits.
#[inline]
fn rem10(m: u128) -> u8 {
    match u64::try_from(m) {
        Ok(v) => (v % 10) as u8,
        Err(_) => (m % 10) as u8,
    }
}

/// `m /= 10`, returning the remainder; 64-bit arithmetic when it fits.
#[inline]
fn div10(m: &mut u128) -> u8 {
    match u64::try_from(*m) {
        Ok(v) => {
            *m = u128::from(v / 10);
            (v % 10) as u8
        }
        Err(_) => {
            let digit = (*m % 10) as u8;
            *m /= 10;
            digit
        }
    }
}

impl fmt::Display for DecStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A number for a sentence: exact when it has at most `.1` places, else rounded half-up to `.1`.
pub(crate) struct Num(pub Decimal, pub u32);

impl Num {
    /// Whether the value had to be rounded to be shown.
    pub fn rounded(&self) -> bool {
        DecStr::normalized(self.0)
            .as_str()
            .split_once('.')
            .is_some_and(|(_, frac)| frac.len() > self.1 as usize)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.scale() <= self.1 {
            DecStr::normalized(self.0).fmt(f)
        } else {
            DecStr::normalized(round_half_up(self.0, self.1)).fmt(f)
        }
    }
}

/// `= 0.9`, or `≈ 0.3333` when the number had to be rounded.
pub(crate) struct Eq(pub Decimal, pub u32);

impl fmt::Display for Eq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = Num(self.0, self.1);
        f.write_str(if n.rounded() { "≈ " } else { "= " })?;
        n.fmt(f)
    }
}

/// Money the en-GB way: `£90,000`, `£1,234.50`, `€12`, `CHF 7`.
pub(crate) struct Money<'a>(pub &'a str, pub Decimal);

impl fmt::Display for Money<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = DecStr::normalized(self.1);
        let text = text.as_str();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if negative {
            f.write_str("−")?;
        }
        match self.0 {
            "GBP" => f.write_str("£")?,
            "EUR" => f.write_str("€")?,
            "USD" => f.write_str("$")?,
            other => write!(f, "{other} ")?,
        }
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let len = int.len();
        for (i, ch) in int.char_indices() {
            if i > 0 && (len - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{ch}")?;
        }
        if !frac.is_empty() {
            // Pence always show two places: £1,234.50.
            write!(f, ".{frac:0<2}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn normalized_matches_rust_decimal() {
        for s in [
            "0",
            "-0",
            "0.000",
            "1",
            "10",
            "100.00",
            "-3.250",
            "0.1",
            "0.0001",
            "12345678901.123456789",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
            "93.3333333333333333333333333",
            "18446744073709551616.5",
        ] {
            let v = d(s);
            assert_eq!(
                DecStr::normalized(v).as_str(),
                v.normalize().to_string(),
                "{s}"
            );
        }
    }

    #[test]
    fn fixed_rounds_once_half_up() {
        for (s, want) in [
            ("87", "87.00"),
            ("83.5", "83.50"),
            ("0.9", "0.90"),
            ("0.125", "0.13"),
            ("0.124999", "0.12"),
            ("-0.001", "0.00"),
            ("93.3333333333333333333333333", "93.33"),
            ("-1.005", "-1.01"),
            ("0", "0.00"),
        ] {
            assert_eq!(DecStr::fixed(d(s), 2).as_str(), want, "{s}");
        }
    }

    #[test]
    fn sentence_numbers_and_money() {
        assert_eq!(Num(d("0.90"), 4).to_string(), "0.9");
        assert_eq!(Num(d("0.33333"), 4).to_string(), "0.3333");
        assert_eq!(Eq(d("0.33333"), 4).to_string(), "≈ 0.3333");
        assert_eq!(Eq(d("54.000"), 2).to_string(), "= 54");
        assert_eq!(Money("GBP", d("90000")).to_string(), "£90,000");
        assert_eq!(Money("GBP", d("100000.00")).to_string(), "£100,000");
        assert_eq!(Money("GBP", d("1234.5")).to_string(), "£1,234.50");
        assert_eq!(Money("GBP", d("999")).to_string(), "£999");
        assert_eq!(Money("EUR", d("1000000")).to_string(), "€1,000,000");
        assert_eq!(Money("CHF", d("12")).to_string(), "CHF 12");
        assert_eq!(Money("GBP", d("0.333")).to_string(), "£0.333");
        assert_eq!(Money("GBP", d("-1500")).to_string(), "−£1,500");
    }
}
