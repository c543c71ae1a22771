//! Use cases: where a request becomes a transaction. Each write and its audit event commit
//! together or not at all; handlers call these and map the result.

pub mod audit;
pub mod measure_sets;

use crate::db::DbError;
use crate::error::ApiError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
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
            ServiceError::Db(db) => db.into(),
        }
    }
}
