//! One plain sentence per criterion per bid, for the supplier's assessment summary.
//!
//! The sentence is written from a [`CriterionResult`]'s numbers when it is displayed or serialised,
//! never during scoring. Money is formatted en-GB (`£90,000`); a fraction is shown exactly when it
//! has at most 4 places and a point score when it has at most 2, otherwise rounded half-up and
//! introduced by "≈" instead of "=". Disqualified bids get a sentence saying why a relative criterion
//! was not scored.

use std::fmt;

use rust_decimal::Decimal;

use super::format::{Eq, Money, Num};
use super::model::{Band, Criterion, CriterionType, PriceMethod, QuantitativeBasis};
use super::ratio::Score;
use super::result::CriterionResult;

/// Why a disqualified bid's relative criteria were not scored.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dq<'a> {
    /// The first knockout criterion it failed.
    Knockout(&'a str),
    NoQualityPoints,
}

/// What a sentence needs beyond the criterion result's public fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Why<'a> {
    pub criterion: &'a Criterion,
    pub currency: &'a str,
    pub f_qual: Option<Decimal>,
    /// The mark's part of the score (`engine::MarkScore`), kept for the relative step.
    pub mark_part: Option<Score>,
    pub f_quant: Option<Decimal>,
    /// Banded price: % above the lowest; percent target: SV as % of price (`None` if too large).
    pub percent: Option<Decimal>,
    /// Lowest qualified price (price criteria).
    pub low: Option<Decimal>,
    /// Highest qualified price, or highest qualified SV£ (relative social value).
    pub high: Option<Decimal>,
    /// Banded price: the band applied, and whether the price lies beyond every edge.
    pub band: u16,
    pub beyond_last_band: bool,
    pub failed_knockout: bool,
    pub dq: Option<Dq<'a>>,
}

impl<'a> Why<'a> {
    pub fn new(criterion: &'a Criterion, currency: &'a str) -> Self {
        Why {
            criterion,
            currency,
            f_qual: None,
            mark_part: None,
            f_quant: None,
            percent: None,
            low: None,
            high: None,
            band: 0,
            beyond_last_band: false,
            failed_knockout: false,
            dq: None,
        }
    }
}

/// The default bands of scoring.md, as `(edge, fraction)` for sentences.
const DEFAULT_EDGES: [Option<i64>; 5] = [Some(0), Some(25), Some(50), Some(100), None];

fn band_edge(bands: Option<&[Band]>, i: usize) -> Option<Decimal> {
    match bands {
        Some(b) => b.get(i).and_then(|b| b.up_to_percent_above_lowest),
        None => DEFAULT_EDGES.get(i).copied().flatten().map(Decimal::from),
    }
}

fn last_numeric_edge(bands: Option<&[Band]>) -> Decimal {
    match bands {
        Some(b) => b.iter().rev().find_map(|b| b.up_to_percent_above_lowest),
        None => Some(Decimal::ONE_HUNDRED),
    }
    .unwrap_or_default()
}

fn n(d: Decimal) -> Num {
    Num(d, 4)
}

fn pct(d: Decimal) -> Num {
    Num(d, 2)
}

/// Why a relative criterion was not scored.
/// "… = 0.9 × 60 = 54 points".
struct Tail {
    fraction: Decimal,
    weight: Decimal,
    points: Decimal,
    /// Banded fractions come from the band, not from a division: no "=" before them.
    plain: bool,
}

impl fmt::Display for Tail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.plain {
            write!(f, "{}", n(self.fraction))?;
        } else {
            write!(f, "{}", Eq(self.fraction, 4))?;
        }
        write!(f, " × {} {} points", n(self.weight), Eq(self.points, 2))
    }
}

/// A percentage, or "far more than" when it was beyond the decimal range.
struct Share(Option<Decimal>);

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{}%", pct(p)),
            None => f.write_str("far more than"),
        }
    }
}

/// Displays a criterion result's sentence.
pub(crate) struct ExplanationText<'r, 'a>(pub &'r CriterionResult<'a>);

