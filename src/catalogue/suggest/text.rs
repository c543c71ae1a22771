//! Text analysis, the same for measure documents, synonym phrases and queries: Unicode words,
//! lowercased, stop words and numbers dropped, then Snowball English stems.

use rust_stemmers::{Algorithm, Stemmer};

/// Function words that carry no meaning for matching. Kept small on purpose: words that are
/// merely common in measure texts ("contract", "people") are left to BM25's IDF to discount.
/// "least" is here because "at least" is a quantity qualifier, like the numbers we drop.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "across",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "during",
    "each",
    "every",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "least",
    "may",
    "me",
    "more",
    "most",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "of",
    "on",
    "onto",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "over",
    "per",
    "shall",
    "she",
    "should",
    "so",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "throughout",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "would",
    "you",
    "your",
];

/// One indexed word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token<'a> {
    /// The word as written (slice of the input), for reporting matched terms.
    pub surface: &'a str,
    /// Its Snowball English stem of the lowercased word.
    pub stem: String,
}

/// Lowercases, drops stop words and numbers, and stems.
pub(super) struct Analyzer {
    stemmer: Stemmer,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer(snowball english)")
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

impl Analyzer {
    /// The indexed words of `text`, in order.
    pub fn tokens<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        words(text)
            .filter_map(|surface| {
                let stem = self.stem(surface)?;
                Some(Token { surface, stem })
            })
            .collect()
    }

    /// Only the stems of [`Analyzer::tokens`].
    pub fn stems(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.stem).collect()
    }

    /// The stem of one word, or `None` for a number ("12", "50k", "2030"), a single letter or a
    /// stop word.
    pub fn stem(&self, word: &str) -> Option<String> {
        let first = word.chars().next()?;
        if first.is_numeric() || word.chars().nth(1).is_none() {
            return None;
        }
        let lower = word.to_lowercase().replace(['\u{2019}', '\u{02bc}'], "'");
        if STOP_WORDS.contains(&lower.as_str()) {
            return None;
        }
        let stem = self.stemmer.stem(&lower);
        (!stem.is_empty()).then(|| stem.into_owned())
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Maximal runs of letters and digits (any script); an apostrophe between two of them stays in
/// the word ("buyer's"), everything else (spaces, punctuation, hyphens, `£`, `%`) separates.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(char::is_alphanumeric)?;
        let tail = rest.get(start..)?;
        let mut end = tail.len();
        let mut chars = tail.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                continue;
            }
            let joins = is_apostrophe(c) && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            if !joins {
                end = i;
                break;
            }
        }
        let word = tail.get(..end)?;
        rest = tail.get(end..)?;
        Some(word)
    })
}
