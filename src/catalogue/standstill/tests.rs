#![allow(clippy::unwrap_used)]
use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .naive_utc()
}

/// The Act's standstill after a notice published at noon UTC on `published`: (starts, last day,
/// earliest entry).
fn act(published: &str) -> (NaiveDate, NaiveDate, NaiveDate) {
    act_at(&format!("{published}T12:00:00Z"))
}

fn act_at(published_at: &str) -> (NaiveDate, NaiveDate, NaiveDate) {
    let s = Standstill::after_notice(&Calendar::shipped(), at(published_at), None);
    assert_eq!(s.working_days, Some(8));
    (s.starts.unwrap(), s.last_day.unwrap(), s.earliest_entry)
}

fn pcr(sent: &str, electronic: bool) -> NaiveDate {
    let s = Standstill::after_decision_notices(
        &Calendar::shipped(),
        at(&format!("{sent}T12:00:00Z")),
        electronic,
    );
    assert_eq!(s.earliest_entry, succ(s.last_day.unwrap()));
    s.last_day.unwrap()
}

#[test]
fn a_notice_on_a_tuesday_ends_on_the_thursday_of_the_next_week() {
    // The domain's example (s.51, "beginning with" the day of publication): Tuesday 1 December
    // 2026 is day 1; Thursday 10 December day 8; the contract may be entered into on Friday 11.
    assert_eq!(
        act("2026-12-01"),
        (day("2026-12-01"), day("2026-12-10"), day("2026-12-11"))
    );
}

#[test]
fn a_notice_on_a_friday_ends_on_the_tuesday_of_the_week_after_next() {
    // Friday 5 June 2026 (1), Monday 8 … Friday 12 (6), Monday 15 (7), Tuesday 16 (8).
    assert_eq!(act("2026-06-05").1, day("2026-06-16"));
    // From Friday 6 March 2026 the eighth would be Tuesday 17, St Patrick's Day in Northern
    // Ireland: not a working day under the Act, so Wednesday 18.
    assert_eq!(act("2026-03-06").1, day("2026-03-18"));
}

#[test]
fn a_notice_the_day_before_a_bank_holiday_skips_it() {
    // Friday 28 August 2026, before England's summer bank holiday on Monday 31: Friday (1),
    // Tuesday 1 September (2) … Wednesday 9 (8).
    assert_eq!(act("2026-08-28").1, day("2026-09-09"));
}

#[test]
fn the_act_skips_a_bank_holiday_of_any_part_of_the_uk() {
    // Scotland's summer bank holiday, Monday 3 August 2026, is a working day in England, but not
    // one under the Act (s.123): Friday 31 July (1), Tuesday 4 … Wednesday 12 August (8).
    assert_eq!(act("2026-07-31").1, day("2026-08-12"));
    // St Andrew's Day, Monday 30 November 2026 (Scotland).
    assert_eq!(act("2026-11-27").1, day("2026-12-09"));
    // St Patrick's Day, Tuesday 17 March 2026 (Northern Ireland): Monday 16 (1), Wednesday 18 …
    // Thursday 26 (8).
    assert_eq!(act("2026-03-16").1, day("2026-03-26"));
}

#[test]
fn over_christmas_and_new_year() {
    // Published Tuesday 24 December 2024: Christmas, Boxing Day, New Year's Day and Scotland's
    // 2 January are skipped; the eighth working day is Wednesday 8 January 2025, 15 calendar
    // days on (as the guidance's commentators count it).
    assert_eq!(act("2024-12-24").1, day("2025-01-08"));
    // Wednesday 23 December 2026: Christmas (Friday 25), Boxing Day's substitute (Monday 28), New
    // Year's Day (Friday 1) and 2 January's substitute in Scotland (Monday 4) are skipped.
    assert_eq!(act("2026-12-23").1, day("2027-01-07"));
}

#[test]
fn a_notice_on_a_non_working_day_counts_from_the_next_working_day() {
    // Saturday 5 December 2026: day 1 is Monday 7, day 8 Wednesday 16.
    assert_eq!(
        act("2026-12-05"),
        (day("2026-12-07"), day("2026-12-16"), day("2026-12-17"))
    );
    // Good Friday 2026 (3 April) and Easter Monday (6 April): day 1 is Tuesday 7.
    assert_eq!(act("2026-04-03").0, day("2026-04-07"));
}

