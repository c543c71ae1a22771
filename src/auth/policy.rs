//! Who may do what (api.md, "Authentication and authorisation"), in one place: each kind of
//! operation names the roles that may perform it, and every handler asks
//! `principal.require_any(policy::…)` for its kind.

use super::Role;

/// Create and change tenders, lots, schemes and bids; run evaluations (an e-procurement system,
/// a commercial team, an admin).
pub const WRITE_PROCUREMENT: &[Role] = &[Role::Platform, Role::Commercial, Role::Admin];
/// Read tenders, lots, schemes, bids, runs and exports.
pub const READ_PROCUREMENT: &[Role] =
    &[Role::Platform, Role::Commercial, Role::Auditor, Role::Admin];
/// Decide for the buyer: assign evaluators, moderate, confirm mappings, award.
pub const DECIDE: &[Role] = &[Role::Commercial, Role::Admin];
/// Read every evaluator's marks side by side.
pub const READ_MODERATION: &[Role] = &[Role::Commercial, Role::Auditor, Role::Admin];
/// Read marks: evaluators their own, the others everyone's.
pub const READ_MARKS: &[Role] = &[
    Role::Evaluator,
    Role::Commercial,
    Role::Auditor,
    Role::Admin,
];
/// Declare conflicts of interest and mark bids.
pub const MARK: &[Role] = &[Role::Evaluator];
/// Read the audit log and verify it.
pub const READ_AUDIT: &[Role] = &[Role::Auditor, Role::Admin];
/// Import measure sets (shared by every org).
pub const MANAGE_CATALOGUE: &[Role] = &[Role::Admin];
