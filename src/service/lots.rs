//! Lots: adding one, the status machine `draft → open → evaluating → awarded` (or `cancelled`),
//! versioned schemes checked by the engine, and the measure set a tender pins.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::audit::Entity;

use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::now;
use super::tenders::{NewLot, external_id_conflict};
use super::{Actor, Code, Db, Expected, ServiceError};
use crate::catalogue;
use crate::db::DbConnection;
use crate::db::measure_sets as measure_repo;
pub use crate::db::tenders::SchemeRow;
use crate::db::tenders::{self as repo, LotLock, LotRow, TenderRow};
use crate::scoring::{self, Measure, Scheme, ValidationReport};
use crate::violation::Violation;

use crate::db::types::LotId;
pub use crate::db::types::LotStatus;

/// An explicit move of a lot's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Open,
    Close,
    Cancel,
}

impl Transition {
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Close => "close",
            Self::Cancel => "cancel",
        }
    }

    /// The statuses it may start from, and where it leads.
    fn rule(self) -> (&'static [LotStatus], LotStatus) {
        match self {
            Self::Open => (&[LotStatus::Draft], LotStatus::Open),
            Self::Close => (&[LotStatus::Open], LotStatus::Evaluating),
            Self::Cancel => (
                &[LotStatus::Draft, LotStatus::Open, LotStatus::Evaluating],
                LotStatus::Cancelled,
            ),
        }
    }

    /// The moves allowed from `status`.
    pub fn allowed_from(status: LotStatus) -> Vec<&'static str> {
        [Self::Open, Self::Close, Self::Cancel]
            .into_iter()
            .filter(|t| t.rule().0.contains(&status))
            .map(Self::name)
            .collect()
    }
}

pub(super) fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    tender: &TenderRow,
    lot: NewLot,
    at: NaiveDateTime,
) -> Result<LotRow, ServiceError> {
    if let Some(external_id) = &lot.external_id
        && repo::lot_external_id_taken(conn, &actor.org, external_id)?
    {
        return Err(external_id_conflict("lot", external_id));
    }
    let row = LotRow {
        id: LotId::generate(),
        tender_id: tender.id.clone(),
        org_id: actor.org.clone(),
        external_id: lot.external_id,
        title: lot.title,
        value: lot.value.map(|v| v.normalize().to_string()),
        status: LotStatus::Draft,
        version: 1,
        created_at: at,
        updated_at: at,
        scheme_version: 0,
        latest_evaluation_id: None,
    };
    repo::insert_lot(conn, &row)?;
    Ok(row)
}

/// Adds a lot to an existing tender (idempotent with `key`).
pub async fn add(
    db: &Db,
    actor: Actor,
    tender_id: String,
    lot: NewLot,
    key: Option<RequestKey>,
    render: impl FnOnce(&LotRow) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    idempotency::once(
        db,
        key,
        move |conn| add_in(conn, &actor, &tender_id, lot),
        render,
    )
    .await
}

/// A lot and its tender.
pub async fn get(
    db: &Db,
    org: String,
    tender_id: String,
    lot_id: String,
) -> Result<(TenderRow, LotRow), ServiceError> {
    db.run(move |conn| get_in(conn, &org, &tender_id, &lot_id))
        .await
}

/// Moves a lot's status, or refuses with 409 naming the current status and the moves allowed.
pub async fn transition(
    db: &Db,
    actor: Actor,
    tender_id: String,
    lot_id: String,
    transition: Transition,
) -> Result<LotRow, ServiceError> {
    db.write(move |conn| transition_in(conn, &actor, &tender_id, &lot_id, transition))
        .await
}

/// Stores a new version of a lot's scheme after the engine accepts it (warnings are returned),
/// when `expected` accepts the current version (`If-Match`).
pub async fn put_scheme(
    db: &Db,
    actor: Actor,
    tender_id: String,
    lot_id: String,
    change: SchemeChange,
) -> Result<(SchemeRow, ValidationReport), ServiceError> {
    db.write(move |conn| put_scheme_in(conn, &actor, &tender_id, &lot_id, &change))
        .await
}

