//! A lot's award and the steps after it (api.md, "Evaluations, award, history, exports"): the
//! decision, then under the Procurement Act 2023 the assessment summaries and the contract award
//! notice, under PCR 2015 the decision notices; and the standstill they start, in UK dates.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime, SubsecRound};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::idempotency::{IdempotencyKey, record, respond};
use super::json::Json;
use super::responses::{AuthProblems, InternalProblem, NotFoundProblem, WriteProblems};
use crate::api::problem::ApiError;
use crate::auth::{Principal, policy};
use crate::catalogue::standstill::{Exemption, Regime, Standstill, uk_date};
use crate::service::award::{
    self as awards, AwardDecision, AwardRecord, RecordedStep, StepInput, StepRequest,
};
use crate::service::bids::LotRef;

type LotPath = web::Path<(String, String)>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// The evaluation run the decision rests on: the lot's newest.
    #[serde(deserialize_with = "super::limits::bounded::<_, 200>")]
    #[schema(max_length = 200)]
    pub evaluation_id: String,
    #[serde(deserialize_with = "super::limits::bounded::<_, 20000>")]
    #[schema(max_length = 20000)]
    pub note: String,
}

/// A lot's award, every step after it, and the standstill.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardView {
    pub lot_id: String,
    pub evaluation_id: String,
    pub winner_bid_id: String,
    pub note: String,
    pub decided_at: String,
    /// The standstill's last day (`standstill.last_day`); null until the standstill starts, or
    /// when the award is exempt and keeps none.
    #[schema(example = "2026-12-10")]
    pub standstill_ends: Option<String>,
    pub awarded_by: String,
    /// The regime the standstill is counted under.
    pub regime: Regime,
    /// The decision first, then each step in the order recorded.
    pub steps: Vec<AwardStepView>,
    /// The step the law asks for next (`assessment_summaries_sent`, `notice_published` or
    /// `notices_sent`); null once the standstill has started.
    pub next_step: Option<String>,
    /// Under the Act: which assessed bids' suppliers have had their assessment summary.
    pub summaries: Option<SummariesView>,
    /// Null until the step that starts it.
    pub standstill: Option<Standstill>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardStepView {
    /// 0 for the decision, then 1, 2, … in the order recorded.
    pub seq: i32,
    /// `decision`, `assessment_summaries_sent`, `notice_published` or `notices_sent`.
    pub step: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The UK date (Europe/London) the law counts it on.
    #[schema(example = "2026-12-01")]
    pub uk_date: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// Why this step corrects the one of its kind recorded before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction_reason: Option<String>,
    /// A later step of the same kind corrected this one.
    pub superseded: bool,
    /// Assessment summaries: the bids whose suppliers were sent theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bids: Vec<String>,
    /// Decision notices (PCR 2015): sent by electronic means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub electronic: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummariesView {
    pub sent: Vec<SummarySent>,
    /// Assessed bids whose supplier has had no summary yet.
    pub missing: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummarySent {
    pub bid_id: String,
    pub sent_at: String,
}

/// A moment with its offset, as RFC 3339 (`2026-12-01T09:30:00Z`, `2026-07-14T10:00:00+01:00`).
type Moment = DateTime<FixedOffset>;

/// The assessment summaries sent (Procurement Act 2023, s.50 and reg. 31).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummariesSentInput {
    /// When they were sent (RFC 3339 with an offset).
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T09:00:00Z")]
    pub sent_at: Moment,
    /// The bids whose suppliers were sent theirs; all the run assessed when left out.
    #[serde(default)]
    #[schema(max_items = 10000)]
    pub bids: Option<Vec<String>>,
    /// Set to correct a step recorded before: why it was wrong.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 2000>")]
    #[schema(max_length = 2000)]
    pub correction_reason: Option<String>,
}

/// The contract award notice (UK6) published on Find a Tender (Procurement Act 2023, s.50).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticePublishedInput {
    /// When it was published (RFC 3339 with an offset); the standstill begins with its UK date.
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T10:00:00Z")]
    pub published_at: Moment,
    /// The notice's id on Find a Tender.
    #[serde(default, deserialize_with = "super::limits::optional::<_, 200>")]
    #[schema(max_length = 200)]
    pub notice_id: Option<String>,
    /// The award is exempt from the mandatory standstill (s.51(3)): the ground, and any
    /// voluntary standstill kept.
    #[serde(default)]
    pub exemption: Option<Exemption>,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 2000>")]
    #[schema(max_length = 2000)]
    pub correction_reason: Option<String>,
}

