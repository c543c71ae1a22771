//! UK bank holidays, computed by rule for any year in three regions (the gov.uk "divisions"), plus
//! the one-off changes (jubilees, a state funeral, a coronation…) from a JSON file.
//!
//! Rules rather than a list of dates, so that a new year never needs a release: only a one-off
//! needs data, and [`Calendar::with_changes`] takes a file of them in place of the shipped
//! `data/bank-holiday-changes.json` (from gov.uk: Crown copyright, Open Government Licence v3.0).
//! The rules are today's, applied to every year: gov.uk publishes dates from 2012 only.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A part of the UK with its own bank holidays. Serde names are gov.uk's division names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// `england-and-wales`.
    EnglandAndWales,
    /// `scotland`.
    Scotland,
    /// `northern-ireland`.
    NorthernIreland,
}

impl Region {
    /// The three regions, in gov.uk's order.
    pub const ALL: [Region; 3] = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    /// The gov.uk division name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
        }
    }

    fn rules(self) -> &'static [Rule] {
        match self {
            Region::EnglandAndWales => &ENGLAND_AND_WALES,
            Region::Scotland => &SCOTLAND,
            Region::NorthernIreland => &NORTHERN_IRELAND,
        }
    }
}

/// One bank holiday. A substitute day's title ends " (substitute day)".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub title: String,
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus, also for years before
/// 1583). Years outside chrono's range (beyond ±262,142) saturate to `NaiveDate::MIN`/`MAX`.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .and_then(|(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        .unwrap_or(if year < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// How a holiday's date follows from the year.
#[derive(Debug, Clone, Copy)]
enum When {
    /// A fixed date; on a weekend it moves to the first following weekday not already a holiday.
    Fixed(u32, u32),
    /// Days from Easter Sunday.
    Easter(i64),
    /// The first Monday of a month.
    FirstMonday(u32),
    /// The last Monday of a month of 31 days.
    LastMonday(u32),
}

#[derive(Debug, Clone, Copy)]
struct Rule {
    when: When,
    title: &'static str,
}

const fn rule(when: When, title: &'static str) -> Rule {
    Rule { when, title }
}

const NEW_YEAR: Rule = rule(When::Fixed(1, 1), "New Year\u{2019}s Day");
const SECOND_JANUARY: Rule = rule(When::Fixed(1, 2), "2nd January");
const ST_PATRICK: Rule = rule(When::Fixed(3, 17), "St Patrick\u{2019}s Day");
const GOOD_FRIDAY: Rule = rule(When::Easter(-2), "Good Friday");
const EASTER_MONDAY: Rule = rule(When::Easter(1), "Easter Monday");
const EARLY_MAY: Rule = rule(When::FirstMonday(5), "Early May bank holiday");
const SPRING: Rule = rule(When::LastMonday(5), "Spring bank holiday");
const BOYNE: Rule = rule(
    When::Fixed(7, 12),
    "Battle of the Boyne (Orangemen\u{2019}s Day)",
);
const SUMMER_FIRST_MONDAY: Rule = rule(When::FirstMonday(8), "Summer bank holiday");
const SUMMER_LAST_MONDAY: Rule = rule(When::LastMonday(8), "Summer bank holiday");
const ST_ANDREW: Rule = rule(When::Fixed(11, 30), "St Andrew\u{2019}s Day");
const CHRISTMAS: Rule = rule(When::Fixed(12, 25), "Christmas Day");
const BOXING_DAY: Rule = rule(When::Fixed(12, 26), "Boxing Day");

// In date order: of two fixed dates on a weekend, the earlier takes the earlier substitute day
// (Christmas on the 27th, Boxing Day on the 28th), as gov.uk does.
const ENGLAND_AND_WALES: [Rule; 8] = [
    NEW_YEAR,
    GOOD_FRIDAY,
    EASTER_MONDAY,
    EARLY_MAY,
    SPRING,
    SUMMER_LAST_MONDAY,
    CHRISTMAS,
    BOXING_DAY,
];
const SCOTLAND: [Rule; 9] = [
    NEW_YEAR,
    SECOND_JANUARY,
    GOOD_FRIDAY,
    EARLY_MAY,
    SPRING,
    SUMMER_FIRST_MONDAY,
    ST_ANDREW,
    CHRISTMAS,
    BOXING_DAY,
];
const NORTHERN_IRELAND: [Rule; 10] = [
    NEW_YEAR,
    ST_PATRICK,
    GOOD_FRIDAY,
    EASTER_MONDAY,
    EARLY_MAY,
    SPRING,
    BOYNE,
    SUMMER_LAST_MONDAY,
    CHRISTMAS,
    BOXING_DAY,
];

