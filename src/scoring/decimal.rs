//! Exact decimals on the wire and the engine's rounding rules.
//!
//! Requests accept a decimal as a JSON string (`"0.1"`) or a JSON number (`0.1`). With serde_json's
//! `arbitrary_precision` a number reaches us as its text, so nothing goes through binary floating point; the text is
//! parsed with [`Decimal::from_str_exact`], so a value that needs more than 28 significant digits is
//! refused instead of being silently rounded. Responses always carry decimals as strings, normalised
//! (no trailing zeros, `"87"` not `"87.00"`), except the `*_display` values which have exactly 2 places.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::format::{DecStr, Num};

/// serde_json's private token for an `arbitrary_precision` number.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The longest text [`parse_exact`] reads: 28 significant digits, as many zeros after the point,
/// a sign, a point and an exponent fit with room to spare.
const MAX_DECIMAL_TEXT: usize = 100;

/// Parse a decimal written as a JSON number or a plain decimal string, exactly.
///
/// Accepts `-?digits(.digits)?([eE][+-]?digits)?`. Rejects anything else (spaces, `+`, `_`, hex),
/// and any value that `rust_decimal` cannot hold exactly.
pub fn parse_exact(text: &str) -> Result<Decimal, String> {
    // rust_decimal's parser recurses per digit: a long enough run of digits overflows the stack
    // (20,000 zeros abort the process). No exact decimal needs more than a few dozen characters.
    if text.len() > MAX_DECIMAL_TEXT {
        return Err(format!(
            "a decimal is at most {MAX_DECIMAL_TEXT} characters long (this one has {})",
            text.len()
        ));
    }
    if !is_json_number(text) {
        return Err(format!("`{text}` is not a decimal number"));
    }
    if text.contains(['e', 'E']) {
        let value = Decimal::from_scientific(text)
            .map_err(|_| format!("`{text}` is out of the exact decimal range"))?;
        return Ok(value);
    }
    Decimal::from_str_exact(text).map_err(|_| {
        format!("`{text}` cannot be held exactly (at most 28 significant digits, |x| < 7.9e28)")
    })
}

fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    let at = |i: usize| bytes.get(i).copied();
    if at(i) == Some(b'-') {
        i += 1;
    }
    let start = i;
    while matches!(at(i), Some(b'0'..=b'9')) {
        i += 1;
    }
    if i == start {
        return false;
    }
    if at(i) == Some(b'.') {
        i += 1;
        let frac = i;
        while matches!(at(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == frac {
            return false;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = i;
        while matches!(at(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == exp {
            return false;
        }
    }
    i == bytes.len()
}

/// A decimal deserialised exactly from a JSON string or number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExactDecimal(pub(crate) Decimal);

impl<'de> Deserialize<'de> for ExactDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ExactVisitor).map(ExactDecimal)
    }
}

struct ExactVisitor;

impl<'de> Visitor<'de> for ExactVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number, as a JSON number or a string such as \"12.5\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        i128::try_from(v)
            .ok()
            .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok())
            .ok_or_else(|| E::custom(format!("`{v}` is out of the exact decimal range")))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0)
            .map_err(|_| E::custom(format!("`{v}` is out of the exact decimal range")))
    }

    // No binary-float visitor: parsed from JSON text, numbers arrive as their text
    // (`arbitrary_precision`). A `serde_json::Value` hands some non-integers over as binary floats
    // instead; those are refused, so requests must be deserialised from text (`from_slice`,
    // `from_str`), which is what the HTTP layer does.

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_exact(v).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                parse_exact(&text).map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// Write a decimal as a normalised string (`"87.5"`, `"0"`, never `"-0"`).
pub(crate) fn write_normalized<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(DecStr::normalized(*d).as_str())
}

/// `#[serde(with = "decimal::exact")]` for a required `Decimal`.
pub(crate) mod exact {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        write_normalized(d, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        ExactDecimal::deserialize(d).map(|x| x.0)
    }
}

/// `#[serde(with = "decimal::option")]` for an `Option<Decimal>` (null or absent is `None`).
pub(crate) mod option {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => write_normalized(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<ExactDecimal>::deserialize(d)?.map(|x| x.0))
    }
}

/// `#[serde(with = "decimal::option_vec")]` for an `Option<Vec<Decimal>>`.
pub(crate) mod option_vec {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Vec<Decimal>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => {
                let strings: Vec<Decimal> = v.iter().map(|d| d.normalize()).collect();
                strings.serialize(s)
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Decimal>>, D::Error> {
        Ok(Option::<Vec<ExactDecimal>>::deserialize(d)?
            .map(|v| v.into_iter().map(|x| x.0).collect()))
    }
}

/// `#[serde(with = "decimal::map")]` for marks: `{criterion_id: decimal}`; a repeated key is an error.
pub(crate) mod map {
    use super::*;

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<String, Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let normal: BTreeMap<&str, Decimal> =
            m.iter().map(|(k, v)| (k.as_str(), v.normalize())).collect();
        normal.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Decimal>, D::Error> {
        d.deserialize_map(MarksVisitor)
    }

