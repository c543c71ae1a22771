//! Assessment summaries (Procurement Act 2023 s.50, Procurement Regulations 2024 reg. 31): for one
//! bid of an evaluation run, its score and rank per criterion with the explanation, the winner's
//! scores, and the reasons. JSON, or a clean printable page with `Accept: text/html`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use html_escape::encode_text as esc;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::service::bids::LotRef;
use crate::service::evaluations;
use crate::service::stored_run::{RunInputs, RunResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionSummary {
    pub criterion_id: String,
    pub name: Option<String>,
    #[schema(example = "quality")]
    pub r#type: String,
    pub weight: String,
    /// This bid's points (2 dp), `null` when not scored.
    pub points: Option<String>,
    /// Why, in one plain sentence.
    pub explanation: String,
    /// The winning bid's points on this criterion.
    pub winner_points: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub evaluation_id: String,
    pub tender_title: String,
    pub buyer: String,
    pub lot_title: String,
    pub bid_id: String,
    pub supplier: Option<String>,
    /// `qualified` or `disqualified`.
    pub status: String,
    pub rank: Option<u32>,
    pub total: Option<String>,
    pub winner_bid_id: Option<String>,
    pub winner_total: Option<String>,
    pub criteria: Vec<CriterionSummary>,
    /// Why the bid was disqualified, when it was.
    pub reasons: Vec<String>,
    pub engine_version: String,
    pub inputs_sha256: String,
}

/// A bid's assessment summary from one evaluation run.
#[utoipa::path(tag = "evaluation", operation_id = "get_assessment_summary", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("run" = String, Path), ("bid" = String, Path),
        ("format" = Option<String>, Query, description = "`html` for the printable page (as `Accept: text/html`); JSON otherwise", example = "html")),
    responses(
        (status = 200, description = "The summary", content(
            (AssessmentSummary = "application/json"),
            (String = "text/html", example = json!("<!doctype html>…"))
        )),
        NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/evaluations/{run}/assessment-summaries/{bid}")]
pub async fn assessment_summary(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String)>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let org = principal.org.clone();
    let (tender_id, lot_id, run_id, bid_id) = path.into_inner();
    let lot = LotRef { tender_id, lot_id };
    let (tender, lot, run) = evaluations::get(&state.db, org, lot, run_id).await?;
    let result = RunResult::of(&run)?;
    let inputs = RunInputs::of(&run)?;
    let bid = result.bid(&bid_id).ok_or(ApiError::NotFound)?;
    let winner = result.winner.as_deref().and_then(|w| result.bid(w));
    let summary = AssessmentSummary {
        evaluation_id: run.id.to_string(),
        tender_title: tender.title,
        buyer: tender.buyer,
        lot_title: lot.title,
        bid_id: bid.bid_id.to_string(),
        supplier: inputs.supplier_name(&bid.bid_id).map(str::to_string),
        status: bid.status.clone(),
        rank: bid.rank,
        total: bid.total_display.clone(),
        winner_bid_id: result.winner.clone(),
        winner_total: winner.and_then(|w| w.total_display.clone()),
        criteria: bid
            .criteria
            .iter()
            .map(|c| CriterionSummary {
                criterion_id: c.criterion_id.clone(),
                name: inputs.criterion_name(&c.criterion_id).map(str::to_string),
                r#type: c.kind.clone(),
                weight: c.weight.clone(),
                points: c.points_display.clone(),
                explanation: c.explanation.clone(),
                winner_points: winner.and_then(|w| {
                    w.criteria
                        .iter()
                        .find(|wc| wc.criterion_id == c.criterion_id)
                        .and_then(|wc| wc.points_display.clone())
                }),
            })
            .collect(),
        reasons: bid
            .disqualification_reasons
            .iter()
            .map(|r| r.message.clone())
            .collect(),
        engine_version: run.engine_version,
        inputs_sha256: run.inputs_sha256,
    };
    let wants_html = super::accepts(&request, "text/html");
    if wants_html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(html(&summary)));
    }
    Ok(HttpResponse::Ok().json(summary))
}

/// A self-contained printable page; every value is escaped.
fn html(s: &AssessmentSummary) -> String {
    let dash = || "—".to_string();
    let rows: String = s
        .criteria
        .iter()
        .map(|c| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
                esc(c.name.as_deref().unwrap_or(&c.criterion_id)),
                esc(&c.r#type.replace('_', " ")),
                esc(&c.weight),
                esc(&c.points.clone().unwrap_or_else(dash)),
                esc(&c.winner_points.clone().unwrap_or_else(dash)),
                esc(&c.explanation),
            )
        })
        .collect();
    let reasons: String = s
        .reasons
        .iter()
        .map(|r| format!("<li>{}</li>", esc(r)))
        .collect();
    format!(
        "<!doctype html><html lang=en-GB><head><meta charset=utf-8><title>Assessment summary — {title}</title>\
<style>body{{font:15px/1.5 system-ui,sans-serif;color:#111;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #999;padding:.4rem;vertical-align:top;text-align:left}}\
.n{{text-align:right;white-space:nowrap}}small{{color:#444}}@media print{{body{{margin:0}}}}</style></head><body>\
<h1>Assessment summary</h1><p><strong>{title}</strong> — lot <strong>{lot}</strong>, {buyer}</p>\
<p>Supplier: <strong>{supplier}</strong><br>Status: {status}; rank {rank}; total {total} points (winning tender: {winner_total} points)</p>\
{reasons_block}<table><thead><tr><th>Criterion</th><th>Type</th><th class=n>Weight</th><th class=n>Your points</th><th class=n>Winner's points</th><th>Why</th></tr></thead>\
<tbody>{rows}</tbody></table><p><small>Evaluation {evaluation} · engine {engine} · inputs SHA-256 {hash}</small></p></body></html>",
        title = esc(&s.tender_title),
        lot = esc(&s.lot_title),
        buyer = esc(&s.buyer),
        supplier = esc(s.supplier.as_deref().unwrap_or(&s.bid_id)),
        status = esc(&s.status),
        rank = s.rank.map_or_else(dash, |r| r.to_string()),
        total = esc(&s.total.clone().unwrap_or_else(dash)),
        winner_total = esc(&s.winner_total.clone().unwrap_or_else(dash)),
        reasons_block = if reasons.is_empty() {
            String::new()
        } else {
            format!("<h2>Why the tender was not successful</h2><ul>{reasons}</ul>")
        },
        rows = rows,
        evaluation = esc(&s.evaluation_id),
        engine = esc(&s.engine_version),
        hash = esc(&s.inputs_sha256),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_on_the_page_is_escaped() {
        let hostile = "<script>alert(1)</script>";
        let page = html(&AssessmentSummary {
            evaluation_id: "e".into(),
            tender_title: hostile.into(),
            buyer: hostile.into(),
            lot_title: hostile.into(),
            bid_id: "b".into(),
            supplier: Some(hostile.into()),
            status: "qualified".into(),
            rank: Some(1),
            total: Some("87.00".into()),
            winner_bid_id: Some("b".into()),
            winner_total: Some("87.00".into()),
            criteria: vec![CriterionSummary {
                criterion_id: "q1".into(),
                name: Some(hostile.into()),
                r#type: "quality".into(),
                weight: "30".into(),
                points: Some("24.00".into()),
                explanation: hostile.into(),
                winner_points: None,
            }],
            reasons: vec![hostile.into()],
            engine_version: "1".into(),
            inputs_sha256: "h".into(),
        });
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
    }
}
