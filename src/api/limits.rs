//! How long a text field may be (api.md, "Conventions"): ids and codes 200 characters, names
//! 1,000, descriptions, rationales and notes 20,000, counted in Unicode scalar values as JSON
//! Schema's `maxLength` counts them. Each request field names its limit with
//! `#[serde(deserialize_with = "…")]` and `#[schema(max_length = …)]`, so a field over it is 422
//! `invalid_body` at its pointer and the OpenAPI document says so; any other string of a body is
//! held to the longest limit by the JSON extractor.

use serde::{Deserialize, Deserializer};

/// The longest any string of a body may be (descriptions, rationales, notes, reasons).
pub const TEXT: usize = 20_000;

/// A string of at most `N` characters.
pub fn bounded<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    within::<D::Error>(text, N)
}

/// An optional string of at most `N` characters (with `#[serde(default)]`).
pub fn optional<'de, D: Deserializer<'de>, const N: usize>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| within::<D::Error>(text, N))
        .transpose()
}

/// A nullable string of a PATCH, told apart from an absent one (with `#[serde(default)]`).
pub fn present<'de, D: Deserializer<'de>, const N: usize>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    optional::<D, N>(d).map(Some)
}

fn within<E: serde::de::Error>(text: String, limit: usize) -> Result<String, E> {
    let length = text.chars().count();
    if length > limit {
        Err(E::custom(format!(
            "at most {limit} characters (this one has {length})"
        )))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "bounded::<_, 3>")]
        code: String,
        #[serde(default, deserialize_with = "optional::<_, 3>")]
        unit: Option<String>,
    }

    #[test]
    fn a_string_is_held_to_its_limit_in_characters() {
        let ok: Probe = serde_json::from_str(r#"{"code": "£€✓", "unit": null}"#).unwrap();
        assert_eq!(
            (ok.code.as_str(), ok.unit),
            ("£€✓", None),
            "3 characters, 8 bytes"
        );
        let error = serde_json::from_str::<Probe>(r#"{"code": "abcd"}"#)
            .err()
            .unwrap();
        assert!(
            error
                .to_string()
                .contains("at most 3 characters (this one has 4)"),
            "{error}"
        );
        assert!(serde_json::from_str::<Probe>(r#"{"code": "a", "unit": "abcd"}"#).is_err());
    }
}