const SUBSTITUTE: &str = " (substitute day)";

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A holiday the rules produce, before any title is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RuleDay {
    date: NaiveDate,
    title: &'static str,
    substitute: bool,
}

impl RuleDay {
    fn title(&self) -> String {
        if self.substitute {
            format!("{}{SUBSTITUTE}", self.title)
        } else {
            self.title.to_owned()
        }
    }
}

/// The date a rule gives in `year`, before any substitute day; `None` out of chrono's range.
fn rule_date(when: When, year: i32) -> Option<NaiveDate> {
    match when {
        When::Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
        When::Easter(offset) => {
            let days = Days::new(offset.unsigned_abs());
            let sunday = easter_sunday(year);
            if offset < 0 {
                sunday.checked_sub_days(days)
            } else {
                sunday.checked_add_days(days)
            }
        }
        When::FirstMonday(month) => {
            NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
        }
        When::LastMonday(month) => {
            let last = NaiveDate::from_ymd_opt(year, month, 31)?;
            last.checked_sub_days(Days::new(last.weekday().days_since(Weekday::Mon).into()))
        }
    }
}

/// A region's holidays in `year` by rule alone, sorted by date; empty out of chrono's range.
///
/// Every dated holiday is placed first, then each fixed date that falls on a weekend moves to the
/// first following weekday not already a holiday. That one rule gives all of gov.uk's substitute
/// days: Christmas on a Saturday → Christmas Monday 27th and Boxing Day Tuesday 28th; Christmas on
/// a Sunday → Boxing Day stays Monday 26th and Christmas moves to Tuesday 27th.
fn rule_days(region: Region, year: i32) -> Vec<RuleDay> {
    let in_range = NaiveDate::from_ymd_opt(year, 1, 1).is_some()
        && NaiveDate::from_ymd_opt(year, 12, 31).is_some();
    if !in_range {
        return Vec::new();
    }
    let dated: Vec<(NaiveDate, &Rule)> = region
        .rules()
        .iter()
        .filter_map(|rule| rule_date(rule.when, year).map(|date| (date, rule)))
        .collect();
    let mut days: Vec<RuleDay> = dated
        .iter()
        .filter(|(date, rule)| !(matches!(rule.when, When::Fixed(..)) && is_weekend(*date)))
        .map(|(date, rule)| RuleDay {
            date: *date,
            title: rule.title,
            substitute: false,
        })
        .collect();
    for (date, rule) in dated
        .iter()
        .filter(|(date, rule)| matches!(rule.when, When::Fixed(..)) && is_weekend(*date))
    {
        // Ten holidays at most: a free weekday is always within a fortnight.
        let substitute = (1..=14)
            .filter_map(|n| date.checked_add_days(Days::new(n)))
            .find(|day| !is_weekend(*day) && !days.iter().any(|taken| taken.date == *day));
        if let Some(substitute) = substitute {
            days.push(RuleDay {
                date: substitute,
                title: rule.title,
                substitute: true,
            });
        }
    }
    days.sort_by_key(|day| day.date);
    days
}

/// One-off changes to the rules: holidays added and rule-made holidays removed, per region.
///
/// Parsed from JSON of this shape (unknown fields are refused):
///
/// ```json
/// {"source": "gov.uk …",
///  "additions": [{"date": "2022-06-03", "title": "Platinum Jubilee bank holiday",
///                 "regions": ["england-and-wales", "scotland", "northern-ireland"]}],
///  "removals": [{"date": "2022-05-30", "title": "Spring bank holiday (moved)"}]}
/// ```
///
/// `regions` left out means all three; a removal's `title` is a note only. A removal of a date the
/// rules do not make a holiday in that region, or an addition of one they already do (and the file
/// does not remove), is an error: either would silently do nothing, so the file is surely wrong.
///
/// The legacy shape `{"dates": ["2026-12-25", …]}` (the England and Wales replacement list that
/// `SOCVAL_BANK_HOLIDAYS_FILE` held before the rules) is accepted too: each date the rules do not
/// already produce becomes an England and Wales addition titled "Bank holiday". As before, its
/// other fields (`region`, `source`) are not checked. A rule-made date missing from such a list
/// is *not* removed: the old lists only ever covered a few years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    source: Option<String>,
    additions: BTreeMap<(Region, NaiveDate), String>,
    removals: BTreeSet<(Region, NaiveDate)>,
}

