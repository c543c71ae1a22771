//! Use cases: where a request becomes a transaction. Each write and its audit event commit
//! together or not at all; handlers call these and map the result.

pub mod assignments;
pub mod audit;
pub mod award;
pub mod bids;
pub mod confirmation;
mod error;
pub mod evaluations;
pub mod idempotency;
pub mod lots;
pub mod mapping;
mod mark_sets;
pub mod marking;
pub mod measure_sets;
pub mod ocds;
pub mod report;
pub mod stored_run;
pub mod tenders;

pub use self::error::{Code, ServiceError};
/// The handle every use case takes: the edge holds one and passes it down.
pub use crate::db::Db;
use crate::db::DbError;

/// Who is acting: the org whose data it is, and the subject and the role it acts in.
#[derive(Debug, Clone)]
pub struct Actor {
    pub org: String,
    pub sub: String,
    pub role: crate::auth::Role,
}

impl Actor {
    pub fn new(principal: &crate::auth::Principal, role: crate::auth::Role) -> Self {
        Self {
            org: principal.org.clone(),
            sub: principal.sub.clone(),
            role,
        }
    }

    /// Records `action` on the entities of one kind named by `ids` in the audit ledger, each with
    /// the state its rows hold now (inside the write's transaction, after the write), and
    /// `context` (why, where the state does not say it; `Value::Null` for none).
    pub fn record(
        &self,
        conn: &mut crate::db::DbConnection,
        action: &str,
        entity: audit::Entity,
        ids: &[&str],
        context: &serde_json::Value,
    ) -> Result<(), DbError> {
        let author = audit::Author {
            org: &self.org,
            sub: &self.sub,
            role: self.role.as_str(),
        };
        audit::record(conn, author, action, entity, ids, context)
    }
}

/// The one clock of the use cases: UTC, to the microsecond (what PostgreSQL keeps, so a stored
/// time reads back equal on either backend and an audit hash over it still verifies).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// Brings the database up to date: the schema migrations, then the ledger v2 baselines they ask
/// for (`audit::baseline`). Returns the migrations applied.
pub fn migrate_blocking(db: &Db, signer: &audit::Signer) -> anyhow::Result<Vec<String>> {
    let applied = db.migrate_blocking()?;
    let baselined = db.blocking(|conn| audit::baseline::complete_pending(conn, signer))?;
    if !baselined.is_empty() {
        tracing::info!(orgs = ?baselined, "ledger v2 baselines written");
    }
    Ok(applied)
}

/// Whether the service can serve business requests: the database answers and is migrated.
pub async fn ready(db: &Db) -> Result<(), ServiceError> {
    db.check_ready().await.map_err(|error| {
        tracing::warn!(error = %error, "not ready");
        ServiceError::Unavailable(match error {
            DbError::Migration(_) => "database migrations are not applied".into(),
            _ => "the database is unreachable".into(),
        })
    })
}

/// The versions of a resource a conditional write accepts (`If-Match`): any, or one of those
/// listed. A version the caller read and that is no longer current is refused, so a write never
/// silently overwrites a change the caller has not seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Any,
    OneOf(Vec<i32>),
}

impl Expected {
    pub fn check(&self, current: i32) -> Result<(), ServiceError> {
        match self {
            Self::OneOf(versions) if !versions.contains(&current) => {
                Err(ServiceError::PreconditionFailed {
                    expected: versions
                        .iter()
                        .map(|v| format!("\"{v}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
            _ => Ok(()),
        }
    }
}
