//! Tenders: creating one with its lots, reading, listing, and updating it under optimistic
//! concurrency. The framework, measure set, currency and authority type are pinned once any lot has
//! left `draft`, so an evaluation can never see its reference data change underneath it.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::audit::Entity;

use super::idempotency::{self, Outcome, Recorded, RequestKey};
use super::{Actor, Code, Db, Expected, ServiceError, lots, now};
use crate::db::DbConnection;
use crate::db::tenders as repo;
pub use crate::db::tenders::{LotRow, TenderRow};
use crate::db::types::LotStatus;
use crate::db::types::TenderId;

/// A tender as asked for, already parsed (in the request's order).
#[derive(Debug, Clone)]
pub struct NewTender {
    pub external_id: Option<String>,
    pub ocid: Option<String>,
    pub title: String,
    pub buyer: String,
    pub authority_type: String,
    pub procurement_regime: String,
    pub framework: String,
    pub measure_set: String,
    pub currency: String,
    pub value: Option<Decimal>,
    pub lots: Vec<NewLot>,
}

#[derive(Debug, Clone)]
pub struct NewLot {
    pub external_id: Option<String>,
    pub title: String,
    pub value: Option<Decimal>,
}

/// A change to a tender: `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TenderPatch {
    pub external_id: Option<Option<String>>,
    pub ocid: Option<Option<String>>,
    pub title: Option<String>,
    pub buyer: Option<String>,
    pub value: Option<Option<Decimal>>,
    pub authority_type: Option<String>,
    pub framework: Option<String>,
    pub measure_set: Option<String>,
    pub currency: Option<String>,
    pub procurement_regime: Option<String>,
}

/// A tender with its lots.
pub type TenderWithLots = (TenderRow, Vec<LotRow>);

/// Creates a tender with its lots (idempotent with `key`).
pub async fn create(
    db: &Db,
    actor: Actor,
    tender: NewTender,
    key: Option<RequestKey>,
    render: impl FnOnce(&TenderWithLots) -> Result<Recorded, ServiceError> + Send + 'static,
) -> Result<Outcome, ServiceError> {
    idempotency::once(db, key, move |conn| create_in(conn, &actor, tender), render).await
}

pub async fn get(db: &Db, org: String, id: String) -> Result<TenderWithLots, ServiceError> {
    db.run(move |conn| get_in(conn, &org, &id)).await
}

/// Applies `patch` when `expected` (`If-Match`) accepts the current version.
pub async fn update(
    db: &Db,
    actor: Actor,
    id: String,
    patch: TenderPatch,
    expected: Expected,
) -> Result<TenderWithLots, ServiceError> {
    db.write(move |conn| update_in(conn, &actor, &id, patch, &expected))
        .await
}

