//! The OCDS 1.1 export of a tender: a release package with one release (tender, lots, award
//! criteria, bids with statistics, awards) using the lots, bid, awardCriteria and UK extensions
//! (the Find a Tender profile of the Procurement Act 2023 notices), plus our `socvalScores`
//! extension (`docs/ocds/socval-scores/`) for the per-criterion scores of each lot's latest
//! evaluation run. With `?notice=` it is instead the release of one UK notice: the tender notice
//! (UK4) or a lot's contract award notice (UK6). `docs/ocds/README.md` says what goes where.
//!
//! Amounts: OCDS wants JSON numbers. We write the stored decimal's exact digits as the number token
//! (`serde_json`'s `arbitrary_precision`), never passing through `f64`, so the document says exactly
//! what is stored. A consumer that reads numbers into IEEE-754 doubles gets every amount of up to 15
//! significant digits back exactly; longer ones are rounded by that consumer, not by us.

mod award;
mod criteria;
mod notices;
mod release;
mod schema;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::pagination::invalid_query;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem, QueryProblems};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::service::ocds::{TenderRecord, record};
use crate::work_memory::{Reserved, estimate};
use notices::{Notice, uk4_package, uk6_package};
use release::release_package;

/// The extensions every package declares: the official ones at the revisions vendored in
/// `../shared/data/ocds` (the UK extension and those it declares as dependencies, and
/// `submissionTerms`, which the lots extension refers to); ours is served by this API (see
/// [`extension_file`]).
const EXTENSIONS: [&str; 12] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_submissionTerms_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_communication_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_otherRequirements_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_subcontracting_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
];
const OUR_EXTENSION_PATH: &str = "/ocds/extensions/socval-scores/extension.json";
const EXTENSION_JSON: &str = include_str!("../../docs/ocds/socval-scores/extension.json");
const EXTENSION_SCHEMA: &str = include_str!("../../docs/ocds/socval-scores/release-schema.json");

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeParams {
    /// Only the release of this UK notice: `UK4` (the tender notice) or `UK6` (a lot's contract
    /// award notice, with `lot`); 422 `invalid_query` for any other. Left out: the whole tender.
    #[param(example = "UK6")]
    pub notice: Option<String>,
    /// With `notice=UK6` (and only then; 422 `invalid_query` otherwise): the lot whose award it
    /// announces.
    pub lot: Option<String>,
}

impl NoticeParams {
    /// The notice asked for, if any; 422 naming the parameter at fault otherwise.
    fn notice(self) -> Result<Option<Notice>, ApiError> {
        match (self.notice.as_deref(), self.lot) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(invalid_query(
                "/lot",
                "`lot` goes with `notice=UK6`: give both, or neither for the whole tender".into(),
            )),
            (Some("UK4"), None) => Ok(Some(Notice::Tender)),
            (Some("UK4"), Some(_)) => Err(invalid_query(
                "/lot",
                "the tender notice (UK4) is the whole tender's: leave `lot` out".into(),
            )),
            (Some("UK6"), Some(lot)) if !lot.trim().is_empty() => {
                Ok(Some(Notice::ContractAward { lot }))
            }
            (Some("UK6"), _) => Err(invalid_query(
                "/lot",
                "the contract award notice (UK6) is a lot's: give `lot`".into(),
            )),
            (Some(_), _) => Err(invalid_query(
                "/notice",
                "`notice` is `UK4` (the tender notice) or `UK6` (a lot's contract award notice)"
                    .into(),
            )),
        }
    }
}

/// The tender as an OCDS 1.1 release package, or the release of one of its UK notices.
///
/// Without `notice`: one release describing the tender now: its lots and their award criteria
/// (weights as `percentageExact`, a knockout criterion's pass mark as a `minimumScore` threshold,
/// social value criteria as `quality`; `awardCriteria.description` states the weighting and the
/// framework's minimum social value weighting with any recorded exemption; `weightingDescription`
/// the formula of the price per quality point method), the tender notice (UK4) of each opened lot
/// in `tender.documents`, every bid (withdrawn ones with status `withdrawn`), bid statistics per
/// lot (for an awarded lot also `finalStageBids`, and `smeFinalStageBids` / `vcseFinalStageBids`
/// when every assessed bid's supplier says whether it is one), the awards of awarded lots
/// (`pending` until the standstill ends, then `active`; `standstillPeriod`,
/// `assessmentSummariesDateSent` and, once published, the contract award notice (UK6) in
/// `documents`), and in `bids.details[].socvalScores` the per-criterion scores of each lot's latest
/// evaluation run.
///
/// `notice=UK4`: the tender notice's release (tag `tender`: the tender, its lots with their award
/// criteria and the UK4 documents; no bids, no awards). `notice=UK6&lot=`: the lot's contract award
/// notice's release (tag `award`: its award and its bid statistics); 404 when the lot has no award.
///
/// The `ocid` is the tender's, or `ocds-socval-<tender id>` when it has none. Amounts are JSON
/// numbers carrying the exact stored decimal. `docs/ocds/README.md` maps every field.
#[utoipa::path(tag = "tenders", operation_id = "get_tender_ocds", security(("bearer" = [])),
    params(("id" = String, Path, description = "The tender"), NoticeParams),
    responses(
        (status = 200, description = "An OCDS 1.1 release package", content(
            (schema::OcdsReleasePackage = "application/json")
        )),
        QueryProblems, NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/ocds")]
#[tracing::instrument(skip(principal, state, request, params), fields(tender.id = %path.as_str()))]
pub async fn export(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    params: web::Query<NoticeParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let notice = params.into_inner().notice()?;
    let org = principal.org.clone();
    let id = path.into_inner();
    let record = record(&state.db, org, id, &state.calendar).await?;
    let reservation = state
        .work_memory
        .reserve(estimate::export(stored_bytes(&record)))
        .await?;
    let info = request.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let now = crate::service::now();
    let package = match notice {
        None => release_package(&record, &base, now)?,
        Some(Notice::Tender) => uk4_package(&record, &base, now)?,
        Some(Notice::ContractAward { lot }) => uk6_package(&record, &lot, &base, now)?,
    };
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
