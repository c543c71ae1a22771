//! Prometheus metrics. Each application owns its registry (no global), so tests running many
//! servers in one process never mix their counts.

use anyhow::Context;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Latency buckets from 1 ms to 10 s: the API answers in milliseconds, big evaluations in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Label used for requests that matched no route, so random paths cannot explode the series count.
pub const UNMATCHED_ROUTE: &str = "unmatched";

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    evaluations: IntCounterVec,
    evaluation_latency: HistogramVec,
    bids_ingested: prometheus::IntCounter,
    refused_runs: IntCounterVec,
    sequencer: SequencerMetrics,
    work_memory: WorkMemoryMetrics,
    work_memory_held: IntGaugeVec,
}

/// What the work-memory budget reports (`crate::work_memory`).
#[derive(Clone)]
pub struct WorkMemoryMetrics {
    /// Requests refused (503) after waiting for work memory.
    pub refused: prometheus::IntCounter,
    /// Each reservation's final size, in bytes: what previews and exports were estimated to hold.
    pub reservations: prometheus::Histogram,
}

/// The budget's state, taken when metrics are scraped.
pub struct WorkMemoryState {
    pub reserved_bytes: u64,
    pub budget_bytes: u64,
}

/// What the audit sequencer reports (`service::audit::sequencer`).
#[derive(Clone)]
pub struct SequencerMetrics {
    /// Events chained by this replica's background sequencer.
    pub chained: prometheus::IntCounter,
    /// From an event's write to its chaining, in seconds: the bound the design promises.
    pub delay: prometheus::Histogram,
}

/// A snapshot of the connection pool, taken when metrics are scraped.
pub struct PoolState {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

impl Metrics {
    pub fn new(database_backend: &str) -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency, from first byte read to response ready",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )?;
        let evaluations = IntCounterVec::new(
            Opts::new(
                "socval_evaluations_total",
                "Evaluations run by the scoring engine (kind: preview or stored)",
            ),
            &["kind", "outcome"],
        )?;
        let evaluation_latency = HistogramVec::new(
            HistogramOpts::new(
                "socval_evaluation_duration_seconds",
                "Time the scoring engine took per evaluation",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["kind"],
        )?;
        let bids_ingested = prometheus::IntCounter::new(
            "socval_bids_ingested_total",
            "Bids stored (single and batch submissions)",
        )?;
        // Labelled by run: only a run changed in the database is ever refused, so the series are
        // few, and each names what an operator must look at.
        let refused_runs = IntCounterVec::new(
            Opts::new(
                "socval_runs_refused_total",
                "Reads of a stored evaluation run refused because it does not match the audit ledger",
            ),
            &["run"],
        )?;
        let sequencer = SequencerMetrics {
            chained: prometheus::IntCounter::new(
                "socval_audit_events_chained_total",
                "Audit events chained (hashed and signed) by this replica's sequencer",
            )?,
            delay: prometheus::Histogram::with_opts(
                HistogramOpts::new(
                    "socval_audit_chaining_delay_seconds",
                    "From an audit event's write to its chaining by the sequencer",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
            )?,
        };
        let work_memory = WorkMemoryMetrics {
            refused: prometheus::IntCounter::new(
                "socval_work_memory_refused_total",
                "Previews and exports refused (503) because the work memory stayed in use for the whole wait",
            )?,
            reservations: prometheus::Histogram::with_opts(
                HistogramOpts::new(
                    "socval_work_memory_reservation_bytes",
                    "Work memory reserved by each preview or export (its estimate), in bytes",
                )
                .buckets(prometheus::exponential_buckets(64.0 * 1024.0, 4.0, 8)?),
            )?,
        };
        let work_memory_held = IntGaugeVec::new(
            Opts::new(
                "socval_work_memory_bytes",
                "Work memory of previews and exports: reserved now, and the budget",
            ),
            &["state"],
        )?;
        let build = IntGaugeVec::new(
            Opts::new(
                "socval_build_info",
                "Build of the running socval (value is always 1)",
            ),
            &["version", "database"],
        )?;
        build
            .with_label_values(&[env!("CARGO_PKG_VERSION"), database_backend])
            .set(1);
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(evaluations.clone()),
            Box::new(evaluation_latency.clone()),
            Box::new(bids_ingested.clone()),
            Box::new(refused_runs.clone()),
            Box::new(sequencer.chained.clone()),
            Box::new(sequencer.delay.clone()),
            Box::new(work_memory.refused.clone()),
            Box::new(work_memory.reservations.clone()),
            Box::new(work_memory_held.clone()),
            Box::new(build),
        ] {
            registry
                .register(collector)
                .context("registering a metric")?;
        }
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            evaluations,
            evaluation_latency,
            bids_ingested,
            refused_runs,
            sequencer,
            work_memory,
            work_memory_held,
        })
    }

    pub fn sequencer(&self) -> SequencerMetrics {
        self.sequencer.clone()
    }

    pub fn work_memory(&self) -> WorkMemoryMetrics {
        self.work_memory.clone()
    }

    pub fn observe_bids(&self, count: usize) {
        self.bids_ingested.inc_by(count as u64);
    }

    pub fn observe_refused_run(&self, run: &str) {
        self.refused_runs.with_label_values(&[run]).inc();
    }

    /// Records one run of the engine; `outcome` is `scored` or `rejected`.
    pub fn observe_evaluation(&self, kind: &str, outcome: &str, seconds: f64) {
        self.evaluations.with_label_values(&[kind, outcome]).inc();
        self.evaluation_latency
            .with_label_values(&[kind])
            .observe(seconds);
    }

    /// Records one served request. `route` is the route template (`/v1/tenders/{id}`), never the
    /// raw path, and `method` one of RFC 9110's or `other`: anyone may send any method name, and
    /// a label per name would let an anonymous client grow `/metrics` without bound.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method_label(method), route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The Prometheus text exposition of every metric, with the pool gauges refreshed.
    pub fn render(&self, pool: PoolState, memory: WorkMemoryState) -> anyhow::Result<String> {
        for (state, value) in [
            ("idle", pool.idle),
            ("in_use", pool.in_use),
            ("max", pool.max),
        ] {
            self.pool.with_label_values(&[state]).set(value.into());
        }
        for (state, bytes) in [
            ("reserved", memory.reserved_bytes),
            ("budget", memory.budget_bytes),
        ] {
            let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
            self.work_memory_held.with_label_values(&[state]).set(bytes);
        }
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .context("encoding metrics")?;
        String::from_utf8(buffer).context("metrics are not UTF-8")
    }
}