/// Which tenders a list shows, and the page.
#[derive(Debug, Clone, Default)]
pub struct TenderQuery {
    pub status: Option<LotStatus>,
    pub external_id: Option<String>,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// A page of the org's tenders with their lots, in creation order.
pub async fn list(
    db: &Db,
    org: String,
    query: TenderQuery,
) -> Result<Vec<TenderWithLots>, ServiceError> {
    db.run(move |conn| {
        repo::list_tenders(
            conn,
            &org,
            query.status,
            query.external_id.as_deref(),
            query.after_id.as_deref(),
            query.limit,
        )?
        .into_iter()
        .map(|tender| {
            let lots = repo::lots_of(conn, &org, &tender.id)?;
            Ok((tender, lots))
        })
        .collect()
    })
    .await
}

fn create_in(
    conn: &mut DbConnection,
    actor: &Actor,
    tender: NewTender,
) -> Result<TenderWithLots, ServiceError> {
    lots::pinnable_measure_set(conn, &actor.org, &tender.measure_set, "/measure_set")?;
    if let Some(external_id) = &tender.external_id
        && repo::external_id_taken(conn, &actor.org, external_id, None)?
    {
        return Err(external_id_conflict("tender", external_id));
    }
    let at = now();
    let row = TenderRow {
        id: TenderId::generate(),
        org_id: actor.org.clone(),
        external_id: tender.external_id,
        ocid: tender.ocid,
        title: tender.title,
        buyer: tender.buyer,
        authority_type: tender.authority_type,
        framework: tender.framework,
        measure_set: tender.measure_set,
        currency: tender.currency,
        value: tender.value.map(|v| v.normalize().to_string()),
        procurement_regime: tender.procurement_regime,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    repo::insert_tender(conn, &row)?;
    let mut created = Vec::with_capacity(tender.lots.len());
    for lot in tender.lots {
        created.push(lots::insert(conn, actor, &row, lot, at)?);
    }
    actor.record(conn, "create", Entity::Tender, &[&row.id], &Value::Null)?;
    let lot_ids: Vec<&str> = created.iter().map(|lot| lot.id.as_str()).collect();
    actor.record(conn, "create", Entity::Lot, &lot_ids, &Value::Null)?;
    Ok((row, created))
}

fn get_in(conn: &mut DbConnection, org: &str, id: &str) -> Result<TenderWithLots, ServiceError> {
    let tender = repo::find_tender(conn, org, id)?.ok_or(ServiceError::NotFound)?;
    let lots = repo::lots_of(conn, org, id)?;
    Ok((tender, lots))
}

/// The tender's lots are read under a shared lock, so none can leave `draft` between the pin check
/// below and the commit.
fn update_in(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    patch: TenderPatch,
    expected: &Expected,
) -> Result<TenderWithLots, ServiceError> {
    let mut tender = repo::lock_tender(conn, &actor.org, id)?.ok_or(ServiceError::NotFound)?;
    let lots = repo::lock_lots_of(conn, &actor.org, id)?;
    expected.check(tender.version)?;
    let read_version = tender.version;
    let pins = [
        patch.authority_type.is_some(),
        patch.framework.is_some(),
        patch.measure_set.is_some(),
        patch.currency.is_some(),
        patch.procurement_regime.is_some(),
    ];
    if pins.contains(&true) && lots.iter().any(|l| l.status != LotStatus::Draft) {
        return Err(ServiceError::conflict(
            Code::TenderPinned,
            "framework, measure_set, currency, authority_type and procurement_regime are fixed once a lot has left draft",
        ));
    }
    if let Some(Some(external_id)) = &patch.external_id
        && repo::external_id_taken(conn, &actor.org, external_id, Some(id))?
    {
        return Err(external_id_conflict("tender", external_id));
    }
    if let Some(measure_set) = &patch.measure_set {
        lots::pinnable_measure_set(conn, &actor.org, measure_set, "/measure_set")?;
    }
    let before = tender_payload(&tender);
    apply(&mut tender, patch);
    if tender_payload(&tender) == before {
        // Nothing changed (e.g. `{"title": null}`, or the values it has): no new version, no
        // event, so a client's ETag stays valid.
        return Ok((tender, lots));
    }
    tender.version += 1;
    tender.updated_at = now();
    if !repo::update_tender(conn, &tender, read_version)? {
        return Err(ServiceError::PreconditionFailed {
            expected: format!("\"{read_version}\""),
        });
    }
    actor.record(conn, "update", Entity::Tender, &[&tender.id], &Value::Null)?;
    Ok((tender, lots))
}

fn apply(tender: &mut TenderRow, patch: TenderPatch) {
    let TenderPatch {
        external_id,
        ocid,
        title,
        buyer,
        value,
        authority_type,
        framework,
        measure_set,
        currency,
        procurement_regime,
    } = patch;
    if let Some(v) = external_id {
        tender.external_id = v;
    }
    if let Some(v) = ocid {
        tender.ocid = v;
    }
    if let Some(v) = value {
        tender.value = v.map(|d| d.normalize().to_string());
    }
    for (field, change) in [
        (&mut tender.title, title),
        (&mut tender.buyer, buyer),
        (&mut tender.authority_type, authority_type),
        (&mut tender.framework, framework),
        (&mut tender.measure_set, measure_set),
        (&mut tender.currency, currency),
        (&mut tender.procurement_regime, procurement_regime),
    ] {
        if let Some(v) = change {
            *field = v;
        }
    }
}

/// The fields a PATCH can change, to tell whether it changed any.
fn tender_payload(t: &TenderRow) -> serde_json::Value {
    json!({
        "external_id": t.external_id, "ocid": t.ocid, "title": t.title, "buyer": t.buyer,
        "authority_type": t.authority_type, "framework": t.framework, "measure_set": t.measure_set,
        "currency": t.currency, "value": t.value, "procurement_regime": t.procurement_regime,
        "version": t.version,
    })
}

pub fn external_id_conflict(kind: &str, external_id: &str) -> ServiceError {
    ServiceError::conflict(
        Code::ExternalIdExists,
        format!("a {kind} with external_id `{external_id}` exists already in this org"),
    )
}
