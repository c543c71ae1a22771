//! Curated synonyms (`../data/synonyms.json`): `term → [expansions]`, written from the measure
//! definitions and the domain notes. Both sides may be phrases.
//!
//! They are applied to *documents*, not queries: when a measure's name or description contains a
//! term (as a run of stems), its expansions go into the measure's synonym field, and when it
//! contains an expansion, the term does (each pair works both ways; expansions of one term are not
//! linked to each other). So a commitment that says "trainee" finds a measure that says
//! "apprenticeship", and the words that matched are still the user's own.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::text::Analyzer;

const SYNONYMS_JSON: &str = include_str!("../data/synonyms.json");

/// The parsed file; empty if it failed to parse (a unit test proves it does not).
static BUILTIN: LazyLock<Synonyms> =
    LazyLock::new(|| Synonyms::parse(SYNONYMS_JSON, &Analyzer::default()).unwrap_or_default());

/// The built-in synonyms.
pub(super) fn builtin() -> &'static Synonyms {
    &BUILTIN
}

/// One direction of a synonym pair, as stems.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The run of stems to find in a document.
    phrase: Vec<String>,
    /// The stems it adds.
    adds: Vec<String>,
    /// `true` for expansion → term.
    reverse: bool,
}

/// The synonym rules, in file order (term → expansion, then expansion → term).
#[derive(Debug, Clone, Default)]
pub(super) struct Synonyms {
    rules: Vec<Rule>,
}

impl Synonyms {
    /// Parse `term → [expansions]` JSON. Entries whose words are all stop words or numbers are
    /// skipped.
    pub fn parse(json: &str, analyzer: &Analyzer) -> Result<Synonyms, serde_json::Error> {
        let raw: BTreeMap<String, Vec<String>> = serde_json::from_str(json)?;
        let mut rules = Vec::new();
        let mut push = |phrase: Vec<String>, adds: Vec<String>, reverse: bool| {
            if !phrase.is_empty() && !adds.is_empty() && phrase != adds {
                rules.push(Rule {
                    phrase,
                    adds,
                    reverse,
                });
            }
        };
        for (term, expansions) in &raw {
            let term = analyzer.stems(term);
            for expansion in expansions {
                let expansion = analyzer.stems(expansion);
                push(term.clone(), expansion.clone(), false);
                push(expansion, term.clone(), true);
            }
        }
        Ok(Synonyms { rules })
    }

    /// Number of rules (both directions).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// The rules with each stem replaced by its id from `intern`; `reverse` keeps the
    /// expansion → term rules too.
    pub fn compile(&self, reverse: bool, mut intern: impl FnMut(&str) -> usize) -> Compiled {
        let mut compiled = Compiled::default();
        for rule in self.rules.iter().filter(|r| reverse || !r.reverse) {
            let phrase: Vec<usize> = rule.phrase.iter().map(|s| intern(s)).collect();
            let adds = rule.adds.iter().map(|s| intern(s)).collect();
            if let Some(&first) = phrase.first() {
                if compiled.starts.len() <= first {
                    compiled.starts.resize_with(first + 1, Vec::new);
                }
                if let Some(starts) = compiled.starts.get_mut(first) {
                    starts.push(compiled.rules.len());
                }
                compiled.rules.push((phrase, adds));
            }
        }
        compiled
    }
}

/// Rules over term ids, indexed by the id their phrase starts with.
#[derive(Debug, Default)]
pub(super) struct Compiled {
    starts: Vec<Vec<usize>>,
    rules: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Compiled {
    /// Push onto `out` the ids the rules add to a document whose fields hold these ids (each
    /// field searched on its own, so a phrase never spans two fields). May repeat ids.
    pub fn expand(&self, fields: &[&[usize]], out: &mut Vec<usize>) {
        for field in fields {
            for (i, id) in field.iter().enumerate() {
                let Some(starts) = self.starts.get(*id) else {
                    continue;
                };
                let rest = field.get(i..).unwrap_or_default();
                for (phrase, adds) in starts.iter().filter_map(|&r| self.rules.get(r)) {
                    if rest.starts_with(phrase) {
                        out.extend_from_slice(adds);
                    }
                }
            }
        }
    }
}
