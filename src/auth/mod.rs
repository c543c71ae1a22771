//! Bearer JWT verification → [`Principal`], and role checks.
//!
//! Every failure to authenticate is an [`AuthError::Unauthorized`] with a short reason (the
//! token's content is never echoed); a valid token without a permitted role is
//! [`AuthError::Forbidden`]. The HTTP edge extracts a `Principal` from each request (`api::caller`)
//! and handlers call [`Principal::require_any`].

mod keys;
pub mod policy;
mod rate_limit;
pub mod token;

use std::collections::HashSet;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::keys::VerificationKey;
pub use self::rate_limit::RateLimitState;
use self::rate_limit::RateLimiter;
use crate::config::{Config, ConfigError};

/// Why a caller may not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token, or one that does not verify (401).
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token without a role the operation allows (403).
    #[error("{0}")]
    Forbidden(String),
    /// Over this replica's rate limit for the caller (429).
    #[error("too many requests for this token; retry in {retry_after_secs} s")]
    RateLimited {
        retry_after_secs: u64,
        state: RateLimitState,
    },
}

/// Clock skew tolerated on `exp`/`nbf`/`iat` between the token issuer and us.
const LEEWAY_SECONDS: u64 = 30;

/// What a caller may do (api.md, "Authentication and authorisation").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An e-procurement system: tenders, lots, schemes, bids, evaluations.
    Platform,
    /// A buyer's commercial team: what `platform` may, plus moderation, mappings and awards.
    Commercial,
    /// Marks bids on the lots it is assigned to.
    Evaluator,
    /// Reads everything of its org, including the audit log; changes nothing.
    Auditor,
    /// Manages frameworks and measure sets, and everything in its own org.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Commercial => "commercial",
            Self::Evaluator => "evaluator",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    pub const ALL: &'static [Role] = &[
        Self::Platform,
        Self::Commercial,
        Self::Evaluator,
        Self::Auditor,
        Self::Admin,
    ];
}

/// The claims socval reads and `socval token` writes.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub aud: String,
    pub iss: String,
    /// When it was issued: a token issued in the future (beyond the leeway) is refused, and its
    /// lifetime `exp − iat` may not exceed `SOCVAL_JWT_MAX_TTL_SECS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Not before: checked (with the leeway) by the JWT library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    pub exp: u64,
}

/// The authenticated caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"sub": "platform-bluelight", "org": "dept-for-example", "roles": ["platform"]}))]
pub struct Principal {
    /// The user or system the token was issued to.
    pub sub: String,
    /// The organisation whose data the caller may see.
    pub org: String,
    /// The socval roles the token grants (roles socval does not know are ignored).
    pub roles: Vec<Role>,
}

