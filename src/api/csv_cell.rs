//! Cells of the CSV we write, safe to open in a spreadsheet (OWASP "CSV Injection"): a text cell
//! that starts with `=`, `+`, `-`, `@`, tab or CR would be read as a formula, so it is written
//! with a leading `'`, which spreadsheets show as text. A number (a negative quantity, a score) is
//! not a formula and is written as it is, so it stays a number.

use std::borrow::Cow;
use std::str::FromStr;

pub fn cell(text: &str) -> Cow<'_, str> {
    let formula_like = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // A number is short: a long text is never parsed (rust_decimal's parser recurses per digit).
    let number = text.len() <= 100 && rust_decimal::Decimal::from_str(text).is_ok();
    if formula_like && !number {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_quoted_and_numbers_are_not() {
        let long_minus = format!("-{}", "0".repeat(20_000));
        let long_quoted = format!("'{long_minus}");
        for (text, written) in [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-12.5", "-12.5"),
            (&long_minus, &long_quoted),
            ("+3", "+3"),
            ("price", "price"),
            ("", ""),
        ] {
            assert_eq!(cell(text), written, "{text:?}");
        }
    }
}