impl fmt::Display for ExplanationText<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        let why = &r.why;
        let c = why.criterion;
        let m = |x: Decimal| Money(why.currency, x);
        let w = n(r.weight);
        let price = r.input.price.unwrap_or_default();
        let mark = r.input.mark.unwrap_or_default();
        let sv = r.input.social_value.unwrap_or_default();
        let (Some(fr), Some(pts)) = (r.fraction, r.points) else {
            let cause = DqText(why.dq);
            return match (r.kind, r.input.mark) {
                (CriterionType::Price, _) => write!(
                    f,
                    "Not scored: {cause}, so its price {} takes no part in the comparison of prices",
                    m(price)
                ),
                (_, Some(_)) => write!(
                    f,
                    "Not scored: the social value part compares bids and {cause}; for the record, \
                     mark {} and social value {}",
                    n(mark),
                    m(sv)
                ),
                _ => write!(
                    f,
                    "Not scored: {cause}, so its social value {} is not compared with other bids",
                    m(sv)
                ),
            };
        };
        let tail = |fr: Decimal| Tail {
            fraction: fr,
            weight: r.weight,
            points: pts,
            plain: false,
        };
        let (lo, hi) = (why.low.unwrap_or_default(), why.high.unwrap_or_default());
        let scale = c.scale.as_ref();
        let (min, max) = scale.map_or((Decimal::ZERO, Decimal::ONE), |s| (s.min, s.max));

        if r.kind == CriterionType::Price {
            return match c.price_method.unwrap_or_default() {
                PriceMethod::LowestRelative => write!(
                    f,
                    "Lowest qualified price {} ÷ your price {} {}",
                    m(lo),
                    m(price),
                    tail(fr)
                ),
                PriceMethod::LinearMinMax if lo == hi => write!(
                    f,
                    "Every qualified price is {}, so your price scores the full {w} points",
                    m(lo)
                ),
                PriceMethod::LinearMinMax => write!(
                    f,
                    "(Highest qualified price {} − your price {}) ÷ (highest {} − lowest {}) {}",
                    m(hi),
                    m(price),
                    m(hi),
                    m(lo),
                    tail(fr)
                ),
                PriceMethod::BandedRelative => {
                    let bands = c.bands.as_deref();
                    let above = Share(why.percent);
                    write!(
                        f,
                        "Your price {} is {above} above the lowest qualified price {}, ",
                        m(price),
                        m(lo)
                    )?;
                    let i = usize::from(why.band);
                    if why.beyond_last_band {
                        write!(
                            f,
                            "beyond the last band edge of {}%, so the last band applies",
                            pct(last_numeric_edge(bands))
                        )?;
                    } else if let Some(edge) = band_edge(bands, i) {
                        write!(f, "in the band up to {}%", pct(edge))?;
                    } else if let Some(before) = i.checked_sub(1).and_then(|j| band_edge(bands, j))
                    {
                        write!(f, "in the band above {}%", pct(before))?;
                    } else {
                        f.write_str("in the only band")?;
                    }
                    write!(
                        f,
                        ": {}",
                        Tail {
                            fraction: fr,
                            weight: r.weight,
                            points: pts,
                            plain: true,
                        }
                    )
                }
            };
        }
        let basis = c.quantitative_basis.unwrap_or_default();
        let target = c.target_percent.unwrap_or_default();
        let quant = |f: &mut fmt::Formatter<'_>, fq: Decimal, start: bool| -> fmt::Result {
            let your = if start { "Your" } else { "your" };
            match basis {
                QuantitativeBasis::RelativeToHighest if hi.is_zero() => write!(
                    f,
                    "{} qualified bid committed social value to this criterion's measures, so {your} social value {} scores 0",
                    if start { "No" } else { "no" },
                    m(sv)
                ),
                QuantitativeBasis::RelativeToHighest => write!(
                    f,
                    "{your} social value {} ÷ highest qualified social value {}",
                    m(sv),
                    m(hi)
                ),
                QuantitativeBasis::PercentOfPriceTarget => {
                    let share = Share(why.percent);
                    write!(
                        f,
                        "{your} social value {} is {share} of your price {}",
                        m(sv),
                        m(price)
                    )?;
                    if fq == Decimal::ONE {
                        write!(f, ", reaching the target of {}% (capped at 1)", pct(target))
                    } else {
                        write!(f, ", against a target of {}%", pct(target))
                    }
                }
            }
        };
        match (r.input.mark, r.input.social_value) {
            (Some(mark), None) => {
                write!(
                    f,
                    "Mark {} on a scale of {} to {} {}",
                    n(mark),
                    n(min),
                    n(max),
                    tail(fr)
                )?;
                pass_note(f, c, mark, why.failed_knockout)
            }
            (None, Some(_)) => {
                quant(f, fr, true)?;
                write!(f, " {}", tail(fr))
            }
            (Some(mark), Some(_)) => {
                let fq = why.f_qual.unwrap_or_default();
                let fnq = why.f_quant.unwrap_or_default();
                let (sq, sn) = c
                    .split
                    .as_ref()
                    .map_or((Decimal::ZERO, Decimal::ZERO), |s| {
                        (s.qualitative, s.quantitative)
                    });
                write!(
                    f,
                    "Mark {} on a scale of {} to {} gives {}; ",
                    n(mark),
                    n(min),
                    n(max),
                    n(fq)
                )?;
                quant(f, fnq, false)?;
                write!(
                    f,
                    ", giving {}; {}% × {} + {}% × {} {}",
                    n(fnq),
                    n(sq),
                    n(fq),
                    n(sn),
                    n(fnq),
                    tail(fr)
                )?;
                pass_note(f, c, mark, why.failed_knockout)
            }
            (None, None) => write!(f, "{}", tail(fr)),
        }
    }
}

fn pass_note(
    f: &mut fmt::Formatter<'_>,
    c: &Criterion,
    mark: Decimal,
    failed: bool,
) -> fmt::Result {
    let Some(pass) = c.pass_mark else {
        return Ok(());
    };
    if failed {
        write!(
            f,
            "; below the pass mark of {}, so the bid fails this knockout criterion",
            n(pass)
        )
    } else if c.knockout {
        write!(f, "; knockout pass mark of {} met", n(pass))
    } else if mark < pass {
        write!(
            f,
            "; below the pass mark of {} (shown for information; it does not disqualify)",
            n(pass)
        )
    } else {
        write!(f, "; pass mark of {} met", n(pass))
    }
}

/// The cause of a disqualification, as a clause.
struct DqText<'a>(Option<Dq<'a>>);

impl fmt::Display for DqText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Dq::Knockout(id)) => {
                write!(
                    f,
                    "the bid was disqualified for failing the knockout criterion {id}"
                )
            }
            _ => f.write_str("the bid was disqualified for scoring no quality points"),
        }
    }
}
