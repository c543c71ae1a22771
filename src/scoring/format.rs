//! Writing decimals as text without allocating: the JSON strings of a result (a 1,000-bid result
//! holds ~150,000 decimals), `*_display` values, and the numbers and money in explanations.

use std::fmt;

use rust_decimal::Decimal;

/// A decimal's text in a stack buffer (at most 29 digits, a point, a sign and leading zeros).
///
/// The 96-bit mantissa is written in base-10^9 chunks (no 128-bit division), trailing zeros are
/// dropped from the text rather than divided away, and rounding for display works on the digits.
pub(crate) struct DecStr {
    buf: [u8; LEN],
    start: usize,
    end: usize,
    /// Digits after the point.
    frac: usize,
}

/// Room for 28 padding zeros, four 9-digit chunks, a point, a leading zero and a sign.
const LEN: usize = 80;
/// Most places [`DecStr::fixed`] pads to (a `Decimal` has at most 28).
const MAX_PLACES: u32 = 28;
const ZEROS: [u8; MAX_PLACES as usize] = [b'0'; MAX_PLACES as usize];
/// "00", "01", … "99".
const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

impl DecStr {
    /// Places the point `scale` digits from the right, after dropping trailing zeros of the
    /// fraction when `trim`, and the sign.
    fn finish(&mut self, mut scale: usize, trim: bool, negative: bool) {
        while trim && scale > 0 && self.last() == Some(b'0') {
            self.end -= 1;
            scale -= 1;
        }
        self.point(scale);
        if negative {
            self.push(b'-');
        }
    }

    /// Normalised: no trailing zeros, no `-0` (`"87"`, `"0.9"`, `"-3.25"`).
    pub fn normalized(d: Decimal) -> Self {
        let m = d.mantissa().unsigned_abs();
        let mut out = Self::empty();
        if m == 0 {
            out.push(b'0');
            return out;
        }
        out.mantissa(m, 0);
        // Trailing zeros of the fraction go: 87.500 → 87.5, 100.00 → 100.
        out.finish(d.scale() as usize, true, d.is_sign_negative());
        out
    }

    /// Exactly `places` decimals, rounding half-up once if the value has more (`"87.00"`).
    pub fn fixed(d: Decimal, places: u32) -> Self {
        Self::rounded(d, places.min(MAX_PLACES) as usize, false)
    }

    /// Rounded half-up (away from zero) to `places` if the value has more, then normalised:
    /// the text of `round_half_up(d, places).normalize()`.
    pub fn normalized_to(d: Decimal, places: u32) -> Self {
        if d.scale() <= places {
            Self::normalized(d)
        } else {
            Self::rounded(d, places as usize, true)
        }
    }

    /// Rounds on the digits themselves: the first dropped digit decides (5 or more rounds away from
    /// zero, as `MidpointAwayFromZero` does), and a carry runs through the kept nines.
    fn rounded(d: Decimal, places: usize, trim: bool) -> Self {
        let m = d.mantissa().unsigned_abs();
        let scale = d.scale() as usize;
        let mut out = Self::empty();
        out.mantissa(m, places.saturating_sub(scale));
        if let Some(drop) = scale.checked_sub(places).filter(|&drop| drop > 0) {
            // Digits are right-aligned: the first dropped one stands `drop` places from the end,
            // or before the first digit (an implicit 0) when there are fewer digits than that.
            let cut = out.end - drop;
            let up = cut >= out.start && out.buf.get(cut).is_some_and(|&digit| digit >= b'5');
            out.end = cut.max(out.start);
            out.start = out.start.min(out.end);
            if up {
                out.carry();
            }
        }
        if out
            .buf
            .get(out.start..out.end)
            .unwrap_or_default()
            .iter()
            .all(|&b| b == b'0')
        {
            // Zero (or rounded to it): no sign, and "0" or "0.00".
            out.start = out.end;
            out.push(b'0');
            if !trim {
                out.point(places);
            }
            return out;
        }
        out.finish(places, trim, d.is_sign_negative());
        out
    }

