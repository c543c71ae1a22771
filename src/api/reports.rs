//! `GET /v1/reports/social-value`: the org's committed social value and how its lots weight it.

use actix_web::{get, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::problem::{field_error, refuse};
use super::responses::{AuthProblems, InternalProblem, QueryProblems};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::service::report;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day of bids counted (`YYYY-MM-DD`, by the day socval received them); default: all.
    pub from: Option<String>,
    /// Last day counted, inclusive.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Amount {
    /// An outcome or measure code.
    pub code: String,
    /// Committed social value, £ (exact decimal).
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LotWeightView {
    pub tender_id: String,
    pub lot_id: String,
    pub lot_title: String,
    pub authority_type: String,
    /// Social value criteria's share of the scheme's weights, %.
    pub social_value_weight_percent: String,
    /// A recorded exemption from the central-government minimum.
    pub exemption_reason: Option<String>,
    pub exemption_approved_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SocialValueReport {
    pub from: Option<String>,
    pub to: Option<String>,
    /// All committed social value of active bids whose commitments name a measure, £.
    pub committed_total: String,
    pub by_outcome: Vec<Amount>,
    pub by_measure: Vec<Amount>,
    pub lots: Vec<LotWeightView>,
    pub central_government_lots: usize,
    pub central_government_lots_at_minimum: usize,
    /// Share of central-government lots weighting social value at 10% or more.
    pub central_government_share_at_minimum_percent: Option<String>,
}

/// Committed social value by outcome and measure, each lot's social value weight, the share of
/// central-government lots at or above the 10% minimum, and exemptions with their reasons.
#[utoipa::path(tag = "reports", operation_id = "social_value_report", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, description = "The report", body = SocialValueReport), QueryProblems, AuthProblems, InternalProblem))]
#[get("/v1/reports/social-value")]
pub async fn social_value(
    principal: Principal,
    state: web::Data<AppState>,
    params: web::Query<ReportParams>,
) -> Result<web::Json<SocialValueReport>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let ReportParams { from, to } = params.into_inner();
    let day = |text: &Option<String>, pointer: &str, default: NaiveDate| match text {
        None => Ok(default),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| pointer.to_string()),
    };
    let (first, last) = match (
        day(&from, "/from", NaiveDate::MIN),
        day(&to, "/to", NaiveDate::MAX),
    ) {
        (Ok(first), Ok(last)) => (first, last),
        (first, last) => {
            let errors = [first.err(), last.err()]
                .into_iter()
                .flatten()
                .map(|pointer| field_error(&pointer, "invalid_query", "a date, YYYY-MM-DD"))
                .collect();
            refuse(errors)?;
            (NaiveDate::MIN, NaiveDate::MAX)
        }
    };
    let report = report::social_value(&state.db, principal.org.clone(), first, last).await?;
    let amounts = |map: &std::collections::BTreeMap<String, Decimal>| {
        map.iter()
            .map(|(code, value)| Amount {
                code: code.clone(),
                value: value.normalize().to_string(),
            })
            .collect()
    };
    let share = (report.central_lots > 0).then(|| {
        (Decimal::from(report.central_lots_at_minimum) * Decimal::ONE_HUNDRED
            / Decimal::from(report.central_lots))
        .round_dp(2)
        .normalize()
        .to_string()
    });
    Ok(web::Json(SocialValueReport {
        from,
        to,
        committed_total: report
            .by_measure
            .values()
            .copied()
            .sum::<Decimal>()
            .normalize()
            .to_string(),
        by_outcome: amounts(&report.by_outcome),
        by_measure: amounts(&report.by_measure),
        lots: report
            .lots
            .into_iter()
            .map(|l| LotWeightView {
                tender_id: l.tender_id,
                lot_id: l.lot_id,
                lot_title: l.lot_title,
                authority_type: l.authority_type,
                social_value_weight_percent: l
                    .social_value_weight
                    .round_dp(2)
                    .normalize()
                    .to_string(),
                exemption_reason: l.exemption.as_ref().map(|e| e.0.clone()),
                exemption_approved_by: l.exemption.map(|e| e.1),
            })
            .collect(),
        central_government_lots: report.central_lots,
        central_government_lots_at_minimum: report.central_lots_at_minimum,
        central_government_share_at_minimum_percent: share,
    }))
}
