//! One read model of a stored evaluation run: what every reader of a run (the assessment
//! summaries, the CSV, the score history, the OCDS export, the award) takes from its stored
//! `result` and `inputs` JSON, decoded once and owned. Decimals stay the exact strings the engine
//! wrote. A run whose JSON no longer reads back is a 500 naming the run, never a silently
//! shorter answer.

use serde::Deserialize;

use super::ServiceError;
use super::evaluations::EvaluationRow;

/// The engine's result as stored (scoring.md, "Result").
#[derive(Debug, Clone, Deserialize)]
pub struct RunResult {
    /// The single rank-1 qualified bid, if there is one.
    pub winner: Option<String>,
    pub results: Vec<BidResult>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BidResult {
    pub bid_id: String,
    /// `qualified` or `disqualified`.
    pub status: String,
    pub rank: Option<u32>,
    pub total: Option<String>,
    pub total_display: Option<String>,
    #[serde(default)]
    pub disqualification_reasons: Vec<Reason>,
    pub criteria: Vec<CriterionResult>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reason {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CriterionResult {
    pub criterion_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub weight: String,
    pub fraction: Option<String>,
    pub points: Option<String>,
    pub points_display: Option<String>,
    pub explanation: String,
}

/// What a reader of a run needs of its stored inputs: criterion names and supplier names.
#[derive(Debug, Clone, Deserialize)]
pub struct RunInputs {
    pub scheme: InputScheme,
    pub bids: Vec<InputBid>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InputScheme {
    pub criteria: Vec<InputCriterion>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InputCriterion {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InputBid {
    pub id: String,
    pub supplier: Option<InputSupplier>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InputSupplier {
    pub name: String,
}

impl RunResult {
    pub fn of(run: &EvaluationRow) -> Result<Self, ServiceError> {
        serde_json::from_str(&run.result).map_err(|e| {
            ServiceError::corrupt(format!("evaluations row {}: column result: {e}", run.id))
        })
    }

    pub fn bid(&self, bid_id: &str) -> Option<&BidResult> {
        self.results.iter().find(|b| b.bid_id == bid_id)
    }
}

impl RunInputs {
    pub fn of(run: &EvaluationRow) -> Result<Self, ServiceError> {
        serde_json::from_str(&run.inputs).map_err(|e| {
            ServiceError::corrupt(format!("evaluations row {}: column inputs: {e}", run.id))
        })
    }

    pub fn criterion_name(&self, id: &str) -> Option<&str> {
        self.scheme
            .criteria
            .iter()
            .find(|c| c.id == id)?
            .name
            .as_deref()
    }

    pub fn supplier_name(&self, bid_id: &str) -> Option<&str> {
        let bid = self.bids.iter().find(|b| b.id == bid_id)?;
        bid.supplier.as_ref().map(|s| s.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Schema test: the golden result of the scoring contract reads into the model whole, and the
    /// model holds what the engine wrote, digit for digit.
    #[test]
    fn the_golden_result_reads_back_whole() {
        let text = include_str!("../../tests/golden/worked_example.result.json");
        let result: RunResult = serde_json::from_str(text).unwrap();
        let raw: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(result.winner.as_deref(), raw["winner"].as_str());
        assert_eq!(
            result.results.len(),
            raw["results"].as_array().unwrap().len()
        );
        for (bid, raw) in result
            .results
            .iter()
            .zip(raw["results"].as_array().unwrap())
        {
            assert_eq!(bid.bid_id, raw["bid_id"].as_str().unwrap());
            assert_eq!(bid.total.as_deref(), raw["total"].as_str());
            assert_eq!(
                bid.criteria.len(),
                raw["criteria"].as_array().unwrap().len()
            );
            for (criterion, raw) in bid.criteria.iter().zip(raw["criteria"].as_array().unwrap()) {
                assert_eq!(criterion.points.as_deref(), raw["points"].as_str());
                assert_eq!(criterion.explanation, raw["explanation"].as_str().unwrap());
            }
            assert_eq!(
                bid.disqualification_reasons.len(),
                raw["disqualification_reasons"].as_array().unwrap().len()
            );
        }
        assert!(result.results.iter().any(|b| b.status == "disqualified"));
    }

    #[test]
    fn an_engine_result_reads_back_through_the_model() {
        let request: crate::scoring::PreviewRequest =
            serde_json::from_str(include_str!("../../tests/golden/worked_example.json")).unwrap();
        let result = crate::scoring::preview(&request, crate::catalogue::builtin()).unwrap();
        let stored = serde_json::to_string(&result).unwrap();
        let read: RunResult = serde_json::from_str(&stored).unwrap();
        assert_eq!(read.winner.as_deref(), result.winner);
        assert_eq!(read.results.len(), request.bids.len());
    }
}
