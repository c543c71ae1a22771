//! The per-token rate limit of `/v1` (`SOCVAL_RATE_LIMIT_PER_MINUTE`, `SOCVAL_RATE_LIMIT_BURST`).
//!
//! One GCRA bucket (governor) per authenticated caller, keyed by `org` and `sub`: every token of
//! one identity shares its budget, and a token that does not verify never gets a bucket, so
//! garbage cannot grow the table. Buckets live in this replica's memory: behind a load balancer
//! over N replicas, a caller may make up to N times the configured rate.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Gcra};

use super::AuthError;
use super::Principal;
use crate::config::Config;

type Key = (String, String);

/// Checks between two sweeps of the buckets of callers gone quiet.
const SWEEP_EVERY: u32 = 4096;

pub struct RateLimiter {
    buckets: Gcra<Key, DefaultKeyedStateStore<Key>, DefaultClock, StateInformationMiddleware>,
    /// The bucket's size and the time one request takes to come back.
    burst: u32,
    per_request: std::time::Duration,
    checks: AtomicU32,
}

/// What a caller's budget is and how much of it is left, for the `RateLimit-Policy` and
/// `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-08 and later): a quota of `quota`
/// requests that refills completely in `window_secs`; `remaining` of them left now, and the bucket
/// full again in `reset_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitState {
    pub quota: u32,
    pub window_secs: u64,
    pub remaining: u32,
    pub reset_secs: u64,
}

impl RateLimitState {
    /// The two fields' values: `"per-token";q=60;w=60` and `"per-token";r=59;t=1`.
    pub fn fields(&self) -> (String, String) {
        (
            format!("\"per-token\";q={};w={}", self.quota, self.window_secs),
            format!("\"per-token\";r={};t={}", self.remaining, self.reset_secs),
        )
    }
}

impl RateLimiter {
    /// The limiter the configuration asks for, or `None` when the limit is off.
    pub fn from_config(config: &Config) -> Option<Self> {
        let per_minute = NonZeroU32::new(config.rate_limit_per_minute)?;
        let burst = NonZeroU32::new(config.rate_limit_burst).unwrap_or(per_minute);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Some(Self {
            buckets: Gcra::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            burst: burst.get(),
            per_request: quota.replenish_interval(),
            checks: AtomicU32::new(0),
        })
    }

    /// Counts one request of `principal`, refusing it (429) once its bucket is empty; either way
    /// says what is left of its budget.
    pub fn check(&self, principal: &Principal) -> Result<RateLimitState, AuthError> {
        // A bucket that has refilled completely says nothing a new one would not: dropping those
        // now and then keeps the table as small as the set of recently active callers.
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            self.buckets.retain_recent();
        }
        let key = (principal.org.clone(), principal.sub.clone());
        match self.buckets.check_key(&key) {
            Ok(snapshot) => Ok(self.state(snapshot.remaining_burst_capacity())),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.buckets.clock().now());
                // Rounded up: a client that waits as long as `Retry-After` says is let through.
                Err(AuthError::RateLimited {
                    retry_after_secs: wait.as_secs() + 1,
                    state: self.state(0),
                })
            }
        }
    }

    fn state(&self, remaining: u32) -> RateLimitState {
        let secs = |requests: u32| (self.per_request * requests).as_secs_f64().ceil() as u64;
        RateLimitState {
            quota: self.burst,
            window_secs: secs(self.burst),
            remaining,
            reset_secs: secs(self.burst - remaining.min(self.burst)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn principal(org: &str, sub: &str) -> Principal {
        Principal {
            sub: sub.into(),
            org: org.into(),
            roles: Vec::new(),
        }
    }

    fn limiter(per_minute: u32, burst: u32) -> Option<RateLimiter> {
        RateLimiter::from_config(&Config {
            rate_limit_per_minute: per_minute,
            rate_limit_burst: burst,
            ..Config::default()
        })
    }

    #[test]
    fn zero_per_minute_turns_the_limit_off() {
        assert!(limiter(0, 10).is_none());
    }

    #[test]
    fn the_burst_defaults_to_a_minutes_worth_and_then_the_caller_waits() {
        let limiter = limiter(3, 0).unwrap();
        let alice = principal("acme", "alice");
        for _ in 0..3 {
            limiter.check(&alice).unwrap();
        }
        match limiter.check(&alice) {
            Err(AuthError::RateLimited {
                retry_after_secs,
                state,
            }) => {
                assert!((1..=21).contains(&retry_after_secs), "{retry_after_secs}");
                assert_eq!(
                    state.fields(),
                    (
                        "\"per-token\";q=3;w=60".into(),
                        "\"per-token\";r=0;t=60".into()
                    )
                );
            }
            other => panic!("expected 429, got {other:?}"),
        }
    }

    #[test]
    fn each_answer_says_what_is_left_of_the_budget() {
        let limiter = limiter(60, 10).unwrap();
        let alice = principal("acme", "alice");
        let first = limiter.check(&alice).unwrap();
        assert_eq!(
            (first.quota, first.window_secs),
            (10, 10),
            "10 at one a second"
        );
        assert_eq!((first.remaining, first.reset_secs), (9, 1));
        let second = limiter.check(&alice).unwrap();
        assert_eq!(second.remaining, 8);
    }

    #[test]
    fn each_org_and_sub_has_its_own_bucket() {
        let limiter = limiter(60, 1).unwrap();
        limiter.check(&principal("acme", "alice")).unwrap();
        assert!(limiter.check(&principal("acme", "alice")).is_err());
        limiter.check(&principal("acme", "bob")).unwrap();
        limiter.check(&principal("other", "alice")).unwrap();
    }
}
