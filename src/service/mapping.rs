//! Commitment-mapping suggestions over any measure set. Sets are immutable, so each set's index is
//! built once (on first use) and kept for the life of the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Db, ServiceError};
use crate::catalogue::suggest::{SuggestDoc, Suggester, Suggestion};
use crate::catalogue::{self};
use crate::db::DbConnection;
use crate::db::measure_sets as repo;

#[derive(Default)]
pub struct SuggesterCache {
    indexes: Mutex<HashMap<String, Arc<Suggester>>>,
}

impl SuggesterCache {
    /// The index of a measure set, built now if this process has not built it yet.
    pub async fn index(&self, db: &Db, set_id: String) -> Result<Arc<Suggester>, ServiceError> {
        if let Some(index) = self.lock().get(&set_id) {
            return Ok(index.clone());
        }
        let docs: Vec<SuggestDoc> = match catalogue::builtin().measure_set(&set_id) {
            Some(set) => set.measures.iter().map(SuggestDoc::from).collect(),
            None => {
                let id = set_id.clone();
                db.run(move |conn| imported_docs(conn, &id)).await?
            }
        };
        let index = Arc::new(Suggester::new(docs));
        self.lock().insert(set_id, index.clone());
        Ok(index)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Suggester>>> {
        // A panic while holding the lock leaves a valid map (inserts are atomic): keep using it.
        self.indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn imported_docs(conn: &mut DbConnection, set_id: &str) -> Result<Vec<SuggestDoc>, ServiceError> {
    repo::find(conn, set_id)?.ok_or(ServiceError::NotFound)?;
    Ok(repo::all_measures(conn, set_id)?
        .into_iter()
        .map(|m| SuggestDoc {
            outcomes: m.outcome_codes().map(str::to_string).collect(),
            code: m.code,
            name: m.name,
            description: m.description,
            unit: m.unit,
        })
        .collect())
}

/// The best `limit` measures for `text`, only those serving `framework` when one is named (their
/// outcomes narrowed to it).
pub fn suggest(
    index: &Suggester,
    text: &str,
    framework: Option<&str>,
    limit: usize,
) -> Vec<Suggestion> {
    let Some(framework) = framework else {
        return index.suggest(text, limit);
    };
    let prefix = format!("{framework}:");
    index
        .suggest(text, index.len())
        .into_iter()
        .filter_map(|mut s| {
            s.outcomes.retain(|o| o.starts_with(&prefix));
            (!s.outcomes.is_empty()).then_some(s)
        })
        .take(limit)
        .collect()
}
