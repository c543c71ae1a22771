//! `ETag` and `If-Match` (RFC 9110 §13.1.1): the version a response carries, and the versions a
//! conditional write accepts. Our ETags are strong
//! (`"3"`), and `If-Match` uses the strong comparison: a weak tag (`W/"3"`) never matches, nor does a
//! tag we never issued, so either is 412 rather than a write over a change the caller has not seen.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::service::Expected;

/// The request's `If-Match`, as a handler extracts it.
pub struct IfMatch(pub Expected);

impl FromRequest for IfMatch {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(if_match(req))))
    }
}

/// The versions the request's `If-Match` accepts: [`Expected::Any`] without the header or with
/// `*`, else the versions of its strong tags (possibly none, which nothing matches).
fn if_match(request: &HttpRequest) -> Expected {
    let mut headers = request.headers().get_all(header::IF_MATCH).peekable();
    if headers.peek().is_none() {
        return Expected::Any;
    }
    let mut versions = Vec::new();
    for value in headers {
        for tag in value.to_str().unwrap_or_default().split(',').map(str::trim) {
            if tag == "*" {
                return Expected::Any;
            }
            if let Some(version) = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse().ok())
            {
                versions.push(version);
            }
        }
    }
    Expected::OneOf(versions)
}

/// A JSON response with `ETag: "<version>"`.
pub fn with_etag(version: i32, body: &impl Serialize) -> HttpResponse {
    let mut response = HttpResponse::Ok().json(body);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn parse(values: &[&str]) -> Expected {
        let mut request = TestRequest::default();
        for value in values {
            request = request.append_header((header::IF_MATCH, *value));
        }
        if_match(&request.to_http_request())
    }

    #[test]
    fn no_header_or_a_star_accepts_any_version() {
        assert_eq!(parse(&[]), Expected::Any);
        assert_eq!(parse(&["*"]), Expected::Any);
    }

    #[test]
    fn strong_tags_are_listed_and_weak_or_foreign_ones_never_match() {
        assert_eq!(parse(&["\"3\""]), Expected::OneOf(vec![3]));
        assert_eq!(
            parse(&["\"3\", \"5\"", "\"7\""]),
            Expected::OneOf(vec![3, 5, 7])
        );
        assert_eq!(parse(&["W/\"3\""]), Expected::OneOf(vec![]));
        assert_eq!(parse(&["3", "\"abc\""]), Expected::OneOf(vec![]));
        assert!(parse(&["W/\"3\""]).check(3).is_err());
        assert!(parse(&["\"3\""]).check(3).is_ok());
    }
}
