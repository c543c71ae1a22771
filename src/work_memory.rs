//! The work-memory budget (`SOCVAL_WORK_MEMORY_MIB`): the memory that previews and exports may
//! hold at once, so that no burst of large requests can take the process past what the operator
//! gave it.
//!
//! A request reserves an estimate of what it will hold before it does the work, and keeps the
//! reservation until its answer has been sent ([`Reserved`]). A reservation that does not fit
//! waits, first come first served, up to `SOCVAL_WORK_MEMORY_WAIT_MS`; then the request is refused
//! (503 with `Retry-After`), having read nothing it did not have to. An estimate larger than the
//! whole budget is cut to the budget: such a request runs alone rather than never.
//!
//! The estimates ([`estimate`]) are what a request's heap was measured to reach
//! (`benches/load/memory.sh`, figures in `docs/performance.md`), with a margin.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::metrics::{WorkMemoryMetrics, WorkMemoryState};

/// The budget is counted in KiB: fine enough for any estimate, and 4 TiB fit a semaphore's permits.
const UNIT: u64 = 1024;

/// The process's budget, shared by every worker.
#[derive(Clone)]
pub struct WorkMemory {
    permits: Arc<Semaphore>,
    units: u32,
    wait: Duration,
    metrics: WorkMemoryMetrics,
}

/// Memory held for one request; returned to the budget when dropped.
pub struct Reservation {
    permit: OwnedSemaphorePermit,
    metrics: WorkMemoryMetrics,
    /// Whether its size is recorded when it ends: not when it is only replaced by a larger one.
    recorded: bool,
}

/// A reservation that did not fit within the wait.
#[derive(Debug, thiserror::Error)]
#[error(
    "the server's work memory ({budget_mib} MiB, shared by previews and exports) is in use; \
     this request needs about {wanted_mib} MiB and none came free within {}",
    humantime::format_duration(*waited)
)]
pub struct Exhausted {
    pub wanted_mib: u64,
    pub budget_mib: u64,
    pub waited: Duration,
}

impl WorkMemory {
    pub fn new(mib: u32, wait: Duration, metrics: WorkMemoryMetrics) -> Self {
        let units = mib.saturating_mul(1024);
        Self {
            permits: Arc::new(Semaphore::new(units as usize)),
            units,
            wait,
            metrics,
        }
    }

    /// Reserves `bytes` (cut to the whole budget), waiting up to the configured time.
    pub async fn reserve(&self, bytes: u64) -> Result<Reservation, Exhausted> {
        let units = self.units_for(bytes);
        let acquire = self.permits.clone().acquire_many_owned(units);
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(Reservation {
                permit,
                metrics: self.metrics.clone(),
                recorded: true,
            }),
            // The semaphore is never closed; a closed one would mean no budget at all.
            Ok(Err(_)) | Err(_) => {
                self.metrics.refused.inc();
                Err(self.exhausted(bytes))
            }
        }
    }

    /// Changes a reservation to `bytes` (cut to the whole budget). A smaller estimate gives the
    /// difference back at once. A larger one gives back all it holds and queues again for the
    /// whole: the queue is first come first served, and a request that waited for more while
    /// holding some could wait behind one that waits for what it holds.
    pub async fn resize(&self, held: Reservation, bytes: u64) -> Result<Reservation, Exhausted> {
        let units = self.units_for(bytes) as usize;
        let mut held = held;
        let holding = held.permit.num_permits();
        if units <= holding {
            drop(held.permit.split(holding - units));
            return Ok(held);
        }
        held.recorded = false;
        drop(held);
        self.reserve(bytes).await
    }

    /// Reserved now and the whole budget, for the metrics.
    pub fn state(&self) -> WorkMemoryState {
        let free = self.permits.available_permits() as u64;
        WorkMemoryState {
            reserved_bytes: u64::from(self.units).saturating_sub(free) * UNIT,
            budget_bytes: self.budget_bytes(),
        }
    }

    fn budget_bytes(&self) -> u64 {
        u64::from(self.units) * UNIT
    }

    fn units_for(&self, bytes: u64) -> u32 {
        u32::try_from(bytes.div_ceil(UNIT))
            .unwrap_or(u32::MAX)
            .clamp(1, self.units.max(1))
    }

    fn exhausted(&self, bytes: u64) -> Exhausted {
        Exhausted {
            wanted_mib: bytes.min(self.budget_bytes()).div_ceil(UNIT * UNIT),
            budget_mib: u64::from(self.units) / 1024,
            waited: self.wait,
        }
    }
}

