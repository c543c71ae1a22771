//! Cursor pagination (api.md): `?limit=50&cursor=…` → `{items, next_cursor}`. Cursors are opaque
//! to callers (base64url of the last item's sort key), stable under concurrent inserts.

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
