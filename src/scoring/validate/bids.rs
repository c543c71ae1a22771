//! Checks of the bids: ids, prices, currency, marks and commitments. Valid bids come out prepared
//! (marks aligned with the criteria, commitments resolved to measure indices and valued), so the
//! computation never looks anything up by name again.

use rust_decimal::Decimal;

use crate::scoring::codes::{ErrorCode, Issue};
use crate::scoring::model::Bid;
use crate::scoring::plan::{Ctx, PreparedBid, escape};
use crate::scoring::result::MeasureValue;
use crate::scoring::strkey::StrKey;
use crate::scoring::sum::{Acc, mul};

use super::criterion::CritCheck;
use super::measures::MeasureCheck;

pub(crate) fn check<'a>(
    ctx: &Ctx<'a>,
    bids: &'a [Bid],
    crits: &[CritCheck<'_>],
    measures: &MeasureCheck<'_>,
    errors: &mut Vec<Issue>,
) -> Vec<PreparedBid<'a>> {
    if bids.is_empty() {
        errors.push(Issue::new(
            "/bids",
            ErrorCode::NoBids,
            "there are no bids to evaluate",
        ));
        return Vec::new();
    }
    // Criteria sorted by id, to walk each bid's (sorted) marks alongside them.
    let mut by_id: Vec<(StrKey, &str, usize)> = crits
        .iter()
        .enumerate()
        .map(|(i, c)| (StrKey::of(c.id), c.id, i))
        .collect();
    by_id.sort_by(|a, b| a.0.cmp_str(a.1, b.0, b.1).then(a.2.cmp(&b.2)));
    let repeated = repeated_ids(bids);
    // Exact representations of marks already found within each criterion's scale.
    let mut seen: Vec<Vec<(i128, u32)>> = vec![Vec::new(); crits.len()];
    let mut out = Vec::with_capacity(bids.len());
    for (i, bid) in bids.iter().enumerate() {
        // Pointers are only formatted when there is something to report.
        let p = Ptr(i);
        if repeated.get(i).copied().unwrap_or(false) {
            errors.push(Issue::new(
                format!("{p}/id"),
                ErrorCode::DuplicateBidId,
                format!("bid id `{}` appears more than once", bid.id),
            ));
        }
        let price_ok = bid.price > Decimal::ZERO;
        if !price_ok {
            errors.push(Issue::new(
                format!("{p}/price"),
                ErrorCode::PriceNotPositive,
                format!(
                    "price must be greater than 0, got {}",
                    bid.price.normalize()
                ),
            ));
        }
        if let Some(currency) = &bid.currency
            && currency != ctx.currency
        {
            errors.push(Issue::new(
                format!("{p}/currency"),
                ErrorCode::CurrencyMismatch,
                format!(
                    "bid is in {currency}, the evaluation is in {}",
                    ctx.currency
                ),
            ));
        }
        let marks = check_marks(bid, p, crits, &by_id, &mut seen, errors);
        let (commitments, sv_total) = check_commitments(bid, p, measures, errors);
        let sv_percent = if price_ok {
            match sv_total
                .checked_div(bid.price)
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
            {
                Some(pct) => pct,
                None => {
                    errors.push(Issue::new(
                        format!("{p}/price"),
                        ErrorCode::ValueOutOfRange,
                        "social value as a percentage of this price is too large to compute",
                    ));
                    Decimal::ZERO
                }
            }
        } else {
            Decimal::ZERO
        };
        out.push(PreparedBid {
            marks,
            commitments,
            sv_total,
            sv_percent,
            price: bid.price,
            submitted_at: bid.submitted_at,
        });
    }
    out
}

/// For each bid, whether its id already appeared earlier (duplicates are reported at the second
/// and later occurrences). Sorting keys is cheaper than a set of 1,000 strings, and needs no
/// hashing or random state.
fn repeated_ids(bids: &[Bid]) -> Vec<bool> {
    let mut keyed: Vec<(StrKey, &str, usize)> = bids
        .iter()
        .enumerate()
        .map(|(i, b)| (StrKey::of(&b.id), b.id.as_str(), i))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp_str(a.1, b.0, b.1).then(a.2.cmp(&b.2)));
    let mut repeated = vec![false; bids.len()];
    for pair in keyed.windows(2) {
        if let [(ka, a, _), (kb, b, j)] = pair
            && ka.eq_str(a, *kb, b)
            && let Some(flag) = repeated.get_mut(*j)
        {
            *flag = true;
        }
    }
    repeated
}

/// The pointer of bid `i`, formatted on demand.
#[derive(Clone, Copy)]
struct Ptr(usize);

impl std::fmt::Display for Ptr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/bids/{}", self.0)
    }
}

/// How many distinct valid marks per criterion are remembered (marks repeat: levels).
const SEEN_CAPACITY: usize = 16;

