//! What a tender request says, checked and turned into the service's terms: every field that
//! breaks a rule is listed (422), the defaults applied (PPN 002 for the Procurement Act 2023,
//! the sample measure set, GBP).

use rust_decimal::Decimal;
use serde::Deserializer;

use super::problem::{ApiError, FieldError, field_error, refuse};
use super::tenders::{CreateLot, CreateTender, UpdateTender};
use crate::catalogue::{self, SAMPLE_MEASURE_SET};
use crate::scoring::AuthorityType;
use crate::service::tenders::{NewLot, NewTender, TenderPatch};

pub fn parse_new_tender(body: CreateTender) -> Result<NewTender, ApiError> {
    let mut errors = Vec::new();
    let framework = body
        .framework
        .unwrap_or_else(|| body.procurement_regime.default_framework().to_string());
    check_framework(&framework, "/framework", &mut errors);
    let currency = body.currency.unwrap_or_else(|| "GBP".into());
    check_currency(&currency, "/currency", &mut errors);
    check_text(&body.title, "/title", &mut errors);
    check_text(&body.buyer, "/buyer", &mut errors);
    check_value(body.value, "/value", &mut errors);
    if body.lots.is_empty() {
        errors.push(field_error(
            "/lots",
            "required",
            "a tender has at least one lot",
        ));
    }
    let mut lots = Vec::new();
    for (index, lot) in body.lots.into_iter().enumerate() {
        match parse_lot(lot, &format!("/lots/{index}")) {
            Ok(lot) => lots.push(lot),
            Err(ApiError::Validation {
                errors: lot_errors, ..
            }) => errors.extend(lot_errors),
            Err(other) => return Err(other),
        }
    }
    refuse(errors)?;
    Ok(NewTender {
        external_id: body.external_id,
        ocid: body.ocid,
        title: body.title,
        buyer: body.buyer,
        authority_type: authority_str(body.authority_type),
        framework,
        measure_set: body
            .measure_set
            .unwrap_or_else(|| SAMPLE_MEASURE_SET.into()),
        currency,
        value: body.value,
        procurement_regime: body.procurement_regime.as_str().into(),
        lots,
    })
}

pub fn parse_lot(lot: CreateLot, prefix: &str) -> Result<NewLot, ApiError> {
    let mut errors = Vec::new();
    check_text(&lot.title, &format!("{prefix}/title"), &mut errors);
    check_value(lot.value, &format!("{prefix}/value"), &mut errors);
    refuse(errors)?;
    Ok(NewLot {
        external_id: lot.external_id,
        title: lot.title,
        value: lot.value,
    })
}

pub fn parse_patch(body: UpdateTender) -> Result<TenderPatch, ApiError> {
    let mut errors = Vec::new();
    if let Some(framework) = &body.framework {
        check_framework(framework, "/framework", &mut errors);
    }
    if let Some(currency) = &body.currency {
        check_currency(currency, "/currency", &mut errors);
    }
    if let Some(title) = &body.title {
        check_text(title, "/title", &mut errors);
    }
    if let Some(buyer) = &body.buyer {
        check_text(buyer, "/buyer", &mut errors);
    }
    check_value(body.value.flatten(), "/value", &mut errors);
    refuse(errors)?;
    Ok(TenderPatch {
        external_id: body.external_id,
        ocid: body.ocid,
        title: body.title,
        buyer: body.buyer,
        value: body.value,
        authority_type: body.authority_type.map(authority_str),
        framework: body.framework,
        measure_set: body.measure_set,
        currency: body.currency,
        procurement_regime: body.procurement_regime.map(|r| r.as_str().into()),
    })
}

fn check_framework(code: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if catalogue::builtin().framework(code).is_none() {
        errors.push(field_error(
            pointer,
            "unknown_framework",
            "not a framework socval holds (see GET /v1/frameworks)",
        ));
    }
}

fn check_currency(code: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(field_error(
            pointer,
            "invalid_currency",
            "an ISO 4217 code: three capital letters, e.g. GBP",
        ));
    }
}

fn check_text(text: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() {
        errors.push(field_error(pointer, "required", "must not be empty"));
    }
}

fn check_value(value: Option<Decimal>, pointer: &str, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
        errors.push(field_error(
            pointer,
            "negative_value",
            "must not be negative",
        ));
    }
}

fn authority_str(authority: AuthorityType) -> String {
    serde_json::to_value(authority)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn present_decimal<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<Decimal>>, D::Error> {
    crate::scoring::decimal::option::deserialize(d).map(Some)
}
