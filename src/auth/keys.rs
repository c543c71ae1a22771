//! Verification keys: the HS256 secret, and RS256/ES256 public keys from PEM or JWKS files.
//!
//! Each key is bound to exactly one algorithm. A token is only ever checked with keys of the
//! algorithm its header names, so an HS256 token "signed" with an RSA public key (algorithm
//! confusion) finds no HS256 key but the real secret, and fails.

use std::path::Path;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::config::{Config, ConfigError};

pub struct VerificationKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// Every key the configuration allows; at least one, or the configuration is refused.
pub fn load(config: &Config) -> Result<Vec<VerificationKey>, ConfigError> {
    let mut keys = Vec::new();
    if let Some(secret) = config.hs256_secret() {
        keys.push(VerificationKey {
            kid: None,
            algorithm: Algorithm::HS256,
            key: DecodingKey::from_secret(secret.as_bytes()),
        });
    }
    for path in config
        .jwt_public_keys
        .iter()
        .flat_map(|paths| paths.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        keys.extend(
            load_file(Path::new(path)).map_err(|reason| ConfigError::Setting {
                setting: "SOCVAL_JWT_PUBLIC_KEYS",
                reason: format!("file `{path}`: {reason}"),
            })?,
        );
    }
    if keys.is_empty() {
        return Err(ConfigError::Setting {
            setting: "SOCVAL_JWT_PUBLIC_KEYS",
            reason: "or SOCVAL_JWT_SECRET must provide at least one key".into(),
        });
    }
    Ok(keys)
}

fn load_file(path: &Path) -> Result<Vec<VerificationKey>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.trim_ascii_start().starts_with(b"{") {
        load_jwks(&bytes)
    } else {
        load_pem(&bytes).map(|key| vec![key])
    }
}

fn load_pem(pem: &[u8]) -> Result<VerificationKey, String> {
    let (algorithm, key) = if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        (Algorithm::RS256, key)
    } else if let Ok(key) = DecodingKey::from_ec_pem(pem) {
        (Algorithm::ES256, key)
    } else {
        return Err("is neither an RSA nor an EC (P-256) public key in PEM form".into());
    };
    Ok(VerificationKey {
        kid: None,
        algorithm,
        key,
    })
}

fn load_jwks(json: &[u8]) -> Result<Vec<VerificationKey>, String> {
    let set: JwkSet = serde_json::from_slice(json).map_err(|e| format!("is not a JWKS: {e}"))?;
    set.keys
        .iter()
        .map(|jwk| {
            let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                    if ec.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                _ => {
                    return Err(format!(
                        "key `{}` is not an RS256 or ES256 (P-256) public key",
                        jwk.common.key_id.as_deref().unwrap_or("(no kid)")
                    ));
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
            Ok(VerificationKey {
                kid: jwk.common.key_id.clone(),
                algorithm,
                key,
            })
        })
        .collect()
}