    struct MarksVisitor;

    impl<'de> Visitor<'de> for MarksVisitor {
        type Value = BTreeMap<String, Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of criterion id to mark")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value: ExactDecimal = map.next_value()?;
                if out.insert(key.clone(), value.0).is_some() {
                    return Err(de::Error::custom(format!(
                        "duplicate mark for criterion `{key}`"
                    )));
                }
            }
            Ok(out)
        }
    }
}

/// Round half-up (away from zero) to `dp` places.
#[inline]
pub(crate) fn round_half_up(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Ranking keys, flag thresholds and band edges are compared at 20 places (scoring.md, precision).
#[inline]
pub(crate) fn key20(d: Decimal) -> Decimal {
    if d.scale() <= 20 {
        d
    } else {
        round_half_up(d, 20)
    }
}

/// A value shown with exactly two decimal places, rounded once, half-up: `"87.00"`.
///
/// Holds the exact value; rounding happens when it is displayed or serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display2(pub Decimal);

impl fmt::Display for Display2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DecStr::fixed(self.0, 2).as_str())
    }
}

impl Serialize for Display2 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(DecStr::fixed(self.0, 2).as_str())
    }
}

/// A number for a message: exact when it has at most `dp` places, else rounded half-up to `dp`.
/// The flag tells whether it was rounded.
pub(crate) fn approx(d: Decimal, dp: u32) -> (String, bool) {
    let n = Num(d, dp);
    (n.to_string(), n.rounded())
}

/// OpenAPI view of a decimal in a request: an exact decimal string (preferred) or a JSON number,
/// both read exactly. Responses always write strings.
pub struct DecimalInput;

impl utoipa::PartialSchema for DecimalInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
            .description(Some(
                "A decimal: a string such as \"98500.50\" (exact) or a JSON number, read exactly",
            ))
            .examples(["98500.50"])
            .into()
    }
}

impl utoipa::ToSchema for DecimalInput {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scoring::tests::d;

    #[test]
    fn display2_rounds_half_up_once_and_keeps_two_places() {
        assert_eq!(Display2(d("87")).to_string(), "87.00");
        assert_eq!(Display2(d("83.5")).to_string(), "83.50");
        assert_eq!(Display2(d("0.9")).to_string(), "0.90");
        assert_eq!(Display2(d("0.125")).to_string(), "0.13");
        assert_eq!(Display2(d("0.124999")).to_string(), "0.12");
        assert_eq!(Display2(d("-0.001")).to_string(), "0.00");
        assert_eq!(
            Display2(d("93.3333333333333333333333333")).to_string(),
            "93.33"
        );
    }

    /// Found by schemathesis: 20,000 zeros overflowed the stack in rust_decimal's recursive
    /// parser and aborted the server. Long texts are refused before they reach it.
    #[test]
    fn a_decimal_text_longer_than_any_exact_decimal_is_refused_not_parsed() {
        for length in [101, 20_000, 1_000_000] {
            let error = parse_exact(&"0".repeat(length)).unwrap_err();
            assert!(error.contains("at most 100 characters"), "{error}");
        }
        assert_eq!(parse_exact(&"0".repeat(100)).unwrap(), Decimal::ZERO);
        let smallest = format!("0.{}1", "0".repeat(27));
        assert_eq!(parse_exact(&smallest).unwrap(), d(&smallest));
    }

    #[test]
    fn parse_exact_accepts_json_numbers_only() {
        assert_eq!(parse_exact("0.1").unwrap(), d("0.1"));
        assert_eq!(parse_exact("-2").unwrap(), d("-2"));
        assert_eq!(parse_exact("1e3").unwrap(), d("1000"));
        assert_eq!(
            parse_exact("12345678901.123456789").unwrap().to_string(),
            "12345678901.123456789"
        );
        for bad in [
            "", " 1", "+1", "1_000", "0x10", ".5", "5.", "1e", "NaN", "1.2.3",
        ] {
            assert!(parse_exact(bad).is_err(), "{bad}");
        }
        assert!(parse_exact("0.12345678901234567890123456789").is_err());
        assert!(parse_exact("100000000000000000000000000000").is_err());
    }

    #[test]
    fn approx_keeps_short_values_exact() {
        assert_eq!(approx(d("0.90"), 4), ("0.9".to_string(), false));
        assert_eq!(approx(d("0.33333"), 4), ("0.3333".to_string(), true));
    }
}
