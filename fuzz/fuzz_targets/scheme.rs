//! `POST /v1/schemes/validate`: body bytes → parse → validate → the report as served.
#![no_main]

use libfuzzer_sys::fuzz_target;
use socval::scoring::{self, ValidateRequest};

fuzz_target!(|data: &[u8]| {
    let Some(request) = socval_fuzz::parse::<ValidateRequest>(data) else {
        return;
    };
    let report = scoring::validate(&request, socval::catalogue::builtin());
    assert_eq!(report.valid, report.errors.is_empty());
    socval_fuzz::pointers(report.errors.iter().map(|e| e.pointer.as_str()));
    socval_fuzz::serialise(&report);
});