/// A new version of a lot's scheme: the scheme, the version it replaces (`If-Match`), and why,
/// which is required once the lot has bids (they answered the version in force).
#[derive(Debug, Clone)]
pub struct SchemeChange {
    pub scheme: Scheme,
    pub expected: Expected,
    pub reason: Option<String>,
}

/// The lot's current scheme.
pub async fn get_scheme(
    db: &Db,
    org: String,
    tender_id: String,
    lot_id: String,
) -> Result<SchemeRow, ServiceError> {
    db.run(move |conn| {
        let (_, lot) = get_in(conn, &org, &tender_id, &lot_id)?;
        repo::latest_scheme(conn, &org, &lot.id)?.ok_or(ServiceError::NotFound)
    })
    .await
}

fn add_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot: NewLot,
) -> Result<LotRow, ServiceError> {
    let tender = repo::find_tender(conn, &actor.org, tender_id)?.ok_or(ServiceError::NotFound)?;
    let row = insert(conn, actor, &tender, lot, now())?;
    actor.record(conn, "create", Entity::Lot, &[&row.id], &Value::Null)?;
    Ok(row)
}

pub(super) fn get_in(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
) -> Result<(TenderRow, LotRow), ServiceError> {
    let tender = repo::find_tender(conn, org, tender_id)?.ok_or(ServiceError::NotFound)?;
    let lot = repo::find_lot(conn, org, tender_id, lot_id)?.ok_or(ServiceError::NotFound)?;
    Ok((tender, lot))
}

/// [`get_in`] for a write that depends on the lot's state: the lot's row stays locked as `lock` says
/// until the transaction ends, so the state checked is the state at commit. Every write that
/// reads a lot's status, its scheme version or its newest run goes through here.
pub(super) fn lock(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
    lot_id: &str,
    lock: LotLock,
) -> Result<(TenderRow, LotRow), ServiceError> {
    let lot = repo::lock_lot(conn, org, tender_id, lot_id, lock)?.ok_or(ServiceError::NotFound)?;
    let tender = repo::find_tender(conn, org, tender_id)?.ok_or(ServiceError::NotFound)?;
    Ok((tender, lot))
}

fn transition_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    transition: Transition,
) -> Result<LotRow, ServiceError> {
    let (_, mut lot) = lock(conn, &actor.org, tender_id, lot_id, LotLock::Update)?;
    let (from, to) = transition.rule();
    if !from.contains(&lot.status) {
        let allowed = Transition::allowed_from(lot.status);
        return Err(ServiceError::conflict(
            Code::InvalidTransition,
            format!(
                "the lot is `{}`: `{}` is not possible; allowed: {}",
                lot.status,
                transition.name(),
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            ),
        ));
    }
    if transition == Transition::Open && lot.scheme_version == 0 {
        return Err(ServiceError::conflict(
            Code::SchemeRequired,
            "a lot opens for bids only once its scheme is set (PUT …/scheme)",
        ));
    }
    let at = now();
    if !repo::set_lot_status(conn, &lot, lot.status, to, at)? {
        return Err(ServiceError::conflict(
            Code::InvalidTransition,
            "the lot's status changed meanwhile; read it again",
        ));
    }
    let from_status = std::mem::replace(&mut lot.status, to);
    lot.version += 1;
    lot.updated_at = at;
    actor.record(
        conn,
        transition.name(),
        Entity::Lot,
        &[&lot.id],
        &json!({"from": from_status}),
    )?;
    Ok(lot)
}

