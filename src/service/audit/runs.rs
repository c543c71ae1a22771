//! A stored run is served only while it is the run the ledger recorded: its state (the SHA-256 of
//! its stored inputs and result, its engine's `inputs_sha256`, its lot, version and author) must
//! equal the state of its latest event. Checked on the first read of each run in each process and
//! remembered by run id and state hash, so later reads only hash the stored text.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use super::entity::{self, Entity, run_state};
use super::rows::latest_states;
use super::sha256_hex;
use crate::db::DbConnection;
use crate::db::evaluations::EvaluationRow;
use crate::service::ServiceError;

/// `(run id, SHA-256 of its state)` of the runs found to match the ledger in this process.
static MATCHED: LazyLock<Mutex<HashSet<(String, String)>>> =
    LazyLock::new(|| Mutex::new(HashSet::new()));

/// Refuses (`ServiceError::RunMismatch`) the first of `runs` that does not match its recorded
/// state.
pub fn check(
    conn: &mut DbConnection,
    org: &str,
    runs: &[EvaluationRow],
) -> Result<(), ServiceError> {
    let mut unchecked = Vec::new();
    for run in runs {
        let state = run_state(run)?;
        let key = (
            run.id.to_string(),
            sha256_hex(entity::canonical(&state).as_bytes()),
        );
        if !matched().contains(&key) {
            unchecked.push((key, state));
        }
    }
    if unchecked.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = unchecked.iter().map(|((id, _), _)| id.clone()).collect();
    let recorded = latest_states(conn, org, Entity::Run, &ids)?;
    for (key, state) in unchecked {
        let why = match recorded.get(&key.0) {
            Some((_, Ok(recorded))) if *recorded == state => None,
            Some((recording, Ok(recorded))) => Some(format!(
                "it differs from the state {recording} recorded at {}",
                super::rows::differences(recorded, &state)
                    .iter()
                    .map(|d| d.pointer.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some((_, Err(why))) => Some(why.clone()),
            None => Some("no event records it".to_string()),
        };
        match why {
            None => {
                matched().insert(key);
            }
            Some(why) => {
                tracing::error!(
                    run = key.0,
                    why,
                    "stored run does not match the ledger; refused"
                );
                return Err(ServiceError::RunMismatch { run: key.0, why });
            }
        }
    }
    Ok(())
}

fn matched() -> std::sync::MutexGuard<'static, HashSet<(String, String)>> {
    // A panic while holding the lock leaves the set as it was: still a valid cache.
    MATCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
