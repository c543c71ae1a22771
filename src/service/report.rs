//! The org's social value report: committed SV£ by outcome and by measure, the social value weight
//! of each lot, the share of central-government lots at or above the 10% minimum, and the
//! exemptions recorded, over bids received in a date range.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Db, ServiceError, lots, marking};
use crate::db::DbConnection;
use crate::db::bids as bid_repo;
use crate::db::tenders as tender_repo;
use crate::db::types::BidStatus;
use crate::scoring::{AuthorityType, CriterionType};

pub struct LotWeight {
    pub tender_id: String,
    pub lot_id: String,
    pub lot_title: String,
    pub authority_type: String,
    pub social_value_weight: Decimal,
    pub exemption: Option<(String, String)>,
}

pub struct Report {
    pub by_outcome: BTreeMap<String, Decimal>,
    pub by_measure: BTreeMap<String, Decimal>,
    pub lots: Vec<LotWeight>,
    pub central_lots: usize,
    pub central_lots_at_minimum: usize,
}

/// Central government's minimum social value weight, in percent (PPN 06/20 and PPN 002).
const MINIMUM_PERCENT: Decimal = Decimal::TEN;

/// The org's social value committed in awarded lots decided between `from` and `to`.
pub async fn social_value(
    db: &Db,
    org: String,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Report, ServiceError> {
    db.run(move |conn| social_value_in(conn, &org, from, to))
        .await
}

fn social_value_in(
    conn: &mut DbConnection,
    org: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Report, ServiceError> {
    let mut report = Report {
        by_outcome: BTreeMap::new(),
        by_measure: BTreeMap::new(),
        lots: Vec::new(),
        central_lots: 0,
        central_lots_at_minimum: 0,
    };
    for tender in tender_repo::list_tenders(conn, org, None, None, None, i64::MAX)? {
        let measures = lots::resolve_measures(conn, org, &tender.measure_set)?;
        for lot in tender_repo::lots_of(conn, org, &tender.id)? {
            if let Ok((_, scheme)) = marking::current_scheme(conn, org, &lot.id) {
                let weight: Decimal = scheme
                    .criteria
                    .iter()
                    .filter(|c| c.kind == CriterionType::SocialValue)
                    .map(|c| c.weight)
                    .sum();
                let total: Decimal = scheme.criteria.iter().map(|c| c.weight).sum();
                let percent = if total.is_zero() {
                    Decimal::ZERO
                } else {
                    weight * Decimal::ONE_HUNDRED / total
                };
                if scheme.authority_type == AuthorityType::CentralGovernment {
                    report.central_lots += 1;
                    if percent >= MINIMUM_PERCENT {
                        report.central_lots_at_minimum += 1;
                    }
                }
                report.lots.push(LotWeight {
                    tender_id: tender.id.to_string(),
                    lot_id: lot.id.to_string(),
                    lot_title: lot.title.clone(),
                    authority_type: tender.authority_type.clone(),
                    social_value_weight: percent,
                    exemption: scheme
                        .social_value_exemption
                        .as_ref()
                        .map(|e| (e.reason.clone(), e.approved_by.clone())),
                });
            }
            let active = bid_repo::list(conn, org, &lot.id, None, i64::MAX)?
                .into_iter()
                .filter(|b| b.status == BidStatus::Submitted)
                .filter(|b| (from..=to).contains(&b.created_at.date()))
                .map(|b| b.id)
                .collect::<Vec<_>>();
            for commitment in bid_repo::commitments_of(conn, &active)? {
                let quantity = commitment.quantity()?;
                let (Some(code), Some(quantity)) = (&commitment.measure, quantity) else {
                    continue; // free text not yet mapped to a measure counts for nothing
                };
                let Some(measure) = measures.iter().find(|m| &m.code == code) else {
                    continue;
                };
                let unit = crate::scoring::net_proxy_value(
                    measure.proxy_value,
                    [
                        measure.deadweight,
                        measure.attribution,
                        measure.displacement,
                    ],
                );
                let Some(value) = unit.and_then(|u| quantity.checked_mul(u)) else {
                    continue;
                };
                *report.by_measure.entry(code.clone()).or_default() += value;
                for outcome in &measure.outcomes {
                    *report.by_outcome.entry(outcome.clone()).or_default() += value;
                }
            }
        }
    }
    Ok(report)
}
