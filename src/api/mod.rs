//! The HTTP edge: every route is wired in [`routes`], which is also what the OpenAPI document is
//! generated from, so the served API and its description cannot drift apart.
//!
//! Handlers hold no business rules: they parse, authorise, call a service and map the result.

mod assignments;
mod audit;
mod award;
mod bids;
mod caller;
mod conventions;
mod csv_cell;
mod dashboard;
mod docs;
mod evaluations;
mod fallback;
mod frameworks;
mod idempotency;
pub mod json;
mod limits;
mod lots;
mod mapping;
mod marking;
mod measure_sets;
mod observe;
mod ocds;
mod ops;
mod pagination;
mod preconditions;
pub mod problem;
mod reports;
mod responses;
mod schemes;
mod scoring;
mod summaries;
mod tender_input;
mod tenders;
mod unread_body;
mod url_text;
mod whoami;

use actix_web::web;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

/// The bodies of bid submission, as the fuzz targets (`fuzz/`) parse them.
pub use bids::{BidBatch, CreateBid};
pub use conventions::{conventions, cors};
pub use fallback::{no_route, problem_for_bare_error};
pub use observe::{REQUEST_ID, observe};
pub use unread_body::close_on_unread_body;
pub use url_text::refuse_control_characters_in_url;

use crate::metrics::Metrics;
use crate::service::Db;

