//! What a use case answers when it does not do what was asked, in its own terms: the HTTP edge
//! (`api::problem`) maps each variant to a status once.

use crate::db::DbError;
use crate::violation::Violation;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    /// The resource's state does not allow it (409).
    #[error("{detail}")]
    Conflict { code: Code, detail: String },
    /// The caller may not do this here (403), for the reason `code` names.
    #[error("{detail}")]
    Denied { code: Code, detail: String },
    /// `If-Match` named versions of which none is current.
    #[error("the resource changed since version {expected}")]
    PreconditionFailed { expected: String },
    /// The request breaks rules; every failure listed.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<Violation>),
    /// A concurrent request took the same unique key first.
    #[error("a concurrent request wrote the same resource first")]
    ConcurrentWrite,
    /// The database is down, or a concurrent transaction won: the same request may succeed soon.
    #[error("{0}")]
    Unavailable(String),
    /// A stored evaluation run that is not the one the audit ledger recorded: never served.
    #[error("evaluation run {run} does not match the audit ledger: {why}")]
    RunMismatch { run: String, why: String },
    /// A bug, or stored data that no longer reads back (logged; the client sees only 500).
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl ServiceError {
    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn denied(code: Code, detail: impl Into<String>) -> Self {
        Self::Denied {
            code,
            detail: detail.into(),
        }
    }

    /// One invalid field, as a refusal.
    pub fn invalid(
        pointer: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![Violation::new(pointer, code, message)])
    }

    /// Stored data that does not read back as its type: a 500 whose log names what broke.
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::Error::new(DbError::Corrupt(what.to_string())))
    }
}

/// Database failures in the use case's terms: a missing row is not found; a concurrent
/// transaction that won (PostgreSQL's serialization failure or deadlock, SQLite's lock held past
/// the busy timeout) or an unreachable database is worth a retry; a unique key taken by a
/// concurrent request is a conflict; anything else is internal.
impl From<DbError> for ServiceError {
    fn from(error: DbError) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            DbError::Query(Error::NotFound) => Self::NotFound,
            DbError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Self::Unavailable("the database is unavailable; retry shortly".into())
            }
            DbError::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                tracing::info!(error = info.message(), "unique key taken concurrently");
                Self::ConcurrentWrite
            }
            DbError::Query(Error::DatabaseError(kind, info))
                if lost_a_race(&kind, info.message()) =>
            {
                tracing::warn!(
                    error = info.message(),
                    "transaction lost to a concurrent one"
                );
                Self::Unavailable("a concurrent change to the same data won; retry shortly".into())
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        DbError::from(error).into()
    }
}

/// PostgreSQL's 40001 (diesel's `SerializationFailure`) and 40P01 ("deadlock detected", which
/// diesel does not classify), SQLite's SQLITE_BUSY ("database is locked").
fn lost_a_race(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    matches!(
        kind,
        diesel::result::DatabaseErrorKind::SerializationFailure
    ) || message.starts_with("deadlock detected")
        || message.starts_with("database is locked")
}

macro_rules! codes {
    ($($variant:ident = $text:literal,)*) => {
        /// The stable codes of conflicts and denials, as clients see them in `code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    AwardStepOutOfOrder = "award_step_out_of_order",
    AwardStepRecorded = "award_step_recorded",
    BidWithdrawn = "bid_withdrawn",
    BidsOnEarlierScheme = "bids_on_earlier_scheme",
    CommitmentDeclared = "commitment_declared",
    ConcurrentWrite = "concurrent_write",
    ConflictDeclarationRequired = "conflict_declaration_required",
    ConflictOfInterest = "conflict_of_interest",
    EvaluationSuperseded = "evaluation_superseded",
    EvaluatorAssigned = "evaluator_assigned",
    ExternalIdExists = "external_id_exists",
    IdempotencyKeyReused = "idempotency_key_reused",
    InvalidTransition = "invalid_transition",
    LotNotEvaluating = "lot_not_evaluating",
    LotNotOpen = "lot_not_open",
    MappingFrozen = "mapping_frozen",
    MeasureSetExists = "measure_set_exists",
    NotAssigned = "not_assigned",
    ReasonRequired = "reason_required",
    SchemeFrozen = "scheme_frozen",
    SchemeRequired = "scheme_required",
    StepNotInRegime = "step_not_in_regime",
    TenderPinned = "tender_pinned",
    WinnerUndetermined = "winner_undetermined",
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every code is produced somewhere (after Lemmy's `test_errors_used`): a code no use case
    /// returns is a promise in the API that nothing keeps.
    #[test]
    fn every_code_is_used_by_a_use_case() {
        let mut sources = String::new();
        let mut dirs = vec![std::path::PathBuf::from("src/service"), "src/api".into()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("error.rs")
                {
                    sources += &std::fs::read_to_string(path).unwrap();
                }
            }
        }
        for code in Code::ALL {
            let variant = format!("Code::{code:?}");
            assert!(sources.contains(&variant), "{variant} is never produced");
        }
        let texts: std::collections::HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(texts.len(), Code::ALL.len(), "each code has its own text");
    }

    #[test]
    fn database_failures_become_the_use_cases_terms() {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        let database = |kind, message: &str| {
            DbError::Query(Error::DatabaseError(kind, Box::new(message.to_string())))
        };
        for lost in [
            database(Kind::SerializationFailure, "could not serialize access"),
            database(Kind::Unknown, "deadlock detected"),
            database(Kind::Unknown, "database is locked"),
            DbError::Unavailable("timed out".into()),
        ] {
            assert!(matches!(
                ServiceError::from(lost),
                ServiceError::Unavailable(_)
            ));
        }
        assert!(matches!(
            ServiceError::from(database(Kind::UniqueViolation, "duplicate key")),
            ServiceError::ConcurrentWrite
        ));
        assert!(matches!(
            ServiceError::from(DbError::Query(Error::NotFound)),
            ServiceError::NotFound
        ));
        assert!(matches!(
            ServiceError::from(database(Kind::Unknown, "syntax error")),
            ServiceError::Internal(_)
        ));
    }
}
