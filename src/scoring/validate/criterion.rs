//! Checks of one criterion: applicable fields, scale, bands, measures, target and split.

use rust_decimal::Decimal;

use crate::scoring::codes::{ErrorCode, Issue};
use crate::scoring::decimal::key20;
use crate::scoring::model::{
    Band, Criterion, CriterionType, Method, PriceMethod, QuantitativeBasis, SocialValueMethod,
};
use crate::scoring::plan::{MarkRule, PriceRule, QuantRule};

/// What bid validation needs to know about a criterion, valid or not.
pub(crate) struct CritCheck<'a> {
    pub id: &'a str,
    /// Quality, qualitative and mixed social value need a mark from every bid.
    pub expects_mark: bool,
    /// `(min, max, levels)` when the scale itself is valid (marks are checked against it).
    pub scale: Option<(Decimal, Decimal, Option<&'a [Decimal]>)>,
}

/// A criterion's resolved rules; each part is `None` when it does not apply or is invalid.
#[derive(Default)]
pub(crate) struct CritRules {
    pub price: Option<PriceRule>,
    pub mark: Option<MarkRule>,
    pub quant: Option<QuantRule>,
    pub split: Option<(Decimal, Decimal)>,
}

const DEFAULT_BANDS: [(Option<i64>, i64, u32); 5] = [
    (Some(0), 10, 1),
    (Some(25), 8, 1),
    (Some(50), 6, 1),
    (Some(100), 4, 1),
    (None, 2, 1),
];

fn default_bands() -> Vec<(Option<Decimal>, Decimal)> {
    DEFAULT_BANDS
        .iter()
        .map(|&(edge, f, scale)| (edge.map(Decimal::from), Decimal::new(f, scale)))
        .collect()
}

/// Fields present on the criterion, by wire name.
fn present(c: &Criterion) -> [(&'static str, bool); 11] {
    [
        ("price_method", c.price_method.is_some()),
        ("bands", c.bands.is_some()),
        ("scale", c.scale.is_some()),
        ("pass_mark", c.pass_mark.is_some()),
        ("knockout", c.knockout),
        ("outcome", c.outcome.is_some()),
        ("method", c.method.is_some()),
        ("measures", c.measures.is_some()),
        ("quantitative_basis", c.quantitative_basis.is_some()),
        ("target_percent", c.target_percent.is_some()),
        ("split", c.split.is_some()),
    ]
}

const MARK_FIELDS: [&str; 3] = ["scale", "pass_mark", "knockout"];

fn allowed(c: &Criterion) -> Vec<&'static str> {
    match c.kind {
        CriterionType::Price => {
            let mut v = vec!["price_method"];
            if c.price_method == Some(PriceMethod::BandedRelative) {
                v.push("bands");
            }
            v
        }
        CriterionType::Quality => MARK_FIELDS.to_vec(),
        CriterionType::SocialValue => {
            let mut v = vec!["outcome", "method"];
            let (mark, quant) = match c.method {
                Some(SocialValueMethod::Qualitative) => (true, false),
                Some(SocialValueMethod::Quantitative) => (false, true),
                Some(SocialValueMethod::Mixed) | None => (true, true),
            };
            if mark {
                v.extend(MARK_FIELDS);
            }
            if quant {
                v.extend(["measures", "quantitative_basis"]);
                if c.quantitative_basis == Some(QuantitativeBasis::PercentOfPriceTarget)
                    || c.method.is_none()
                {
                    v.push("target_percent");
                }
            }
            if c.method != Some(SocialValueMethod::Qualitative)
                && c.method != Some(SocialValueMethod::Quantitative)
            {
                v.push("split");
            }
            v
        }
    }
}

fn type_name(c: &Criterion) -> &'static str {
    match (c.kind, c.method) {
        (CriterionType::Price, _) => "price",
        (CriterionType::Quality, _) => "quality",
        (CriterionType::SocialValue, Some(SocialValueMethod::Qualitative)) => {
            "qualitative social value"
        }
        (CriterionType::SocialValue, Some(SocialValueMethod::Quantitative)) => {
            "quantitative social value"
        }
        (CriterionType::SocialValue, Some(SocialValueMethod::Mixed)) => "mixed social value",
        (CriterionType::SocialValue, None) => "social value",
    }
}

/// Refuse fields that do not apply to the criterion's type (`invalid_body`): a typo or a field meant
/// for another method would otherwise pass silently.
pub(crate) fn check_applicable(c: &Criterion, p: &str, errors: &mut Vec<Issue>) {
    let ok = allowed(c);
    for (name, is_present) in present(c) {
        if is_present && !ok.contains(&name) {
            let why = match (name, c.kind) {
                ("bands", CriterionType::Price) => {
                    " (bands apply only with price_method banded_relative)"
                }
                ("target_percent", CriterionType::SocialValue) => {
                    " (target_percent applies only with quantitative_basis percent_of_price_target)"
                }
                _ => "",
            };
            errors.push(Issue::new(
                format!("{p}/{name}"),
                ErrorCode::InvalidBody,
                format!(
                    "`{name}` does not apply to a {} criterion{why}",
                    type_name(c)
                ),
            ));
        }
    }
}

