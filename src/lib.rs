//! socval: evaluates the social value in public-procurement bids.
//!
//! Layers, data flowing down only (see `shared/design/architecture.md`): [`api`] (HTTP) →
//! [`auth`] → services → [`db`]. [`config`], [`telemetry`], [`metrics`] and [`error`] serve all of
//! them; [`startup`] wires them into a server.

pub mod api;
pub mod auth;
pub mod catalogue;
pub mod config;
pub mod db;
pub mod metrics;
pub mod probe;
pub mod scoring;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod text;
pub mod violation;
pub mod work_memory;