#[derive(Deserialize)]
#[serde(rename = "BankHolidayChanges", deny_unknown_fields)]
struct RawChanges {
    source: Option<String>,
    additions: Option<Vec<RawChange>>,
    removals: Option<Vec<RawChange>>,
}

/// The legacy shape, read as leniently as before: other fields (`region`, `source`) are ignored.
#[derive(Deserialize)]
#[serde(rename = "BankHolidayDates")]
struct LegacyDates {
    dates: Vec<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    date: NaiveDate,
    title: Option<String>,
    regions: Option<Vec<Region>>,
}

impl RawChange {
    fn regions(&self, kind: &str) -> Result<Vec<Region>, String> {
        match &self.regions {
            None => Ok(Region::ALL.to_vec()),
            Some(regions) if regions.is_empty() => Err(format!(
                "{kind} of {}: `regions` is empty (leave it out to mean all three)",
                self.date
            )),
            Some(regions) => Ok(regions.clone()),
        }
    }
}

impl Changes {
    /// Parses and checks a changes file (either shape; see [`Changes`]).
    pub fn parse(json: &str) -> Result<Changes, String> {
        let unparsable = |e: serde_json::Error| format!("bank-holiday changes do not parse: {e}");
        let value: serde_json::Value = serde_json::from_str(json).map_err(unparsable)?;
        let has = |key: &str| value.get(key).is_some();
        let changes = if has("dates") {
            if has("additions") || has("removals") {
                Err(
                    "the legacy `dates` list cannot be mixed with `additions` or `removals`"
                        .to_owned(),
                )
            } else {
                // Parsed again from the text, not the value, so that errors name a line.
                let legacy: LegacyDates = serde_json::from_str(json).map_err(unparsable)?;
                let source = value
                    .get("source")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned);
                Ok(Self::from_legacy(legacy.dates, source))
            }
        } else {
            let raw: RawChanges = serde_json::from_str(json).map_err(unparsable)?;
            Self::from_raw(raw)
        };
        changes.map_err(|e| format!("bank-holiday changes: {e}"))
    }

    /// The file's `source` line, if it has one.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn from_legacy(dates: Vec<NaiveDate>, source: Option<String>) -> Changes {
        let region = Region::EnglandAndWales;
        let additions = dates
            .into_iter()
            .filter(|date| {
                !rule_days(region, date.year())
                    .iter()
                    .any(|d| d.date == *date)
            })
            .map(|date| ((region, date), "Bank holiday".to_owned()))
            .collect();
        Changes {
            source,
            additions,
            removals: BTreeSet::new(),
        }
    }

    fn from_raw(raw: RawChanges) -> Result<Changes, String> {
        if raw.additions.is_none() && raw.removals.is_none() {
            return Err(
                "neither `additions` nor `removals` (nor the legacy `dates`) is given; \
                 for no changes write \"additions\": []"
                    .to_owned(),
            );
        }
        let mut changes = Changes {
            source: raw.source,
            ..Changes::default()
        };
        for removal in raw.removals.iter().flatten() {
            let date = removal.date;
            for region in removal.regions("removal")? {
                if !rule_days(region, date.year())
                    .iter()
                    .any(|d| d.date == date)
                {
                    return Err(format!(
                        "removal of {date} in {}: the rules do not make it a bank holiday there, \
                         so removing it would do nothing",
                        region.as_str()
                    ));
                }
                if !changes.removals.insert((region, date)) {
                    return Err(format!(
                        "removal of {date} in {} is given twice",
                        region.as_str()
                    ));
                }
            }
        }
        for addition in raw.additions.iter().flatten() {
            let date = addition.date;
            let title = match addition.title.as_deref().map(str::trim) {
                Some(title) if !title.is_empty() => title.to_owned(),
                _ => return Err(format!("addition of {date} has no `title`")),
            };
            for region in addition.regions("addition")? {
                let by_rule = rule_days(region, date.year())
                    .into_iter()
                    .find(|d| d.date == date);
                if let Some(by_rule) = by_rule
                    && !changes.removals.contains(&(region, date))
                {
                    return Err(format!(
                        "addition of {date} ({title}) in {}: the rules already make it a bank \
                         holiday ({}), so adding it would do nothing",
                        region.as_str(),
                        by_rule.title()
                    ));
                }
                if changes
                    .additions
                    .insert((region, date), title.clone())
                    .is_some()
                {
                    return Err(format!(
                        "addition of {date} in {} is given twice",
                        region.as_str()
                    ));
                }
            }
        }
        Ok(changes)
    }
}