#[test]
fn dates_are_uk_dates_not_utc_dates() {
    // 23:30 UTC on Tuesday 14 July 2026 is 00:30 on Wednesday 15 in London (BST).
    assert_eq!(uk_date(at("2026-07-14T23:30:00Z")), day("2026-07-15"));
    assert_eq!(act_at("2026-07-14T23:30:00Z").0, day("2026-07-15"));
    // In winter London is on UTC: 23:30 UTC is still the same day.
    assert_eq!(uk_date(at("2026-12-01T23:30:00Z")), day("2026-12-01"));
}

#[test]
fn a_standstill_in_2031_skips_that_years_easter() {
    // Easter Sunday 2031 is 13 April, computed, not listed: Thursday 10 (1), Good Friday and
    // Easter Monday skipped, Tuesday 15 (2) … Wednesday 23 (8).
    assert_eq!(act("2031-04-10").1, day("2031-04-23"));
}

#[test]
fn an_exempt_award_has_no_standstill_unless_the_buyer_keeps_one() {
    let calendar = Calendar::shipped();
    let exempt = |voluntary_working_days| {
        Standstill::after_notice(
            &calendar,
            at("2026-12-01T10:00:00Z"),
            Some(Exemption {
                ground: ExemptionGround::Framework,
                voluntary_working_days,
            }),
        )
    };
    let none = exempt(None);
    assert_eq!((none.starts, none.last_day), (None, None));
    assert_eq!(none.earliest_entry, day("2026-12-01"));
    let voluntary = exempt(Some(5));
    assert_eq!(voluntary.last_day, Some(day("2026-12-07")));
    assert_eq!(voluntary.working_days, Some(5));
}

#[test]
fn pcr_2015_counts_calendar_days_after_the_notices_and_extends_to_a_working_day() {
    // Reg. 87: sent electronically on Tuesday 1 December 2026, the 10th day after is Friday 11.
    assert_eq!(pcr("2026-12-01", true), day("2026-12-11"));
    // By other means, the 15th: Wednesday 16.
    assert_eq!(pcr("2026-12-01", false), day("2026-12-16"));
    // Sent Wednesday 2 December: Saturday 12 is not a working day, so Monday 14.
    assert_eq!(pcr("2026-12-02", true), day("2026-12-14"));
    // Sent Tuesday 15 December: Christmas Day (Friday 25), the weekend and Boxing Day's
    // substitute (Monday 28) carry it to Tuesday 29.
    assert_eq!(pcr("2026-12-15", true), day("2026-12-29"));
    // Reg. 2 names England and Wales's bank holidays: Scotland's Monday 3 August 2026 is a
    // working day for it.
    assert_eq!(pcr("2026-07-24", true), day("2026-08-03"));
}

#[test]
fn the_standstill_ends_at_uk_midnight() {
    let s = Standstill::after_notice(&Calendar::shipped(), at("2026-07-01T09:00:00Z"), None);
    // Last day Friday 10 July 2026; midnight at its end is 23:00 UTC (BST).
    assert_eq!(s.last_day, Some(day("2026-07-10")));
    assert_eq!(
        s.ends_at().unwrap().to_rfc3339(),
        "2026-07-10T23:00:00+00:00"
    );
    assert_eq!(
        s.starts_at().unwrap().to_rfc3339(),
        "2026-06-30T23:00:00+00:00"
    );
    assert!(!s.is_over(day("2026-07-10")));
    assert!(s.is_over(day("2026-07-11")));
}

#[test]
fn a_stored_standstill_keeps_its_date() {
    let s = Standstill::as_stored(Regime::ProcurementAct2023, day("2026-12-11"));
    assert_eq!(s.computed_from, Basis::Decision);
    assert_eq!(s.earliest_entry, day("2026-12-12"));
}

#[test]
fn regimes_read_back_as_written_and_an_unknown_one_is_named() {
    for regime in Regime::ALL {
        assert_eq!(regime.as_str().parse::<Regime>().unwrap(), regime);
    }
    let error = "pcr2006".parse::<Regime>().unwrap_err().to_string();
    assert!(error.contains("`pcr2006`"), "{error}");
}
