//! The one-off changes to the rules, as a JSON file gives them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{Region, rule_days};

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
    pub(super) additions: BTreeMap<(Region, NaiveDate), String>,
    pub(super) removals: BTreeSet<(Region, NaiveDate)>,
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
