//! The standstill period between announcing an award and entering into the contract, as each
//! regime counts it, on UK dates (Europe/London):
//!
//! - **Procurement Act 2023, s.51**: at least eight working days *beginning with* the day the
//!   contract award notice is published. A working day (s.123) is not a Saturday, a Sunday,
//!   Christmas Day, Good Friday or a bank holiday in *any* part of the United Kingdom, so the
//!   count skips the union of the three calendars.
//! - **Public Contracts Regulations 2015, reg. 87**: ends at midnight at the end of the 10th day
//!   after the decision notices are sent by electronic means (the 15th otherwise), extended to the
//!   end of the next working day when that day is not one. Reg. 2 names the working days of
//!   England and Wales.
//!
//! Pure: the dates come from [`Calendar`], which computes bank holidays by rule for any year.

use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::holidays::{Calendar, Region};

/// Working days of the Act's standstill.
pub const ACT_WORKING_DAYS: u32 = 8;

/// The law a procurement runs under; it chooses the standstill's rule and the default Social
/// Value Model. Stored as its name (`db::types`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Regime {
    /// Public Contracts Regulations 2015 (PPN 06/20 model; reg. 87 standstill).
    #[serde(rename = "pcr2015")]
    Pcr2015,
    /// Procurement Act 2023 (PPN 002 model; s.51 standstill).
    #[serde(rename = "procurement_act_2023")]
    ProcurementAct2023,
}

impl Regime {
    pub const ALL: [Regime; 2] = [Self::Pcr2015, Self::ProcurementAct2023];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pcr2015 => "pcr2015",
            Self::ProcurementAct2023 => "procurement_act_2023",
        }
    }

    pub fn default_framework(self) -> &'static str {
        match self {
            Self::Pcr2015 => "PPN06-20",
            Self::ProcurementAct2023 => "PPN002",
        }
    }
}

/// A regime socval does not know.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a procurement regime: one of pcr2015, procurement_act_2023")]
pub struct UnknownRegime(pub String);

impl FromStr for Regime {
    type Err = UnknownRegime;

    fn from_str(text: &str) -> Result<Self, UnknownRegime> {
        Self::ALL
            .into_iter()
            .find(|regime| regime.as_str() == text)
            .ok_or_else(|| UnknownRegime(text.to_string()))
    }
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an award under the Act has no mandatory standstill (s.51(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExemptionGround {
    /// A contract awarded in accordance with a framework.
    Framework,
    /// A contract awarded by reference to suppliers' membership of a dynamic market.
    DynamicMarket,
    /// A direct award justified by extreme and unavoidable urgency (Schedule 5).
    Urgency,
    /// A light touch contract.
    LightTouch,
    /// A defence and security contract awarded under a defence and security framework.
    DefenceAndSecurity,
}

/// An award exempt from the mandatory standstill, and the standstill the buyer keeps anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    pub ground: ExemptionGround,
    /// Working days of a voluntary standstill, counted as the Act counts its own (beginning with
    /// the day of publication); none when the buyer keeps none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 30)]
    pub voluntary_working_days: Option<u32>,
}

/// What a standstill was counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The contract award notice's publication (the Act).
    NoticePublished,
    /// The decision notices' dispatch (PCR 2015).
    NoticesSent,
    /// The decision itself: an award stored before the award steps, its date kept as stored.
    Decision,
}

/// A standstill period, in UK dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Standstill {
    pub regime: Regime,
    pub computed_from: Basis,
    /// Its first day; none when there is no standstill (an exempt award) or it was not recorded.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub starts: Option<NaiveDate>,
    /// Its last day (it ends at midnight at the end of it); none when there is no standstill.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-10")]
    pub last_day: Option<NaiveDate>,
    /// The first day on which the contract may be entered into.
    #[schema(value_type = String, format = Date, example = "2026-12-11")]
    pub earliest_entry: NaiveDate,
    /// The working days counted (the Act's eight, or a voluntary standstill's); none for PCR
    /// 2015's calendar days.
    pub working_days: Option<u32>,
    /// Set when the award is exempt from the mandatory standstill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
}