impl std::fmt::Debug for Reservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reservation({} bytes)", self.bytes())
    }
}

impl Reservation {
    /// Bytes this reservation holds.
    pub fn bytes(&self) -> u64 {
        self.permit.num_permits() as u64 * UNIT
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.recorded {
            self.metrics.reservations.observe(self.bytes() as f64);
        }
    }
}

/// A response body that keeps its request's reservation until the last byte has been handed to
/// the connection: an answer waiting for a slow client is still memory in use.
pub struct Reserved {
    body: Bytes,
    reservation: Option<Reservation>,
}

impl Reserved {
    pub fn new(body: impl Into<Bytes>, reservation: Reservation) -> Self {
        Self {
            body: body.into(),
            reservation: Some(reservation),
        }
    }
}

impl MessageBody for Reserved {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.body.len() as u64)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        let chunk = std::mem::take(&mut this.body);
        // Handed over whole: what the connection still buffers is its own, like any answer's.
        this.reservation = None;
        Poll::Ready((!chunk.is_empty()).then_some(Ok(chunk)))
    }
}

/// What a request is estimated to hold at its peak, in bytes: measured peaks
/// (`benches/load/memory.sh`: 28, 70 and 131 MiB above idle for previews of 1,000, 2,500 and 5,000
/// bids × 20 criteria × 30 commitments) with about 10% to spare.
pub mod estimate {
    /// A preview, from its declared body length alone (before the body is read): the body, the
    /// parsed request, the result and its JSON. The last two grow with bids × criteria, not known
    /// yet; a body of the usual shape answers about four times its size.
    pub fn preview_from_length(body_bytes: u64) -> u64 {
        BASE + body_bytes.saturating_mul(16)
    }

    /// A preview once parsed (the body itself is dropped by then): the parsed request (about 2.5
    /// times its text: every mark and commitment is an owned value), and per score (bids ×
    /// criteria) the result's figures, the explanation's parts, and about 400 bytes of JSON.
    pub fn preview(body_bytes: u64, scores: u64) -> u64 {
        BASE + body_bytes.saturating_mul(5) / 2 + scores.saturating_mul(PER_SCORE)
    }

    /// An export of stored runs (CSV, OCDS): the stored text, what it is parsed into (about 3
    /// times the text) and the export written from it (at most about as large as the text).
    pub fn export(stored_bytes: u64) -> u64 {
        BASE + stored_bytes.saturating_mul(5)
    }

    /// What any such request holds besides its data (buffers, the task).
    const BASE: u64 = 256 * 1024;
    const PER_SCORE: u64 = 1_250;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn budget(mib: u32, wait: Duration) -> WorkMemory {
        let metrics = crate::metrics::Metrics::new("sqlite").unwrap();
        WorkMemory::new(mib, wait, metrics.work_memory())
    }

    fn reserved(budget: &WorkMemory) -> u64 {
        budget.state().reserved_bytes
    }

    #[tokio::test]
    async fn a_reservation_that_does_not_fit_waits_then_is_refused() {
        let budget = budget(10, Duration::from_millis(50));
        let first = budget.reserve(8 * MIB).await.unwrap();
        assert_eq!(reserved(&budget), 8 * MIB);
        let refused = budget.reserve(3 * MIB).await.unwrap_err();
        assert_eq!((refused.wanted_mib, refused.budget_mib), (3, 10));
        assert!(refused.to_string().contains("50ms"), "{refused}");
        // Nothing was taken by the refused request.
        assert_eq!(reserved(&budget), 8 * MIB);
        drop(first);
        assert_eq!(reserved(&budget), 0);
        budget.reserve(3 * MIB).await.unwrap();
    }

