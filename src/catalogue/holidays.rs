//! UK bank holidays, computed by rule for any year in three regions (the gov.uk "divisions"), plus
//! the one-off changes (jubilees, a state funeral, a coronation…) from a JSON file.
//!
//! Rules rather than a list of dates, so that a new year never needs a release: only a one-off
//! needs data, and [`Calendar::with_changes`] takes a file of them in place of the shipped
//! `data/bank-holiday-changes.json` (from gov.uk: Crown copyright, Open Government Licence v3.0).
//! The rules are today's, applied to every year: gov.uk publishes dates from 2012 only.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

mod changes;
pub use changes::Changes;

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
mod tests;
