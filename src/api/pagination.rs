//! Cursor pagination (api.md): `?limit=50&cursor=…` → `{items, next_cursor}`. Cursors are opaque
//! to callers (base64url of the last item's sort key), stable under concurrent inserts.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::{ApiError, FieldError};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.limit.unwrap_or(DEFAULT_LIMIT) {
            limit @ 1..=MAX_LIMIT => Ok(limit),
            other => Err(invalid_query(
                "/limit",
                format!("limit {other} is not within 1..={MAX_LIMIT}"),
            )),
        }
    }

    /// The sort key the page starts after, as the cursor recorded it.
    pub fn after(&self) -> Result<Option<String>, ApiError> {
        self.cursor
            .as_deref()
            .map(|cursor| {
                URL_SAFE_NO_PAD
                    .decode(cursor)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(bad_cursor)
            })
            .transpose()
    }

    /// [`Self::after`] for lists keyed by a number (a position, a sequence number).
    pub fn after_number(&self) -> Result<Option<i64>, ApiError> {
        self.after()?
            .map(|key| key.parse().map_err(|_| bad_cursor()))
            .transpose()
    }
}

/// The cursor that resumes after `key`.
pub fn cursor_after(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of `rows` fetched in order with a limit of `limit + 1`: the extra row only tells
    /// that another page follows, which resumes after the last row kept (`key`).
    pub fn from_rows<R>(
        rows: Vec<R>,
        limit: usize,
        key: impl Fn(&R) -> String,
        view: impl FnMut(R) -> T,
    ) -> Self {
        let more = rows.len() > limit;
        let kept: Vec<R> = rows.into_iter().take(limit).collect();
        let next_cursor = kept
            .last()
            .filter(|_| more)
            .map(|last| cursor_after(&key(last)));
        Self {
            items: kept.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

/// Paging for the lists that were bare JSON arrays before `/v1` had pages (evaluations,
/// evaluators, marks): they stay arrays, whole by default, so no client of theirs changes; with
/// `limit` an answer holds at most that many, and `Link: <…>; rel="next"` (RFC 8288) says where
/// the rest begins.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrayPageParams {
    /// Items per answer, 1 to 500; without it, the whole list.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `cursor` of the previous answer's `Link: <…>; rel="next"`.
    pub cursor: Option<String>,
}

/// `ArrayPageParams` as a handler extracts them, with the path its `Link` points back to.
pub struct ArrayPage {
    params: ArrayPageParams,
    path: String,
}

impl FromRequest for ArrayPage {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Through `web::Query`, so the app's query error handler answers a malformed one.
        let query = web::Query::<ArrayPageParams>::from_request(req, payload).into_inner();
        ready(query.map(|query| Self {
            params: query.into_inner(),
            path: req.path().to_string(),
        }))
    }
}

impl ArrayPage {
    /// `rows` as a JSON array in the order of `key` (a unique key of each row), paged as asked.
    pub fn respond<R, T: Serialize>(
        &self,
        rows: Vec<R>,
        key: impl Fn(&R) -> String,
        view: impl FnMut(R) -> Result<T, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        let pages = PageParams {
            limit: self.params.limit,
            cursor: self.params.cursor.clone(),
        };
        let after = pages.after()?;
        let limit = match self.params.limit {
            Some(_) => pages.limit()? as usize,
            None => usize::MAX,
        };
        let mut rows = rows;
        // Sorted here, by bytes, so a cursor means the same on either backend's collation.
        rows.sort_by_cached_key(|r| key(r));
        if let Some(after) = &after {
            // Resumes after the cursor's row, or after where it stood if it has gone.
            let start = rows
                .iter()
                .position(|r| key(r) > *after)
                .unwrap_or(rows.len());
            rows.drain(..start);
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = rows
            .last()
            .filter(|_| more)
            .map(|last| cursor_after(&key(last)));
        let items = rows
            .into_iter()
            .map(view)
            .collect::<Result<Vec<T>, ApiError>>()?;
        let mut response = HttpResponse::Ok();
        if let (Some(next), Some(limit)) = (next, self.params.limit) {
            let link = format!("<{}?limit={limit}&cursor={next}>; rel=\"next\"", self.path);
            response.insert_header((actix_web::http::header::LINK, link));
        }
        Ok(response.json(items))
    }
}

fn bad_cursor() -> ApiError {
    invalid_query("/cursor", "the cursor is not one this API issued".into())
}

/// A 422 naming the query parameter at fault (`pointer` is `/` and its name).
pub fn invalid_query(pointer: &str, message: String) -> ApiError {
    ApiError::Validation {
        errors: vec![FieldError {
            pointer: pointer.into(),
            code: "invalid_query".into(),
            message,
        }],
        warnings: Vec::new(),
    }
}
