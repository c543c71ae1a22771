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
    let empty = error(r#"{"additions": [{"date": "2026-06-01", "title": "x", "regions": []}]}"#);
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
