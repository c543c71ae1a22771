//! Minting HS256 tokens with the configured secret (`socval token`, and tests).

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::{Claims, Role};
use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error(
        "SOCVAL_JWT_SECRET is not set (production with public keys only): tokens come from your identity provider"
    )]
    NoSecret,
    #[error(
        "a token may live at most {max_secs} s (SOCVAL_JWT_MAX_TTL_SECS); the server would refuse this one"
    )]
    TooLong { max_secs: u64 },
    #[error("signing the token: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

/// A signed token for `sub` in `org` holding `roles`, valid for `ttl` from now.
pub fn mint(
    config: &Config,
    sub: &str,
    org: &str,
    roles: &[Role],
    ttl: Duration,
) -> Result<String, MintError> {
    let secret = config.hs256_secret().ok_or(MintError::NoSecret)?;
    if ttl.as_secs() > config.jwt_max_ttl_secs {
        return Err(MintError::TooLong {
            max_secs: config.jwt_max_ttl_secs,
        });
    }
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: sub.into(),
        org: org.into(),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        aud: config.jwt_audience.clone(),
        iss: config.jwt_issuer.clone(),
        iat: Some(now),
        nbf: None,
        exp: now.saturating_add(ttl.as_secs()),
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}