const STANDARD_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

fn method_label(method: &str) -> &str {
    STANDARD_METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rendered(metrics: &Metrics, max: u32) -> String {
        let pool = PoolState {
            idle: 0,
            in_use: 0,
            max,
        };
        let memory = WorkMemoryState {
            reserved_bytes: 0,
            budget_bytes: 1 << 20,
        };
        metrics.render(pool, memory).unwrap()
    }

    #[test]
    fn requests_are_counted_by_route_template_and_status() {
        let metrics = Metrics::new("sqlite").unwrap();
        metrics.observe_request("GET", "/v1/tenders/{id}", 200, 0.003);
        metrics.observe_request("GET", "/v1/tenders/{id}", 200, 0.004);
        let text = rendered(&metrics, 10);
        for expected in [
            r#"http_requests_total{method="GET",route="/v1/tenders/{id}",status="200"} 2"#,
            r#"db_pool_connections{state="max"} 10"#,
            r#"socval_work_memory_bytes{state="budget"} 1048576"#,
            "socval_build_info{database=\"sqlite\"",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
    }

    #[test]
    fn a_method_name_outside_rfc_9110_is_counted_as_other() {
        let metrics = Metrics::new("sqlite").unwrap();
        metrics.observe_request("BREW", "/v1/tenders/{id}", 405, 0.001);
        metrics.observe_request("XYZZY", "/v1/tenders/{id}", 405, 0.001);
        let text = rendered(&metrics, 1);
        assert!(
            text.contains(
                r#"http_requests_total{method="other",route="/v1/tenders/{id}",status="405"} 2"#
            ),
            "{text}"
        );
        assert!(!text.contains("BREW") && !text.contains("XYZZY"), "{text}");
    }
}
