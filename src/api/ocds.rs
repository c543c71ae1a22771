//! The OCDS 1.1 export of a tender: a release package with one release (tender, lots, award
//! criteria, bids with statistics, awards) using the lots, bid and awardCriteria extensions, plus
//! our `socvalScores` extension (`docs/ocds/socval-scores/`) for the per-criterion scores of each
//! lot's latest evaluation run.
//!
//! Amounts: OCDS wants JSON numbers. We write the stored decimal's exact digits as the number token
//! (`serde_json`'s `arbitrary_precision`), never passing through `f64`, so the document says exactly
//! what is stored. A consumer that reads numbers into IEEE-754 doubles gets every amount of up to 15
//! significant digits back exactly; longer ones are rounded by that consumer, not by us.

mod release;

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::AppState;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::service::ocds::{TenderRecord, record};
use crate::work_memory::{Reserved, estimate};
use release::release_package;

/// The extensions every package declares. The official ones at the revisions vendored in
/// `../shared/data/ocds`; ours is served by this API (see [`extension_file`]).
const OFFICIAL_EXTENSIONS: [&str; 3] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json",
];
const OUR_EXTENSION_PATH: &str = "/ocds/extensions/socval-scores/extension.json";
const EXTENSION_JSON: &str = include_str!("../../docs/ocds/socval-scores/extension.json");
const EXTENSION_SCHEMA: &str = include_str!("../../docs/ocds/socval-scores/release-schema.json");

/// The tender as an OCDS 1.1 release package.
///
/// One release describing the tender now: its lots and their award criteria (weights as
/// `percentageExact`; social value criteria are `quality`), every bid (withdrawn ones with status
/// `withdrawn`), bid statistics per lot, the awards of awarded lots (`pending` until the standstill
/// ends, then `active`), and in `bids.details[].socvalScores` the per-criterion scores of each lot's
/// latest evaluation run. The `ocid` is the tender's, or `ocds-socval-<tender id>` when it has none.
/// Amounts are JSON numbers carrying the exact stored decimal.
#[utoipa::path(tag = "tenders", operation_id = "get_tender_ocds", security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender")),
    responses(
        (status = 200, description = "An OCDS 1.1 release package", content(
            (serde_json::Value = "application/json", example = json!({"version": "1.1", "releases": [{"ocid": "ocds-socval-…", "tag": ["tender", "award"]}]}))
        )),
        NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/ocds")]
#[tracing::instrument(skip(principal, state, request), fields(tender.id = %path.as_str()))]
pub async fn export(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let org = principal.org.clone();
    let id = path.into_inner();
    let record = record(&state.db, org, id, state.calendar.clone()).await?;
    let reservation = state
        .work_memory
        .reserve(estimate::export(stored_bytes(&record)))
        .await?;
    let info = request.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let package = release_package(&record, &base, crate::service::now())?;
    let body = serde_json::to_vec(&package).map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(Reserved::new(body, reservation)))
}

/// What the export is written from: each lot's latest run (inputs and result) and its bids
/// (about half a kilobyte each once exported).
fn stored_bytes(record: &TenderRecord) -> u64 {
    record
        .lots
        .iter()
        .map(|lot| {
            let run = lot
                .latest_run
                .as_ref()
                .map_or(0, |run| run.inputs.len() + run.result.len());
            (run + lot.bids.len() * 512) as u64
        })
        .sum()
}

/// Our extension's files, as its `extension.json` URL in each package promises.
#[utoipa::path(tag = "tenders", operation_id = "get_ocds_extension_file", security(()),
    params(("file" = String, Path, description = "`extension.json` or `release-schema.json`")),
    responses(
        (status = 200, description = "The file", content((serde_json::Value = "application/json"))),
        NotFoundProblem, InternalProblem))]
#[get("/ocds/extensions/socval-scores/{file}")]
pub async fn extension_file(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let body = match path.as_str() {
        "extension.json" => EXTENSION_JSON,
        "release-schema.json" => EXTENSION_SCHEMA,
        _ => return Err(ApiError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}