fn put_scheme_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: &str,
    lot_id: &str,
    change: &SchemeChange,
) -> Result<(SchemeRow, ValidationReport), ServiceError> {
    let SchemeChange {
        scheme,
        expected,
        reason,
    } = change;
    let (tender, lot) = lock(conn, &actor.org, tender_id, lot_id, LotLock::Update)?;
    expected.check(lot.scheme_version)?;
    if lot.status != LotStatus::Draft && lot.status != LotStatus::Open {
        return Err(ServiceError::conflict(
            Code::SchemeFrozen,
            format!(
                "the lot is `{}`: its scheme is frozen once it leaves `open`",
                lot.status
            ),
        ));
    }
    let measures = resolve_measures(conn, &actor.org, &tender.measure_set)?;
    let report = scoring::validate_stored(
        scheme,
        &measures,
        Some(&tender.framework),
        catalogue::builtin(),
    );
    let mut errors: Vec<Violation> = report
        .errors
        .iter()
        .map(|issue| {
            Violation::new(
                issue
                    .pointer
                    .strip_prefix("/scheme")
                    .unwrap_or(&issue.pointer),
                issue.code.as_str(),
                issue.message.clone(),
            )
        })
        .collect();
    let authority_type = serde_json::to_value(scheme.authority_type).ok();
    if authority_type.as_ref().and_then(|v| v.as_str()) != Some(tender.authority_type.as_str()) {
        errors.push(Violation::new(
            "/authority_type",
            "authority_type_mismatch",
            format!("the tender's authority type is `{}`", tender.authority_type),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_none() && crate::db::bids::any_in_lot(conn, &actor.org, &lot.id)? {
        return Err(ServiceError::conflict(
            Code::ReasonRequired,
            "the lot has bids, which answered the scheme in force: say why it changes (?reason=…)",
        ));
    }
    let body = serde_json::to_string(scheme).map_err(|e| ServiceError::Internal(e.into()))?;
    let version = lot.scheme_version + 1;
    let row = SchemeRow {
        lot_id: lot.id.clone(),
        version,
        org_id: actor.org.clone(),
        body,
        created_by: actor.sub.clone(),
        created_at: now(),
    };
    repo::insert_scheme(conn, &row)?;
    repo::set_scheme_version(conn, &lot, version)?;
    let why = json!({"reason": reason});
    let id = format!("{}:{version}", lot.id.as_str());
    actor.record(conn, "put_scheme", Entity::Scheme, &[&id], &why)?;
    actor.record(conn, "put_scheme", Entity::Lot, &[&lot.id], &Value::Null)?;
    Ok((row, report))
}

/// A tender may pin the built-in set, or an imported set whose values its org may see (pinning a
/// hidden set would leak its values through every score).
pub(super) fn pinnable_measure_set(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    pointer: &str,
) -> Result<(), ServiceError> {
    if catalogue::builtin().measure_set(id).is_some() {
        return Ok(());
    }
    match measure_repo::find(conn, id)? {
        Some(set) if set.redistributable || set.owner_org == org => Ok(()),
        _ => Err(ServiceError::invalid(
            pointer,
            "unknown_measure_set",
            format!("no measure set `{id}` is available to this org"),
        )),
    }
}

/// The engine's measures of a pinned set.
pub(super) fn resolve_measures(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
) -> Result<Vec<Measure>, ServiceError> {
    if let Some(set) = catalogue::builtin().measure_set(id) {
        return Ok(set.measures.iter().map(|m| m.to_measure()).collect());
    }
    pinnable_measure_set(conn, org, id, "/measure_set")?;
    measure_repo::all_measures(conn, id)?
        .into_iter()
        .map(|row| {
            let [proxy_value, deadweight, attribution, displacement] = row.decimals()?;
            Ok(Measure {
                code: row.code.clone(),
                name: row.name.clone(),
                unit: Some(row.unit.clone()),
                proxy_value,
                deadweight,
                attribution,
                displacement,
                outcomes: row.outcome_codes().map(str::to_string).collect(),
            })
        })
        .collect()
}
