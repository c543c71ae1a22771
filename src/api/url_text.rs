//! Path segments and query parameters are text like any other ([`crate::text`]): one with a
//! refused control character (`%00`, `%1B`, …) is 400 problem+json naming the parameter, before
//! any handler runs, so no route can pass one to the database and both backends answer alike.

use std::borrow::Cow;

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

use crate::api::problem::ApiError;

pub async fn refuse_control_characters_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refusal = path_refusal(req.path(), req.match_pattern().as_deref())
        .or_else(|| query_refusal(req.query_string()));
    match refusal {
        Some(detail) => {
            let response = ApiError::BadRequest(detail).error_response();
            Ok(req.into_response(response))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// Names the path parameter (by the route's pattern, e.g. `lot` of `/v1/tenders/{id}/lots/{lot}`)
/// or, where no route matches, the segment's position.
fn path_refusal(path: &str, pattern: Option<&str>) -> Option<String> {
    let names: Vec<&str> = pattern.map_or_else(Vec::new, |p| p.split('/').collect());
    path.split('/').enumerate().find_map(|(i, segment)| {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        let problem = text_problem(&decoded)?;
        let name = names
            .get(i)
            .and_then(|n| n.strip_prefix('{'))
            .and_then(|n| n.strip_suffix('}'))
            .map_or_else(
                || format!("path segment {i}"),
                |n| format!("path parameter `{n}`"),
            );
        Some(format!("the {name} {problem}"))
    })
}

fn query_refusal(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        let (what, problem) = match text_problem(&name) {
            Some(problem) => ("the name of query parameter", problem),
            None => ("query parameter", text_problem(&value)?),
        };
        let name: Cow<'_, str> = name
            .chars()
            .filter(|&c| !crate::text::is_refused(c))
            .collect();
        Some(format!("{what} `{name}` {problem}"))
    })
}

/// What is wrong with a path segment or query value, if anything: a refused control character, or
/// more characters than any text may have.
fn text_problem(text: &str) -> Option<String> {
    if let Some(c) = crate::text::refused_control(text) {
        return Some(crate::text::describe(c));
    }
    let length = text.chars().count();
    (length > super::limits::TEXT).then(|| {
        format!(
            "holds {length} characters, at most {} allowed",
            super::limits::TEXT
        )
    })
}

/// The rule as JSON Schema (ECMA-262): any text without a refused control character.
const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$";

/// Documents the rule in the OpenAPI document: each string path or query parameter carries
/// [`TEXT_PATTERN`], and each operation that has one documents the 400 its refusal is.
pub fn document(openapi: &mut OpenApi) {
    for operation in operations(openapi) {
        if constrain_text_parameters(operation) {
            let responses = &mut operation.responses.responses;
            responses.entry("400".into()).or_insert_with(refusal);
        }
    }
}

/// The 400 a refused path or query value is.
fn refusal() -> RefOr<utoipa::openapi::Response> {
    let description =
        "A path or query parameter holds a control character, or does not parse as its type.";
    let problem = Content::new(Some(Ref::from_schema_name("Problem")));
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/problem+json", problem)
            .build(),
    )
}

/// Every operation of the document (the methods our routes use).
pub(super) fn operations(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Adds the pattern to the operation's string path and query parameters; whether it had any.
fn constrain_text_parameters(operation: &mut Operation) -> bool {
    let mut constrained = false;
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if !matches!(
            parameter.parameter_in,
            ParameterIn::Path | ParameterIn::Query
        ) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(schema))) = &mut parameter.schema
            && is_text(&schema.schema_type)
        {
            schema.pattern.get_or_insert_with(|| TEXT_PATTERN.into());
            constrained = true;
        }
    }
    constrained
}

fn is_text(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_path_parameter_is_named_by_the_routes_pattern() {
        let detail = path_refusal(
            "/v1/tenders/t1/lots/a%00b",
            Some("/v1/tenders/{id}/lots/{lot}"),
        );
        assert!(
            detail
                .as_deref()
                .is_some_and(|d| d
                    .starts_with("the path parameter `lot` contains the control character U+0000")),
            "{detail:?}"
        );
        assert!(path_refusal("/v1/x%1Fy", None).is_some_and(|d| d.contains("path segment 2")));
        assert_eq!(path_refusal("/v1/tenders/caf%C3%A9%09", None), None);
    }

    #[test]
    fn the_documented_pattern_refuses_exactly_what_the_middleware_refuses() {
        let document = crate::api::openapi();
        let json = serde_json::to_value(&document).unwrap_or_default();
        let lot = &json["paths"]["/v1/tenders/{id}/lots/{lot}"]["get"];
        assert_eq!(lot["parameters"][1]["schema"]["pattern"], TEXT_PATTERN);
        assert!(lot["responses"]["400"].is_object(), "{lot}");
        // The pattern's class, read as the middleware's rule: the same 29 characters.
        let class: Vec<u32> = (0..0x20).filter(|c| ![9, 10, 13].contains(c)).collect();
        let refused: Vec<u32> = (0..0x20u32)
            .filter(|&c| char::from_u32(c).is_some_and(crate::text::is_refused))
            .collect();
        assert_eq!(class, refused);
        assert_eq!(
            TEXT_PATTERN,
            r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F]*$"
        );
    }

    #[test]
    fn a_query_parameter_or_its_name_is_named() {
        assert!(
            query_refusal("limit=5&external_id=x%00")
                .is_some_and(|d| d.starts_with("query parameter `external_id` contains"))
        );
        assert!(
            query_refusal("a%07b=1")
                .is_some_and(|d| d.starts_with("the name of query parameter `ab`"))
        );
        assert_eq!(query_refusal("q=tab%09and+space&r=%0D%0A"), None);
        let long = format!("reason={}", "a".repeat(super::super::limits::TEXT + 1));
        assert!(
            query_refusal(&long).is_some_and(|d| d.contains("at most 20000 allowed")),
            "longer than any text may be"
        );
        assert_eq!(query_refusal(&long[..long.len() - 1]), None);
    }
}
