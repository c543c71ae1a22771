//! Unit tests of the analyser, the synonyms and the ranking rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

fn doc(code: &str, name: &str, description: &str) -> SuggestDoc {
    SuggestDoc {
        code: code.to_string(),
        name: name.to_string(),
        description: description.to_string(),
        unit: "no. weeks".to_string(),
        outcomes: vec![format!("PPN002:{code}")],
    }
}

fn words(text: &str) -> Vec<String> {
    Analyzer::default()
        .tokens(text)
        .into_iter()
        .map(|t| t.surface.to_string())
        .collect()
}

fn stems(text: &str) -> Vec<String> {
    Analyzer::default().stems(text)
}

fn codes(s: &[Suggestion]) -> Vec<&str> {
    s.iter().map(|s| s.code.as_str()).collect()
}

fn small_set() -> Vec<SuggestDoc> {
    vec![
        doc(
            "APPR",
            "Apprenticeship weeks on the contract",
            "Weeks of apprenticeship completed.",
        ),
        doc(
            "WASTE",
            "Waste diverted from landfill",
            "Tonnes of waste recycled or reused.",
        ),
        doc(
            "JOBS",
            "Local people employed on the contract",
            "Jobs filled by people living in the buyer's area.",
        ),
    ]
}

#[test]
fn splits_on_spaces_punctuation_and_hyphens_but_keeps_apostrophes_inside_words() {
    assert_eq!(
        words("long-term, care-leavers; the buyer's area (NEET)."),
        ["long", "term", "care", "leavers", "buyer's", "area", "NEET"]
    );
    assert_eq!(words("buyer’s suppliers' "), ["buyer’s", "suppliers"]);
}

#[test]
fn tokenises_any_script_and_lowercases_before_stemming() {
    assert_eq!(
        words("Café naïve Zürich élan"),
        ["Café", "naïve", "Zürich", "élan"]
    );
    assert_eq!(stems("CAFÉ Zürich"), ["café", "zürich"]);
    assert_eq!(stems("RECYCLING"), stems("recycling"));
}

#[test]
fn stems_inflections_to_one_snowball_english_stem() {
    assert_eq!(stems("apprentices apprentice"), ["apprentic", "apprentic"]);
    assert_eq!(
        stems("recycled recycling recycle"),
        ["recycl", "recycl", "recycl"]
    );
    assert_eq!(
        stems("employed employs employing"),
        ["employ", "employ", "employ"]
    );
    assert_eq!(stems("buyer's buyer’s"), ["buyer", "buyer"]);
}

#[test]
fn drops_stop_words() {
    assert!(stems("we will and the of to at least our").is_empty());
    assert_eq!(stems("we will recycle the waste"), ["recycl", "wast"]);
}

#[test]
fn ignores_numbers_and_amounts_but_not_words_with_digits() {
    assert!(stems("12 £50k 1,200 2030 50% €3.5m 1st 12th £ % x ٣").is_empty());
    // Only the number goes from a compound: the word stays.
    assert_eq!(stems("a 10-mile radius"), ["mile", "radius"]);
    assert_eq!(
        stems("150 tonnes of CO2 and tCO2e"),
        ["tonn", "co2", "tco2e"]
    );
}

#[test]
fn the_synonyms_file_parses_and_every_entry_yields_words() {
    let raw: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(include_str!("../data/synonyms.json")).unwrap();
    let analyzer = Analyzer::default();
    for (term, expansions) in &raw {
        assert!(!analyzer.stems(term).is_empty(), "{term} has no words");
        assert!(!expansions.is_empty(), "{term} has no expansions");
        for e in expansions {
            assert!(!analyzer.stems(e).is_empty(), "{term} → {e} has no words");
        }
    }
    let parsed = Synonyms::parse(include_str!("../data/synonyms.json"), &analyzer).unwrap();
    assert!(parsed.len() >= raw.values().map(Vec::len).sum::<usize>());
    assert_eq!(synonyms::builtin().len(), parsed.len());
}

#[test]
fn a_bad_synonyms_file_is_an_error_not_a_panic() {
    assert!(Synonyms::parse("{\"a\": 1}", &Analyzer::default()).is_err());
    assert!(Synonyms::parse("not json", &Analyzer::default()).is_err());
}

/// The stems `syn` adds to a document with these fields.
fn expand(syn: &Synonyms, fields: &[&str], reverse: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut intern = |s: &str| match names.iter().position(|n| n == s) {
        Some(i) => i,
        None => {
            names.push(s.to_string());
            names.len() - 1
        }
    };
    let fields: Vec<Vec<usize>> = fields
        .iter()
        .map(|f| stems(f).iter().map(|s| intern(s)).collect())
        .collect();
    let rules = syn.compile(reverse, &mut intern);
    let refs: Vec<&[usize]> = fields.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    rules.expand(&refs, &mut out);
    let mut out: Vec<String> = out.into_iter().map(|i| names[i].clone()).collect();
    out.sort();
    out
}