/// The decision notices sent to candidates and tenderers (PCR 2015, regs. 86–87).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticesSentInput {
    /// When the last of them was sent (RFC 3339 with an offset).
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T16:00:00Z")]
    pub sent_at: Moment,
    /// Sent by electronic means (standstill of 10 days) or otherwise (15).
    pub electronic: bool,
    #[serde(default, deserialize_with = "super::limits::optional::<_, 2000>")]
    #[schema(max_length = 2000)]
    pub correction_reason: Option<String>,
}

/// Awards the lot on its newest evaluation run (commercial, admin): the lot becomes `awarded`.
/// The standstill starts with a later step: under the Procurement Act 2023 the contract award
/// notice's publication (after the assessment summaries), under PCR 2015 the decision notices.
/// 409 `evaluation_superseded` when a newer run exists, `winner_undetermined` when the run names
/// no single winner. Honours `Idempotency-Key`: a retry after a timeout gets the award as first
/// made.
#[utoipa::path(tag = "evaluation", operation_id = "award_lot", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = AwardInput,
    responses((status = 201, description = "Awarded", body = AwardView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/award")]
pub async fn award(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
    key: IdempotencyKey,
    body: Json<AwardInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::DECIDE)?;
    let key = key.for_request(&actor.org, &body.1);
    let AwardInput {
        evaluation_id,
        note,
    } = body.0;
    let decision = AwardDecision {
        evaluation_id,
        note,
    };
    let lot = LotRef::from(path.into_inner());
    let location = award_location(&lot);
    let outcome = awards::award(
        &state.db,
        actor,
        lot,
        decision,
        &state.calendar,
        key,
        |made| record(201, Some(location), &award_view(made)),
    )
    .await?;
    Ok(respond(outcome))
}

/// Records that the assessment summaries were sent (Procurement Act 2023; commercial, admin):
/// to every assessed supplier, or to those of `bids`. The same step again with the same time is
/// 200 and changes nothing; with another time 409 `award_step_recorded`, unless it gives
/// `correction_reason`. 409 `award_step_out_of_order` before the decision, `step_not_in_regime`
/// under PCR 2015.
#[utoipa::path(tag = "evaluation", operation_id = "award_summaries_sent", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = SummariesSentInput,
    responses((status = 201, description = "Recorded", body = AwardView), (status = 200, description = "Already recorded, as asked", body = AwardView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/award/assessment-summaries-sent")]
pub async fn summaries_sent(call: StepCall<SummariesSentInput>) -> Result<HttpResponse, ApiError> {
    record_step(call).await
}

/// Records the contract award notice's publication (Procurement Act 2023; commercial, admin),
/// which starts the standstill: eight working days beginning with its UK date, skipping bank
/// holidays of every part of the UK. 409 `award_step_out_of_order` names the missing step (the
/// decision, or the assessment summaries of named bids); otherwise as for the summaries.
#[utoipa::path(tag = "evaluation", operation_id = "award_notice_published", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NoticePublishedInput,
    responses((status = 201, description = "Recorded: the standstill has started", body = AwardView), (status = 200, description = "Already recorded, as asked", body = AwardView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/award/notice-published")]
pub async fn notice_published(
    call: StepCall<NoticePublishedInput>,
) -> Result<HttpResponse, ApiError> {
    record_step(call).await
}

/// Records that the decision notices were sent (PCR 2015; commercial, admin), which starts reg.
/// 87's standstill: to midnight at the end of the 10th day after (15th when not electronic),
/// extended to the next working day of England and Wales. 409 `step_not_in_regime` under the
/// Procurement Act 2023; otherwise as for the other steps.
#[utoipa::path(tag = "evaluation", operation_id = "award_notices_sent", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NoticesSentInput,
    responses((status = 201, description = "Recorded: the standstill has started", body = AwardView), (status = 200, description = "Already recorded, as asked", body = AwardView), WriteProblems))]
#[post("/v1/tenders/{id}/lots/{lot}/award/notices-sent")]
pub async fn notices_sent(call: StepCall<NoticesSentInput>) -> Result<HttpResponse, ApiError> {
    record_step(call).await
}

/// A step's request body, as the service takes it.
trait StepBody {
    fn into_input(self) -> StepInput;
}

impl StepBody for SummariesSentInput {
    fn into_input(self) -> StepInput {
        StepInput {
            request: StepRequest::SummariesSent {
                sent_at: utc(self.sent_at),
                bids: self.bids,
            },
            correction_reason: self.correction_reason,
        }
    }
}

impl StepBody for NoticePublishedInput {
    fn into_input(self) -> StepInput {
        StepInput {
            request: StepRequest::NoticePublished {
                published_at: utc(self.published_at),
                notice_id: self.notice_id,
                exemption: self.exemption,
            },
            correction_reason: self.correction_reason,
        }
    }
}

impl StepBody for NoticesSentInput {
    fn into_input(self) -> StepInput {
        StepInput {
            request: StepRequest::NoticesSent {
                sent_at: utc(self.sent_at),
                electronic: self.electronic,
            },
            correction_reason: self.correction_reason,
        }
    }
}

/// What a step's handler extracts: the caller, the app, the lot, its key and the body.
type StepCall<B> = (
    Principal,
    web::Data<AppState>,
    LotPath,
    IdempotencyKey,
    Json<B>,
);

async fn record_step(
    (principal, state, path, key, body): StepCall<impl StepBody>,
) -> Result<HttpResponse, ApiError> {
    let actor = state.actor(&principal, policy::DECIDE)?;
    let key = key.for_request(&actor.org, &body.1);
    let lot = LotRef::from(path.into_inner());
    let location = award_location(&lot);
    let input = body.0.into_input();
    let outcome = awards::record_step(
        &state.db,
        actor,
        lot,
        input,
        &state.calendar,
        key,
        |(made, created)| match created {
            true => record(201, Some(location), &award_view(made)),
            false => record(200, None, &award_view(made)),
        },
    )
    .await?;
    Ok(respond(outcome))
}

/// The lot's award (404 until it is awarded): the run it rests on, the winner, every step since
/// and the standstill. A platform whose award call timed out reads the outcome here.
#[utoipa::path(tag = "evaluation", operation_id = "get_award", security(("bearer" = [])),
    params(("id" = String, Path), ("lot" = String, Path)),
    responses((status = 200, description = "The award", body = AwardView), NotFoundProblem, AuthProblems, InternalProblem))]
#[get("/v1/tenders/{id}/lots/{lot}/award")]
pub async fn get_award(
    principal: Principal,
    state: web::Data<AppState>,
    path: LotPath,
) -> Result<web::Json<AwardView>, ApiError> {
    principal.require_any(policy::READ_PROCUREMENT)?;
    let lot = LotRef::from(path.into_inner());
    let record = awards::get(&state.db, principal.org, lot, &state.calendar).await?;
    Ok(web::Json(award_view(&record)))
}

fn award_location(lot: &LotRef) -> String {
    format!("/v1/tenders/{}/lots/{}/award", lot.tender_id, lot.lot_id)
}

/// A stated moment in UTC, to the microsecond (what both backends keep).
fn utc(moment: Moment) -> NaiveDateTime {
    moment.naive_utc().trunc_subsecs(6)
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

pub fn award_view(record: &AwardRecord) -> AwardView {
    let decided = &record.award;
    let decision = AwardStepView {
        seq: 0,
        step: "decision".into(),
        at: rfc3339(decided.decided_at),
        uk_date: uk_date(decided.decided_at).to_string(),
        recorded_by: decided.awarded_by.clone(),
        recorded_at: rfc3339(decided.decided_at),
        correction_reason: None,
        superseded: false,
        bids: Vec::new(),
        electronic: None,
        notice_id: None,
        exemption: None,
    };
    let steps = std::iter::once(decision)
        .chain(record.steps.iter().map(|step| step_view(record, step)))
        .collect();
    let summaries = (record.regime == Regime::ProcurementAct2023).then(|| SummariesView {
        sent: record
            .summaries_sent()
            .into_iter()
            .map(|(bid, at)| SummarySent {
                bid_id: bid.into(),
                sent_at: rfc3339(at),
            })
            .collect(),
        missing: record
            .summaries_missing()
            .into_iter()
            .map(String::from)
            .collect(),
    });
    AwardView {
        lot_id: decided.lot_id.to_string(),
        evaluation_id: decided.evaluation_id.to_string(),
        winner_bid_id: decided.winner_bid_id.to_string(),
        note: decided.note.clone(),
        decided_at: rfc3339(decided.decided_at),
        standstill_ends: record
            .standstill
            .as_ref()
            .and_then(|s| s.last_day)
            .map(|day| day.to_string()),
        awarded_by: decided.awarded_by.clone(),
        regime: record.regime,
        steps,
        next_step: record.next_step().map(|kind| kind.to_string()),
        summaries,
        standstill: record.standstill.clone(),
    }
}

fn step_view(record: &AwardRecord, step: &RecordedStep) -> AwardStepView {
    let (row, details) = (&step.row, step.details.clone());
    AwardStepView {
        seq: row.seq,
        step: row.step.to_string(),
        at: rfc3339(row.occurred_at),
        uk_date: uk_date(row.occurred_at).to_string(),
        recorded_by: row.recorded_by.clone(),
        recorded_at: rfc3339(row.recorded_at),
        correction_reason: row.correction_reason.clone(),
        superseded: record.superseded(step),
        bids: details.bids.into_iter().map(String::from).collect(),
        electronic: details.electronic,
        notice_id: details.notice_id,
        exemption: details.exemption,
    }
}
