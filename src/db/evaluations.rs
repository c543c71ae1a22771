//! Rows and queries of evaluators, declarations, marks, moderated marks and evaluation runs.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{conflict_declarations, evaluations, evaluators, marks, moderated_marks};
use super::types::{BidId, EvaluationId, LotId, TenderId, stored_decimal};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluators, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EvaluatorRow {
    pub lot_id: LotId,
    pub sub: String,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub assigned_by: String,
    pub assigned_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = conflict_declarations, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DeclarationRow {
    pub id: String,
    pub lot_id: LotId,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub evaluator_sub: String,
    pub conflict: bool,
    pub bid_id: Option<BidId>,
    pub details: String,
    pub declared_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = marks, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MarkRow {
    pub lot_id: LotId,
    pub bid_id: BidId,
    pub criterion_id: String,
    pub evaluator_sub: String,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub score: String,
    pub rationale: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = moderated_marks, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ModeratedRow {
    pub lot_id: LotId,
    pub bid_id: BidId,
    pub criterion_id: String,
    /// Left out of the audited state: the org's chain already names it.
    #[serde(skip)]
    pub org_id: String,
    pub score: String,
    pub rationale: String,
    pub moderated_by: String,
    pub moderated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluations, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EvaluationRow {
    pub id: EvaluationId,
    pub lot_id: LotId,
    pub tender_id: TenderId,
    pub org_id: String,
    pub scheme_version: i32,
    pub inputs: String,
    pub inputs_sha256: String,
    pub engine_version: String,
    pub result: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl MarkRow {
    pub fn score(&self) -> Result<rust_decimal::Decimal, DbError> {
        let row = format_args!(
            "(lot {}, bid {}, criterion {}, evaluator {})",
            self.lot_id, self.bid_id, self.criterion_id, self.evaluator_sub
        );
        stored_decimal(&self.score, "marks", row, "score")
    }
}

impl ModeratedRow {
    pub fn score(&self) -> Result<rust_decimal::Decimal, DbError> {
        let row = format_args!(
            "(lot {}, bid {}, criterion {})",
            self.lot_id, self.bid_id, self.criterion_id
        );
        stored_decimal(&self.score, "moderated_marks", row, "score")
    }
}

pub fn is_evaluator(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
    sub: &str,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        evaluators::table
            .filter(evaluators::org_id.eq(org))
            .filter(evaluators::lot_id.eq(lot_id))
            .filter(evaluators::sub.eq(sub)),
    ))
    .get_result(conn)?)
}

pub fn insert_evaluator(conn: &mut DbConnection, row: &EvaluatorRow) -> Result<(), DbError> {
    diesel::insert_into(evaluators::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The lots `sub` is assigned to, oldest assignment first.
pub fn assignments_of(
    conn: &mut DbConnection,
    org: &str,
    sub: &str,
) -> Result<Vec<EvaluatorRow>, DbError> {
    Ok(evaluators::table
        .filter(evaluators::org_id.eq(org))
        .filter(evaluators::sub.eq(sub))
        .order((evaluators::assigned_at, evaluators::lot_id))
        .select(EvaluatorRow::as_select())
        .load(conn)?)
}

pub fn evaluators_of(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<EvaluatorRow>, DbError> {
    Ok(evaluators::table
        .filter(evaluators::org_id.eq(org))
        .filter(evaluators::lot_id.eq(lot_id))
        .order(evaluators::sub)
        .select(EvaluatorRow::as_select())
        .load(conn)?)
}

pub fn insert_declaration(conn: &mut DbConnection, row: &DeclarationRow) -> Result<(), DbError> {
    diesel::insert_into(conflict_declarations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn declarations_of(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
    sub: &str,
) -> Result<Vec<DeclarationRow>, DbError> {
    Ok(conflict_declarations::table
        .filter(conflict_declarations::org_id.eq(org))
        .filter(conflict_declarations::lot_id.eq(lot_id))
        .filter(conflict_declarations::evaluator_sub.eq(sub))
        .select(DeclarationRow::as_select())
        .load(conn)?)
}

/// Stores an evaluator's mark, replacing the one it gave before.
pub fn put_mark(conn: &mut DbConnection, row: &MarkRow) -> Result<(), DbError> {
    let updated = diesel::update(
        marks::table
            .filter(marks::lot_id.eq(&row.lot_id))
            .filter(marks::bid_id.eq(&row.bid_id))
            .filter(marks::criterion_id.eq(&row.criterion_id))
            .filter(marks::evaluator_sub.eq(&row.evaluator_sub)),
    )
    .set((
        marks::score.eq(&row.score),
        marks::rationale.eq(&row.rationale),
        marks::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(marks::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn marks_of_lot(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<MarkRow>, DbError> {
    Ok(marks::table
        .filter(marks::org_id.eq(org))
        .filter(marks::lot_id.eq(lot_id))
        .order((marks::bid_id, marks::criterion_id, marks::evaluator_sub))
        .select(MarkRow::as_select())
        .load(conn)?)
}

pub fn put_moderated(conn: &mut DbConnection, row: &ModeratedRow) -> Result<(), DbError> {
    let updated = diesel::update(
        moderated_marks::table
            .filter(moderated_marks::lot_id.eq(&row.lot_id))
            .filter(moderated_marks::bid_id.eq(&row.bid_id))
            .filter(moderated_marks::criterion_id.eq(&row.criterion_id)),
    )
    .set((
        moderated_marks::score.eq(&row.score),
        moderated_marks::rationale.eq(&row.rationale),
        moderated_marks::moderated_by.eq(&row.moderated_by),
        moderated_marks::moderated_at.eq(row.moderated_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(moderated_marks::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn moderated_of_lot(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<ModeratedRow>, DbError> {
    Ok(moderated_marks::table
        .filter(moderated_marks::org_id.eq(org))
        .filter(moderated_marks::lot_id.eq(lot_id))
        .select(ModeratedRow::as_select())
        .load(conn)?)
}

pub fn insert_evaluation(conn: &mut DbConnection, row: &EvaluationRow) -> Result<(), DbError> {
    diesel::insert_into(evaluations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn evaluations_of(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<EvaluationRow>, DbError> {
    Ok(evaluations::table
        .filter(evaluations::org_id.eq(org))
        .filter(evaluations::lot_id.eq(lot_id))
        .order(evaluations::id)
        .select(EvaluationRow::as_select())
        .load(conn)?)
}

pub fn find_evaluation(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
    id: &str,
) -> Result<Option<EvaluationRow>, DbError> {
    Ok(evaluations::table
        .filter(evaluations::org_id.eq(org))
        .filter(evaluations::lot_id.eq(lot_id))
        .filter(evaluations::id.eq(id))
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every run of a tender's lots, oldest first.
pub fn evaluations_of_tender(
    conn: &mut DbConnection,
    org: &str,
    tender_id: &str,
) -> Result<Vec<EvaluationRow>, DbError> {
    Ok(evaluations::table
        .filter(evaluations::org_id.eq(org))
        .filter(evaluations::tender_id.eq(tender_id))
        .order(evaluations::id)
        .select(EvaluationRow::as_select())
        .load(conn)?)
}
