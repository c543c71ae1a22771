//! How long a text field may be (api.md, "Conventions"): ids and codes 200 characters, names
//! 1,000, descriptions, rationales and notes 20,000, counted in Unicode scalar values as JSON
//! Schema's `maxLength` counts them. Each request field names its limit with
//! `#[serde(deserialize_with = "…")]` and `#[schema(max_length = …)]`, so a field over it is 422
//! `invalid_body` at its pointer and the OpenAPI document says so; any other string of a body is
//! held to the longest limit by the JSON extractor.

use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ArrayItems, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

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

/// States the longest limit in the OpenAPI document wherever a field names none: every string
/// of a schema a request body uses (directly or through references), and every string path or
/// query parameter, gets `maxLength` [`TEXT`] — what the JSON extractor and the URL check enforce.
pub fn document(openapi: &mut OpenApi) {
    let mut pending: Vec<String> = Vec::new();
    for operation in super::url_text::operations(openapi) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter
                && let Some(schema) = &mut parameter.schema
            {
                bound(schema, &mut Vec::new());
            }
        }
        if let Some(RefOr::T(body)) = &mut operation.request_body {
            for content in body.content.values_mut() {
                if let RefOr::T(content) = content
                    && let Some(schema) = &mut content.schema
                {
                    bound(schema, &mut pending);
                }
            }
        }
    }
    let Some(components) = &mut openapi.components else {
        return;
    };
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if done.insert(name.clone())
            && let Some(schema) = components.schemas.get_mut(&name)
        {
            bound(schema, &mut pending);
        }
    }
}

/// Sets `maxLength` on every string schema within `schema` that has none, noting the component
/// schemas it refers to.
fn bound(schema: &mut RefOr<Schema>, refs: &mut Vec<String>) {
    let schema = match schema {
        RefOr::Ref(reference) => {
            if let Some(name) = reference.ref_location.strip_prefix("#/components/schemas/") {
                refs.push(name.to_string());
            }
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(object) => {
            let is_text = match &object.schema_type {
                SchemaType::Type(Type::String) => true,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            if is_text && object.enum_values.is_none() {
                object.max_length.get_or_insert(TEXT);
            }
            for property in object.properties.values_mut() {
                bound(property, refs);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                bound(items, refs);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(|s| bound(s, refs)),
        Schema::AllOf(all) => all.items.iter_mut().for_each(|s| bound(s, refs)),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(|s| bound(s, refs)),
        _ => {}
    }
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