impl Standstill {
    /// The Act's standstill after a contract award notice published at `published_at` (UTC).
    pub fn after_notice(
        calendar: &Calendar,
        published_at: NaiveDateTime,
        exemption: Option<Exemption>,
    ) -> Self {
        let published = uk_date(published_at);
        let days = match &exemption {
            None => Some(ACT_WORKING_DAYS),
            Some(exempt) => exempt.voluntary_working_days,
        };
        let (starts, last_day) = match days {
            Some(days) => {
                let starts = next_working_day_from(published, |d| is_uk_working_day(calendar, d));
                let last_day = (1..days).fold(starts, |day, _| {
                    next_working_day_from(succ(day), |d| is_uk_working_day(calendar, d))
                });
                (Some(starts), Some(last_day))
            }
            None => (None, None),
        };
        Self {
            regime: Regime::ProcurementAct2023,
            computed_from: Basis::NoticePublished,
            starts,
            earliest_entry: last_day.map_or(published, succ),
            last_day,
            working_days: days,
            exemption,
        }
    }

    /// PCR 2015's standstill after the decision notices were sent at `sent_at` (UTC).
    pub fn after_decision_notices(
        calendar: &Calendar,
        sent_at: NaiveDateTime,
        electronic: bool,
    ) -> Self {
        let sent = uk_date(sent_at);
        let days = if electronic { 10 } else { 15 };
        let nominal = sent.checked_add_days(Days::new(days)).unwrap_or(sent);
        let last_day = next_working_day_from(nominal, |d| {
            is_working_day_in(calendar, Region::EnglandAndWales, d)
        });
        Self {
            regime: Regime::Pcr2015,
            computed_from: Basis::NoticesSent,
            starts: Some(succ(sent)),
            last_day: Some(last_day),
            earliest_entry: succ(last_day),
            working_days: None,
            exemption: None,
        }
    }

    /// A standstill stored before the award steps existed: its last day as stored.
    pub fn as_stored(regime: Regime, last_day: NaiveDate) -> Self {
        Self {
            regime,
            computed_from: Basis::Decision,
            starts: None,
            last_day: Some(last_day),
            earliest_entry: succ(last_day),
            working_days: Some(ACT_WORKING_DAYS),
            exemption: None,
        }
    }

    /// Whether the contract may be entered into on `today` (a UK date).
    pub fn is_over(&self, today: NaiveDate) -> bool {
        today >= self.earliest_entry
    }

    /// The moment the standstill ends: midnight at the end of its last day, UK time, in UTC.
    pub fn ends_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.last_day.and_then(uk_midnight_after)
    }

    /// The moment it starts: the beginning of its first day, UK time, in UTC.
    pub fn starts_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.starts.and_then(uk_start_of)
    }
}

/// The UK date of a UTC moment: 23:30 UTC on a summer day is already the next day in London.
pub fn uk_date(at: NaiveDateTime) -> NaiveDate {
    London.from_utc_datetime(&at).date_naive()
}

/// The beginning of a UK day, in UTC (midnight is never skipped by the UK's clock changes, which
/// happen at 01:00 and 02:00).
fn uk_start_of(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    London
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|at| at.with_timezone(&chrono::Utc))
}

fn uk_midnight_after(day: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    uk_start_of(succ(day))
}

/// A working day under the Act (s.123): a weekday that is a bank holiday nowhere in the UK.
pub fn is_uk_working_day(calendar: &Calendar, date: NaiveDate) -> bool {
    is_weekday(date) && !calendar.is_holiday_anywhere(date)
}

fn is_working_day_in(calendar: &Calendar, region: Region, date: NaiveDate) -> bool {
    is_weekday(date) && !calendar.is_holiday(region, date)
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `from` itself if it is a working day, else the next one. A year never runs out of them, so
/// the walk is bounded; the bound only guards against a calendar that declares every day a
/// holiday.
fn next_working_day_from(from: NaiveDate, working: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let mut day = from;
    for _ in 0..366 {
        if working(day) {
            return day;
        }
        day = succ(day);
    }
    day
}

fn succ(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(day)
}

#[cfg(test)]
mod tests;
