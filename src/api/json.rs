//! The JSON body extractor of the API: content type checked (415), size capped (413), time to
//! arrive capped (408), syntax errors 400 (including invalid UTF-8 and nesting deeper than
//! serde_json's recursion limit of 128), and shape errors 422 `invalid_body` with the JSON Pointer
//! of the offending field.

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::AppState;
use super::limits::TEXT;
use crate::api::problem::ApiError;

/// A request body parsed from JSON, with the bytes it came from (what an `Idempotency-Key`
/// compares). Unknown fields are refused by the target types (`deny_unknown_fields`), so a typo
/// never passes silently.
pub struct Json<T>(pub T, pub web::Bytes);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1024 * 1024, |s| s.max_body_bytes);
        let request = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            read_json(&request, payload, limit)
                .await
                .map(|(value, body)| Json(value, body))
        })
    }
}

/// Reads and parses a JSON body with an explicit size limit (for handlers whose limit differs
/// from the default), returning the value and the bytes it came from.
pub async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<(T, web::Bytes), ApiError> {
    check_content_type(req)?;
    let body = read_body(req, payload, limit).await?.freeze();
    parse(&body).map(|value| (value, body))
}

/// What can be refused before a JSON body is read: its content type (415) and a declared length
/// over `limit` (413). Returns the declared length, if any.
pub fn check_before_reading(req: &HttpRequest, limit: usize) -> Result<Option<usize>, ApiError> {
    check_content_type(req)?;
    check_declared_length(req, limit)
}

/// Reads a whole body, refusing it (413) as soon as it is known to exceed `limit`, and (408) when
/// it has not all arrived within `SOCVAL_REQUEST_TIMEOUT_MS`.
pub async fn read_body(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let declared = check_declared_length(req, limit)?.unwrap_or(0);
    // actix times out a request's headers only: a client that trickles its body (or stops
    // sending it) would otherwise hold the connection and a growing buffer for ever.
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(30), |s| s.request_timeout);
    // Sized by the declared length (checked against the limit above): a body grown by doubling
    // holds up to three times its size while it is copied, and a preview's body can be tens of
    // megabytes.
    actix_web::rt::time::timeout(timeout, collect(payload, limit, declared))
        .await
        .map_err(|_| ApiError::RequestTimeout { limit: timeout })?
}

async fn collect(
    mut payload: Payload,
    limit: usize,
    declared: usize,
) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::with_capacity(declared);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("reading the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let content_type = req.content_type().to_ascii_lowercase();
    if content_type == "application/json" || content_type.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        })
    }
}

/// The declared length, if any, refused (413) when over `limit`.
fn check_declared_length(req: &HttpRequest, limit: usize) -> Result<Option<usize>, ApiError> {
    match req.get_header::<actix_web::http::header::ContentLength>() {
        Some(length) if length.0 > limit => Err(ApiError::PayloadTooLarge { limit }),
        length => Ok(length.map(|length| length.0)),
    }
}

/// Parses `bytes` as a `T`, telling malformed JSON (400) from JSON of the wrong shape (422).
///
/// A body that parses takes the direct path; only a failure is parsed again with its path tracked
/// for the pointer (tracking copies every key it reads).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    refuse_bad_text(bytes)?;
    serde_json::from_slice(bytes).or_else(|_| parse_tracked(bytes))
}

/// 422 `invalid_body` at the string (value or key) that holds a refused control character
/// ([`crate::text`]) or is longer than any field allows ([`super::limits::TEXT`]; fields with
/// tighter limits check their own). JSON carries a control character only as an escape
/// (`\u0000`, `\b`, `\f`: a raw one is a syntax error), and a body no longer than the limit holds
/// no string over it, so a scan clears almost every body without parsing it; only a suspect body
/// is parsed to find the pointer.
fn refuse_bad_text(bytes: &[u8]) -> Result<(), ApiError> {
    if !escapes_a_refused_control(bytes) && !may_hold_a_string_longer_than(bytes, TEXT) {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // malformed: the parse that follows says where
    };
    match bad_string(&value, String::new()) {
        Some((pointer, problem)) => Err(ApiError::invalid_body(pointer, problem)),
        None => Ok(()),
    }
}

