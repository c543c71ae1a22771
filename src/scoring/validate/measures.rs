//! Checks of the measure list (inline, stored or built-in) and the lookup index the rest uses.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::scoring::codes::{ErrorCode, Issue};
use crate::scoring::model::Catalogue;
use crate::scoring::plan::{Ctx, MeasureOrigin, MeasureView};
use crate::scoring::strkey::StrKey;

/// Measure code → index, with no hashing, no random state and no allocation per lookup: codes
/// sorted by [`StrKey`], scanned linearly when few (the usual case; it predicts well), else searched
/// by bisection. Keys sit in their own array so a scan touches little memory.
pub(crate) struct MeasureIndex<'a> {
    keys: Vec<StrKey>,
    entries: Vec<(&'a str, u32)>,
}

impl<'a> MeasureIndex<'a> {
    /// Up to this many measures a linear scan beats a binary search.
    const LINEAR: usize = 32;

    fn new(measures: &[MeasureView<'a>]) -> Self {
        let mut sorted: Vec<(StrKey, &'a str, u32)> = measures
            .iter()
            .zip(0u32..)
            .map(|(m, i)| (StrKey::of(m.code), m.code, i))
            .collect();
        // Stable sort keeps the first occurrence of a duplicated code first.
        sorted.sort_by(|a, b| a.0.cmp_str(a.1, b.0, b.1));
        sorted.dedup_by(|later, first| later.1 == first.1);
        MeasureIndex {
            keys: sorted.iter().map(|e| e.0).collect(),
            entries: sorted.iter().map(|e| (e.1, e.2)).collect(),
        }
    }

    #[inline]
    pub fn get(&self, code: &str) -> Option<u32> {
        let key = StrKey::of(code);
        let at = if self.keys.len() <= Self::LINEAR {
            self.keys
                .iter()
                .zip(&self.entries)
                .position(|(k, (s, _))| k.eq_str(s, key, code))
        } else {
            let (mut lo, mut hi) = (0, self.keys.len());
            let mut found = None;
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let (Some(k), Some((s, _))) = (self.keys.get(mid), self.entries.get(mid)) else {
                    break;
                };
                match k.cmp_str(s, key, code) {
                    std::cmp::Ordering::Less => lo = mid + 1,
                    std::cmp::Ordering::Greater => hi = mid,
                    std::cmp::Ordering::Equal => {
                        found = Some(mid);
                        break;
                    }
                }
            }
            found
        };
        at.and_then(|i| self.entries.get(i)).map(|&(_, i)| i)
    }
}

/// What the measure checks found.
pub(crate) struct MeasureCheck<'a> {
    pub index: MeasureIndex<'a>,
    /// Net proxy factor per measure; `None` where the measure is invalid.
    pub factors: Vec<Option<Decimal>>,
}

fn in_unit_interval(d: Decimal) -> bool {
    d >= Decimal::ZERO && d < Decimal::ONE
}

pub(crate) fn check<'a>(
    ctx: &Ctx<'a>,
    cat: &dyn Catalogue,
    errors: &mut Vec<Issue>,
) -> MeasureCheck<'a> {
    let mut seen = BTreeSet::new();
    let mut factors = Vec::with_capacity(ctx.measures.len());
    for (k, m) in ctx.measures.iter().enumerate() {
        let p = format!("/measures/{k}");
        let mut ok = true;
        if !seen.insert(m.code) {
            errors.push(Issue::new(
                format!("{p}/code"),
                ErrorCode::DuplicateMeasureCode,
                format!("measure code `{}` appears more than once", m.code),
            ));
            ok = false;
        }
        if m.proxy_value < Decimal::ZERO {
            errors.push(Issue::new(
                format!("{p}/proxy_value"),
                ErrorCode::InvalidFraction,
                format!(
                    "proxy value must not be negative, got {}",
                    m.proxy_value.normalize()
                ),
            ));
            ok = false;
        }
        for (name, value) in [
            ("deadweight", m.deadweight),
            ("attribution", m.attribution),
            ("displacement", m.displacement),
        ] {
            if !in_unit_interval(value) {
                errors.push(Issue::new(
                    format!("{p}/{name}"),
                    ErrorCode::InvalidFraction,
                    format!(
                        "{name} must be a fraction in [0, 1), got {}",
                        value.normalize()
                    ),
                ));
                ok = false;
            }
        }
        if ctx.origin != MeasureOrigin::Builtin {
            for (j, outcome) in m.outcomes.iter().enumerate() {
                if cat.outcome_framework(outcome).is_none() {
                    let pointer = match ctx.origin {
                        MeasureOrigin::Inline => format!("{p}/outcome"),
                        _ => format!("{p}/outcomes/{j}"),
                    };
                    errors.push(Issue::new(
                        pointer,
                        ErrorCode::UnknownOutcome,
                        format!("outcome `{outcome}` is not held by any framework"),
                    ));
                    ok = false;
                }
            }
        }
        let factor = if ok { net_factor(m) } else { None };
        if ok && factor.is_none() {
            errors.push(Issue::new(
                format!("{p}/proxy_value"),
                ErrorCode::ValueOutOfRange,
                "proxy value is too large to compute with",
            ));
        }
        factors.push(factor);
    }
    MeasureCheck {
        index: MeasureIndex::new(&ctx.measures),
        factors,
    }
}

fn net_factor(m: &MeasureView<'_>) -> Option<Decimal> {
    crate::scoring::net_proxy_value(m.proxy_value, [m.deadweight, m.attribution, m.displacement])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scoring::model::Measure;

    #[test]
    fn small_and_large_indexes_find_every_code() {
        for n in [0usize, 1, 5, 32, 33, 200] {
            let measures: Vec<Measure> = (0..n)
                .map(|i| Measure {
                    code: format!("M-{:x}-{}", i * 7919 % 1000, "x".repeat(i % 20)),
                    name: String::new(),
                    unit: None,
                    proxy_value: Decimal::ONE,
                    deadweight: Decimal::ZERO,
                    attribution: Decimal::ZERO,
                    displacement: Decimal::ZERO,
                    outcomes: vec![],
                })
                .collect();
            let views: Vec<MeasureView<'_>> = measures.iter().map(MeasureView::stored).collect();
            let index = MeasureIndex::new(&views);
            for (i, m) in measures.iter().enumerate() {
                assert_eq!(
                    index.get(&m.code),
                    Some(u32::try_from(i).unwrap()),
                    "{n} {}",
                    m.code
                );
            }
            assert_eq!(index.get("nope"), None);
            assert_eq!(index.get(""), None);
        }
    }
}
