//! The BM25F index: per-field term frequencies, length-normalised per field, weighted, summed and
//! then saturated once (Robertson & Zaragoza's "simple BM25F"), with Lucene's always-positive IDF
//! `ln(1 + (N − n + 0.5) / (n + 0.5))`. Every number is a `Decimal`; each posting stores its whole
//! contribution, so a query only adds.
//!
//! Built for size: stems are interned once (each distinct word is stemmed once per build), the
//! per-field length norms are divided once per document, and IDF is computed once per distinct
//! document frequency.

use std::collections::HashMap;

use rust_decimal::{Decimal, MathematicalOps};

use super::SuggestDoc;
use super::synonyms::Synonyms;
use super::text::{Analyzer, words};

/// Tuning. The defaults ([`Params::DEFAULT`]) were chosen by measured accuracy on the labelled
/// commitments (the `eval` module's sweep).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Params {
    /// Term-frequency saturation.
    pub k1: Decimal,
    /// Length normalisation, the same for every field.
    pub b: Decimal,
    /// Weight of the measure name.
    pub name: Decimal,
    /// Weight of the description.
    pub description: Decimal,
    /// Weight of the synonym field.
    pub synonyms: Decimal,
    /// Weight of the unit (`0` leaves it out).
    pub unit: Decimal,
    /// Bonus per query bigram found in a name or description, times the bigram's IDF (`0`: none).
    pub bigram: Decimal,
    /// Whether synonym pairs also apply expansion → term.
    pub reverse_synonyms: bool,
}

impl Params {
    pub const DEFAULT: Params = Params {
        k1: Decimal::from_parts(12, 0, 0, false, 1),
        b: Decimal::from_parts(75, 0, 0, false, 2),
        name: Decimal::TWO,
        description: Decimal::ONE,
        synonyms: Decimal::ONE,
        unit: Decimal::ZERO,
        bigram: Decimal::ZERO,
        reverse_synonyms: true,
    };
}

/// One document's share of a term's (or bigram's) score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Posting {
    pub doc: usize,
    pub weight: Decimal,
}

const FIELDS: usize = 4;

#[derive(Debug, Default)]
pub(super) struct Index {
    ids: HashMap<String, usize>,
    /// By term id, in document order.
    postings: Vec<Vec<Posting>>,
    bigrams: HashMap<(usize, usize), Vec<Posting>>,
}

/// Stems interned to ids, each distinct word stemmed once.
struct Vocabulary<'a> {
    analyzer: &'a Analyzer,
    ids: HashMap<String, usize>,
    stems: Vec<String>,
    words: HashMap<&'a str, Option<usize>>,
}

impl<'a> Vocabulary<'a> {
    fn intern(&mut self, stem: &str) -> usize {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.stems.len();
        self.stems.push(stem.to_string());
        self.ids.insert(stem.to_string(), id);
        id
    }

    fn analyse(&mut self, text: &'a str) -> Vec<usize> {
        let mut out = Vec::new();
        for word in words(text) {
            let id = match self.words.get(word) {
                Some(&id) => id,
                None => {
                    let id = self.analyzer.stem(word).map(|s| self.intern(&s));
                    self.words.insert(word, id);
                    id
                }
            };
            out.extend(id);
        }
        out
    }
}