/// What every handler may reach; built once per server and shared by all workers.
pub struct AppState {
    pub db: Db,
    pub metrics: Metrics,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive (`SOCVAL_REQUEST_TIMEOUT_MS`).
    pub request_timeout: std::time::Duration,
    /// The memory previews and exports may hold at once (`SOCVAL_WORK_MEMORY_MIB`).
    pub work_memory: crate::work_memory::WorkMemory,
    /// The OpenAPI document, serialised once at start.
    pub openapi_json: String,
    /// The methods each route template accepts (`/v1/tenders/{id}` → `GET, PATCH`), from the
    /// OpenAPI document, for the `Allow` header of a 405.
    pub allowed_methods: std::collections::HashMap<String, String>,
    /// The UK's bank holidays, which a standstill skips.
    pub calendar: crate::catalogue::holidays::Calendar,
    /// One suggestion index per measure set, built on first use.
    pub suggesters: crate::service::mapping::SuggesterCache,
    /// The key this replica signs audit events and checkpoints with, and the retired ones.
    pub signer: std::sync::Arc<crate::service::audit::Signer>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "socval",
        description = "Evaluates the social value in public-procurement bids: scoring schemes, \
            bids, explainable weighted scores, immutable evaluations and a tamper-evident audit log.\n\n\
            Errors are RFC 9457 `application/problem+json`. Decimals are strings in responses.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This socval server")),
    components(schemas(crate::api::problem::Problem, crate::api::problem::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "identity", description = "Who the caller is"),
        (name = "catalogue", description = "Social Value Models, measure sets and their crosswalk"),
        (name = "tenders", description = "Tenders, lots and their status"),
        (name = "bids", description = "Bids, their commitments and mappings"),
        (name = "audit", description = "The tamper-evident audit log of each org and its verification"),
        (name = "evaluation", description = "Evaluators, marks, moderation and immutable evaluation runs"),
        (name = "reports", description = "Social value reporting across an org"),
        (name = "scoring", description = "Stateless scoring: validate a scheme, preview an evaluation"),
        (name = "operations", description = "Health, readiness and metrics for operators"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description = Some(
            "A JWT with claims `sub`, `org`, `roles`, `exp`, `aud` and `iss` \
             (HS256, RS256 or ES256). `socval token` mints one for development."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The one list of endpoints. Documented ones go through `service` (collected into OpenAPI);
/// the docs and the dashboard page are plain actix routes.
pub fn routes(config: &mut ServiceConfig) {
    // actix tries resources in this order (matching a path pattern is a regex run, done twice per
    // request with the metrics' route label): the busiest routes come first.
    config
        .service(ops::healthz)
        .service(utoipa_actix_web::scope("/v1/evaluations").service(scoring::preview))
        .service(ops::readyz)
        .service(ops::metrics)
        .service(whoami::whoami)
        .service(frameworks::list)
        .service(frameworks::get)
        .service(frameworks::outcome_measures)
        .service(measure_sets::list)
        .service(measure_sets::get)
        .service(measure_sets::create)
        .service(tenders::create)
        .service(tenders::list)
        .service(tenders::get)
        .service(tenders::update)
        .service(lots::add_lot)
        .service(lots::get_lot)
        .service(schemes::put_scheme)
        .service(schemes::get_scheme)
        .service(lots::open_lot)
        .service(lots::close_lot)
        .service(lots::cancel_lot)
        .service(bids::submit)
        .service(bids::submit_batch)
        .service(bids::list)
        .service(bids::get)
        .service(bids::withdraw)
        .service(bids::get_mapping)
        .service(bids::confirm)
        .service(assignments::mine)
        .service(assignments::bids_to_mark)
        .service(marking::assign)
        .service(marking::list_evaluators)
        .service(marking::declare)
        .service(marking::put_mark)
        .service(marking::list_marks)
        .service(marking::moderation)
        .service(marking::put_moderated)
        .service(evaluations::run)
        .service(evaluations::list)
        .service(evaluations::get)
        .service(award::award)
        .service(award::summaries_sent)
        .service(award::notice_published)
        .service(award::notices_sent)
        .service(award::get_award)
        .service(evaluations::score_history)
        .service(summaries::assessment_summary)
        .service(reports::social_value)
        .service(ocds::export)
        .service(ocds::extension_file)
        .service(mapping::suggest)
        .service(audit::list)
        .service(audit::verify)
        .service(audit::verify_against)
        .service(audit::get_checkpoint)
        .service(audit::keys)
        .service(audit::entity)
        .service(scoring::validate)
        .map(|plain| {
            plain
                .route("/openapi.json", web::get().to(docs::openapi_json))
                .route("/docs", web::get().to(docs::docs_redirect))
                .route("/docs/{tail:.*}", web::get().to(docs::docs_asset))
                .route("/dashboard", web::get().to(dashboard::redirect))
                .route("/dashboard/{tail:.*}", web::get().to(dashboard::asset))
        });
}

/// The OpenAPI document of [`routes`], generated without starting a server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    url_text::document(&mut document);
    limits::document(&mut document);
    conventions::document(&mut document);
    document
}

/// Whether the request asks for `media_type` (e.g. `text/csv`): in its `Accept` header, or as
/// `?format=` its subtype (`csv`), which a generated client can send where it cannot choose a
/// header.
pub fn accepts(request: &actix_web::HttpRequest, media_type: &str) -> bool {
    let asked = actix_web::web::Query::<FormatParam>::from_query(request.query_string())
        .ok()
        .and_then(|q| q.into_inner().format);
    if let Some(format) = asked {
        return media_type.split('/').nth(1) == Some(format.as_str());
    }
    request
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(media_type))
}

/// `?format=`: the representation wanted, where `Accept` cannot say it.
#[derive(Debug, serde::Deserialize)]
struct FormatParam {
    format: Option<String>,
}

/// The methods of every documented route template, from the document itself so they cannot drift;
/// a route that serves `GET` also serves `HEAD`, and every one answers `OPTIONS`
/// (`api::conventions`, `api::fallback`).
pub fn allowed_methods(
    document: &utoipa::openapi::OpenApi,
) -> std::collections::HashMap<String, String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let paths = serde_json::to_value(&document.paths).unwrap_or_default();
    let mut allowed: std::collections::HashMap<String, String> = paths
        .as_object()
        .into_iter()
        .flatten()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            (path.clone(), with_implied(methods))
        })
        .collect();
    for undocumented in [
        "/openapi.json",
        "/docs",
        "/docs/{tail:.*}",
        "/dashboard",
        "/dashboard/{tail:.*}",
    ] {
        allowed.insert(undocumented.into(), with_implied(vec!["GET".into()]));
    }
    allowed
}

/// `methods` with `HEAD` beside `GET`, and `OPTIONS`.
fn with_implied(mut methods: Vec<String>) -> String {
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods.push("OPTIONS".into());
    methods.join(", ")
}

/// The document as committed in `openapi/openapi.json` and served at `/openapi.json`.
pub fn openapi_json() -> anyhow::Result<String> {
    Ok(openapi().to_pretty_json()? + "\n")
}
