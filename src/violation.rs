//! One broken rule of a request, as every layer below the HTTP edge reports it: where (a JSON
//! Pointer into the request), which rule (a stable code) and why, in words. The edge renders each
//! as an entry of a problem document's `errors`.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl Violation {
    pub fn new(
        pointer: impl Into<String>,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<crate::scoring::Issue> for Violation {
    fn from(issue: crate::scoring::Issue) -> Self {
        Self::new(issue.pointer, issue.code.as_str(), issue.message)
    }
}