#[test]
fn synonym_phrases_expand_documents_both_ways_within_one_field() {
    let syn = Synonyms::parse(
        r#"{"modern slavery": ["forced labour"], "apprentice": ["trainee"]}"#,
        &Analyzer::default(),
    )
    .unwrap();
    assert_eq!(
        expand(&syn, &["Supply chain modern slavery audits"], true),
        ["forc", "labour"]
    );
    // Expansion → term only when asked.
    assert_eq!(expand(&syn, &["Trainees on site"], true), ["apprentic"]);
    assert!(expand(&syn, &["Trainees on site"], false).is_empty());
    // A phrase does not span two fields.
    assert!(expand(&syn, &["modern", "slavery"], true).is_empty());
}

#[test]
fn synonyms_let_a_commitment_match_a_measure_in_other_words() {
    let with = Suggester::new(small_set());
    let got = with.suggest("Two new trainees a year", 3);
    assert_eq!(codes(&got), ["APPR"]);
    assert_eq!(got[0].matched_terms, ["trainees"]);

    let without = Suggester::with(small_set(), &Synonyms::default(), &Params::DEFAULT);
    assert!(without.suggest("Two new trainees a year", 3).is_empty());
}

#[test]
fn an_empty_stop_word_or_number_only_query_gives_no_suggestions() {
    let s = Suggester::new(small_set());
    for q in ["", "   ", "we will, and the", "12 £50k 2030", "!!!"] {
        assert!(s.suggest(q, 10).is_empty(), "{q:?}");
    }
    assert!(s.suggest("zebra crossing", 10).is_empty());
}

#[test]
fn no_measures_give_no_suggestions() {
    let s = Suggester::new(Vec::new());
    assert!(s.is_empty());
    assert!(s.suggest("local apprentices", 5).is_empty());
}

#[test]
fn returns_at_most_limit_suggestions_best_first_with_positive_scores() {
    let s = Suggester::new(small_set());
    let all = s.suggest("contract weeks waste local people", 10);
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(all.iter().all(|x| x.score > Decimal::ZERO));
    assert_eq!(s.suggest("contract weeks waste local people", 2), all[..2]);
    assert!(s.suggest("contract weeks waste", 0).is_empty());
}

#[test]
fn equal_scores_are_ordered_by_code_whatever_the_input_order() {
    let twins = |order: [&str; 3]| {
        Suggester::new(
            order
                .iter()
                .map(|c| doc(c, "Waste diverted from landfill", "Tonnes."))
                .collect(),
        )
    };
    let a = twins(["B", "C", "A"]).suggest("landfill", 3);
    let b = twins(["C", "A", "B"]).suggest("landfill", 3);
    assert_eq!(codes(&a), ["A", "B", "C"]);
    assert_eq!(a, b);
    assert!(a.iter().all(|x| x.score == a[0].score));
}

#[test]
fn the_same_query_always_gives_the_same_answer() {
    let s = Suggester::new(small_set());
    let first = s.suggest("We will hire 12 local apprentices and recycle waste", 3);
    for _ in 0..20 {
        assert_eq!(
            s.suggest("We will hire 12 local apprentices and recycle waste", 3),
            first
        );
    }
    assert_eq!(
        Suggester::new(small_set())
            .suggest("We will hire 12 local apprentices and recycle waste", 3),
        first
    );
}

#[test]
fn matched_terms_are_the_users_words_as_written_in_order() {
    let s = Suggester::new(small_set());
    let got = s.suggest(
        "Employing LOCAL People, local people, and zebras in the Area",
        1,
    );
    assert_eq!(got[0].code, "JOBS");
    assert_eq!(
        got[0].matched_terms,
        ["Employing", "LOCAL", "People", "Area"]
    );
}

#[test]
fn a_word_in_the_name_counts_more_than_the_same_word_in_the_description() {
    let s = Suggester::new(vec![
        doc("DESC", "Something else entirely", "Weeks of mentoring."),
        doc("NAME", "Mentoring weeks", "Something else entirely."),
    ]);
    assert_eq!(codes(&s.suggest("mentoring", 2)), ["NAME", "DESC"]);
}

#[test]
fn a_rare_word_counts_more_than_a_common_one() {
    let s = Suggester::new(vec![
        doc("A", "Contract audits", "On the contract."),
        doc("B", "Contract hours", "On the contract."),
        doc("C", "Contract weeks", "On the contract."),
    ]);
    let got = s.suggest("contract hours", 3);
    assert_eq!(codes(&got), ["B", "A", "C"]);
    assert!(got[0].score > got[1].score);
}

#[test]
fn scores_have_at_most_4_places_and_serialise_as_strings() {
    let s = Suggester::new(small_set());
    let got = s.suggest("apprenticeship weeks", 1);
    assert!(got[0].score.scale() <= 4);
    let json = serde_json::to_value(&got[0]).unwrap();
    assert_eq!(
        json["score"],
        serde_json::Value::String(got[0].score.to_string())
    );
    assert_eq!(json["code"], "APPR");
    assert_eq!(
        json["matched_terms"],
        serde_json::json!(["apprenticeship", "weeks"])
    );
    assert_eq!(json["outcomes"], serde_json::json!(["PPN002:APPR"]));
}

#[test]
fn the_openapi_schema_documents_the_score_as_a_string() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(Suggestion::schema()).unwrap();
    assert_eq!(schema["properties"]["score"]["type"], "string");
    assert_eq!(schema["example"]["code"], "SVS-APPRENTICE-WEEKS");
}

#[test]
fn a_suggester_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Suggester>();
}