/// Scale, levels, pass mark and knockout. Returns the mark rule when all are valid.
pub(crate) fn check_scale<'a>(
    c: &'a Criterion,
    p: &str,
    errors: &mut Vec<Issue>,
    check: &mut CritCheck<'a>,
) -> Option<MarkRule> {
    let Some(scale) = &c.scale else {
        errors.push(Issue::new(
            format!("{p}/scale"),
            ErrorCode::InvalidBody,
            format!("`scale` is required for a {} criterion", type_name(c)),
        ));
        return None;
    };
    if scale.min >= scale.max {
        errors.push(Issue::new(
            format!("{p}/scale"),
            ErrorCode::InvalidScale,
            format!(
                "scale min ({}) must be below max ({})",
                scale.min.normalize(),
                scale.max.normalize()
            ),
        ));
        return None;
    }
    let mut ok = true;
    let Some(range) = scale.max.checked_sub(scale.min) else {
        errors.push(Issue::new(
            format!("{p}/scale"),
            ErrorCode::ValueOutOfRange,
            "the scale's range is too large to compute with",
        ));
        return None;
    };
    let inside = |d: Decimal| d >= scale.min && d <= scale.max;
    if let Some(levels) = &scale.levels {
        if levels.is_empty() {
            errors.push(Issue::new(
                format!("{p}/scale/levels"),
                ErrorCode::InvalidScale,
                "levels, when given, must list at least one mark",
            ));
            ok = false;
        }
        for (k, level) in levels.iter().enumerate() {
            if !inside(*level) {
                errors.push(Issue::new(
                    format!("{p}/scale/levels/{k}"),
                    ErrorCode::InvalidScale,
                    format!(
                        "level {} lies outside the scale {} to {}",
                        level.normalize(),
                        scale.min.normalize(),
                        scale.max.normalize()
                    ),
                ));
                ok = false;
            }
        }
    }
    if let Some(pass) = c.pass_mark
        && !inside(pass)
    {
        errors.push(Issue::new(
            format!("{p}/pass_mark"),
            ErrorCode::InvalidScale,
            format!(
                "pass mark {} lies outside the scale {} to {}",
                pass.normalize(),
                scale.min.normalize(),
                scale.max.normalize()
            ),
        ));
        ok = false;
    }
    if c.knockout && c.pass_mark.is_none() {
        errors.push(Issue::new(
            format!("{p}/knockout"),
            ErrorCode::InvalidScale,
            "a knockout criterion needs a pass_mark",
        ));
        ok = false;
    }
    if !ok {
        return None;
    }
    check.scale = Some((scale.min, scale.max, scale.levels.as_deref()));
    Some(MarkRule {
        min: scale.min,
        max: scale.max,
        range,
        pass_mark: c.pass_mark,
        knockout: c.knockout,
    })
}

/// Price rule, with custom or default bands.
pub(crate) fn check_price(
    c: &Criterion,
    p: &str,
    method: Method,
    errors: &mut Vec<Issue>,
) -> Option<PriceRule> {
    if method == Method::PricePerQualityPoint {
        errors.push(Issue::new(
            format!("{p}/type"),
            ErrorCode::PriceCriterionNotAllowed,
            "price_per_quality_point divides the price by quality points: remove the price criterion",
        ));
        return None;
    }
    match c.price_method.unwrap_or_default() {
        PriceMethod::LowestRelative => Some(PriceRule::Lowest),
        PriceMethod::LinearMinMax => Some(PriceRule::Linear),
        PriceMethod::BandedRelative => match &c.bands {
            None => Some(PriceRule::Banded(default_bands())),
            Some(bands) => check_bands(bands, p, errors).map(PriceRule::Banded),
        },
    }
}

fn check_bands(
    bands: &[Band],
    p: &str,
    errors: &mut Vec<Issue>,
) -> Option<Vec<(Option<Decimal>, Decimal)>> {
    if bands.is_empty() {
        errors.push(Issue::new(
            format!("{p}/bands"),
            ErrorCode::InvalidBands,
            "bands, when given, must list at least one band",
        ));
        return None;
    }
    let mut ok = true;
    let mut previous: Option<Decimal> = None;
    let last = bands.len() - 1;
    for (k, band) in bands.iter().enumerate() {
        if band.fraction < Decimal::ZERO || band.fraction > Decimal::ONE {
            errors.push(Issue::new(
                format!("{p}/bands/{k}/fraction"),
                ErrorCode::InvalidBands,
                format!(
                    "band fraction must lie in [0, 1], got {}",
                    band.fraction.normalize()
                ),
            ));
            ok = false;
        }
        match band.up_to_percent_above_lowest {
            None if k != last => {
                errors.push(Issue::new(
                    format!("{p}/bands/{k}/up_to_percent_above_lowest"),
                    ErrorCode::InvalidBands,
                    "only the last band may be open-ended (null edge)",
                ));
                ok = false;
            }
            None => {}
            Some(edge) => {
                if previous.is_some_and(|prev| edge <= prev) {
                    errors.push(Issue::new(
                        format!("{p}/bands/{k}/up_to_percent_above_lowest"),
                        ErrorCode::InvalidBands,
                        format!(
                            "band edges must be strictly increasing, got {} after {}",
                            edge.normalize(),
                            previous.unwrap_or_default().normalize()
                        ),
                    ));
                    ok = false;
                }
                previous = Some(edge);
            }
        }
    }
    ok.then(|| {
        bands
            .iter()
            .map(|b| (b.up_to_percent_above_lowest.map(key20), b.fraction))
            .collect()
    })
}
