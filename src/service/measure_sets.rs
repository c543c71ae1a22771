//! Measure sets: importing a new version (admin), and reading sets and their measures with the
//! licence respected — a set that may not be redistributed shows its proxy values to the
//! importing org only.

use chrono::{SubsecRound, Utc};
use serde_json::json;

use super::ServiceError;
use super::audit::{self, AuditEvent};
use crate::auth::{Principal, Role};
use crate::catalogue::import::MeasureSetImport;
use crate::db::measure_sets::{self as repo, MeasureRow, MeasureSetRow};
use crate::db::{DbConnection, DbError, write_transaction};

/// Stores a checked import as a new, immutable set, with its audit event, in one transaction.
pub fn import(
    conn: &mut DbConnection,
    principal: &Principal,
    import: MeasureSetImport,
) -> Result<MeasureSetRow, ServiceError> {
    let id = uuid::Uuid::now_v7().to_string();
    let set = MeasureSetRow {
        id: id.clone(),
        name: import.name,
        version: import.version,
        licence: import.licence,
        source: import.source,
        valid_from: import.valid_from.to_string(),
        redistributable: import.redistributable,
        owner_org: principal.org.clone(),
        created_by: principal.sub.clone(),
        created_at: Utc::now().naive_utc().trunc_subsecs(6),
        measure_count: i32::try_from(import.measures.len())
            .map_err(|_| DbError::Corrupt("more measures than a set can hold".into()))?,
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
    write_transaction(conn, |conn| {
        if repo::exists(conn, &set.name, &set.version)? {
            return Err(ServiceError::Conflict {
                code: "measure_set_exists",
                detail: format!(
                    "measure set `{}` version `{}` exists already: sets are immutable, import a new version",
                    set.name, set.version
                ),
            });
        }
        repo::insert(conn, &set, &rows)?;
        audit::append(
            conn,
            &AuditEvent {
                org: &principal.org,
                actor_sub: &principal.sub,
                actor_role: Role::Admin,
                action: "import",
                entity: "measure_set",
                entity_id: &set.id,
                payload: &json!({
                    "name": set.name, "version": set.version, "licence": set.licence,
                    "source": set.source, "valid_from": set.valid_from,
                    "redistributable": set.redistributable, "measures": set.measure_count,
                }),
            },
        )?;
        Ok(())
    })?;
    Ok(set)
}

/// Whether `principal` may see the proxy values of `set`.
pub fn values_visible(set: &MeasureSetRow, principal: &Principal) -> bool {
    set.redistributable || set.owner_org == principal.org
}

pub fn list(
    conn: &mut DbConnection,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<MeasureSetRow>, ServiceError> {
    Ok(repo::list(conn, after_id, limit)?)
}

/// A set and one page of its measures.
pub fn page(
    conn: &mut DbConnection,
    id: &str,
    after_position: Option<i32>,
    limit: i64,
) -> Result<(MeasureSetRow, Vec<MeasureRow>), ServiceError> {
    let set = repo::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let measures = repo::measures_page(conn, id, after_position, limit)?;
    Ok((set, measures))
}

/// A set and all its measures.
pub fn with_measures(
    conn: &mut DbConnection,
    id: &str,
) -> Result<(MeasureSetRow, Vec<MeasureRow>), ServiceError> {
    let set = repo::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let measures = repo::all_measures(conn, id)?;
    Ok((set, measures))
}
