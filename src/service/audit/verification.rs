//! `GET /v1/audit/verify` and `socval check-audit`: the org's chain re-walked, then its rows
//! compared with the states the chain recorded.

use serde::Serialize;
use utoipa::ToSchema;

use super::baseline::{self, Baseline};
use super::chain::{self, InvalidEvent};
use super::rows::{self, StateFinding};
use crate::db::audit_events as repo;
use crate::db::{DbConnection, DbError};
use crate::service::{Db, ServiceError};

/// The outcome of verifying one org's ledger.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Verification {
    /// Whether every event links to the one before it and matches its own hash, and every row
    /// holds the state its latest event recorded.
    pub valid: bool,
    /// Events read, up to and including the first invalid one.
    #[schema(example = 1234)]
    pub events_checked: u64,
    /// The first event that does not verify; `null` when the chain is valid.
    pub first_invalid_event: Option<InvalidEvent>,
    /// The `hash` of the last event that verified (64 zeros for an empty chain): keep it to
    /// detect later truncation.
    pub head: String,
    /// Stored rows compared with the ledger.
    #[schema(example = 321)]
    pub rows_checked: u64,
    /// Every row whose stored state is not what the ledger recorded.
    pub state_findings: Vec<StateFinding>,
    /// Present when the org's data predates ledger v2: what its baseline rests on.
    pub baseline: Option<Baseline>,
}

fn verify(conn: &mut DbConnection, org: &str) -> Result<Verification, DbError> {
    let walk = chain::walk(conn, org)?;
    let rows = rows::check(conn, org)?;
    Ok(Verification {
        valid: walk.first_invalid.is_none() && rows.findings.is_empty(),
        events_checked: walk.events_checked,
        first_invalid_event: walk.first_invalid,
        head: walk.head,
        rows_checked: rows.rows_checked,
        state_findings: rows.findings,
        baseline: baseline::of(conn, org)?,
    })
}

/// Verifies `org`'s ledger, or every org's when `None` (`socval check-audit`), in org order.
pub fn verify_orgs(
    conn: &mut DbConnection,
    org: Option<&str>,
) -> Result<Vec<(String, Verification)>, ServiceError> {
    let orgs = match org {
        Some(org) => vec![org.to_string()],
        None => repo::org_ids(conn)?,
    };
    orgs.into_iter()
        .map(|org| Ok((org.clone(), verify(conn, &org)?)))
        .collect()
}

pub async fn verify_org(db: &Db, org: String) -> Result<Verification, ServiceError> {
    db.run(move |conn| Ok(verify(conn, &org)?)).await
}
