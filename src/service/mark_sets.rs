//! A lot's marks as the engine and moderation read them: for every active bid and scored
//! criterion, each evaluator's mark, the consensus, and which of them counts.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::ServiceError;
use super::marking::current_scheme;
use crate::db::DbConnection;
use crate::db::bids as bid_repo;
use crate::db::evaluations::{self as repo, MarkRow, ModeratedRow};
use crate::db::types::BidId;
use crate::db::types::BidStatus;
use crate::scoring::{CriterionType, Scale, Scheme, SocialValueMethod};

/// A criterion that people mark (quality, or qualitative or mixed social value), with its scale.
pub(super) fn scored_criteria(scheme: &Scheme) -> Vec<(&str, &Scale)> {
    scheme
        .criteria
        .iter()
        .filter(|c| match c.kind {
            CriterionType::Quality => true,
            CriterionType::SocialValue => matches!(
                c.method,
                Some(SocialValueMethod::Qualitative | SocialValueMethod::Mixed)
            ),
            CriterionType::Price => false,
        })
        .filter_map(|c| c.scale.as_ref().map(|s| (c.id.as_str(), s)))
        .collect()
}

/// Where a (bid, criterion) stands for the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkStatus {
    Moderated,
    SingleEvaluator,
    Unmoderated,
    Missing,
}

impl MarkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Moderated => "moderated",
            Self::SingleEvaluator => "single_evaluator",
            Self::Unmoderated => "unmoderated",
            Self::Missing => "missing",
        }
    }
}

/// Every evaluator's mark and the consensus, for one bid and criterion, with their scores read.
#[derive(Debug, Clone)]
pub struct MarkSet {
    pub bid_id: BidId,
    pub criterion_id: String,
    pub scale: Scale,
    pub marks: Vec<MarkRow>,
    pub moderated: Option<ModeratedRow>,
    /// The score of each of `marks`, in order.
    scores: Vec<Decimal>,
    moderated_score: Option<Decimal>,
}

impl MarkSet {
    /// The mark the engine uses: the moderated one; with one evaluator and no moderation, theirs.
    pub fn effective(&self) -> (MarkStatus, Option<Decimal>) {
        if let Some(score) = self.moderated_score {
            return (MarkStatus::Moderated, Some(score));
        }
        match self.scores.as_slice() {
            [] => (MarkStatus::Missing, None),
            [only] => (MarkStatus::SingleEvaluator, Some(*only)),
            _ => (MarkStatus::Unmoderated, None),
        }
    }

    pub fn scores(&self) -> Vec<Decimal> {
        self.scores.clone()
    }

    /// Highest minus lowest mark.
    pub fn spread(&self) -> Decimal {
        let scores = self.scores();
        match (scores.iter().max(), scores.iter().min()) {
            (Some(max), Some(min)) => max - min,
            _ => Decimal::ZERO,
        }
    }

    /// The spread exceeds 40% of the scale's range (scoring.md, `marks_discrepancy`).
    pub fn discrepancy(&self) -> bool {
        crate::scoring::marks_spread_exceeds(self.scale.min, self.scale.max, &self.scores())
    }
}

/// The marks of every active bid on every scored criterion of the lot's current scheme.
pub(super) fn mark_sets(
    conn: &mut DbConnection,
    org: &str,
    lot_id: &str,
) -> Result<Vec<MarkSet>, ServiceError> {
    let (_, scheme) = current_scheme(conn, org, lot_id)?;
    let mut marks: BTreeMap<(BidId, String), Vec<MarkRow>> = BTreeMap::new();
    for mark in repo::marks_of_lot(conn, org, lot_id)? {
        marks
            .entry((mark.bid_id.clone(), mark.criterion_id.clone()))
            .or_default()
            .push(mark);
    }
    let mut moderated: BTreeMap<(BidId, String), ModeratedRow> =
        repo::moderated_of_lot(conn, org, lot_id)?
            .into_iter()
            .map(|m| ((m.bid_id.clone(), m.criterion_id.clone()), m))
            .collect();
    let bids = bid_repo::list(conn, org, lot_id, None, i64::MAX)?;
    let mut sets = Vec::new();
    for bid in bids.iter().filter(|b| b.status == BidStatus::Submitted) {
        for (criterion, scale) in scored_criteria(&scheme) {
            let key = (bid.id.clone(), criterion.to_string());
            let marks = marks.remove(&key).unwrap_or_default();
            let moderated = moderated.remove(&key);
            let scores = marks.iter().map(MarkRow::score).collect::<Result<_, _>>()?;
            let moderated_score = moderated.as_ref().map(ModeratedRow::score).transpose()?;
            sets.push(MarkSet {
                bid_id: bid.id.clone(),
                criterion_id: criterion.to_string(),
                scale: scale.clone(),
                marks,
                moderated,
                scores,
                moderated_score,
            });
        }
    }
    Ok(sets)
}
