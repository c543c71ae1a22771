//! An entity rebuilt from the events alone, as of any moment: its state then, and every version up
//! to then with who made it and what changed (an RFC 6902 JSON Patch from the version before,
//! whose `test` operations carry the values replaced or removed).

use std::sync::Arc;

use chrono::NaiveDateTime;
use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, Patch, PatchOperation, TestOperation};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::entity::Entity;
use super::{Signer, event_time};
use crate::db::audit_events::{self as repo, AuditEventRow};
use crate::db::{DbConnection, DbError};
use crate::service::{Db, ServiceError};

/// An entity as the ledger holds it at a moment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityHistory {
    pub entity: Entity,
    pub entity_id: String,
    /// The moment asked for (RFC 3339, UTC); `null` for now.
    pub as_of: Option<String>,
    /// The entity's state at `as_of`, from the latest event then; `null` when no event then holds
    /// its state (every event was written before ledger v2, which kept only the payload's hash).
    #[schema(value_type = Option<Object>)]
    pub state: Option<Value>,
    /// Every version up to `as_of`, oldest first.
    pub versions: Vec<EntityVersion>,
}

/// One event of the entity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityVersion {
    #[schema(example = 42)]
    pub seq: i64,
    /// RFC 3339, UTC, as the event hashes it.
    pub at: String,
    pub actor_sub: String,
    pub actor_role: String,
    #[schema(example = "mark")]
    pub action: String,
    /// The event's `hash` in the chain.
    pub hash: String,
    /// The recorded change (`{"state": …, "context"?: …}`); `null` before ledger v2.
    #[schema(value_type = Option<Object>)]
    pub change: Option<Value>,
    /// From the previous recorded state to this one, as RFC 6902 operations; each `replace` or
    /// `remove` follows a `test` of the value it replaces. The first recorded state is one `add`
    /// of the whole state at `""`.
    #[schema(value_type = Option<Vec<Object>>)]
    pub patch: Option<Patch>,
}

/// The entity's history from its chained events, after chaining what the org had pending.
pub async fn rebuild(
    db: &Db,
    signer: Arc<Signer>,
    org: String,
    entity: Entity,
    id: String,
    as_of: Option<NaiveDateTime>,
) -> Result<EntityHistory, ServiceError> {
    super::sequencer::catch_up(db, signer, org.clone()).await?;
    db.run(move |conn| rebuild_in(conn, &org, entity, &id, as_of))
        .await
}

pub fn rebuild_in(
    conn: &mut DbConnection,
    org: &str,
    entity: Entity,
    id: &str,
    as_of: Option<NaiveDateTime>,
) -> Result<EntityHistory, ServiceError> {
    let events = repo::events_of(conn, org, entity.as_str(), id, as_of)?;
    if events.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let mut state: Option<Value> = None;
    let versions = events
        .into_iter()
        .map(|event| {
            let (version, next) = version(event, state.as_ref())?;
            if next.is_some() {
                state = next;
            }
            Ok(version)
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(EntityHistory {
        entity,
        entity_id: id.to_string(),
        as_of: as_of.map(event_time),
        state,
        versions,
    })
}

fn version(
    event: AuditEventRow,
    previous: Option<&Value>,
) -> Result<(EntityVersion, Option<Value>), DbError> {
    let change: Option<Value> = event
        .change
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| {
            DbError::Corrupt(format!(
                "audit_events row {}: column change: {e}",
                event.seq
            ))
        })?;
    let state = change.as_ref().map(|change| change["state"].clone());
    let patch = state.as_ref().map(|state| match previous {
        Some(previous) => patch(previous, state),
        None => Patch(vec![PatchOperation::Add(AddOperation {
            path: PointerBuf::root(),
            value: state.clone(),
        })]),
    });
    let version = EntityVersion {
        seq: event.seq,
        at: event_time(event.at),
        actor_sub: event.actor_sub,
        actor_role: event.actor_role,
        action: event.action,
        hash: event.hash,
        change,
        patch,
    };
    Ok((version, state))
}

/// `json_patch::diff` with a `test` of the old value before each operation that loses one, so
/// the patch reads "was 3, is 5" and applies only to the state it came from.
pub fn patch(from: &Value, to: &Value) -> Patch {
    let mut operations = Vec::new();
    for operation in json_patch::diff(from, to).0 {
        if let PatchOperation::Replace(_) | PatchOperation::Remove(_) = &operation
            && let Some(old) = from.pointer(operation.path().as_str())
        {
            operations.push(PatchOperation::Test(TestOperation {
                path: operation.path().to_buf(),
                value: old.clone(),
            }));
        }
        operations.push(operation);
    }
    Patch(operations)
}
