//! How the OpenAPI document describes the export: the release package's own fields typed, each
//! release's top level named, and what lies below (tender, bids, awards) left to the OCDS release
//! schema and the extensions the package lists (`extensions`), which validate it.

use utoipa::ToSchema;

/// An OCDS 1.1 release package
/// (<https://standard.open-contracting.org/1.1/en/schema/release_package/>).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "describes the export for OpenAPI; the export itself is written as JSON"
)]
pub struct OcdsReleasePackage {
    /// Where this package is served.
    uri: String,
    #[schema(example = "1.1")]
    version: String,
    /// The extension.json URL of every extension its releases use.
    extensions: Vec<String>,
    #[schema(format = DateTime)]
    published_date: String,
    publisher: OcdsPublisher,
    releases: Vec<OcdsRelease>,
}

#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the export for OpenAPI")]
pub struct OcdsPublisher {
    name: String,
}

/// One release (<https://standard.open-contracting.org/1.1/en/schema/reference/>).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "describes the export for OpenAPI")]
pub struct OcdsRelease {
    #[schema(example = "ocds-socval-01a2…")]
    ocid: String,
    id: String,
    #[schema(format = DateTime)]
    date: String,
    /// `tender`, `award` (a notice's release has one of them).
    tag: Vec<String>,
    #[schema(example = "tender")]
    initiation_type: String,
    /// The buyer and the suppliers (OCDS `Organization`).
    parties: Vec<serde_json::Value>,
    buyer: Option<serde_json::Value>,
    /// OCDS `Tender` with the lots and awardCriteria extensions.
    tender: serde_json::Value,
    /// The bid extension's `Bids`: `details` and `statistics`.
    bids: Option<serde_json::Value>,
    /// OCDS `Award`s with the UK extension's `standstillPeriod` and `assessmentSummariesDateSent`.
    awards: Option<Vec<serde_json::Value>>,
}
