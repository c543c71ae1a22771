#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
use super::*;

const HEADER: &str =
    "code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description";

fn metadata() -> ImportMetadata {
    ImportMetadata {
        name: Some("Essex plug-in".into()),
        version: Some("2026.1".into()),
        licence: Some("CC-BY-NC-ND-4.0".into()),
        source: Some("licensed table".into()),
        valid_from: Some("2026-04-01".into()),
        redistributable: None,
    }
}

fn csv(body: &str) -> Result<MeasureSetImport, Vec<Violation>> {
    from_csv(metadata(), body.as_bytes(), super::super::builtin())
}

fn codes_at(errors: &[Violation]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| (e.pointer.clone(), e.code.to_string()))
        .collect()
}

#[test]
fn a_bom_crlf_and_quoted_commas_are_read_as_written() {
    let body = format!(
        "\u{feff}{HEADER}\r\nECC1,\"Jobs, local\",FTE,31000,0.1,,,\"PPN06-20:MAC2.2; PPN002:1a\",\"Hire, train\"\r\n"
    );
    let import = csv(&body).unwrap();
    let measure = &import.measures[0];
    assert_eq!(measure.code, "ECC1");
    assert_eq!(measure.name, "Jobs, local");
    assert_eq!(measure.proxy_value, Decimal::from(31000));
    assert_eq!(measure.deadweight, Decimal::new(1, 1));
    assert_eq!(measure.attribution, Decimal::ZERO);
    assert_eq!(measure.outcomes, ["PPN06-20:MAC2.2", "PPN002:1a"]);
    assert_eq!(measure.description, "Hire, train");
    assert!(
        !import.redistributable,
        "CC BY-NC-ND may not be shown to other orgs"
    );
}

#[test]
fn a_cell_with_a_control_character_is_refused_at_its_row_and_column() {
    let body = format!("{HEADER}\nM1,Na\u{0}me,hours,1,0,0,0,PPN06-20:MAC2.1,\n");
    let errors = csv(&body).unwrap_err();
    assert!(
        codes_at(&errors).contains(&("/measures/0/name".into(), "invalid_body".into())),
        "{errors:?}"
    );
}

#[test]
fn headers_match_in_any_case_and_order() {
    let body = "Outcomes,CODE,Name,Unit,Proxy_Value,Deadweight,Attribution,Displacement,Description\n\
                PPN06-20:MAC4.1,CO2,Carbon saved,tonnes CO2e,70,,,,\n";
    assert_eq!(csv(body).unwrap().measures[0].code, "CO2");
}

#[test]
fn wrong_columns_are_all_named() {
    let errors = csv("code,name,unit,proxy,outcomes,outcomes\nA,a,u,1,PPN002:1a,x\n").unwrap_err();
    let found = codes_at(&errors);
    assert!(
        found.contains(&("/columns/3".into(), "unknown_column".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("/columns/5".into(), "duplicate_column".into())),
        "{found:?}"
    );
    assert_eq!(
        found.iter().filter(|(_, c)| c == "missing_column").count(),
        5,
        "proxy_value, deadweight, attribution, displacement, description: {found:?}"
    );
}

#[test]
fn every_bad_row_and_column_is_listed_and_nothing_is_returned() {
    let body = format!(
        "{HEADER}\n\
         A,ok,u,1,,,,PPN002:1a,\n\
         B,x,u,abc,,,,PPN002:1a,\n\
         C,x,u,-5,1,,-0.1,PPN002:1a,\n\
         A,x,u,1,,,,NOPE:1,\n\
         ,x,u,1,,,,,\n"
    );
    let found = codes_at(&csv(&body).unwrap_err());
    for expected in [
        ("/measures/1/proxy_value", "invalid_decimal"),
        ("/measures/2/proxy_value", "negative_value"),
        ("/measures/2/deadweight", "invalid_fraction"),
        ("/measures/2/displacement", "invalid_fraction"),
        ("/measures/3/code", "duplicate_measure_code"),
        ("/measures/3/outcomes", "unknown_outcome"),
        ("/measures/4/code", "required"),
        ("/measures/4/outcomes", "required"),
    ] {
        assert!(
            found.contains(&(expected.0.into(), expected.1.into())),
            "missing {expected:?} in {found:?}"
        );
    }
}

#[test]
fn metadata_is_required_and_the_date_checked() {
    let errors = from_csv(
        ImportMetadata {
            valid_from: Some("1 April 2026".into()),
            ..ImportMetadata::default()
        },
        format!("{HEADER}\nA,a,u,1,,,,PPN002:1a,\n").as_bytes(),
        super::super::builtin(),
    )
    .unwrap_err();
    let found = codes_at(&errors);
    for pointer in ["/name", "/version", "/licence", "/source"] {
        assert!(
            found.contains(&(pointer.into(), "required".into())),
            "{found:?}"
        );
    }
    assert!(found.contains(&("/valid_from".into(), "invalid_date".into())));
}

#[test]
fn an_open_licence_is_redistributable_by_default_and_the_importer_may_say_otherwise() {
    let open = ImportMetadata {
        licence: Some("OGL-UK-3.0".into()),
        ..metadata()
    };
    let body = format!("{HEADER}\nA,a,u,1,,,,PPN002:1a,\n");
    let import = from_csv(open.clone(), body.as_bytes(), super::super::builtin()).unwrap();
    assert!(import.redistributable);
    let withheld = ImportMetadata {
        redistributable: Some(false),
        ..open
    };
    let import = from_csv(withheld, body.as_bytes(), super::super::builtin()).unwrap();
    assert!(!import.redistributable);
}

#[test]
fn a_json_import_follows_the_same_rules_and_keeps_exact_numbers() {
    let body: MeasureSetJson = serde_json::from_str(
        r#"{"name": "n", "version": "1", "licence": "CC0-1.0", "source": "s",
            "valid_from": "2026-01-01",
            "measures": [{"code": "A", "name": "a", "unit": "u", "proxy_value": 0.1,
                          "outcomes": ["PPN002:1a"]},
                         {"code": "B", "name": "b", "unit": "u", "proxy_value": "1",
                          "attribution": 1.5, "outcomes": ["PPN002:1a"]}]}"#,
    )
    .unwrap();
    let found = codes_at(&from_json(body, super::super::builtin()).unwrap_err());
    assert_eq!(
        found,
        [("/measures/1/attribution".into(), "invalid_fraction".into())]
    );
}