    /// Adds one to the last digit written, carrying through nines (`"199"` → `"200"`, `"99"` →
    /// `"100"`, no digits → `"1"`).
    fn carry(&mut self) {
        let mut at = self.end;
        while let Some(pos) = at.checked_sub(1).filter(|&pos| pos >= self.start) {
            match self.buf.get_mut(pos) {
                Some(digit) if *digit == b'9' => {
                    *digit = b'0';
                    at = pos;
                }
                Some(digit) => {
                    *digit += 1;
                    return;
                }
                None => return,
            }
        }
        self.push(b'1');
    }

    fn empty() -> Self {
        DecStr {
            buf: [0; LEN],
            start: LEN,
            end: LEN,
            frac: 0,
        }
    }

    /// Writes the digits of `m` followed by `zeros` zeros, ending at the end of the buffer.
    ///
    /// The 96-bit mantissa is cut into base-10^9 chunks by long division of its three 32-bit
    /// limbs (64-bit divisions by a constant, which compile to multiplications), and each chunk is
    /// written two digits at a time.
    fn mantissa(&mut self, m: u128, zeros: usize) {
        // Fixed-size writes only (a copy of a length known at compile time is a few moves; any
        // other is a call to memmove): whole blocks, then `start` steps over what is not wanted.
        self.write_before(ZEROS);
        self.start -= zeros.min(ZEROS.len());
        let mut limbs = [(m >> 64) as u32, (m >> 32) as u32, m as u32];
        loop {
            let chunk = nine_digits(div_1e9(&mut limbs));
            self.write_before(chunk);
            if limbs == [0, 0, 0] {
                // The leading chunk: no leading zeros, but at least one digit.
                let lead = chunk.iter().take(8).take_while(|&&b| b == b'0').count();
                self.start -= chunk.len() - lead;
                return;
            }
            self.start -= chunk.len();
        }
    }

    /// Writes `bytes` just before `start`, leaving `start` where it is.
    fn write_before<const N: usize>(&mut self, bytes: [u8; N]) {
        if let Some(at) = self.start.checked_sub(N)
            && let Some(slot) = self.buf.get_mut(at..self.start)
        {
            slot.copy_from_slice(&bytes);
        }
    }

    /// Places the point `scale` digits from the end of the digits written so far (`"0.0x"` when
    /// there are no more digits than that).
    fn point(&mut self, scale: usize) {
        if scale == 0 {
            return;
        }
        let digits = self.end - self.start;
        if digits <= scale {
            for _ in digits..scale {
                self.push(b'0');
            }
            self.push(b'.');
            self.push(b'0');
        } else {
            // Shift the integer part one place left and put the point after it.
            let at = self.end - scale;
            if let Some(before) = self.start.checked_sub(1) {
                self.buf.copy_within(self.start..at, before);
                self.start = before;
                if let Some(slot) = self.buf.get_mut(at - 1) {
                    *slot = b'.';
                }
            }
        }
        self.frac = scale;
    }

    fn last(&self) -> Option<u8> {
        self.end
            .checked_sub(1)
            .and_then(|at| self.buf.get(at).copied())
    }

    fn push(&mut self, byte: u8) {
        if let Some(at) = self.start.checked_sub(1)
            && let Some(slot) = self.buf.get_mut(at)
        {
            *slot = byte;
            self.start = at;
        }
    }

    /// How many digits follow the point (0 without one).
    pub fn fraction_digits(&self) -> usize {
        self.frac
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits, '.' and '-' are ever written.
        self.buf
            .get(self.start..self.end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("0")
    }
}

/// Divides the 96-bit number held in `limbs` (most significant first) by 10^9 in place and
/// returns the remainder.
fn div_1e9(limbs: &mut [u32; 3]) -> u32 {
    let mut rem = 0u64;
    for limb in limbs.iter_mut() {
        // rem < 10^9, so this is below 10^9 × 2^32 < 2^62.
        let current = (rem << 32) | u64::from(*limb);
        *limb = (current / 1_000_000_000) as u32;
        rem = current % 1_000_000_000;
    }
    rem as u32
}

/// The nine digits of `v` < 10^9, zero-padded.
fn nine_digits(mut v: u32) -> [u8; 9] {
    let mut out = [b'0'; 9];
    for at in [7, 5, 3, 1] {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        if let (Some(slot), Some(digits)) = (out.get_mut(at..at + 2), PAIRS.get(pair..pair + 2)) {
            slot.copy_from_slice(digits);
        }
    }
    if let Some(first) = out.first_mut() {
        *first = b'0' + v as u8;
    }
    out
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
        DecStr::normalized(self.0).fraction_digits() > self.1 as usize
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DecStr::normalized_to(self.0, self.1).fmt(f)
    }
}