    #[tokio::test]
    async fn a_waiting_reservation_is_granted_when_memory_comes_free() {
        let budget = budget(10, Duration::from_secs(5));
        let first = budget.reserve(8 * MIB).await.unwrap();
        let waiting = tokio::spawn({
            let budget = budget.clone();
            async move { budget.reserve(4 * MIB).await.map(|r| r.bytes()) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(first);
        assert_eq!(waiting.await.unwrap().unwrap(), 4 * MIB);
    }

    #[tokio::test]
    async fn an_estimate_beyond_the_budget_runs_alone() {
        let budget = budget(4, Duration::from_millis(20));
        let whole = budget.reserve(100 * MIB).await.unwrap();
        assert_eq!(whole.bytes(), 4 * MIB);
        assert!(budget.reserve(1).await.is_err());
    }

    #[tokio::test]
    async fn resizing_gives_back_or_queues_again_for_the_whole() {
        let budget = budget(10, Duration::from_millis(20));
        let held = budget.reserve(6 * MIB).await.unwrap();
        let held = budget.resize(held, 2 * MIB).await.unwrap();
        assert_eq!((held.bytes(), reserved(&budget)), (2 * MIB, 2 * MIB));
        let held = budget.resize(held, 9 * MIB).await.unwrap();
        assert_eq!(reserved(&budget), 9 * MIB);
        let other = budget.reserve(MIB).await.unwrap();
        // Growing past what is free gives back what it held, waits, then fails.
        assert!(budget.resize(held, 10 * MIB).await.is_err());
        assert_eq!(reserved(&budget), MIB);
        drop(other);
        assert_eq!(reserved(&budget), 0);
        // Sizes are recorded once per request that kept its memory to the end (`other`); the one
        // refused while growing is counted as refused instead.
        let metrics = &budget.metrics;
        assert_eq!(metrics.reservations.get_sample_count(), 1);
        assert_eq!(metrics.reservations.get_sample_sum() as u64, MIB);
        assert_eq!(metrics.refused.get(), 1);
    }

    #[tokio::test]
    async fn a_request_growing_its_reservation_never_waits_behind_one_that_waits_for_it() {
        // A holds 6 and needs 7; B waits for 6. Were A to wait for 1 more while holding 6, both
        // would wait until their time ran out.
        let budget = budget(10, Duration::from_secs(5));
        let a = budget.reserve(6 * MIB).await.unwrap();
        let b = tokio::spawn({
            let budget = budget.clone();
            async move { budget.reserve(6 * MIB).await.map(drop) }
        });
        tokio::task::yield_now().await;
        let started = std::time::Instant::now();
        let a = tokio::time::timeout(Duration::from_secs(1), async {
            let grown = budget.resize(a, 7 * MIB).await;
            drop(grown);
        });
        // B is served first (it queued first); A's whole 7 then follows.
        a.await.expect("no deadlock");
        b.await.unwrap().unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn the_body_keeps_the_reservation_until_it_is_handed_over() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let budget = budget(4, Duration::from_millis(20));
        let reservation = runtime.block_on(budget.reserve(MIB)).unwrap();
        let body = Reserved::new(&b"{\"ok\":true}"[..], reservation);
        assert_eq!(body.size(), BodySize::Sized(11));
        assert_eq!(reserved(&budget), MIB);
        let bytes = runtime.block_on(actix_web::body::to_bytes(body)).unwrap();
        assert_eq!(&bytes[..], b"{\"ok\":true}");
        assert_eq!(reserved(&budget), 0);
    }

    #[test]
    fn estimates_grow_with_the_body_and_the_scores() {
        use super::estimate::*;
        assert!(preview_from_length(2 * MIB) > preview_from_length(MIB));
        assert!(preview(MIB, 100_000) > preview(MIB, 1_000));
        // The documented limit (5,000 bids × 20 criteria, a 9 MB body) fits the default budget
        // with room for small previews beside it, by either estimate.
        for at_limit in [preview_from_length(9 * MIB), preview(9 * MIB, 100_000)] {
            assert!((128 * MIB..200 * MIB).contains(&at_limit), "{at_limit}");
        }
        assert!(export(MIB) > export(0));
    }
}
