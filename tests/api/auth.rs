//! Every way a bearer token can be wrong is a 401 problem; a valid token without a socval role is 403.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use socval::auth::{Claims, Role};

use crate::common::{Backend, ORG, TEST_SECRET, TestApp, spawn_app, spawn_app_with};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt");

fn claims(roles: &[&str]) -> Claims {
    let now = jsonwebtoken::get_current_timestamp();
    Claims {
        sub: "tester".into(),
        org: ORG.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        aud: "socval".into(),
        iss: "socval".into(),
        iat: Some(now),
        nbf: None,
        exp: now + 300,
    }
}

fn sign(header: Header, claims: &Claims, key: &EncodingKey) -> String {
    encode(&header, claims, key).unwrap()
}

fn hs256(claims: &Claims, secret: &[u8]) -> String {
    sign(
        Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

async fn assert_unauthorized(app: &TestApp, token: &str, reason: &str) {
    let response = app.get_as("/v1/whoami", token).await;
    assert_eq!(response.status(), 401, "{reason}");
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"),
        "{reason}"
    );
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{reason}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "https://socval.dev/problems/unauthorized");
    assert!(
        body["detail"].as_str().unwrap().contains(reason),
        "expected `{reason}` in {body}"
    );
}

async fn sqlite_app() -> TestApp {
    spawn_app(Backend::Sqlite).await.unwrap()
}

#[tokio::test]
async fn whoami_returns_the_principal_of_a_valid_token() {
    let app = sqlite_app().await;
    let response = app
        .get_as("/v1/whoami", &app.token(&[Role::Platform, Role::Auditor]))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"sub": "tester", "org": ORG, "roles": ["platform", "auditor"]})
    );
}

