//! Measure sets: importing a new version (admin), and reading sets and their measures with the
//! licence respected — a set that may not be redistributed shows its proxy values to the
//! importing org only.

use serde_json::Value;

use super::audit::Entity;

use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::{Actor, Code, Db, ServiceError};
use crate::catalogue::import::MeasureSetImport;
use crate::db::measure_sets as repo;
pub use crate::db::measure_sets::{MeasureRow, MeasureSetRow};

/// Stores a checked import as a new, immutable set, with its audit event, in one transaction.
pub async fn import(
    db: &Db,
    actor: Actor,
    import: MeasureSetImport,
    key: Option<RequestKey>,
    render: impl FnOnce(&MeasureSetRow) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    let id = uuid::Uuid::now_v7().to_string();
    let set = MeasureSetRow {
        id: id.clone(),
        name: import.name,
        version: import.version,
        licence: import.licence,
        source: import.source,
        valid_from: import.valid_from.to_string(),
        redistributable: import.redistributable,
        owner_org: actor.org.clone(),
        created_by: actor.sub.clone(),
        created_at: super::now(),
        measure_count: i32::try_from(import.measures.len())
            .map_err(|_| ServiceError::corrupt("more measures than a set can hold"))?,
    };
    let rows: Vec<MeasureRow> = import
        .measures
        .into_iter()
        .zip(0..)
        .map(|(m, position)| MeasureRow {
            measure_set_id: id.clone(),
            position,
            code: m.code,
            name: m.name,
            unit: m.unit,
            proxy_value: m.proxy_value.normalize().to_string(),
            deadweight: m.deadweight.normalize().to_string(),
            attribution: m.attribution.normalize().to_string(),
            displacement: m.displacement.normalize().to_string(),
            outcomes: m.outcomes.join(";"),
            description: m.description,
        })
        .collect();
    let work = move |conn: &mut crate::db::DbConnection| {
        if repo::exists(conn, &set.name, &set.version)? {
            return Err(ServiceError::conflict(
                Code::MeasureSetExists,
                format!(
                    "measure set `{}` version `{}` exists already: sets are immutable, import a new version",
                    set.name, set.version
                ),
            ));
        }
        repo::insert(conn, &set, &rows)?;
        actor.record(conn, "import", Entity::MeasureSet, &[&set.id], &Value::Null)?;
        Ok(set)
    };
    idempotency::once(db, key, work, render).await
}

/// Whether `org` may see the proxy values of `set`.
pub fn values_visible(set: &MeasureSetRow, org: &str) -> bool {
    set.redistributable || set.owner_org == org
}

/// A page of the imported sets.
pub async fn list(
    db: &Db,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<MeasureSetRow>, ServiceError> {
    db.run(move |conn| Ok(repo::list(conn, after_id.as_deref(), limit)?))
        .await
}

/// A set and one page of its measures.
pub async fn page(
    db: &Db,
    id: String,
    after_position: Option<i32>,
    limit: i64,
) -> Result<(MeasureSetRow, Vec<MeasureRow>), ServiceError> {
    db.run(move |conn| {
        let set = repo::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
        let measures = repo::measures_page(conn, &id, after_position, limit)?;
        Ok((set, measures))
    })
    .await
}

/// A set and all its measures.
pub async fn with_measures(
    db: &Db,
    id: String,
) -> Result<(MeasureSetRow, Vec<MeasureRow>), ServiceError> {
    db.run(move |conn| {
        let set = repo::find(conn, &id)?.ok_or(ServiceError::NotFound)?;
        let measures = repo::all_measures(conn, &id)?;
        Ok((set, measures))
    })
    .await
}
