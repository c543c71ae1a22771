//! What every fuzz target checks of a request body: it is parsed exactly as the API parses it
//! (`socval::api::json::parse`), and a refusal is a client error — 400 for malformed JSON, 422
//! with well-formed JSON Pointers for the wrong shape — never anything a client could not fix.

use serde::Serialize;
use serde::de::DeserializeOwned;
use socval::api::problem::ApiError;

/// The body as the API parses it, or `None` when the API would refuse it (checked to be a 400
/// or a 422).
pub fn parse<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    match socval::api::json::parse::<T>(data) {
        Ok(value) => Some(value),
        Err(ApiError::BadRequest(_)) => None,
        Err(ApiError::Validation { errors, .. }) => {
            assert!(!errors.is_empty(), "a 422 names what is wrong");
            pointers(errors.iter().map(|e| e.pointer.as_str()));
            None
        }
        Err(other) => panic!("a body is refused with 400 or 422, not {other:?}"),
    }
}

/// Every pointer is an RFC 6901 JSON Pointer: empty (the whole body) or starting with `/`.
pub fn pointers<'a>(pointers: impl IntoIterator<Item = &'a str>) {
    for pointer in pointers {
        assert!(
            pointer.is_empty() || pointer.starts_with('/'),
            "not a JSON Pointer: {pointer:?}"
        );
    }
}

/// Serialises `value` as a response would be, and checks that the bytes are JSON.
pub fn serialise<T: Serialize>(value: &T) {
    let bytes = serde_json::to_vec(value).expect("a response serialises");
    serde_json::from_slice::<serde_json::Value>(&bytes).expect("a response is valid JSON");
}
