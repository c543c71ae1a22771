//! Text every layer refuses: the C0 control characters other than tab, LF and CR. NUL cannot be
//! stored in a PostgreSQL `TEXT` at all, and SQLite would keep it, so without one rule at the edge
//! the two backends would hold different data; the others have no place in a name, an id or a
//! rationale and break the CSV, HTML and logs they end up in.

/// The first refused control character in `text`, if any.
pub fn refused_control(text: &str) -> Option<char> {
    text.chars().find(|&c| is_refused(c))
}

pub fn is_refused(c: char) -> bool {
    c < ' ' && !matches!(c, '\t' | '\n' | '\r')
}

/// How a refusal names the character, e.g. "the control character U+0000".
pub fn describe(c: char) -> String {
    format!(
        "contains the control character U+{:04X}, which no text accepts (only tab, LF and CR are allowed)",
        u32::from(c)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_c0_control_but_tab_lf_and_cr_is_refused() {
        let refused: Vec<u32> = (0..0x80u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_refused(c))
            .map(u32::from)
            .collect();
        let expected: Vec<u32> = (0..0x20).filter(|c| ![9, 10, 13].contains(c)).collect();
        assert_eq!(refused, expected);
        assert_eq!(refused_control("a\u{0}b"), Some('\u{0}'));
        assert_eq!(refused_control("tab\there\r\nok é ✓"), None);
        assert!(describe('\u{1b}').contains("U+001B"));
    }
}
