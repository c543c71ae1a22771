//! What the ledger records of each entity: its state, read from its rows by the one function
//! that both writes it into an event and re-derives it when verification compares the rows with
//! their events, so the two can never disagree about what a row's state is.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::sha256_hex;
use crate::db::entity_states::{self as rows, Scope};
use crate::db::evaluations::EvaluationRow;
use crate::db::{DbConnection, DbError};

/// The kinds of entity the ledger holds the state of.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Id: the tender's.
    Tender,
    /// Id: the lot's.
    Lot,
    /// A version of a lot's scheme. Id: `{lot}:{version}`.
    Scheme,
    /// A bid with its commitments. Id: the bid's.
    Bid,
    /// An evaluator's mark. Id: `{bid}:{criterion}:{evaluator}`.
    Mark,
    /// The moderated mark of a criterion. Id: `{bid}:{criterion}`.
    ModeratedMark,
    /// An evaluation run; its stored inputs and result are held as their SHA-256. Id: the run's.
    Run,
    /// A lot's award. Id: the lot's.
    Award,
    /// A step of a lot's award after its decision. Id: `{lot}:{seq}`.
    AwardStep,
    /// An evaluator's assignment to a lot. Id: `{lot}:{evaluator}`.
    Evaluator,
    /// A conflict-of-interest declaration. Id: the declaration's.
    Declaration,
    /// An imported measure set with its measures. Id: the set's.
    MeasureSet,
}

impl Entity {
    pub const ALL: &'static [Entity] = &[
        Self::Tender,
        Self::Lot,
        Self::Scheme,
        Self::Bid,
        Self::Mark,
        Self::ModeratedMark,
        Self::Run,
        Self::Award,
        Self::AwardStep,
        Self::Evaluator,
        Self::Declaration,
        Self::MeasureSet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tender => "tender",
            Self::Lot => "lot",
            Self::Scheme => "scheme",
            Self::Bid => "bid",
            Self::Mark => "mark",
            Self::ModeratedMark => "moderated_mark",
            Self::Run => "run",
            Self::Award => "award",
            Self::AwardStep => "award_step",
            Self::Evaluator => "evaluator",
            Self::Declaration => "declaration",
            Self::MeasureSet => "measure_set",
        }
    }

    /// The key its rows are read by (`Scope::Keys`): the id itself, or for an entity whose id
    /// is composite, its first part (the lot or bid it sits under; ids made by socval hold no
    /// `:`).
    pub fn key_of(id: &str) -> &str {
        id.split(':').next().unwrap_or(id)
    }

    /// The keys to read `ids` by, each once, in order.
    pub fn keys_of<S: AsRef<str>>(ids: &[S]) -> Vec<String> {
        let keys: std::collections::BTreeSet<&str> =
            ids.iter().map(|id| Self::key_of(id.as_ref())).collect();
        keys.into_iter().map(str::to_string).collect()
    }
}

impl FromStr for Entity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|entity| entity.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|e| e.as_str()).collect();
                format!(
                    "`{text}` is not an entity the ledger holds; one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// The states of the entities of one kind in `scope`, by id. With `Scope::Keys` an entity with a
/// composite id may bring its siblings (every mark of a bid); callers pick the ids they asked for.
pub fn states(
    conn: &mut DbConnection,
    org: &str,
    entity: Entity,
    scope: Scope<'_>,
) -> Result<BTreeMap<String, Value>, DbError> {
    let pairs: Vec<(String, Value)> = match entity {
        Entity::Tender => keyed(rows::tenders(conn, org, scope)?, |t| t.id.to_string())?,
        Entity::Lot => keyed(rows::lots(conn, org, scope)?, |l| l.id.to_string())?,
        Entity::Scheme => keyed(rows::schemes(conn, org, scope)?, |s| {
            format!("{}:{}", s.lot_id.as_str(), s.version)
        })?,
        Entity::Bid => rows::bids(conn, org, scope)?
            .into_iter()
            .map(|(bid, commitments)| {
                let mut state = to_state(&bid)?;
                insert(&mut state, "commitments", to_state(&commitments)?);
                Ok((bid.id.to_string(), state))
            })
            .collect::<Result<_, DbError>>()?,
        Entity::Mark => keyed(rows::marks(conn, org, scope)?, |m| {
            format!(
                "{}:{}:{}",
                m.bid_id.as_str(),
                m.criterion_id,
                m.evaluator_sub
            )
        })?,
        Entity::ModeratedMark => keyed(rows::moderated(conn, org, scope)?, |m| {
            format!("{}:{}", m.bid_id.as_str(), m.criterion_id)
        })?,
        Entity::Run => rows::runs(conn, org, scope)?
            .iter()
            .map(|run| Ok((run.id.to_string(), run_state(run)?)))
            .collect::<Result<_, DbError>>()?,
        Entity::Award => keyed(rows::awards(conn, org, scope)?, |a| a.lot_id.to_string())?,
        Entity::AwardStep => keyed(rows::award_steps(conn, org, scope)?, |s| {
            format!("{}:{}", s.lot_id.as_str(), s.seq)
        })?,
        Entity::Evaluator => keyed(rows::evaluators(conn, org, scope)?, |e| {
            format!("{}:{}", e.lot_id.as_str(), e.sub)
        })?,
        Entity::Declaration => keyed(rows::declarations(conn, org, scope)?, |d| d.id.clone())?,
        Entity::MeasureSet => rows::measure_sets(conn, org, scope)?
            .into_iter()
            .map(|(set, measures)| {
                let mut state = to_state(&set)?;
                insert(&mut state, "measures", to_state(&measures)?);
                Ok((set.id, state))
            })
            .collect::<Result<_, DbError>>()?,
    };
    Ok(pairs.into_iter().collect())
}

/// A run's state: its row with the stored `inputs` and `result` held as their SHA-256 (a run's
/// result runs to megabytes; the hash pins every byte of it).
pub fn run_state(run: &EvaluationRow) -> Result<Value, DbError> {
    Ok(json!({
        "id": run.id,
        "lot_id": run.lot_id,
        "tender_id": run.tender_id,
        "scheme_version": run.scheme_version,
        "engine_version": run.engine_version,
        "inputs_sha256": run.inputs_sha256,
        "stored_inputs_sha256": sha256_hex(run.inputs.as_bytes()),
        "stored_result_sha256": sha256_hex(run.result.as_bytes()),
        "created_by": run.created_by,
        "created_at": to_state(&run.created_at)?,
    }))
}

fn keyed<R: Serialize>(
    rows: Vec<R>,
    id: impl Fn(&R) -> String,
) -> Result<Vec<(String, Value)>, DbError> {
    rows.iter()
        .map(|row| Ok((id(row), to_state(row)?)))
        .collect()
}

fn to_state(row: &impl Serialize) -> Result<Value, DbError> {
    serde_json::to_value(row).map_err(|e| DbError::Corrupt(format!("an entity's state: {e}")))
}

fn insert(state: &mut Value, key: &str, value: Value) {
    if let Value::Object(fields) = state {
        fields.insert(key.to_string(), value);
    }
}

/// The text an event stores and hashes: compact JSON with object keys in byte order (serde_json's
/// map is ordered), i.e. `json.dumps(change, sort_keys=True, separators=(",", ":"),
/// ensure_ascii=False)` in Python.
pub fn canonical(change: &Value) -> String {
    change.to_string()
}
