//! Importing a measure set (a licensed TOMs table, a local plug-in) from JSON or CSV.
//!
//! Pure: bytes in, a checked [`MeasureSetImport`] or every failure out. Both formats go through
//! the same rules, and failures point at `/measures/<row>/<column>` (rows counted from 0, the CSV
//! line named in the message), so a buyer can fix a whole file in one pass.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::Builtin;
use crate::scoring::parse_exact;
use crate::violation::Violation;

/// The CSV columns, in the documented order; headers match case-insensitively, in any order.
pub const CSV_COLUMNS: [&str; 9] = [
    "code",
    "name",
    "unit",
    "proxy_value",
    "deadweight",
    "attribution",
    "displacement",
    "outcomes",
    "description",
];

/// Licences under which a set may be shown to every org. Anything else (CC BY-NC-ND for the
/// National TOMs, proprietary terms, a licence we do not recognise) keeps proxy values to the
/// importing org unless the importer states otherwise.
const REDISTRIBUTABLE_LICENCES: [&str; 6] = [
    "OGL-UK-3.0",
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "Open Government Licence v3.0",
    "socval illustrative",
];

/// Descriptive fields of a set, required for every import (CSV: as query parameters).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportMetadata {
    /// Name of the set, e.g. `National TOMs`.
    #[schema(example = "Essex TOMs plug-in")]
    #[schema(required = true)]
    #[param(required = true)]
    pub name: Option<String>,
    /// Version; a new version is a new, separate set.
    #[schema(example = "2026.1")]
    #[schema(required = true)]
    #[param(required = true)]
    pub version: Option<String>,
    /// Licence of the values, e.g. `CC-BY-NC-ND-4.0` or `OGL-UK-3.0`.
    #[schema(example = "CC-BY-NC-ND-4.0")]
    #[schema(required = true)]
    #[param(required = true)]
    pub licence: Option<String>,
    /// Where the values come from.
    #[schema(example = "Licensed from the Social Value Portal, contract 1234")]
    #[schema(required = true)]
    #[param(required = true)]
    pub source: Option<String>,
    /// First day the proxy values apply, `YYYY-MM-DD`.
    #[schema(example = "2026-04-01")]
    #[schema(required = true)]
    #[param(required = true)]
    pub valid_from: Option<String>,
    /// Whether every org may see the proxy values; by default decided from the licence.
    pub redistributable: Option<bool>,
}

/// The JSON form of an import: the metadata and the measures.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSetJson {
    #[schema(required = true)]
    pub name: Option<String>,
    #[schema(required = true)]
    pub version: Option<String>,
    #[schema(required = true)]
    pub licence: Option<String>,
    #[schema(required = true)]
    pub source: Option<String>,
    #[schema(required = true)]
    pub valid_from: Option<String>,
    pub redistributable: Option<bool>,
    /// The measures, in the order they are listed.
    pub measures: Vec<MeasureRow>,
}

/// One measure as supplied: text cells, checked by [`check`].
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureRow {
    #[schema(example = "NT1")]
    pub code: Option<String>,
    #[schema(example = "Local people employed (FTE)")]
    pub name: Option<String>,
    #[schema(example = "no. people FTE")]
    pub unit: Option<String>,
    /// £ per unit, ≥ 0 (string or number).
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "31000")]
    pub proxy_value: Option<String>,
    /// Fraction in [0, 1); empty means 0.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0.1")]
    pub deadweight: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0")]
    pub attribution: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(value_type = Option<crate::scoring::DecimalInput>, example = "0")]
    pub displacement: Option<String>,
    /// Framework outcome codes this measure serves.
    #[serde(default)]
    #[schema(example = json!(["PPN06-20:MAC2.2", "PPN002:1a"]))]
    pub outcomes: Vec<String>,
    pub description: Option<String>,
}

/// A checked measure, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedMeasure {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub proxy_value: Decimal,
    pub deadweight: Decimal,
    pub attribution: Decimal,
    pub displacement: Decimal,
    pub outcomes: Vec<String>,
    pub description: String,
}

/// A checked import.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureSetImport {
    pub name: String,
    pub version: String,
    pub licence: String,
    pub source: String,
    pub valid_from: NaiveDate,
    pub redistributable: bool,
    pub measures: Vec<CheckedMeasure>,
}

