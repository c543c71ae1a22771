//! The standstill period after an award decision (Procurement Act 2023): eight working days,
//! skipping weekends and bank holidays. The holidays are data: England and Wales 2025–2027 (gov.uk)
//! ship with the binary, and `SOCVAL_BANK_HOLIDAYS_FILE` replaces them (same JSON shape), so a new
//! year or another region is a file, not a release.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// Working days of standstill after the decision.
pub const STANDSTILL_WORKING_DAYS: u32 = 8;

#[derive(Deserialize)]
struct HolidayFile {
    dates: Vec<NaiveDate>,
}

/// The bank holidays that are not working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHolidays(BTreeSet<NaiveDate>);

static SHIPPED: LazyLock<BankHolidays> = LazyLock::new(|| {
    BankHolidays::parse(include_str!("data/bank-holidays-england-wales.json"))
        .unwrap_or(BankHolidays(BTreeSet::new())) // a test proves the file parses
});

impl BankHolidays {
    /// England and Wales, 2025–2027, as shipped.
    pub fn shipped() -> Self {
        SHIPPED.clone()
    }

    /// A file of the shipped file's shape: `{"dates": ["2026-12-25", …]}`.
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str::<HolidayFile>(json)
            .map(|file| Self(file.dates.into_iter().collect()))
            .map_err(|e| e.to_string())
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.0.contains(&date)
    }

    /// The last day of standstill for a decision made on `decided`: the eighth working day after it.
    pub fn standstill_end(&self, decided: NaiveDate) -> NaiveDate {
        let mut date = decided;
        let mut counted = 0;
        while counted < STANDSTILL_WORKING_DAYS {
            date = date.checked_add_days(Days::new(1)).unwrap_or(date);
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        date
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn standstill_end(decided: NaiveDate) -> NaiveDate {
        BankHolidays::shipped().standstill_end(decided)
    }

    #[test]
    fn the_holiday_file_parses_with_eight_holidays_a_year() {
        let shipped = BankHolidays::shipped();
        assert_eq!(shipped.0.len(), 24);
        for year in 2025..=2027 {
            assert_eq!(
                shipped.0.iter().filter(|d| d.year() == year).count(),
                8,
                "{year}"
            );
        }
    }

    #[test]
    fn a_configured_list_replaces_the_shipped_one() {
        // With 10 March 2026 declared a holiday, a Monday 9 March decision ends a day later.
        let custom = BankHolidays::parse(r#"{"dates": ["2026-03-10"]}"#).unwrap();
        assert_eq!(custom.standstill_end(day("2026-03-09")), day("2026-03-20"));
        assert!(BankHolidays::parse("{}").is_err());
    }

    #[test]
    fn a_plain_week_skips_the_weekend() {
        // Monday 9 March 2026 → Tuesday 10 … Friday 13 (4), Monday 16 … Thursday 19 (8).
        assert_eq!(standstill_end(day("2026-03-09")), day("2026-03-19"));
    }

    #[test]
    fn easter_holidays_are_skipped() {
        // Thursday 2 April 2026: Good Friday 3 and Easter Monday 6 are not working days.
        // Working days: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13, Tue 14, Wed 15, Thu 16.
        assert_eq!(standstill_end(day("2026-04-02")), day("2026-04-16"));
    }

    #[test]
    fn christmas_with_a_substitute_day_and_new_year_are_skipped() {
        // Wednesday 23 December 2026: Christmas (Fri 25), Boxing Day's substitute (Mon 28) and New
        // Year's Day (Fri 1) are holidays. Working days: Thu 24, Tue 29, Wed 30, Thu 31,
        // Mon 4 Jan, Tue 5, Wed 6, Thu 7.
        assert_eq!(standstill_end(day("2026-12-23")), day("2027-01-07"));
    }

    #[test]
    fn a_decision_at_the_weekend_counts_from_the_next_working_day() {
        // Saturday 7 March 2026 → Monday 9 … Wednesday 18.
        assert_eq!(standstill_end(day("2026-03-07")), day("2026-03-18"));
    }
}