/// Whether some run of bytes between quotes is longer than `limit` (an upper bound of the
/// characters of a string: escapes and multi-byte characters take several bytes).
fn may_hold_a_string_longer_than(bytes: &[u8], limit: usize) -> bool {
    if bytes.len() <= limit {
        return false;
    }
    let mut quotes = memchr::memchr_iter(b'"', bytes);
    let mut opened = None;
    for at in quotes.by_ref() {
        match opened.take() {
            None => opened = Some(at),
            Some(start) if at - start > limit => return true,
            // A quote after an odd run of backslashes is escaped: the string goes on.
            Some(start) if escaped(bytes, at) => opened = Some(start),
            Some(_) => {}
        }
    }
    false
}

fn escapes_a_refused_control(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        let escape = rest.get(at + 1..).unwrap_or_default();
        match escape.first() {
            Some(b'b' | b'f') => return true,
            Some(b'u') => {
                let code = escape
                    .get(1..5)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                if code
                    .and_then(char::from_u32)
                    .is_some_and(crate::text::is_refused)
                {
                    return true;
                }
            }
            _ => {}
        }
        // Skip the backslash and the character it escapes (`\\` is one escape, not two).
        rest = escape.get(1..).unwrap_or_default();
    }
    false
}

fn escaped(bytes: &[u8], at: usize) -> bool {
    let before = bytes.get(..at).unwrap_or_default();
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The pointer of the first string in `value` (or object key) with a refused control character
/// or over the longest limit, and what is wrong with it.
fn bad_string(value: &serde_json::Value, pointer: String) -> Option<(String, String)> {
    use serde_json::Value;
    let problem = |text: &str| {
        if let Some(c) = crate::text::refused_control(text) {
            return Some(crate::text::describe(c));
        }
        let length = text.chars().count();
        (length > TEXT).then(|| format!("at most {TEXT} characters (this one has {length})"))
    };
    match value {
        Value::String(text) => problem(text).map(|p| (pointer, p)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| bad_string(item, format!("{pointer}/{i}"))),
        Value::Object(members) => members.iter().find_map(|(key, item)| {
            let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            match problem(key) {
                Some(p) => Some((here, p)),
                None => bad_string(item, here),
            }
        }),
        _ => None,
    }
}

fn parse_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let pointer = pointer_of(error.path());
        let inner = error.into_inner();
        match inner.classify() {
            Category::Data => {
                let field = field_named_by(&inner.to_string());
                let pointer = if pointer.ends_with(&field) {
                    pointer
                } else {
                    pointer + &field
                };
                ApiError::invalid_body(pointer, inner.to_string())
            }
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::BadRequest(format!("the body is not valid JSON: {inner}"))
            }
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// `/field` when serde's message names a missing or unknown field (its path ends at the object
/// that lacks or holds it): the pointer is the field's own (scoring.md, "Version 1.1"), e.g.
/// `/bids/1/price`. Empty otherwise.
fn field_named_by(message: &str) -> String {
    ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| format!("/{}", field.replace('~', "~0").replace('/', "~1")))
        .unwrap_or_default()
}