/// Checks a JSON import.
pub fn from_json(
    body: MeasureSetJson,
    catalogue: &Builtin,
) -> Result<MeasureSetImport, Vec<Violation>> {
    let metadata = ImportMetadata {
        name: body.name,
        version: body.version,
        licence: body.licence,
        source: body.source,
        valid_from: body.valid_from,
        redistributable: body.redistributable,
    };
    check(metadata, body.measures, Vec::new(), catalogue)
}

/// Checks a CSV import (UTF-8, optional BOM, `,` separated, quoted cells, LF or CRLF).
pub fn from_csv(
    metadata: ImportMetadata,
    bytes: &[u8],
    catalogue: &Builtin,
) -> Result<MeasureSetImport, Vec<Violation>> {
    let (rows, errors) = read_csv(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    check(metadata, rows, errors, catalogue)
}

fn read_csv(bytes: &[u8]) -> (Vec<MeasureRow>, Vec<Violation>) {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_ascii_lowercase).collect(),
        Err(e) => {
            return (
                Vec::new(),
                vec![error("/columns", "invalid_csv", e.to_string())],
            );
        }
    };
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        if !CSV_COLUMNS.contains(&header.as_str()) {
            errors.push(error(
                format!("/columns/{index}"),
                "unknown_column",
                format!("column `{header}` is not one of {}", CSV_COLUMNS.join(",")),
            ));
        } else if headers.iter().position(|h| h == header) != Some(index) {
            errors.push(error(
                format!("/columns/{index}"),
                "duplicate_column",
                format!("column `{header}` appears twice"),
            ));
        }
    }
    for column in CSV_COLUMNS {
        if !headers.iter().any(|h| h == column) {
            errors.push(error(
                "/columns",
                "missing_column",
                format!("column `{column}` is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        match record {
            Ok(record) => {
                for (column, value) in headers.iter().zip(record.iter()) {
                    if let Some(c) = crate::text::refused_control(value) {
                        errors.push(error(
                            format!("/measures/{index}/{column}"),
                            "invalid_body",
                            format!("line {line}: `{column}` {}", crate::text::describe(c)),
                        ));
                    }
                }
                let cell = |column: &str| {
                    headers
                        .iter()
                        .position(|h| h == column)
                        .and_then(|i| record.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                rows.push(MeasureRow {
                    code: cell("code"),
                    name: cell("name"),
                    unit: cell("unit"),
                    proxy_value: cell("proxy_value"),
                    deadweight: cell("deadweight"),
                    attribution: cell("attribution"),
                    displacement: cell("displacement"),
                    outcomes: cell("outcomes")
                        .map(|o| {
                            o.split(';')
                                .map(str::trim)
                                .filter(|c| !c.is_empty())
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    description: cell("description"),
                });
            }
            Err(e) => {
                errors.push(error(
                    format!("/measures/{index}"),
                    "invalid_csv",
                    format!("line {line}: {e}"),
                ));
                rows.push(MeasureRow::default());
            }
        }
    }
    (rows, errors)
}

fn check(
    metadata: ImportMetadata,
    rows: Vec<MeasureRow>,
    mut errors: Vec<Violation>,
    catalogue: &Builtin,
) -> Result<MeasureSetImport, Vec<Violation>> {
    let mut required = |pointer: &str, value: Option<String>| match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(value) => value,
        None => {
            errors.push(error(
                pointer,
                "required",
                format!("`{}` is required", &pointer[1..]),
            ));
            String::new()
        }
    };
    let name = required("/name", metadata.name);
    let version = required("/version", metadata.version);
    let licence = required("/licence", metadata.licence);
    let source = required("/source", metadata.source);
    let valid_from_text = required("/valid_from", metadata.valid_from);
    let valid_from = NaiveDate::parse_from_str(&valid_from_text, "%Y-%m-%d").unwrap_or_else(|_| {
        if !valid_from_text.is_empty() {
            errors.push(error(
                "/valid_from",
                "invalid_date",
                format!("`{valid_from_text}` is not a date YYYY-MM-DD"),
            ));
        }
        NaiveDate::MIN
    });
    if rows.is_empty() && errors.is_empty() {
        errors.push(error(
            "/measures",
            "no_measures",
            "the set has no measures".into(),
        ));
    }
    let redistributable = metadata.redistributable.unwrap_or_else(|| {
        REDISTRIBUTABLE_LICENCES
            .iter()
            .any(|l| l.eq_ignore_ascii_case(licence.trim()))
    });

    let mut seen = BTreeSet::new();
    let mut measures = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        let mut row_check = RowCheck {
            index,
            errors: &mut errors,
        };
        let code = row_check.text("code", row.code);
        if !code.is_empty() && !seen.insert(code.clone()) {
            row_check.fail(
                "code",
                "duplicate_measure_code",
                format!("code `{code}` appears twice"),
            );
        }
        let name = row_check.text("name", row.name);
        let unit = row_check.text("unit", row.unit);
        let proxy_value = row_check.amount("proxy_value", row.proxy_value);
        let deadweight = row_check.fraction("deadweight", row.deadweight);
        let attribution = row_check.fraction("attribution", row.attribution);
        let displacement = row_check.fraction("displacement", row.displacement);
        if row.outcomes.is_empty() {
            row_check.fail(
                "outcomes",
                "required",
                "at least one outcome code is required".into(),
            );
        }
        for outcome in &row.outcomes {
            if !catalogue.has_outcome(outcome) {
                row_check.fail(
                    "outcomes",
                    "unknown_outcome",
                    format!("`{outcome}` is not an outcome of a known framework"),
                );
            }
        }
        measures.push(CheckedMeasure {
            code,
            name,
            unit,
            proxy_value,
            deadweight,
            attribution,
            displacement,
            outcomes: row.outcomes,
            description: row.description.unwrap_or_default(),
        });
    }
    if errors.is_empty() {
        Ok(MeasureSetImport {
            name,
            version,
            licence,
            source,
            valid_from,
            redistributable,
            measures,
        })
    } else {
        Err(errors)
    }
}

/// Checks the cells of one row, recording failures at `/measures/<row>/<column>`.
struct RowCheck<'a> {
    index: usize,
    errors: &'a mut Vec<Violation>,
}

impl RowCheck<'_> {
    fn fail(&mut self, column: &str, code: &'static str, message: String) {
        let line = self.index + 2;
        self.errors.push(error(
            format!("/measures/{}/{column}", self.index),
            code,
            format!("row {} (CSV line {line}): {message}", self.index),
        ));
    }

    fn text(&mut self, column: &str, value: Option<String>) -> String {
        match value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            Some(value) => value,
            None => {
                self.fail(column, "required", format!("`{column}` is required"));
                String::new()
            }
        }
    }

    fn decimal(&mut self, column: &str, value: &str) -> Option<Decimal> {
        match parse_exact(value) {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(
                    column,
                    "invalid_decimal",
                    format!("`{value}` is not a number"),
                );
                None
            }
        }
    }

    fn amount(&mut self, column: &str, value: Option<String>) -> Decimal {
        let Some(text) = value.filter(|v| !v.trim().is_empty()) else {
            self.fail(column, "required", format!("`{column}` is required"));
            return Decimal::ZERO;
        };
        match self.decimal(column, text.trim()) {
            Some(d) if d.is_sign_negative() && !d.is_zero() => {
                self.fail(column, "negative_value", format!("{d} is below 0"));
                Decimal::ZERO
            }
            Some(d) => d,
            None => Decimal::ZERO,
        }
    }

    fn fraction(&mut self, column: &str, value: Option<String>) -> Decimal {
        let Some(text) = value.filter(|v| !v.trim().is_empty()) else {
            return Decimal::ZERO;
        };
        match self.decimal(column, text.trim()) {
            Some(d) if d < Decimal::ZERO || d >= Decimal::ONE => {
                self.fail(column, "invalid_fraction", format!("{d} is outside [0, 1)"));
                Decimal::ZERO
            }
            Some(d) => d,
            None => Decimal::ZERO,
        }
    }
}

fn error(pointer: impl Into<String>, code: &'static str, message: String) -> Violation {
    Violation::new(pointer, code, message)
}

/// Accepts a JSON string or number for a decimal cell, keeping a number's exact text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests;