#[tokio::test]
async fn a_request_without_a_token_is_unauthorized() {
    let app = sqlite_app().await;
    let response = app.get("/v1/whoami").await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn a_non_bearer_authorization_header_is_unauthorized() {
    let app = sqlite_app().await;
    let response = app
        .client
        .get(app.url("/v1/whoami"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_malformed_token_is_unauthorized() {
    let app = sqlite_app().await;
    assert_unauthorized(&app, "not-a-jwt", "well-formed").await;
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_unauthorized() {
    let app = sqlite_app().await;
    let forged = hs256(
        &claims(&["admin"]),
        b"some-other-secret-of-at-least-32-bytes!",
    );
    assert_unauthorized(&app, &forged, "signature").await;
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_unauthorized() {
    let app = sqlite_app().await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(&["admin"])).unwrap());
    assert_unauthorized(&app, &format!("{header}.{payload}."), "well-formed").await;
}

#[tokio::test]
async fn a_tampered_payload_is_unauthorized() {
    let app = sqlite_app().await;
    let genuine = hs256(&claims(&["auditor"]), TEST_SECRET.as_bytes());
    let parts: Vec<&str> = genuine.split('.').collect();
    let escalated = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(&["admin"])).unwrap());
    let tampered = format!("{}.{}.{}", parts[0], escalated, parts[2]);
    assert_unauthorized(&app, &tampered, "signature").await;
}

#[tokio::test]
async fn an_expired_token_is_unauthorized() {
    let app = sqlite_app().await;
    let mut expired = claims(&["platform"]);
    expired.iat = expired.iat.map(|iat| iat - 7200);
    expired.exp = jsonwebtoken::get_current_timestamp() - 3600;
    assert_unauthorized(&app, &hs256(&expired, TEST_SECRET.as_bytes()), "expired").await;
}

const HOUR: u64 = 3600;
const YEAR: u64 = 365 * 24 * HOUR;

#[tokio::test]
async fn a_token_not_valid_yet_is_unauthorized_and_one_within_the_leeway_is_not() {
    let app = sqlite_app().await;
    let now = jsonwebtoken::get_current_timestamp();
    for ahead in [HOUR, 10 * YEAR] {
        let mut early = claims(&["platform"]);
        early.nbf = Some(now + ahead);
        early.exp = now + ahead + 300;
        early.iat = None;
        assert_unauthorized(
            &app,
            &hs256(&early, TEST_SECRET.as_bytes()),
            "not valid yet",
        )
        .await;
    }
    let mut skewed = claims(&["platform"]);
    skewed.nbf = Some(now + 10);
    skewed.iat = Some(now + 10);
    let response = app
        .get_as("/v1/whoami", &hs256(&skewed, TEST_SECRET.as_bytes()))
        .await;
    assert_eq!(
        response.status(),
        200,
        "10 s of clock skew is within the leeway"
    );
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_unauthorized() {
    let app = sqlite_app().await;
    let mut future = claims(&["platform"]);
    future.iat = future.iat.map(|iat| iat + 10 * YEAR);
    future.exp += 10 * YEAR;
    assert_unauthorized(
        &app,
        &hs256(&future, TEST_SECRET.as_bytes()),
        "`iat` is in the future",
    )
    .await;
}

#[tokio::test]
async fn a_token_that_lives_longer_than_the_maximum_is_unauthorized() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.jwt_max_ttl_secs = 2 * HOUR)
        .await
        .unwrap();
    let now = jsonwebtoken::get_current_timestamp();
    let mut century = claims(&["platform"]);
    century.exp = now + 100 * YEAR;
    assert_unauthorized(
        &app,
        &hs256(&century, TEST_SECRET.as_bytes()),
        "lives longer",
    )
    .await;
    // Without `iat`, what remains of its life is what counts.
    century.iat = None;
    assert_unauthorized(
        &app,
        &hs256(&century, TEST_SECRET.as_bytes()),
        "lives longer",
    )
    .await;
    let mut within = claims(&["platform"]);
    within.exp = now + 2 * HOUR;
    let response = app
        .get_as("/v1/whoami", &hs256(&within, TEST_SECRET.as_bytes()))
        .await;
    assert_eq!(response.status(), 200, "exactly the maximum is accepted");
}

#[tokio::test]
async fn a_header_with_critical_extensions_is_unauthorized() {
    let app = sqlite_app().await;
    let mut header = Header::new(Algorithm::HS256);
    header.crit = Some(vec!["x-unknown".into()]);
    let token = sign(
        header,
        &claims(&["platform"]),
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    );
    assert_unauthorized(&app, &token, "`crit`").await;
}

#[tokio::test]
async fn a_token_whose_org_or_subject_holds_a_control_character_is_unauthorized() {
    let app = sqlite_app().await;
    let mut nul = claims(&["platform"]);
    nul.org = "org\u{0}x".into();
    assert_unauthorized(
        &app,
        &hs256(&nul, TEST_SECRET.as_bytes()),
        "control character",
    )
    .await;
    let mut escape = claims(&["platform"]);
    escape.sub = "me\u{1b}[31m".into();
    assert_unauthorized(
        &app,
        &hs256(&escape, TEST_SECRET.as_bytes()),
        "control character",
    )
    .await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_unauthorized() {
    let app = sqlite_app().await;
    let mut other = claims(&["platform"]);
    other.aud = "another-service".into();
    assert_unauthorized(&app, &hs256(&other, TEST_SECRET.as_bytes()), "audience").await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_unauthorized() {
    let app = sqlite_app().await;
    let mut other = claims(&["platform"]);
    other.iss = "https://idp.example".into();
    assert_unauthorized(&app, &hs256(&other, TEST_SECRET.as_bytes()), "issuer").await;
}

#[tokio::test]
async fn a_token_without_exp_is_unauthorized() {
    let app = sqlite_app().await;
    let payload = serde_json::json!({
        "sub": "tester", "org": ORG, "roles": ["platform"], "aud": "socval", "iss": "socval"
    });
    let token = encode(
        &Header::new(Algorithm::HS256),
        &payload,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();
    let response = app.get_as("/v1/whoami", &token).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_valid_token_without_a_socval_role_is_forbidden() {
    let app = sqlite_app().await;
    let token = hs256(&claims(&["superuser"]), TEST_SECRET.as_bytes());
    let response = app.get_as("/v1/whoami", &token).await;
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "https://socval.dev/problems/forbidden");
}

async fn app_with_public_keys(files: &str) -> TestApp {
    let paths = files
        .split(',')
        .map(|f| format!("{FIXTURES}/{f}"))
        .collect::<Vec<_>>()
        .join(",");
    spawn_app_with(Backend::Sqlite, |config| {
        config.jwt_public_keys = Some(paths);
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_against_pem_public_keys() {
    let app = app_with_public_keys("rsa_public.pem,ec_public.pem").await;
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(&fixture("ec_private.pem")).unwrap();
    for token in [
        sign(Header::new(Algorithm::RS256), &claims(&["auditor"]), &rsa),
        sign(Header::new(Algorithm::ES256), &claims(&["auditor"]), &ec),
    ] {
        let response = app.get_as("/v1/whoami", &token).await;
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_rsa_public_key_is_unauthorized() {
    // The algorithm-confusion attack: the public key is public, so it must never act as an HMAC secret.
    let app = app_with_public_keys("rsa_public.pem").await;
    let confused = hs256(&claims(&["admin"]), &fixture("rsa_public.pem"));
    assert_unauthorized(&app, &confused, "signature").await;
}

#[tokio::test]
async fn an_rs256_token_is_refused_when_no_rsa_key_is_configured() {
    let app = sqlite_app().await;
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
    let token = sign(Header::new(Algorithm::RS256), &claims(&["auditor"]), &rsa);
    assert_unauthorized(&app, &token, "not accepted").await;
}

#[tokio::test]
async fn jwks_keys_are_selected_by_kid() {
    let app = app_with_public_keys("jwks.json").await;
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa_private.pem")).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let response = app
        .get_as(
            "/v1/whoami",
            &sign(header.clone(), &claims(&["auditor"]), &rsa),
        )
        .await;
    assert_eq!(response.status(), 200);

    header.kid = Some("retired-key".into());
    assert_unauthorized(
        &app,
        &sign(header, &claims(&["auditor"]), &rsa),
        "not accepted",
    )
    .await;
}
