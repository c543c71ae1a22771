//! Use cases: where a request becomes a transaction. Each write and its audit event commit
//! together or not at all; handlers call these and map the result.

pub mod audit;
pub mod bids;
pub mod evaluations;
pub mod idempotency;
pub mod lots;
pub mod mapping;
pub mod marking;
pub mod measure_sets;
pub mod ocds;
pub mod report;
pub mod tenders;

use crate::db::DbError;
use crate::error::{ApiError, FieldError};

/// Who is acting: the org whose data it is, the subject and the role it acts in.
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

    /// Records `action` on an entity in the audit chain (inside the write's transaction).
    pub fn audit(
        &self,
        conn: &mut crate::db::DbConnection,
        action: &str,
        entity: &str,
        entity_id: &str,
        payload: &serde_json::Value,
    ) -> Result<(), DbError> {
        audit::append(
            conn,
            &audit::AuditEvent {
                org: &self.org,
                actor_sub: &self.sub,
                actor_role: self.role,
                action,
                entity,
                entity_id,
                payload,
            },
        )
        .map(|_| ())
    }

    /// Records one `action` per entity, in order, as one append (see [`audit::append_all`]).
    pub fn audit_each(
        &self,
        conn: &mut crate::db::DbConnection,
        action: &str,
        entity: &str,
        items: &[(String, serde_json::Value)],
    ) -> Result<(), DbError> {
        let events: Vec<audit::AuditEvent<'_>> = items
            .iter()
            .map(|(entity_id, payload)| audit::AuditEvent {
                org: &self.org,
                actor_sub: &self.sub,
                actor_role: self.role,
                action,
                entity,
                entity_id,
                payload,
            })
            .collect();
        audit::append_all(conn, &events).map(|_| ())
    }
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

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// The caller may not do this here (403), for the reason `code` names.
    #[error("{detail}")]
    Denied { code: &'static str, detail: String },
    /// `If-Match` named a version that is no longer current.
    #[error("the resource changed since version {expected}")]
    PreconditionFailed { expected: String },
    /// The request breaks a rule; every failure listed.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Conflict { code, detail } => Self::Conflict { code, detail },
            ServiceError::Denied { code, detail } => Self::Denied { code, detail },
            ServiceError::PreconditionFailed { expected } => Self::PreconditionFailed(format!(
                "If-Match {expected} is not the current version: read the resource again"
            )),
            ServiceError::Invalid(errors) => Self::Validation {
                errors,
                warnings: Vec::new(),
            },
            ServiceError::Db(db) => db.into(),
        }
    }
}

/// One invalid field, as a refusal.
pub fn invalid(
    pointer: impl Into<String>,
    code: &'static str,
    message: impl Into<String>,
) -> ServiceError {
    ServiceError::Invalid(vec![FieldError {
        pointer: pointer.into(),
        code: code.into(),
        message: message.into(),
    }])
}