/// `= 0.9`, or `≈ 0.3333` when the number had to be rounded.
pub(crate) struct Eq(pub Decimal, pub u32);

impl fmt::Display for Eq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written once when exact; what `Num` shows otherwise.
        let exact = DecStr::normalized(self.0);
        if exact.fraction_digits() <= self.1 as usize {
            f.write_str("= ")?;
            exact.fmt(f)
        } else {
            f.write_str("≈ ")?;
            DecStr::normalized_to(self.0, self.1).fmt(f)
        }
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
        // Groups of three digits from the right, the first one shorter (ASCII: byte offsets).
        let mut at = match int.len() % 3 {
            0 => 3.min(int.len()),
            first => first,
        };
        f.write_str(int.get(..at).unwrap_or(int))?;
        while let Some(group) = int.get(at..at + 3) {
            f.write_str(",")?;
            f.write_str(group)?;
            at += 3;
        }
        if !frac.is_empty() {
            // Pence always show two places: £1,234.50.
            f.write_str(".")?;
            f.write_str(frac)?;
            if frac.len() < 2 {
                f.write_str("0")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scoring::decimal::round_half_up;
    use crate::scoring::tests::d;
    use proptest::prelude::*;

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

    /// A decimal of any mantissa (small ones too: each 32-bit part is zero a quarter of the time)
    /// and any scale.
    fn any_decimal() -> impl Strategy<Value = Decimal> {
        let part = || prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>(), 0u32..1000];
        (part(), part(), part(), any::<bool>(), 0u32..=28).prop_map(
            |(lo, mid, hi, negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale),
        )
    }

    /// Money as the simplest code writes it, for comparison.
    fn money_reference(symbol: &str, d: Decimal) -> String {
        let text = d.normalize().to_string();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, text),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let frac = if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac:0<2}")
        };
        format!("{}{symbol}{grouped}{frac}", if negative { "−" } else { "" })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn normalized_is_rust_decimals_display(d in any_decimal()) {
            let text = DecStr::normalized(d);
            prop_assert_eq!(text.as_str(), d.normalize().to_string());
            let frac = text.as_str().split_once('.').map_or(0, |(_, f)| f.len());
            prop_assert_eq!(text.fraction_digits(), frac);
        }

        #[test]
        fn fixed_is_rust_decimals_display_of_the_rounded_value(d in any_decimal(), places in 0u32..=6) {
            // rust_decimal's own `{:.N}` overflows its buffer on 29-digit values: pad by hand.
            let rounded = round_half_up(d, places);
            let text = rounded.to_string();
            let text = if rounded.is_zero() { text.trim_start_matches('-').to_string() } else { text };
            let have = text.split_once('.').map_or(0, |(_, f)| f.len());
            let point = if have == 0 && places > 0 { "." } else { "" };
            let want = format!("{text}{point}{}", "0".repeat(places as usize - have));
            let fixed = DecStr::fixed(d, places);
            prop_assert_eq!(fixed.as_str(), want);
        }

        #[test]
        fn sentence_numbers_are_exact_or_rounded_once(d in any_decimal(), dp in 0u32..=4) {
            let exact = d.normalize().to_string();
            let short = exact.split_once('.').is_none_or(|(_, f)| f.len() <= dp as usize);
            let shown = if short { exact } else { round_half_up(d, dp).normalize().to_string() };
            prop_assert_eq!(Num(d, dp).to_string(), shown.clone());
            prop_assert_eq!(Num(d, dp).rounded(), !short);
            prop_assert_eq!(Eq(d, dp).to_string(), format!("{} {shown}", if short { "=" } else { "≈" }));
        }

        #[test]
        fn money_groups_thousands(d in any_decimal()) {
            prop_assert_eq!(Money("GBP", d).to_string(), money_reference("£", d));
            prop_assert_eq!(Money("CHF", d).to_string(), money_reference("CHF ", d));
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