fn check_marks(
    bid: &Bid,
    p: Ptr,
    crits: &[CritCheck<'_>],
    by_id: &[(StrKey, &str, usize)],
    seen: &mut [Vec<(i128, u32)>],
    errors: &mut Vec<Issue>,
) -> Vec<Option<Decimal>> {
    let mut aligned: Vec<Option<Decimal>> = vec![None; crits.len()];
    let mut cursor = 0usize;
    for (id, &mark) in &bid.marks {
        let key = StrKey::of(id);
        while by_id
            .get(cursor)
            .is_some_and(|(k, cid, _)| k.cmp_str(cid, key, id) == std::cmp::Ordering::Less)
        {
            cursor += 1;
        }
        let mut at = cursor;
        let mut matched = false;
        let mut reported = false;
        while let Some(&(k, cid, idx)) = by_id.get(at) {
            if !k.eq_str(cid, key, id) {
                break;
            }
            at += 1;
            matched = true;
            let Some(crit) = crits.get(idx) else { continue };
            if !crit.expects_mark {
                if !reported {
                    errors.push(Issue::new(
                        format!("{p}/marks/{}", escape(id)),
                        ErrorCode::MarkNotExpected,
                        format!("criterion `{id}` is scored by formula and takes no mark"),
                    ));
                    reported = true;
                }
                continue;
            }
            let repr = (mark.mantissa(), mark.scale());
            let seen_valid = seen.get(idx).is_some_and(|list| list.contains(&repr));
            if let Some((min, max, levels)) = crit.scale
                && !reported
                && !seen_valid
            {
                if mark < min || mark > max {
                    errors.push(Issue::new(
                        format!("{p}/marks/{}", escape(id)),
                        ErrorCode::MarkOutOfScale,
                        format!(
                            "mark {} lies outside the scale {} to {}",
                            mark.normalize(),
                            min.normalize(),
                            max.normalize()
                        ),
                    ));
                    reported = true;
                } else if let Some(levels) = levels
                    && !levels.contains(&mark)
                {
                    let list: Vec<String> =
                        levels.iter().map(|l| l.normalize().to_string()).collect();
                    errors.push(Issue::new(
                        format!("{p}/marks/{}", escape(id)),
                        ErrorCode::MarkOutOfScale,
                        format!(
                            "mark {} is not one of the levels {}",
                            mark.normalize(),
                            list.join(", ")
                        ),
                    ));
                    reported = true;
                } else if let Some(list) = seen.get_mut(idx)
                    && list.len() < SEEN_CAPACITY
                {
                    list.push(repr);
                }
            }
            if let Some(slot) = aligned.get_mut(idx) {
                *slot = Some(mark);
            }
        }
        if !matched {
            errors.push(Issue::new(
                format!("{p}/marks/{}", escape(id)),
                ErrorCode::MarkNotExpected,
                format!("the scheme has no criterion `{id}`"),
            ));
        }
    }
    for (crit, slot) in crits.iter().zip(&aligned) {
        if crit.expects_mark && slot.is_none() {
            errors.push(Issue::new(
                format!("{p}/marks/{}", escape(crit.id)),
                ErrorCode::MissingMark,
                format!(
                    "no mark for criterion `{}`: the engine never guesses a mark",
                    crit.id
                ),
            ));
        }
    }
    aligned
}

fn check_commitments<'a>(
    bid: &'a Bid,
    p: Ptr,
    measures: &MeasureCheck<'_>,
    errors: &mut Vec<Issue>,
) -> (Vec<MeasureValue<'a>>, Decimal) {
    let mut out = Vec::with_capacity(bid.commitments.len());
    let mut total = Acc::ZERO;
    for (k, c) in bid.commitments.iter().enumerate() {
        let index = measures.index.get(&c.measure);
        if index.is_none() {
            errors.push(Issue::new(
                format!("{p}/commitments/{k}/measure"),
                ErrorCode::UnknownMeasure,
                format!("measure `{}` is not in the measure set", c.measure),
            ));
        }
        if c.quantity < Decimal::ZERO {
            errors.push(Issue::new(
                format!("{p}/commitments/{k}/quantity"),
                ErrorCode::QuantityNegative,
                format!(
                    "quantity must not be negative, got {}",
                    c.quantity.normalize()
                ),
            ));
        }
        let Some(index) = index else { continue };
        let Some(Some(factor)) = measures.factors.get(index as usize) else {
            continue;
        };
        let value = if factor.is_zero() {
            Some(Decimal::ZERO)
        } else {
            mul(c.quantity, *factor)
        };
        match value {
            Some(value) => {
                total.add(value);
                out.push(MeasureValue {
                    measure: &c.measure,
                    quantity: c.quantity,
                    value,
                    index,
                });
            }
            None => errors.push(Issue::new(
                format!("{p}/commitments/{k}/quantity"),
                ErrorCode::ValueOutOfRange,
                "quantity × proxy value is too large to compute exactly",
            )),
        }
    }
    let total = total.value().unwrap_or_else(|| {
        errors.push(Issue::new(
            format!("{p}/commitments"),
            ErrorCode::ValueOutOfRange,
            "the bid's total social value is too large to compute exactly",
        ));
        Decimal::ZERO
    });
    (out, total)
}
