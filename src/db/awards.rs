//! Rows and queries of awards and of the steps that follow the decision (assessment summaries
//! sent, the contract award notice published, PCR 2015's decision notices sent).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{award_steps, awards};
use super::types::{AwardStepKind, BidId, EvaluationId, LotId, TenderId};
use super::{DbConnection, DbError};
use crate::catalogue::standstill::{Exemption, Regime};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = awards, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AwardRow {
    pub lot_id: LotId,
    pub tender_id: TenderId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub evaluation_id: EvaluationId,
    pub winner_bid_id: BidId,
    pub note: String,
    pub decided_at: NaiveDateTime,
    /// Set only by awards made before the award steps existed: the last day of a standstill
    /// counted from the decision, kept as stored. Newer awards count it from their steps.
    pub standstill_ends: Option<String>,
    pub awarded_by: String,
}

/// One step after the decision, as recorded; never edited.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = award_steps, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AwardStepRow {
    pub lot_id: LotId,
    /// 1, 2, … in the order recorded, per lot.
    pub seq: i32,
    pub tender_id: TenderId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub step: AwardStepKind,
    pub occurred_at: NaiveDateTime,
    pub regime: Regime,
    /// [`StepDetails`] as JSON.
    pub details: String,
    pub correction_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// What a step says besides its kind and time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDetails {
    /// Assessment summaries: the bids whose suppliers were sent theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bids: Vec<BidId>,
    /// PCR 2015 decision notices: sent by electronic means (10 days) or otherwise (15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electronic: Option<bool>,
    /// The contract award notice's id on Find a Tender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<String>,
    /// The award is exempt from the mandatory standstill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
}

impl AwardStepRow {
    /// The step's details; stored text that does not read names the row.
    pub fn details(&self) -> Result<StepDetails, DbError> {
        serde_json::from_str(&self.details).map_err(|e| {
            DbError::Corrupt(format!(
                "award_steps row {}:{}: column details: {e}",
                self.lot_id, self.seq
            ))
        })
    }
}

pub fn insert_award(conn: &mut DbConnection, row: &AwardRow) -> Result<(), DbError> {
    diesel::insert_into(awards::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn award_of(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Option<AwardRow>, DbError> {
    Ok(awards::table
        .filter(awards::org_id.eq(org))
        .filter(awards::lot_id.eq(lot_id))
        .select(AwardRow::as_select())
        .first(conn)
        .optional()?)
}

/// The awards of a tender's lots, one per awarded lot.
pub fn awards_of_tender(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
) -> Result<Vec<AwardRow>, DbError> {
    Ok(awards::table
        .filter(awards::org_id.eq(org))
        .filter(awards::tender_id.eq(tender_id))
        .order(awards::lot_id)
        .select(AwardRow::as_select())
        .load(conn)?)
}

pub fn insert_step(conn: &mut DbConnection, row: &AwardStepRow) -> Result<(), DbError> {
    diesel::insert_into(award_steps::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A lot's steps in the order recorded.
pub fn steps_of(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<AwardStepRow>, DbError> {
    Ok(award_steps::table
        .filter(award_steps::org_id.eq(org))
        .filter(award_steps::lot_id.eq(lot_id))
        .order(award_steps::seq)
        .select(AwardStepRow::as_select())
        .load(conn)?)
}

/// The steps of a tender's lots, by lot and then in the order recorded.
pub fn steps_of_tender(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
) -> Result<Vec<AwardStepRow>, DbError> {
    Ok(award_steps::table
        .filter(award_steps::org_id.eq(org))
        .filter(award_steps::tender_id.eq(tender_id))
        .order((award_steps::lot_id, award_steps::seq))
        .select(AwardStepRow::as_select())
        .load(conn)?)
}
