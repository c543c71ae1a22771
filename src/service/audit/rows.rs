//! The rows checked against the ledger: each live row's state, derived by [`entity::states`],
//! must equal the state its latest event recorded. Two passes, each a page at a time so memory
//! stays bounded: over the entities the ledger knows (a row edited or deleted), then over the
//! rows each tender holds (a row that no event records, i.e. inserted outside socval).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::entity::{self, Entity};
use crate::db::audit_pending as pending;
use crate::db::entity_states::{self as live, Scope};
use crate::db::{DbConnection, DbError};

/// Ids read per query.
const PAGE: usize = 500;

/// A row whose stored state is not what the ledger recorded.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StateFinding {
    pub entity: Entity,
    #[schema(example = "0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10")]
    pub entity_id: String,
    pub problem: StateProblem,
    /// The `seq` of the event whose recorded state the row was compared with (`null` when that
    /// event is still pending, i.e. not chained yet).
    pub recorded_seq: Option<i64>,
    /// Each field that differs (for `differs`).
    pub differences: Vec<FieldDifference>,
    /// What was found and where, in words.
    #[schema(
        example = "bid 0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10: its stored /price is \"1\" but the ledger recorded \"250000\" (event 42)"
    )]
    pub message: String,
}

/// `differs`: the row's state is not the one recorded; `missing`: recorded, but the row is gone;
/// `unrecorded`: a row that no event records; `unreadable`: stored data that does not read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateProblem {
    Differs,
    Missing,
    Unrecorded,
    Unreadable,
}

/// One field of a state, as recorded and as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldDifference {
    /// JSON Pointer (RFC 6901) into the entity's state, e.g. `/price`.
    #[schema(example = "/price")]
    pub pointer: String,
    /// The value the ledger recorded; absent when the field was not there.
    #[schema(value_type = Object)]
    pub recorded: Option<Value>,
    /// The value stored now; absent when the field is not there.
    #[schema(value_type = Object)]
    pub stored: Option<Value>,
}

/// What the row checks found.
#[derive(Debug, Default)]
pub struct RowsCheck {
    pub rows_checked: u64,
    pub findings: Vec<StateFinding>,
}

pub fn check(conn: &mut DbConnection, org: &str) -> Result<RowsCheck, DbError> {
    let mut check = RowsCheck::default();
    for &entity in Entity::ALL {
        check_recorded(conn, org, entity, &mut check)?;
    }
    check_tenders_rows(conn, org, &mut check)?;
    let sets = live::measure_set_ids(conn, org)?;
    check_unrecorded(conn, org, Entity::MeasureSet, &sets, &mut check)?;
    Ok(check)
}

/// The state an event recorded, or why its change does not read.
pub type RecordedState = Result<Value, String>;

/// Where a recorded state is: a chained event (its `seq`), or an event committed with its write
/// and still waiting for the sequencer (its place in the queue). A row is compared with both:
/// it changed in the same transaction as either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    Event(i64),
    Pending(i64),
}

impl Recording {
    fn seq(self) -> Option<i64> {
        match self {
            Self::Event(seq) => Some(seq),
            Self::Pending(_) => None,
        }
    }
}

impl std::fmt::Display for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Event(seq) => write!(f, "event {seq}"),
            Self::Pending(id) => write!(f, "pending event {id}, not chained yet"),
        }
    }
}

/// The latest state the ledger recorded for each of `ids`, chained or pending. A pending event
/// is always the later: an entity's writes take its row's lock in turn, so one still pending
/// was committed before any later write of the entity began, and is chained first.
pub fn latest_states(
    conn: &mut DbConnection,
    org: &str,
    entity: Entity,
    ids: &[String],
) -> Result<BTreeMap<String, (Recording, RecordedState)>, DbError> {
    let mut latest = BTreeMap::new();
    for recorded in pending::recorded_changes(conn, org, entity.as_str(), ids)? {
        let recording = match recorded.pending {
            false => Recording::Event(recorded.position),
            true => Recording::Pending(recorded.position),
        };
        let Some(change) = recorded.change else {
            continue;
        };
        let state = serde_json::from_str::<Value>(&change)
            .map(|mut change| change.get_mut("state").map(Value::take).unwrap_or_default())
            .map_err(|e| format!("{recording}: its change does not read as JSON: {e}"));
        latest.insert(recorded.entity_id, (recording, state));
    }
    Ok(latest)
}