impl Index {
    pub fn build(
        docs: &[SuggestDoc],
        analyzer: &Analyzer,
        synonyms: &Synonyms,
        params: &Params,
    ) -> Index {
        let mut vocab = Vocabulary {
            analyzer,
            ids: HashMap::new(),
            stems: Vec::new(),
            words: HashMap::new(),
        };
        let rules = synonyms.compile(params.reverse_synonyms, |s| vocab.intern(s));
        // Fields: name, description, synonyms (only stems the measure does not state), unit.
        let fields: Vec<[Vec<usize>; FIELDS]> = docs
            .iter()
            .map(|d| {
                let name = vocab.analyse(&d.name);
                let description = vocab.analyse(&d.description);
                let unit = if params.unit.is_zero() {
                    Vec::new()
                } else {
                    vocab.analyse(&d.unit)
                };
                let mut stated: Vec<usize> = name
                    .iter()
                    .chain(&description)
                    .chain(&unit)
                    .copied()
                    .collect();
                stated.sort_unstable();
                let mut syn = Vec::new();
                rules.expand(&[&name, &description], &mut syn);
                syn.sort_unstable();
                syn.dedup();
                syn.retain(|id| stated.binary_search(id).is_err());
                [name, description, syn, unit]
            })
            .collect();

        let n = Decimal::from(docs.len());
        let mut avg = [Decimal::ZERO; FIELDS];
        for doc in &fields {
            for (a, f) in avg.iter_mut().zip(doc) {
                *a += Decimal::from(f.len());
            }
        }
        if !n.is_zero() {
            for a in &mut avg {
                *a /= n;
            }
        }
        let weights = [
            params.name,
            params.description,
            params.synonyms,
            params.unit,
        ];

        // Per document: each term's weighted, length-normalised frequency (BM25F's tf~).
        let mut df = vec![0_u32; vocab.stems.len()];
        let mut rows: Vec<Vec<(usize, Decimal)>> = Vec::with_capacity(fields.len());
        for doc in &fields {
            // weight / (1 − b + b·len/avg) per field: one division per field, not per term.
            let mut scale = [Decimal::ZERO; FIELDS];
            for (((s, w), f), a) in scale.iter_mut().zip(weights).zip(doc).zip(avg) {
                if !w.is_zero() && !f.is_empty() {
                    let len = Decimal::from(f.len());
                    *s = w / (Decimal::ONE - params.b + params.b * len / a);
                }
            }
            let mut occurrences: Vec<(usize, usize)> = doc
                .iter()
                .enumerate()
                .flat_map(|(fi, f)| f.iter().map(move |&t| (t, fi)))
                .collect();
            occurrences.sort_unstable();
            let mut row: Vec<(usize, Decimal)> = Vec::new();
            for (term, fi) in occurrences {
                let add = scale.get(fi).copied().unwrap_or_default();
                match row.last_mut() {
                    Some((t, tf)) if *t == term => *tf += add,
                    _ => row.push((term, add)),
                }
            }
            row.retain(|(_, tf)| *tf > Decimal::ZERO);
            for (term, _) in &row {
                if let Some(d) = df.get_mut(*term) {
                    *d += 1;
                }
            }
            rows.push(row);
        }

        // idf·(k1 + 1) per term, each distinct document frequency's logarithm taken once.
        let mut by_df: HashMap<u32, Decimal> = HashMap::new();
        let factor: Vec<Decimal> = df
            .iter()
            .map(|&d| {
                *by_df
                    .entry(d)
                    .or_insert_with(|| idf(n, d) * (params.k1 + Decimal::ONE))
            })
            .collect();
        let mut postings: Vec<Vec<Posting>> = vec![Vec::new(); vocab.stems.len()];
        for (doc, row) in rows.into_iter().enumerate() {
            for (term, tf) in row {
                if let (Some(list), Some(f)) = (postings.get_mut(term), factor.get(term)) {
                    let weight = *f * tf / (tf + params.k1);
                    list.push(Posting { doc, weight });
                }
            }
        }

        let bigrams = if params.bigram.is_zero() {
            HashMap::new()
        } else {
            bigram_postings(&fields, n, params.bigram)
        };
        Index {
            ids: vocab.ids,
            postings,
            bigrams,
        }
    }

    /// The id of an indexed stem.
    pub fn id(&self, stem: &str) -> Option<usize> {
        self.ids.get(stem).copied()
    }

    /// The documents holding a term, in document order.
    pub fn term(&self, id: usize) -> &[Posting] {
        self.postings.get(id).map_or(&[], Vec::as_slice)
    }

    /// Whether `doc` holds the term.
    pub fn holds(&self, id: usize, doc: usize) -> bool {
        self.term(id).binary_search_by_key(&doc, |p| p.doc).is_ok()
    }

    /// The documents whose name or description holds `first` immediately followed by `second`.
    pub fn bigram(&self, first: usize, second: usize) -> &[Posting] {
        self.bigrams
            .get(&(first, second))
            .map_or(&[], Vec::as_slice)
    }
}

/// `ln(1 + (N − n + 0.5) / (n + 0.5))`: positive for every `n ≤ N`.
fn idf(n: Decimal, df: u32) -> Decimal {
    let half = Decimal::from_parts(5, 0, 0, false, 1);
    let df = Decimal::from(df);
    let ratio = (n - df + half) / (df + half);
    (Decimal::ONE + ratio).checked_ln().unwrap_or(Decimal::ZERO)
}

fn bigram_postings(
    fields: &[[Vec<usize>; FIELDS]],
    n: Decimal,
    bonus: Decimal,
) -> HashMap<(usize, usize), Vec<Posting>> {
    let mut docs_of: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (doc, f) in fields.iter().enumerate() {
        let mut pairs: Vec<(usize, usize)> = f
            .iter()
            .take(2) // name and description
            .flat_map(|field| field.windows(2))
            .filter_map(|w| match w {
                [a, b] => Some((*a, *b)),
                _ => None,
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for pair in pairs {
            docs_of.entry(pair).or_default().push(doc);
        }
    }
    docs_of
        .into_iter()
        .map(|(pair, docs)| {
            let weight = bonus * idf(n, u32::try_from(docs.len()).unwrap_or(u32::MAX));
            let postings = docs
                .into_iter()
                .map(|doc| Posting { doc, weight })
                .collect();
            (pair, postings)
        })
        .collect()
}
