//! Ranking: the primary key, the tie-break chain and competition ranking (scoring.md, 6–7).

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use super::model::{Method, TieBreakStep};

/// What a qualified bid is ranked by. Decimal keys are already rounded as the spec says
/// (20 places; `ppqp` 12 places).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RankKey {
    /// Total (higher first) or ppqp (lower first).
    pub primary: Decimal,
    pub social_value: Decimal,
    pub quality: Decimal,
    pub price: Decimal,
    pub submitted_at: DateTime<FixedOffset>,
}

/// Compare two keys by the primary key and the tie-break chain; `Less` means `a` ranks higher.
fn compare(method: Method, steps: &[TieBreakStep], a: &RankKey, b: &RankKey) -> Ordering {
    let primary = match method {
        Method::WeightedSum => b.primary.cmp(&a.primary),
        Method::PricePerQualityPoint => a.primary.cmp(&b.primary),
    };
    steps
        .iter()
        .fold(primary, |acc, step| acc.then_with(|| by_step(*step, a, b)))
}

fn by_step(step: TieBreakStep, a: &RankKey, b: &RankKey) -> Ordering {
    match step {
        TieBreakStep::SocialValue => b.social_value.cmp(&a.social_value),
        TieBreakStep::Quality => b.quality.cmp(&a.quality),
        TieBreakStep::Price => a.price.cmp(&b.price),
        // DateTime compares instants, whatever the offsets.
        TieBreakStep::SubmittedAt => a.submitted_at.cmp(&b.submitted_at),
    }
}

/// The first step of the chain that tells two bids of equal primary key apart.
pub(crate) fn separating_step(
    steps: &[TieBreakStep],
    a: &RankKey,
    b: &RankKey,
) -> Option<TieBreakStep> {
    steps
        .iter()
        .copied()
        .find(|step| by_step(*step, a, b) != Ordering::Equal)
}

/// Rank the bids `members` (indices into `keys` and `ids`).
///
/// Returns them in result order (rank, then id byte-wise) with each one's competition rank
/// (1, 1, 3) and whether it shares its rank with another bid.
pub(crate) fn rank(
    method: Method,
    steps: &[TieBreakStep],
    members: &[usize],
    keys: &[RankKey],
    ids: &[&str],
) -> Vec<(usize, u32, bool)> {
    let key = |i: usize| keys.get(i);
    let id = |i: usize| ids.get(i).copied().unwrap_or_default();
    let mut order: Vec<usize> = members.to_vec();
    order.sort_by(|&a, &b| {
        match (key(a), key(b)) {
            (Some(ka), Some(kb)) => compare(method, steps, ka, kb),
            _ => Ordering::Equal,
        }
        .then_with(|| id(a).as_bytes().cmp(id(b).as_bytes()))
    });

    let mut out: Vec<(usize, u32, bool)> = Vec::with_capacity(order.len());
    let mut group_start = 0usize;
    for (pos, &bid) in order.iter().enumerate() {
        let tied_with_previous = pos > 0
            && order
                .get(pos - 1)
                .is_some_and(|&prev| match (key(prev), key(bid)) {
                    (Some(kp), Some(kb)) => compare(method, steps, kp, kb) == Ordering::Equal,
                    _ => false,
                });
        if !tied_with_previous {
            group_start = pos;
        }
        let rank = u32::try_from(group_start + 1).unwrap_or(u32::MAX);
        if tied_with_previous && let Some(prev) = out.last_mut() {
            prev.2 = true;
        }
        out.push((bid, rank, tied_with_previous));
    }
    out
}