impl Principal {
    /// Allows the call when the caller holds at least one of `allowed` (403 otherwise), and names
    /// the role it acts in — the one its audit events record.
    pub fn require_any(&self, allowed: &[Role]) -> Result<Role, AuthError> {
        if let Some(role) = self.roles.iter().find(|r| allowed.contains(r)) {
            Ok(*role)
        } else {
            let names: Vec<_> = allowed.iter().map(|r| r.as_str()).collect();
            Err(AuthError::Forbidden(format!(
                "this operation needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }
}

/// Verifies bearer tokens against the configured keys, audience and issuer, and meters the
/// callers they identify when a rate limit is configured.
pub struct Authenticator {
    keys: Vec<VerificationKey>,
    audience: String,
    issuer: String,
    max_ttl_secs: u64,
    rate_limit: Option<RateLimiter>,
}

impl Authenticator {
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        Ok(Self {
            keys: keys::load(config)?,
            audience: config.jwt_audience.clone(),
            issuer: config.jwt_issuer.clone(),
            max_ttl_secs: config.jwt_max_ttl_secs,
            rate_limit: RateLimiter::from_config(config),
        })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header =
            decode_header(token).map_err(|_| unauthorized("the token is not a well-formed JWT"))?;
        if header.crit.is_some() {
            // RFC 7515 §4.1.11: a recipient that does not understand every extension listed in
            // `crit` MUST reject the token, and socval understands none.
            return Err(unauthorized(
                "the token's header lists `crit` extensions, which socval does not support",
            ));
        }
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .filter(|k| header.kid.is_none() || k.kid.is_none() || k.kid == header.kid)
            .peekable();
        if candidates.peek().is_none() {
            return Err(unauthorized(
                "the token's algorithm or key id is not accepted",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.required_spec_claims = ["exp", "aud", "iss", "sub"].map(String::from).into();
        let mut last_error = ErrorKind::InvalidSignature;
        for key in candidates {
            match decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => {
                    self.check_lifetime(&data.claims)?;
                    return principal_from(data.claims);
                }
                Err(e) => last_error = e.into_kind(),
            }
        }
        Err(unauthorized(match last_error {
            ErrorKind::ExpiredSignature => "the token has expired",
            ErrorKind::InvalidAudience => "the token is for another audience",
            ErrorKind::InvalidIssuer => "the token is from an unknown issuer",
            ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
            ErrorKind::ImmatureSignature => "the token is not valid yet",
            ErrorKind::InvalidSignature => "the token's signature does not verify",
            _ => "the token is invalid",
        }))
    }
}

impl Authenticator {
    /// The caller of a request whose `Authorization` header is `header`: its token verified and,
    /// with a rate limit configured, its budget charged. Every `/v1` handler takes a `Principal`
    /// and no other route does, so metering here limits exactly the business API, per verified
    /// caller, before any body is read.
    pub fn admit(
        &self,
        header: Option<&[u8]>,
    ) -> Result<(Principal, Option<RateLimitState>), AuthError> {
        let header = header
            .ok_or_else(|| unauthorized("an `Authorization: Bearer <token>` header is required"))?;
        let token = std::str::from_utf8(header)
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let principal = self.verify(token)?;
        let budget = match &self.rate_limit {
            Some(limiter) => Some(limiter.check(&principal)?),
            None => None,
        };
        Ok((principal, budget))
    }

    /// RFC 7519 leaves `iat` unchecked; we refuse a token issued in the future (a wrong clock or
    /// a forged time) and one that lives longer than the configured maximum, so a leaked token
    /// is worth a day at most. Without `iat`, what remains of its life is held to the maximum.
    fn check_lifetime(&self, claims: &Claims) -> Result<(), AuthError> {
        let now = jsonwebtoken::get_current_timestamp();
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(LEEWAY_SECONDS))
        {
            return Err(unauthorized("the token's `iat` is in the future"));
        }
        let lifetime = claims.exp.saturating_sub(claims.iat.unwrap_or(now));
        if lifetime > self.max_ttl_secs.saturating_add(LEEWAY_SECONDS) {
            return Err(unauthorized(
                "the token lives longer than this service accepts (SOCVAL_JWT_MAX_TTL_SECS)",
            ));
        }
        Ok(())
    }
}

fn principal_from(claims: Claims) -> Result<Principal, AuthError> {
    // Every row belongs to an org: a token naming none (or no one) cannot be scoped.
    if claims.org.trim().is_empty() || claims.sub.trim().is_empty() {
        return Err(unauthorized(
            "the token's `sub` and `org` claims must not be empty",
        ));
    }
    // They are written into every row and audit event: text rules apply ([`crate::text`]).
    if crate::text::refused_control(&claims.org).is_some()
        || crate::text::refused_control(&claims.sub).is_some()
    {
        return Err(unauthorized(
            "the token's `sub` or `org` contains a control character",
        ));
    }
    let mut seen = HashSet::new();
    let roles = claims
        .roles
        .iter()
        .filter_map(|name| Role::ALL.iter().copied().find(|r| r.as_str() == name))
        .filter(|r| seen.insert(*r))
        .collect();
    Ok(Principal {
        sub: claims.sub,
        org: claims.org,
        roles,
    })
}

fn unauthorized(reason: &str) -> AuthError {
    AuthError::Unauthorized(reason.into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::time::Duration;

    fn config() -> Config {
        Config::default()
    }

    #[test]
    fn a_minted_token_verifies_to_its_principal() {
        let config = config();
        let token = token::mint(
            &config,
            "alice",
            "acme",
            &[Role::Commercial, Role::Auditor],
            Duration::from_secs(60),
        )
        .unwrap();
        let principal = Authenticator::from_config(&config)
            .unwrap()
            .verify(&token)
            .unwrap();
        assert_eq!(principal.sub, "alice");
        assert_eq!(principal.org, "acme");
        assert_eq!(principal.roles, vec![Role::Commercial, Role::Auditor]);
    }

    fn claims(sub: &str, org: &str, roles: &[&str]) -> Claims {
        Claims {
            sub: sub.into(),
            org: org.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            aud: "socval".into(),
            iss: "socval".into(),
            iat: Some(0),
            nbf: None,
            exp: 0,
        }
    }

    #[test]
    fn unknown_and_repeated_roles_are_dropped() {
        let principal = principal_from(claims("s", "o", &["root", "auditor", "auditor"])).unwrap();
        assert_eq!(principal.roles, vec![Role::Auditor]);
    }

    #[test]
    fn a_token_without_an_org_or_subject_is_refused() {
        assert!(principal_from(claims("s", " ", &["auditor"])).is_err());
        assert!(principal_from(claims("", "o", &["auditor"])).is_err());
    }

    #[test]
    fn require_any_refuses_a_caller_without_the_role() {
        let principal = Principal {
            sub: "s".into(),
            org: "o".into(),
            roles: vec![Role::Evaluator],
        };
        assert!(principal.require_any(&[Role::Evaluator]).is_ok());
        let err = principal
            .require_any(&[Role::Platform, Role::Commercial])
            .unwrap_err();
        assert!(matches!(err, AuthError::Forbidden(ref m) if m.contains("platform, commercial")));
    }
}
