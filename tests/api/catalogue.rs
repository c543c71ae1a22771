//! Frameworks, measure sets and their import, over HTTP on both backends.

use serde_json::{Value, json};
use socval::auth::Role;

use crate::common::TestApp;
use crate::on_both_backends;

const HEADER: &str =
    "code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description";
const SAMPLE_CSV: &str = include_str!("../../docs/samples/measure-set.csv");

async fn import_csv(app: &TestApp, token: &str, query: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/measure-sets?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

const TOMS_QUERY: &str = "name=Essex%20TOMs&version=2026.1&licence=CC-BY-NC-ND-4.0&source=licensed&valid_from=2026-04-01";

/// The body of a JSON response, once its status is checked.
pub async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(actual, status, "{body}");
    body
}

on_both_backends! {
    async fn frameworks_list_both_models_and_show_their_hierarchy_and_rules(app: TestApp) {
        let token = app.token(&[Role::Auditor]);
        let list = json_of(app.get_as("/v1/frameworks", &token).await, 200).await;
        let codes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["PPN06-20", "PPN002"]);

        let ppn0620 = json_of(app.get_as("/v1/frameworks/PPN06-20", &token).await, 200).await;
        assert_eq!(ppn0620["groups"].as_array().unwrap().len(), 5, "five themes");
        assert_eq!(ppn0620["outcomes"].as_array().unwrap().len(), 8, "eight policy outcomes");
        let criteria: Vec<&Value> = ppn0620["outcomes"].as_array().unwrap().iter()
            .flat_map(|o| o["award_criteria"].as_array().unwrap()).collect();
        let mac21 = criteria.iter().find(|c| c["code"] == "PPN06-20:MAC2.1").unwrap();
        assert_eq!(mac21["confirmed"], true);
        assert!(criteria.iter().filter(|c| c["confirmed"] == false).count() > 10, "reconstructed wording is marked");
        assert!(ppn0620["licence"]["name"].as_str().unwrap().contains("Open Government Licence"));
        assert!(!ppn0620["weighting_rules"].as_array().unwrap().is_empty());

        let missing = app.get_as("/v1/frameworks/PPN99", &token).await;
        assert_eq!(missing.status(), 404);
    }

    async fn the_crosswalk_lists_the_measures_of_an_outcome(app: TestApp) {
        let token = app.token(&[Role::Platform]);
        let short = json_of(app.get_as("/v1/frameworks/PPN06-20/outcomes/MAC2.2/measures", &token).await, 200).await;
        let full = json_of(app.get_as("/v1/frameworks/PPN06-20/outcomes/PPN06-20:MAC2.2/measures", &token).await, 200).await;
        assert_eq!(short, full);
        assert_eq!(short["outcome"], "PPN06-20:MAC2.2");
        assert_eq!(short["measure_set"]["id"], "socval-sample");
        let items = short["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(items.iter().all(|m| m["outcomes"].as_array().unwrap().iter().any(|o| o == "PPN06-20:MAC2.2")));

        // An outcome of another framework, or none at all, is not found here.
        assert_eq!(app.get_as("/v1/frameworks/PPN06-20/outcomes/PPN002:1a/measures", &token).await.status(), 404);
        assert_eq!(app.get_as("/v1/frameworks/PPN06-20/outcomes/MAC9.9/measures", &token).await.status(), 404);
    }

    async fn an_admin_imports_a_csv_set_that_is_then_listed_paged_and_crosswalked(app: TestApp) {
        let admin = app.token(&[Role::Admin]);
        let response = import_csv(&app, &admin, TOMS_QUERY, SAMPLE_CSV).await;
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let created = json_of(response, 201).await;
        assert_eq!(created["measure_count"], 4);
        assert_eq!(created["redistributable"], false);
        assert_eq!(location, format!("/v1/measure-sets/{}", created["id"].as_str().unwrap()));

        let list = json_of(app.get_as("/v1/measure-sets", &admin).await, 200).await;
        assert_eq!(list["items"][0]["id"], "socval-sample");
        assert_eq!(list["items"][1]["id"], created["id"]);

        // Two measures a page, followed by cursor to the end.
        let mut codes = Vec::new();
        let mut path = format!("{location}?limit=2");
        loop {
            let page = json_of(app.get_as(&path, &admin).await, 200).await;
            codes.extend(page["items"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_string()));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("{location}?limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(codes, ["LOC-JOBS", "LOC-APPR", "LOC-SME", "LOC-CO2"]);

        let first = json_of(app.get_as(&format!("{location}?limit=1"), &admin).await, 200).await;
        let jobs = &first["items"][0];
        assert_eq!(jobs["proxy_value"], "24500");
        assert_eq!(jobs["deadweight"], "0.2");
        assert_eq!(jobs["outcomes"], json!(["PPN06-20:MAC2.2", "PPN002:1a"]));

        let id = created["id"].as_str().unwrap();
        let crosswalk = json_of(
            app.get_as(&format!("/v1/frameworks/PPN002/outcomes/O1/measures?measure_set={id}"), &admin).await,
            200,
        ).await;
        assert_eq!(crosswalk["items"][0]["code"], "LOC-JOBS", "PPN002:1a serves outcome O1: {crosswalk}");

        let again = json_of(import_csv(&app, &admin, TOMS_QUERY, SAMPLE_CSV).await, 409).await;
        assert_eq!(again["code"], "measure_set_exists");
    }

    async fn only_an_admin_may_import(app: TestApp) {
        for role in [Role::Platform, Role::Commercial, Role::Auditor, Role::Evaluator] {
            let response = import_csv(&app, &app.token(&[role]), TOMS_QUERY, SAMPLE_CSV).await;
            assert_eq!(response.status(), 403, "{role:?}");
        }
        let response = app.client.post(app.url("/v1/measure-sets")).body(SAMPLE_CSV).send().await.unwrap();
        assert_eq!(response.status(), 401);
    }

    async fn proxy_values_of_a_licensed_set_are_shown_to_the_importing_org_only(app: TestApp) {
        let created = json_of(import_csv(&app, &app.token(&[Role::Admin]), TOMS_QUERY, SAMPLE_CSV).await, 201).await;
        let path = format!("/v1/measure-sets/{}", created["id"].as_str().unwrap());

        let own = json_of(app.get_as(&path, &app.token(&[Role::Commercial])).await, 200).await;
        assert_eq!(own["measure_set"]["values_visible"], true);
        assert_eq!(own["items"][0]["proxy_value"], "24500");

        let other = json_of(app.get_as(&path, &app.token_for("another-buyer", &[Role::Commercial])).await, 200).await;
        assert_eq!(other["measure_set"]["values_visible"], false);
        assert!(other["items"].as_array().unwrap().iter().all(|m| m["proxy_value"].is_null()), "{other}");
        assert_eq!(other["items"][0]["code"], "LOC-JOBS", "the measures themselves are listed");

        // An openly licensed set is shown to everyone.
        let open_query = "name=Open&version=1&licence=OGL-UK-3.0&source=gov.uk&valid_from=2026-01-01";
        let open = json_of(import_csv(&app, &app.token(&[Role::Admin]), open_query, SAMPLE_CSV).await, 201).await;
        let other_view = json_of(
            app.get_as(&format!("/v1/measure-sets/{}", open["id"].as_str().unwrap()), &app.token_for("another-buyer", &[Role::Auditor])).await,
            200,
        ).await;
        assert_eq!(other_view["items"][0]["proxy_value"], "24500");
    }

    async fn a_bad_file_is_refused_whole_with_every_bad_row_and_column(app: TestApp) {
        let admin = app.token(&[Role::Admin]);
        let body = format!(
            "{HEADER}\nA,ok,u,1,,,,PPN002:1a,\nB,x,u,lots,,,,PPN002:1a,\nC,x,u,-1,1.5,,,PPN002:1a,\nA,x,u,1,,,,NOPE:1,\n"
        );
        let problem = json_of(import_csv(&app, &admin, TOMS_QUERY, &body).await, 422).await;
        let found: Vec<(String, String)> = problem["errors"].as_array().unwrap().iter()
            .map(|e| (e["pointer"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
            .collect();
        for (pointer, code) in [
            ("/measures/1/proxy_value", "invalid_decimal"),
            ("/measures/2/proxy_value", "negative_value"),
            ("/measures/2/deadweight", "invalid_fraction"),
            ("/measures/3/code", "duplicate_measure_code"),
            ("/measures/3/outcomes", "unknown_outcome"),
        ] {
            assert!(found.contains(&(pointer.into(), code.into())), "missing {pointer} {code}: {found:?}");
        }

        let wrong_columns = json_of(import_csv(&app, &admin, TOMS_QUERY, "code,name,price\nA,a,1\n").await, 422).await;
        assert!(wrong_columns["errors"].as_array().unwrap().iter().any(|e| e["code"] == "unknown_column"));

        let no_metadata = json_of(import_csv(&app, &admin, "", SAMPLE_CSV).await, 422).await;
        assert_eq!(no_metadata["errors"].as_array().unwrap().len(), 5, "{no_metadata}");

        let list = json_of(app.get_as("/v1/measure-sets", &admin).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing partial was stored: {list}");
    }

    async fn a_bom_crlf_and_quoted_commas_import_as_written(app: TestApp) {
        let body = format!("\u{feff}{HEADER}\r\nQ1,\"Jobs, local\",FTE,100,,,,\"PPN002:1a;PPN06-20:MAC2.2\",\"a, b\"\r\n");
        let created = json_of(import_csv(&app, &app.token(&[Role::Admin]), TOMS_QUERY, &body).await, 201).await;
        let page = json_of(
            app.get_as(&format!("/v1/measure-sets/{}", created["id"].as_str().unwrap()), &app.token(&[Role::Admin])).await,
            200,
        ).await;
        assert_eq!(page["items"][0]["code"], "Q1");
        assert_eq!(page["items"][0]["name"], "Jobs, local");
        assert_eq!(page["items"][0]["description"], "a, b");
    }

    async fn a_json_import_keeps_exact_decimals(app: TestApp) {
        let body = json!({
            "name": "JSON set", "version": "1", "licence": "CC0-1.0", "source": "test", "valid_from": "2026-01-01",
            "measures": [{"code": "P", "name": "p", "unit": "£", "proxy_value": 0.1, "outcomes": ["PPN002:1a"]}]
        });
        let response = app.client.post(app.url("/v1/measure-sets")).bearer_auth(app.token(&[Role::Admin]))
            .json(&body).send().await.unwrap();
        let created = json_of(response, 201).await;
        assert_eq!(created["redistributable"], true);
        let page = json_of(
            app.get_as(&format!("/v1/measure-sets/{}", created["id"].as_str().unwrap()), &app.token(&[Role::Admin])).await,
            200,
        ).await;
        assert_eq!(page["items"][0]["proxy_value"], "0.1");
    }

    async fn an_import_writes_its_audit_event_in_the_chain(app: TestApp) {
        use diesel::prelude::*;
        use socval::db::schema::audit_events::dsl as audit;
        use socval::service::audit::GENESIS_HASH;

        let created = json_of(import_csv(&app, &app.token(&[Role::Admin]), TOMS_QUERY, SAMPLE_CSV).await, 201).await;
        json_of(import_csv(&app, &app.token(&[Role::Admin]), "name=Second&version=1&licence=x&source=s&valid_from=2026-01-01", SAMPLE_CSV).await, 201).await;
        app.chained().await;

        let mut conn = socval::db::ConnectionManager::new(app.database_url().clone(), 1000).connect_now().unwrap();
        let events: Vec<(String, String, String, String, String)> = audit::audit_events
            .order(audit::seq)
            .select((audit::org_id, audit::action, audit::entity_id, audit::prev_hash, audit::hash))
            .load(&mut conn)
            .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].0, crate::common::ORG);
        assert_eq!(events[0].1, "import");
        assert_eq!(events[0].2, created["id"].as_str().unwrap());
        assert_eq!(events[0].3, GENESIS_HASH);
        assert_eq!(events[1].3, events[0].4, "each event chains onto the previous one");
    }

    async fn free_text_commitments_get_ranked_measure_suggestions(app: TestApp) {
        let token = app.token(&[Role::Commercial]);
        let suggest = |body: Value| {
            app.client.post(app.url("/v1/mapping/suggest")).bearer_auth(&token).json(&body).send()
        };
        let carbon = json_of(suggest(json!({"text": "We will cut carbon emissions by 40 tonnes a year", "limit": 3})).await.unwrap(), 200).await;
        assert_eq!(carbon["measure_set"], "socval-sample");
        assert_eq!(carbon["items"][0]["code"], "SVS-CARBON-SAVED");
        assert!(carbon["items"][0]["score"].is_string(), "scores are decimals as strings");
        assert_eq!(carbon["items"][0]["matched_terms"], json!(["cut", "carbon", "emissions", "tonnes"]));
        assert!(carbon["items"].as_array().unwrap().len() <= 3);

        let framework = json_of(suggest(json!({"text": "spend with local small businesses", "framework": "PPN002"})).await.unwrap(), 200).await;
        assert!(framework["items"].as_array().unwrap().iter()
            .all(|i| i["outcomes"].as_array().unwrap().iter().all(|o| o.as_str().unwrap().starts_with("PPN002:"))), "{framework}");

        let nothing = json_of(suggest(json!({"text": "the and of"})).await.unwrap(), 200).await;
        assert_eq!(nothing["items"], json!([]));

        let bad = json_of(suggest(json!({"text": " ", "framework": "PPN99", "limit": 50})).await.unwrap(), 422).await;
        let pointers: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert_eq!(pointers, ["/text", "/framework", "/limit"]);

        // An imported set is searched by its own wording.
        let created = json_of(import_csv(&app, &app.token(&[Role::Admin]), TOMS_QUERY, SAMPLE_CSV).await, 201).await;
        let imported = json_of(
            suggest(json!({"text": "weeks of apprenticeship on an approved standard", "measure_set": created["id"]})).await.unwrap(),
            200,
        ).await;
        assert_eq!(imported["items"][0]["code"], "LOC-APPR");
        let missing = suggest(json!({"text": "jobs", "measure_set": "no-such-set"})).await.unwrap();
        assert_eq!(missing.status(), 404);
    }

    async fn limits_and_cursors_are_checked(app: TestApp) {
        let token = app.token(&[Role::Auditor]);
        assert_eq!(app.get_as("/v1/measure-sets?limit=501", &token).await.status(), 422);
        assert_eq!(app.get_as("/v1/measure-sets?limit=0", &token).await.status(), 422);
        assert_eq!(app.get_as("/v1/measure-sets/socval-sample?cursor=%%%", &token).await.status(), 422);
        assert_eq!(app.get_as("/v1/measure-sets/no-such-set", &token).await.status(), 404);
    }
}