static SHIPPED: LazyLock<Result<Changes, String>> =
    LazyLock::new(|| Changes::parse(include_str!("data/bank-holiday-changes.json")));

/// The bank holidays: the rules plus one set of one-off changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    changes: Changes,
}

impl Calendar {
    /// The rules plus the shipped one-offs (2012–2023, gov.uk). Never panics: were the shipped
    /// file not to parse (a test rules that out) this would be the rules alone.
    pub fn shipped() -> Calendar {
        Calendar::new(SHIPPED.as_ref().cloned().unwrap_or_default())
    }

    /// The rules plus these changes.
    pub fn new(changes: Changes) -> Calendar {
        Calendar { changes }
    }

    /// The rules plus the changes in this file (either shape; see [`Changes`]), *replacing* the
    /// shipped ones, so an override file must repeat any shipped one-off it still wants.
    pub fn with_changes(json: &str) -> Result<Calendar, String> {
        Changes::parse(json).map(Calendar::new)
    }

    /// A region's holidays in `year`, sorted by date; empty for a year out of chrono's range.
    pub fn holidays(&self, region: Region, year: i32) -> Vec<Holiday> {
        let mut holidays: Vec<Holiday> = rule_days(region, year)
            .into_iter()
            .filter(|day| !self.changes.removals.contains(&(region, day.date)))
            .map(|day| Holiday {
                date: day.date,
                title: day.title(),
            })
            .collect();
        if let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            holidays.extend(
                self.changes
                    .additions
                    .range((region, first)..=(region, last))
                    .map(|((_, date), title)| Holiday {
                        date: *date,
                        title: title.clone(),
                    }),
            );
        }
        holidays.sort_by_key(|holiday| holiday.date);
        holidays
    }

    /// Whether `date` is a bank holiday in `region`.
    pub fn is_holiday(&self, region: Region, date: NaiveDate) -> bool {
        if self.changes.additions.contains_key(&(region, date)) {
            return true;
        }
        !self.changes.removals.contains(&(region, date))
            && rule_days(region, date.year())
                .iter()
                .any(|day| day.date == date)
    }

    /// Whether `date` is a bank holiday in any of the three regions.
    pub fn is_holiday_anywhere(&self, date: NaiveDate) -> bool {
        Region::ALL
            .into_iter()
            .any(|region| self.is_holiday(region, date))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn listed(calendar: &Calendar, region: Region, year: i32) -> Vec<(String, String)> {
        calendar
            .holidays(region, year)
            .into_iter()
            .map(|h| (h.date.to_string(), h.title))
            .collect()
    }

    fn dates(calendar: &Calendar, region: Region, year: i32) -> Vec<String> {
        calendar
            .holidays(region, year)
            .into_iter()
            .map(|h| h.date.to_string())
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(d, t)| ((*d).to_owned(), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn easter_sunday_for_known_years() {
        for (year, expected) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2031, "2031-04-13"),
            (2038, "2038-04-25"), // the latest possible
            (1818, "1818-03-22"), // the earliest possible
            (2285, "2285-03-22"),
            (2000, "2000-04-23"),
        ] {
            assert_eq!(easter_sunday(year), day(expected), "{year}");
        }
        assert_eq!(easter_sunday(i32::MAX), NaiveDate::MAX);
        assert_eq!(easter_sunday(i32::MIN), NaiveDate::MIN);
    }

    #[test]
    fn regions_use_the_govuk_division_names() {
        for region in Region::ALL {
            let json = serde_json::to_string(&region).unwrap();
            assert_eq!(json, format!("\"{}\"", region.as_str()));
            assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), region);
        }
    }

    #[test]
    fn a_plain_year_in_each_region() {
        let calendar = Calendar::shipped();
        assert_eq!(
            listed(&calendar, Region::EnglandAndWales, 2026),
            pairs(&[
                ("2026-01-01", "New Year’s Day"),
                ("2026-04-03", "Good Friday"),
                ("2026-04-06", "Easter Monday"),
                ("2026-05-04", "Early May bank holiday"),
                ("2026-05-25", "Spring bank holiday"),
                ("2026-08-31", "Summer bank holiday"),
                ("2026-12-25", "Christmas Day"),
                ("2026-12-28", "Boxing Day (substitute day)"),
            ])
        );
        assert_eq!(
            dates(&calendar, Region::Scotland, 2026),
            [
                "2026-01-01",
                "2026-01-02",
                "2026-04-03",
                "2026-05-04",
                "2026-05-25",
                "2026-08-03",
                "2026-11-30",
                "2026-12-25",
                "2026-12-28",
            ]
        );
        assert_eq!(
            dates(&calendar, Region::NorthernIreland, 2026),
            [
                "2026-01-01",
                "2026-03-17",
                "2026-04-03",
                "2026-04-06",
                "2026-05-04",
                "2026-05-25",
                "2026-07-13",
                "2026-08-31",
                "2026-12-25",
                "2026-12-28",
            ]
        );
    }

    fn titles_from(calendar: &Calendar, region: Region, from: &str) -> Vec<(String, String)> {
        let from = day(from);
        calendar
            .holidays(region, from.year())
            .into_iter()
            .filter(|h| h.date >= from)
            .map(|h| (h.date.to_string(), h.title))
            .collect()
    }

    #[test]
    fn christmas_on_a_saturday_moves_both_days() {
        let calendar = Calendar::shipped();
        for year in [2021, 2027] {
            assert_eq!(
                titles_from(&calendar, Region::EnglandAndWales, &format!("{year}-12-01")),
                pairs(&[
                    (&format!("{year}-12-27"), "Christmas Day (substitute day)"),
                    (&format!("{year}-12-28"), "Boxing Day (substitute day)"),
                ])
            );
        }
    }

    #[test]
    fn christmas_on_a_sunday_moves_behind_boxing_day() {
        assert_eq!(
            titles_from(&Calendar::shipped(), Region::NorthernIreland, "2022-12-01"),
            pairs(&[
                ("2022-12-26", "Boxing Day"),
                ("2022-12-27", "Christmas Day (substitute day)"),
            ])
        );
    }

    #[test]
    fn scottish_new_year_substitutes() {
        let calendar = Calendar::shipped();
        let january = |year: i32| -> Vec<(String, String)> {
            listed(&calendar, Region::Scotland, year)
                .into_iter()
                .take(2)
                .collect()
        };
        // 1 January on a Saturday: both days move.
        assert_eq!(
            january(2022),
            pairs(&[
                ("2022-01-03", "New Year’s Day (substitute day)"),
                ("2022-01-04", "2nd January (substitute day)"),
            ])
        );
        // On a Sunday: 2 January is a Monday and New Year's Day moves past it.
        assert_eq!(
            january(2023),
            pairs(&[
                ("2023-01-02", "2nd January"),
                ("2023-01-03", "New Year’s Day (substitute day)"),
            ])
        );
        // 2 January on a Saturday: New Year's Day is a Friday, 2 January moves to Monday.
        assert_eq!(
            january(2021),
            pairs(&[
                ("2021-01-01", "New Year’s Day"),
                ("2021-01-04", "2nd January (substitute day)"),
            ])
        );
        // England and Wales have no 2 January: New Year's Day on a Saturday is Monday 3rd.
        assert_eq!(
            dates(&calendar, Region::EnglandAndWales, 2022)
                .first()
                .unwrap(),
            "2022-01-03"
        );
    }

    #[test]
    fn st_andrews_day_on_a_weekend_moves_to_monday() {
        let calendar = Calendar::shipped();
        for (year, expected) in [
            (2019, "2019-12-02"),
            (2025, "2025-12-01"),
            (2026, "2026-11-30"),
        ] {
            let holidays = calendar.holidays(Region::Scotland, year);
            let st_andrew = holidays
                .iter()
                .find(|h| h.title.starts_with("St Andrew"))
                .unwrap();
            assert_eq!(st_andrew.date, day(expected), "{year}");
            assert_eq!(st_andrew.title.ends_with(SUBSTITUTE), year != 2026);
        }
    }

    #[test]
    fn northern_irish_holidays_on_a_weekend_move_to_monday() {
        let calendar = Calendar::shipped();
        assert!(calendar.is_holiday(Region::NorthernIreland, day("2025-07-14")));
        assert!(!calendar.is_holiday(Region::NorthernIreland, day("2025-07-12")));
        assert!(calendar.is_holiday(Region::NorthernIreland, day("2024-03-18")));
        assert!(!calendar.is_holiday(Region::EnglandAndWales, day("2025-07-14")));
        assert!(calendar.is_holiday_anywhere(day("2025-07-14")));
        assert!(!calendar.is_holiday_anywhere(day("2025-07-15")));
    }

    #[test]
    fn scotland_has_no_easter_monday_and_summer_is_early() {
        let calendar = Calendar::shipped();
        assert!(!calendar.is_holiday(Region::Scotland, day("2026-04-06")));
        assert!(calendar.is_holiday(Region::Scotland, day("2026-08-03")));
        assert!(!calendar.is_holiday(Region::Scotland, day("2026-08-31")));
    }

    #[test]
    fn the_shipped_changes_parse_and_apply_everywhere() {
        let changes = SHIPPED.as_ref().unwrap();
        assert!(
            changes
                .source()
                .unwrap()
                .contains("Open Government Licence v3.0")
        );
        let calendar = Calendar::shipped();
        for region in Region::ALL {
            for (date, holiday) in [
                ("2020-05-04", false),
                ("2020-05-08", true),
                ("2022-05-30", false),
                ("2022-06-02", true),
                ("2022-06-03", true),
                ("2022-09-19", true),
                ("2023-05-08", true),
            ] {
                assert_eq!(
                    calendar.is_holiday(region, day(date)),
                    holiday,
                    "{region:?} {date}"
                );
            }
        }
        let year_2022 = calendar.holidays(Region::EnglandAndWales, 2022);
        assert_eq!(year_2022.len(), 10);
        assert!(
            year_2022
                .iter()
                .any(|h| h.title == "Platinum Jubilee bank holiday")
        );
        // Rules alone still give the original dates.
        let rules = Calendar::with_changes(r#"{"additions": []}"#).unwrap();
        assert!(rules.is_holiday(Region::Scotland, day("2022-05-30")));
        assert!(!rules.is_holiday(Region::Scotland, day("2022-06-03")));
    }

    #[test]
    fn a_file_of_changes_replaces_the_shipped_ones() {
        let calendar = Calendar::with_changes(
            r#"{"source": "test", "additions": [{"date": "2031-06-06", "title": "Extra",
                "regions": ["scotland"]}], "removals": [{"date": "2031-05-26",
                "regions": ["scotland", "northern-ireland"]}]}"#,
        )
        .unwrap();
        assert!(calendar.is_holiday(Region::Scotland, day("2031-06-06")));
        assert!(!calendar.is_holiday(Region::EnglandAndWales, day("2031-06-06")));
        assert!(!calendar.is_holiday(Region::NorthernIreland, day("2031-05-26")));
        assert!(calendar.is_holiday(Region::EnglandAndWales, day("2031-05-26")));
        assert!(calendar.is_holiday(Region::EnglandAndWales, day("2022-05-30")));
        assert_ne!(calendar, Calendar::shipped());
        // Retitling a rule-made holiday: removed and added in one file.
        let retitled = Calendar::with_changes(
            r#"{"removals": [{"date": "2031-12-25"}],
                "additions": [{"date": "2031-12-25", "title": "Christmas"}]}"#,
        )
        .unwrap();
        assert!(
            retitled
                .holidays(Region::Scotland, 2031)
                .contains(&Holiday {
                    date: day("2031-12-25"),
                    title: "Christmas".to_owned()
                })
        );
    }

    #[test]
    fn the_legacy_list_adds_only_what_the_rules_lack() {
        let legacy = Calendar::with_changes(
            r#"{"dates": ["2025-12-25", "2025-12-26", "2026-12-28", "2026-06-01"]}"#,
        )
        .unwrap();
        assert_eq!(
            legacy.changes.additions.keys().collect::<Vec<_>>(),
            [&(Region::EnglandAndWales, day("2026-06-01"))]
        );
        assert!(legacy.is_holiday(Region::EnglandAndWales, day("2026-06-01")));
        assert!(!legacy.is_holiday(Region::Scotland, day("2026-06-01")));
        assert_eq!(legacy.holidays(Region::EnglandAndWales, 2026).len(), 9);
        // The file shipped before the rules (its extra fields were always ignored) parses to no
        // changes at all.
        let old = Changes::parse(
            r#"{"region": "England and Wales", "source": "gov.uk", "dates": [
                "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                "2027-08-30", "2027-12-27", "2027-12-28"]}"#,
        )
        .unwrap();
        assert_eq!(old.source(), Some("gov.uk"));
        assert!(old.additions.is_empty() && old.removals.is_empty());
    }

    fn error(json: &str) -> String {
        Calendar::with_changes(json).unwrap_err()
    }

    #[test]
    fn changes_that_would_do_nothing_are_refused() {
        let removal = error(r#"{"removals": [{"date": "2026-06-01", "title": "x"}]}"#);
        assert!(
            removal.contains("removal of 2026-06-01 in england-and-wales"),
            "{removal}"
        );
        assert!(removal.contains("would do nothing"), "{removal}");
        let addition = error(
            r#"{"additions": [{"date": "2026-08-31", "title": "x", "regions": ["scotland",
                "northern-ireland"]}]}"#,
        );
        assert!(
            addition.contains("2026-08-31 (x) in northern-ireland"),
            "{addition}"
        );
        assert!(addition.contains("Summer bank holiday"), "{addition}");
        let empty =
            error(r#"{"additions": [{"date": "2026-06-01", "title": "x", "regions": []}]}"#);
        assert!(empty.contains("`regions` is empty"), "{empty}");
    }

    #[test]
    fn malformed_files_are_refused_with_the_reason() {
        for (json, reason) in [
            (
                r#"{"additions": [{"date": "2026-06-01"}]}"#,
                "has no `title`",
            ),
            (
                r#"{"additions": [{"date": "2026-06-01", "title": " "}]}"#,
                "has no `title`",
            ),
            (r#"{"additions": [], "extra": 1}"#, "unknown field `extra`"),
            (
                r#"{"additions": [{"date": "2026-06-01", "title": "x", "region": []}]}"#,
                "unknown field `region`",
            ),
            (
                r#"{"additions": [{"date": "2026-06-01", "title": "x", "regions": ["wales"]}]}"#,
                "unknown variant `wales`",
            ),
            (
                r#"{"additions": [{"date": "1 June 2026", "title": "x"}]}"#,
                "line 1",
            ),
            (
                r#"{"source": "only"}"#,
                "neither `additions` nor `removals`",
            ),
            (r#"{"dates": [], "additions": []}"#, "cannot be mixed"),
            (r#"{"dates": ["2026-02-30"]}"#, "line 1"),
            (
                r#"{"additions": [{"date": "2026-06-01", "title": "x"},
                    {"date": "2026-06-01", "title": "y", "regions": ["scotland"]}]}"#,
                "addition of 2026-06-01 in scotland is given twice",
            ),
            (
                r#"{"removals": [{"date": "2026-12-25"}, {"date": "2026-12-25"}]}"#,
                "given twice",
            ),
            ("[]", "do not parse"),
        ] {
            let message = error(json);
            assert!(message.contains(reason), "{json}: {message}");
            assert!(message.starts_with("bank-holiday changes"), "{message}");
        }
    }

    #[test]
    fn years_out_of_range_have_no_holidays() {
        let calendar = Calendar::shipped();
        assert!(calendar.holidays(Region::Scotland, i32::MAX).is_empty());
        assert!(
            calendar
                .holidays(Region::EnglandAndWales, i32::MIN)
                .is_empty()
        );
        assert!(!calendar.is_holiday_anywhere(NaiveDate::MAX));
        assert_eq!(
            calendar.holidays(Region::NorthernIreland, 262_142).len(),
            10
        );
    }

    #[test]
    fn every_year_has_the_right_number_of_distinct_weekdays() {
        let rules = Calendar::new(Changes::default());
        for year in 1900..=2200 {
            for (region, count) in Region::ALL.into_iter().zip([8, 9, 10]) {
                let holidays = rules.holidays(region, year);
                assert_eq!(holidays.len(), count, "{region:?} {year}");
                assert!(
                    holidays
                        .windows(2)
                        .all(|w| matches!(w, [a, b] if a.date < b.date)),
                    "{region:?} {year}"
                );
                assert!(
                    holidays
                        .iter()
                        .all(|h| !is_weekend(h.date) && h.date.year() == year)
                );
            }
        }
    }
}
