//! Built-in reference data, compiled into the binary from the JSON files in `data/`:
//! the Social Value Models `PPN06-20` and `PPN002` (Crown copyright, Open Government Licence v3.0)
//! and the illustrative measure set `socval-sample` (socval's own made-up values, *not* National
//! TOMs, which may not be shipped).
//!
//! The data is parsed once, on first use. [`builtin()`] never panics: if a data file failed to parse
//! (which the tests rule out) it returns an empty catalogue and [`Builtin::check`] says why, so
//! startup can refuse to run.
//!
//! Usable outcome codes are the policy outcomes (`PPN06-20:O2`, `PPN002:O4`) and the award criteria
//! (`PPN06-20:MAC2.1`, `PPN002:1a`). A measure mapped to an award criterion also counts towards a
//! criterion on that award criterion's policy outcome.

pub mod holidays;
pub mod import;
pub mod standstill;
pub mod suggest;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use rust_decimal::Decimal;

pub use types::{
    AwardCriterion, Framework, FrameworkGroup, Licence, MeasureSet, PolicyOutcome, SetMeasure,
};

use crate::scoring::{Catalogue, Measure, WeightingRule};

const FRAMEWORK_FILES: [(&str, &str); 2] = [
    ("ppn06-20.json", include_str!("data/ppn06-20.json")),
    ("ppn002.json", include_str!("data/ppn002.json")),
];
const MEASURE_SET_FILES: [(&str, &str); 1] = [(
    "socval-sample.json",
    include_str!("data/socval-sample.json"),
)];

/// Code of the built-in illustrative measure set.
pub const SAMPLE_MEASURE_SET: &str = "socval-sample";
/// Framework whose weighting rules apply when nothing else says which (both built-ins agree).
pub const DEFAULT_FRAMEWORK: &str = "PPN002";

/// Why the built-in data could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// A data file is not valid JSON of the expected shape.
    #[error("built-in data file {file} does not parse: {message}")]
    Parse {
        /// The file.
        file: &'static str,
        /// serde's message.
        message: String,
    },
    /// The data parses but breaks a rule (duplicate code, unknown outcome, …).
    #[error("built-in data is inconsistent: {0}")]
    Inconsistent(String),
}

#[derive(Debug, Clone)]
struct OutcomeEntry {
    framework: usize,
    parent: Option<String>,
}

/// The built-in catalogue. Implements [`Catalogue`] for the scoring engine.
#[derive(Debug, Default)]
pub struct Builtin {
    frameworks: Vec<Framework>,
    measure_sets: Vec<MeasureSet>,
    sample: Vec<Measure>,
    outcomes: BTreeMap<String, OutcomeEntry>,
    load_error: Option<CatalogueError>,
}

static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| {
    Builtin::load().unwrap_or_else(|e| Builtin {
        load_error: Some(e),
        ..Builtin::default()
    })
});

/// The built-in catalogue, parsed on first use.
pub fn builtin() -> &'static Builtin {
    &BUILTIN
}

impl Builtin {
    /// Parse and check the embedded data files.
    pub fn load() -> Result<Builtin, CatalogueError> {
        let mut frameworks = Vec::new();
        for (file, text) in FRAMEWORK_FILES {
            frameworks.push(serde_json::from_str::<Framework>(text).map_err(|e| {
                CatalogueError::Parse {
                    file,
                    message: e.to_string(),
                }
            })?);
        }
        let mut measure_sets = Vec::new();
        for (file, text) in MEASURE_SET_FILES {
            measure_sets.push(serde_json::from_str::<MeasureSet>(text).map_err(|e| {
                CatalogueError::Parse {
                    file,
                    message: e.to_string(),
                }
            })?);
        }
        let outcomes = index_outcomes(&frameworks)?;
        check_measure_sets(&measure_sets, &outcomes)?;
        let sample = measure_sets
            .iter()
            .find(|s| s.code == SAMPLE_MEASURE_SET)
            .map(|s| s.measures.iter().map(SetMeasure::to_measure).collect())
            .ok_or_else(|| {
                CatalogueError::Inconsistent(format!("no measure set {SAMPLE_MEASURE_SET}"))
            })?;
        Ok(Builtin {
            frameworks,
            measure_sets,
            sample,
            outcomes,
            load_error: None,
        })
    }

    /// `Ok` when the embedded data loaded; call it at startup to fail fast.
    pub fn check(&self) -> Result<(), CatalogueError> {
        match &self.load_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Every built-in framework.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// A framework by code (`PPN06-20`, `PPN002`).
    pub fn framework(&self, code: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.code == code)
    }

    /// Whether `code` is a usable outcome code (policy outcome or award criterion).
    pub fn has_outcome(&self, code: &str) -> bool {
        self.outcomes.contains_key(code)
    }

    /// The framework that holds an outcome code.
    pub fn framework_of_outcome(&self, code: &str) -> Option<&Framework> {
        self.outcomes
            .get(code)
            .and_then(|e| self.frameworks.get(e.framework))
    }

    /// Every built-in measure set.
    pub fn measure_sets(&self) -> &[MeasureSet] {
        &self.measure_sets
    }

