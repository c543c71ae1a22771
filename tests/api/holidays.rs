//! socval's bank holidays, computed by rule plus the shipped one-off changes, against gov.uk's own
//! list (the copy the PyPI package `govuk-bank-holidays` ships): every date of 2018–2027, in each
//! of the three calendars.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::NaiveDate;
use serde_json::Value;
use socval::catalogue::holidays::{Calendar, Region};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/bank-holidays/govuk.py"
);
const YEARS: std::ops::RangeInclusive<i32> = 2018..=2027;

#[test]
fn every_holiday_of_2018_to_2027_matches_govuk_in_all_three_regions() {
    let output = Command::new(crate::common::python::python())
        .arg(SCRIPT)
        .arg(YEARS.start().to_string())
        .arg(YEARS.end().to_string())
        .output()
        .expect("the script runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let govuk: Value = serde_json::from_slice(&output.stdout).unwrap();
    let calendar = Calendar::shipped();
    let mut compared = BTreeMap::new();
    for region in Region::ALL {
        let covered = &govuk["years_covered"][region.as_str()];
        assert!(
            covered["min"].as_i64().unwrap() <= i64::from(*YEARS.start())
                && covered["max"].as_i64().unwrap() >= i64::from(*YEARS.end()),
            "govuk-bank-holidays {} covers {covered} only for {}: the comparison would be partial",
            govuk["package_version"],
            region.as_str()
        );
        let theirs: Vec<NaiveDate> = govuk[region.as_str()]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().parse().unwrap())
            .collect();
        let ours: Vec<NaiveDate> = YEARS
            .flat_map(|year| calendar.holidays(region, year))
            .map(|holiday| holiday.date)
            .collect();
        assert_eq!(ours, theirs, "{}", region.as_str());
        compared.insert(region.as_str(), ours.len());
    }
    // England and Wales 8 a year, Scotland 9, Northern Ireland 10, plus the one-offs.
    assert_eq!(
        compared,
        BTreeMap::from([
            ("england-and-wales", 83),
            ("northern-ireland", 103),
            ("scotland", 93)
        ])
    );
}