/// RFC 6901 pointer of a serde path (`scheme.criteria[2].weight` → `/scheme/criteria/2/weight`).
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => Some(variant.replace('~', "~0").replace('/', "~1")),
            Segment::Unknown => None,
        })
        .fold(String::new(), |pointer, token| pointer + "/" + &token)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(rename = "items")]
        _items: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(rename = "weight")]
        _weight: u32,
    }

    fn field_error(body: &str) -> (String, String) {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::Validation { errors, .. }) => {
                (errors[0].pointer.clone(), errors[0].code.to_string())
            }
            other => unexpected(other),
        }
    }

    fn unexpected(other: Result<Outer, ApiError>) -> (String, String) {
        (format!("{other:?}"), String::new())
    }

    #[test]
    fn a_wrong_type_points_at_the_field() {
        let (pointer, code) = field_error(r#"{"items": [{"weight": 1}, {"weight": "x"}]}"#);
        assert_eq!(pointer, "/items/1/weight");
        assert_eq!(code, "invalid_body");
    }

    #[test]
    fn an_unknown_field_is_named() {
        let (pointer, code) = field_error(r#"{"items": [{"weight": 1, "wieght": 2}]}"#);
        assert_eq!(pointer, "/items/0/wieght");
        assert_eq!(code, "invalid_body");
    }

    #[test]
    fn a_missing_field_is_invalid_body_at_the_field() {
        let (pointer, code) = field_error(r#"{"items": [{"weight": 1}, {}]}"#);
        assert_eq!(pointer, "/items/1/weight");
        assert_eq!(code, "invalid_body");
    }

    #[test]
    fn malformed_json_and_trailing_garbage_are_bad_requests() {
        assert!(matches!(
            parse::<Outer>(br#"{"items": [}"#),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Outer>(br#"{"items": []} extra"#),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn a_control_character_in_a_string_or_key_is_refused_at_its_pointer() {
        for (body, expected) in [
            (r#"{"items": [{"weight": 1}], "note": "a\u0000b"}"#, "/note"),
            (
                r#"{"items": [{"weight": 1, "x": ["ok", "\u001B"]}]}"#,
                "/items/0/x/1",
            ),
            (r#"{"items": [], "ke\by": 1}"#, "/ke\u{8}y"),
            (r#"{"items": [], "a": "form\ffeed"}"#, "/a"),
        ] {
            let (pointer, code) = field_error(body);
            assert_eq!(
                (pointer.as_str(), code.as_str()),
                (expected, "invalid_body"),
                "{body}"
            );
        }
    }

    #[test]
    fn tab_lf_cr_and_an_escaped_backslash_before_u0000_are_text() {
        for body in [
            r#"{"items": [{"weight": 1}], "a": "tab\there\r\n"}"#,
            r#"{"items": [{"weight": 1}], "a": "not a NUL: \\u0000"}"#,
            r#"{"items": [{"weight": 1}], "a": "\u00e9\u2713"}"#,
        ] {
            let (pointer, _) = field_error(body);
            assert_eq!(
                pointer, "/a",
                "{body}: reaches the unknown-field check, not a refusal"
            );
        }
    }

    #[test]
    fn a_string_longer_than_any_field_allows_is_refused_at_its_pointer() {
        let long = "x".repeat(TEXT + 1);
        let (pointer, code) = field_error(&format!(
            r#"{{"items": [{{"weight": 1}}], "note": "{long}"}}"#
        ));
        assert_eq!((pointer.as_str(), code.as_str()), ("/note", "invalid_body"));
        let escaped = "\\\"".repeat(TEXT / 2);
        let (pointer, _) = field_error(&format!(
            r#"{{"items": [{{"weight": 1}}], "a": "{escaped}"}}"#
        ));
        assert_eq!(
            pointer,
            "/a",
            "{} characters, within the limit: reaches the field check",
            TEXT / 2
        );
        assert!(!may_hold_a_string_longer_than(b"{\"a\": \"short\"}", 3 + 5));
        // An escaped backslash before a closing quote does not hide the long string after it.
        let tricky = format!(r#"{{"a": "x\\", "b": "{}"}}"#, "y".repeat(50));
        assert!(may_hold_a_string_longer_than(tricky.as_bytes(), 40));
        assert!(!may_hold_a_string_longer_than(tricky.as_bytes(), 60));
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        let (pointer, _) = field_error(r#"{"items": [], "a/b~c": 1}"#);
        assert_eq!(pointer, "/a~1b~0c");
    }
}