    /// A measure set by code.
    pub fn measure_set(&self, code: &str) -> Option<&MeasureSet> {
        self.measure_sets.iter().find(|s| s.code == code)
    }

    /// The `socval-sample` measures as the engine uses them.
    pub fn sample_measures(&self) -> &[Measure] {
        &self.sample
    }

    /// The sample measures that count towards `outcome` (directly, or through an award criterion
    /// of that policy outcome).
    pub fn measures_for_outcome(&self, outcome: &str) -> Vec<&Measure> {
        self.sample
            .iter()
            .filter(|m| m.outcomes.iter().any(|o| self.covers(outcome, o)))
            .collect()
    }

    /// Whether a measure mapped to `measure_outcome` counts towards `outcome`: the same code, or
    /// `outcome` is the policy outcome of that award criterion.
    pub fn covers(&self, outcome: &str, measure_outcome: &str) -> bool {
        outcome == measure_outcome
            || self
                .outcomes
                .get(measure_outcome)
                .and_then(|e| e.parent.as_deref())
                .is_some_and(|p| p == outcome)
    }
}

impl Catalogue for Builtin {
    fn outcome_framework(&self, outcome: &str) -> Option<&str> {
        self.framework_of_outcome(outcome).map(|f| f.code.as_str())
    }

    fn weighting_rules(&self, framework: &str) -> &[WeightingRule] {
        self.framework(framework)
            .map_or(&[][..], |f| f.weighting_rules.as_slice())
    }

    fn default_framework(&self) -> &str {
        DEFAULT_FRAMEWORK
    }

    fn default_measures(&self) -> &[Measure] {
        &self.sample
    }

    fn outcome_parent(&self, outcome: &str) -> Option<&str> {
        self.outcomes.get(outcome).and_then(|e| e.parent.as_deref())
    }
}

fn inconsistent(message: String) -> CatalogueError {
    CatalogueError::Inconsistent(message)
}

/// Index every usable outcome code; refuse duplicates and codes outside their framework's prefix.
fn index_outcomes(
    frameworks: &[Framework],
) -> Result<BTreeMap<String, OutcomeEntry>, CatalogueError> {
    let mut codes = BTreeSet::new();
    let mut outcomes = BTreeMap::new();
    for (fi, f) in frameworks.iter().enumerate() {
        if !codes.insert(f.code.as_str()) {
            return Err(inconsistent(format!("framework {} appears twice", f.code)));
        }
        if f.weighting_rules.is_empty() {
            return Err(inconsistent(format!(
                "framework {} has no weighting rule",
                f.code
            )));
        }
        for rule in &f.weighting_rules {
            if rule.min_social_value_percent < Decimal::ZERO
                || rule.min_social_value_percent > Decimal::ONE_HUNDRED
            {
                return Err(inconsistent(format!("{}: minimum outside 0..=100", f.code)));
            }
        }
        let groups: BTreeSet<u32> = f.groups.iter().map(|g| g.number).collect();
        let prefix = format!("{}:", f.code);
        for o in &f.outcomes {
            if o.group.is_some_and(|g| !groups.contains(&g)) {
                return Err(inconsistent(format!("{} names an unknown group", o.code)));
            }
            let entries = std::iter::once((o.code.as_str(), None)).chain(
                o.award_criteria
                    .iter()
                    .map(|c| (c.code.as_str(), Some(o.code.clone()))),
            );
            for (code, parent) in entries {
                if !code.starts_with(&prefix) || code.len() == prefix.len() {
                    return Err(inconsistent(format!("{code} lacks the prefix {prefix}")));
                }
                let entry = OutcomeEntry {
                    framework: fi,
                    parent,
                };
                if outcomes.insert(code.to_string(), entry).is_some() {
                    return Err(inconsistent(format!("outcome code {code} appears twice")));
                }
            }
        }
    }
    Ok(outcomes)
}

fn check_measure_sets(
    sets: &[MeasureSet],
    outcomes: &BTreeMap<String, OutcomeEntry>,
) -> Result<(), CatalogueError> {
    let fraction = |d: Decimal| d >= Decimal::ZERO && d < Decimal::ONE;
    for set in sets {
        let mut codes = BTreeSet::new();
        for m in &set.measures {
            if !codes.insert(m.code.as_str()) {
                return Err(inconsistent(format!(
                    "{}: measure {} appears twice",
                    set.code, m.code
                )));
            }
            if m.proxy_value < Decimal::ZERO
                || !fraction(m.deadweight)
                || !fraction(m.attribution)
                || !fraction(m.displacement)
            {
                return Err(inconsistent(format!(
                    "{}: measure {} has an invalid value",
                    set.code, m.code
                )));
            }
            if m.outcomes.is_empty() {
                return Err(inconsistent(format!(
                    "{}: measure {} maps to no outcome",
                    set.code, m.code
                )));
            }
            if let Some(unknown) = m
                .outcomes
                .iter()
                .find(|o| !outcomes.contains_key(o.as_str()))
            {
                return Err(inconsistent(format!(
                    "{}: measure {} maps to unknown outcome {unknown}",
                    set.code, m.code
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
