//! Rows and queries of imported measure sets. Decimals are stored as their exact text and parsed
//! back on read; a row that does not parse is a data error (500), never a silently rounded value.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::connection::insert_rows;
use super::schema::{measure_sets, measures};
use super::types::stored_decimal;
use super::{DbConnection, DbError};

/// Rows per INSERT: SQLite allows 32,766 bound values per statement, PostgreSQL 65,535; eleven
/// columns × 1,000 rows stays well inside both.
const INSERT_CHUNK: usize = 1_000;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = measure_sets, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MeasureSetRow {
    pub id: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub source: String,
    pub valid_from: String,
    pub redistributable: bool,
    pub owner_org: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub measure_count: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = measures, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct MeasureRow {
    pub measure_set_id: String,
    pub position: i32,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub proxy_value: String,
    pub deadweight: String,
    pub attribution: String,
    pub displacement: String,
    pub outcomes: String,
    pub description: String,
}

impl MeasureRow {
    pub fn outcome_codes(&self) -> impl Iterator<Item = &str> {
        self.outcomes.split(';').filter(|o| !o.is_empty())
    }

    /// The stored decimals, exactly: `(proxy_value, deadweight, attribution, displacement)`.
    pub fn decimals(&self) -> Result<[Decimal; 4], DbError> {
        let row = format!("(set {}, position {})", self.measure_set_id, self.position);
        let parse = |text: &str, column| stored_decimal(text, "measures", &row, column);
        Ok([
            parse(&self.proxy_value, "proxy_value")?,
            parse(&self.deadweight, "deadweight")?,
            parse(&self.attribution, "attribution")?,
            parse(&self.displacement, "displacement")?,
        ])
    }
}

/// Whether a set with this name and version exists already.
pub fn exists(conn: &mut DbConnection, name: &str, version: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        measure_sets::table
            .filter(measure_sets::name.eq(name))
            .filter(measure_sets::version.eq(version)),
    ))
    .get_result(conn)?)
}

pub fn insert(
    conn: &mut DbConnection,
    set: &MeasureSetRow,
    rows: &[MeasureRow],
) -> Result<(), DbError> {
    diesel::insert_into(measure_sets::table)
        .values(set)
        .execute(conn)?;
    insert_rows!(conn, measures::table, rows, INSERT_CHUNK);
    Ok(())
}

/// Sets in creation order (ids are UUID v7, so ordering by id is ordering by time).
pub fn list(
    conn: &mut DbConnection,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<MeasureSetRow>, DbError> {
    let mut query = measure_sets::table
        .select(MeasureSetRow::as_select())
        .order(measure_sets::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(measure_sets::id.gt(after.to_string()));
    }
    Ok(query.load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<MeasureSetRow>, DbError> {
    Ok(measure_sets::table
        .find(id)
        .select(MeasureSetRow::as_select())
        .first(conn)
        .optional()?)
}

/// A page of a set's measures in their listed order.
pub fn measures_page(
    conn: &mut DbConnection,
    set_id: &str,
    after_position: Option<i32>,
    limit: i64,
) -> Result<Vec<MeasureRow>, DbError> {
    Ok(measures::table
        .filter(measures::measure_set_id.eq(set_id))
        .filter(measures::position.gt(after_position.unwrap_or(-1)))
        .order(measures::position)
        .limit(limit)
        .select(MeasureRow::as_select())
        .load(conn)?)
}

/// Every measure of a set (for the crosswalk and for pinning a set to a tender).
pub fn all_measures(conn: &mut DbConnection, set_id: &str) -> Result<Vec<MeasureRow>, DbError> {
    Ok(measures::table
        .filter(measures::measure_set_id.eq(set_id))
        .order(measures::position)
        .select(MeasureRow::as_select())
        .load(conn)?)
}