/// Pass one: every entity the ledger holds a state of, compared with its row.
fn check_recorded(
    conn: &mut DbConnection,
    org: &str,
    entity: Entity,
    check: &mut RowsCheck,
) -> Result<(), DbError> {
    let mut after: Option<String> = None;
    loop {
        let ids =
            pending::recorded_ids_page(conn, org, entity.as_str(), after.as_deref(), PAGE as i64)?;
        let recorded = latest_states(conn, org, entity, &ids)?;
        let keys = Entity::keys_of(&ids);
        match entity::states(conn, org, entity, Scope::Keys(&keys)) {
            Ok(stored) => {
                for (id, (recording, state)) in recorded {
                    check
                        .findings
                        .extend(compare(entity, &id, recording, state, stored.get(&id)));
                }
            }
            Err(DbError::Corrupt(what)) => check.findings.push(unreadable(entity, &ids, what)),
            Err(other) => return Err(other),
        }
        match ids.last() {
            Some(last) if ids.len() == PAGE => after = Some(last.clone()),
            _ => return Ok(()),
        }
    }
}

fn compare(
    entity: Entity,
    id: &str,
    recording: Recording,
    recorded: RecordedState,
    stored: Option<&Value>,
) -> Option<StateFinding> {
    let finding = |problem, differences, message| StateFinding {
        entity,
        entity_id: id.to_string(),
        problem,
        recorded_seq: recording.seq(),
        differences,
        message,
    };
    let name = format!("{} {id}", entity.as_str());
    let recorded = match recorded {
        Ok(state) => state,
        Err(why) => {
            return Some(finding(
                StateProblem::Unreadable,
                Vec::new(),
                format!("{name}: {why}"),
            ));
        }
    };
    match stored {
        None if recorded.is_null() => None,
        None => Some(finding(
            StateProblem::Missing,
            Vec::new(),
            format!("{name}: the ledger recorded it ({recording}) but its row is gone"),
        )),
        Some(stored) if *stored == recorded => None,
        Some(stored) => {
            let differences = differences(&recorded, stored);
            let words: Vec<String> = differences.iter().map(describe).collect();
            Some(finding(
                StateProblem::Differs,
                differences,
                format!("{name}: {} ({recording})", words.join("; ")),
            ))
        }
    }
}

/// The fields of two states that differ, by JSON Pointer.
pub fn differences(recorded: &Value, stored: &Value) -> Vec<FieldDifference> {
    json_patch::diff(recorded, stored)
        .iter()
        .map(|operation| {
            let pointer = operation.path().to_string();
            FieldDifference {
                recorded: recorded.pointer(&pointer).cloned(),
                stored: stored.pointer(&pointer).cloned(),
                pointer,
            }
        })
        .collect()
}

fn describe(difference: &FieldDifference) -> String {
    let show = |value: &Option<Value>| match value {
        Some(value) => value.to_string(),
        None => "absent".to_string(),
    };
    format!(
        "its stored {} is {} but the ledger recorded {}",
        difference.pointer,
        show(&difference.stored),
        show(&difference.recorded)
    )
}

fn unreadable(entity: Entity, ids: &[String], what: String) -> StateFinding {
    StateFinding {
        entity,
        entity_id: ids.first().cloned().unwrap_or_default(),
        problem: StateProblem::Unreadable,
        recorded_seq: None,
        differences: Vec::new(),
        message: format!(
            "{} rows from {} on could not be read: {what}",
            entity.as_str(),
            ids.first().map_or("", String::as_str)
        ),
    }
}

/// Pass two: the rows of each tender, a tender at a time, that no event records.
fn check_tenders_rows(
    conn: &mut DbConnection,
    org: &str,
    check: &mut RowsCheck,
) -> Result<(), DbError> {
    let mut after: Option<String> = None;
    loop {
        let tenders = live::tender_ids_page(conn, org, after.as_deref(), PAGE as i64)?;
        for tender in &tenders {
            for &entity in Entity::ALL {
                match entity::states(conn, org, entity, Scope::Tender(tender)) {
                    Ok(stored) => {
                        let ids: Vec<String> = stored.into_keys().collect();
                        check_unrecorded(conn, org, entity, &ids, check)?;
                    }
                    // Named by pass one already, when the ledger knows the row.
                    Err(DbError::Corrupt(_)) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        match tenders.last() {
            Some(last) if tenders.len() == PAGE => after = Some(last.clone()),
            _ => return Ok(()),
        }
    }
}

fn check_unrecorded(
    conn: &mut DbConnection,
    org: &str,
    entity: Entity,
    ids: &[String],
    check: &mut RowsCheck,
) -> Result<(), DbError> {
    for chunk in ids.chunks(PAGE) {
        check.rows_checked += chunk.len() as u64;
        let recorded: BTreeSet<String> =
            pending::recorded_among(conn, org, entity.as_str(), chunk)?
                .into_iter()
                .collect();
        for id in chunk.iter().filter(|id| !recorded.contains(*id)) {
            check.findings.push(StateFinding {
                entity,
                entity_id: id.clone(),
                problem: StateProblem::Unrecorded,
                recorded_seq: None,
                differences: Vec::new(),
                message: format!(
                    "{} {id}: stored, but no event records it (written outside socval)",
                    entity.as_str()
                ),
            });
        }
    }
    Ok(())
}
