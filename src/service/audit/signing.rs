//! Ed25519 signatures over the ledger (docs/audit.md): the replica that writes an event signs its
//! `hash` (which covers the previous event's), and checkpoints sign an org's head. Whoever can
//! write to the database but does not hold the key can then neither rewrite the chain nor append
//! to it. The keys are `ed25519-dalek`'s; a key id is the first 16 hex digits of the SHA-256 of
//! the raw public key, so a verifier can tell current and retired keys apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sha256_hex;

/// A public key a verifier accepts signatures of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicKey {
    /// First 16 hex digits of the SHA-256 of the raw 32-byte key.
    #[schema(example = "3f1c9a0b7d2e4f65")]
    pub key_id: String,
    /// Always `ed25519`.
    #[schema(example = "ed25519")]
    pub algorithm: String,
    /// The raw 32-byte key, hex.
    pub public_key: String,
    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), for tools such as OpenSSL.
    pub pem: String,
    /// `current` (signs new events) or `retired` (only verifies older ones).
    #[schema(example = "current")]
    pub status: String,
}

/// The keys served at `GET /v1/audit/keys`, current first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicKeys {
    pub keys: Vec<PublicKey>,
}

/// The key this replica signs with, and the retired keys it still verifies.
pub struct Signer {
    key: SigningKey,
    key_id: String,
    retired: Vec<VerifyingKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

pub fn key_id(key: &VerifyingKey) -> String {
    sha256_hex(key.as_bytes()).chars().take(16).collect()
}

impl Signer {
    pub fn new(key: SigningKey, retired: Vec<VerifyingKey>) -> Self {
        let key_id = key_id(&key.verifying_key());
        Self {
            key,
            key_id,
            retired,
        }
    }

    /// Reads the PKCS#8 PEM private key at `path`; when `generate` and the file is missing, makes
    /// a new key there first (development only: production never signs with a key it made
    /// itself). Two processes starting at once write the same file at most once.
    pub fn load(path: &Path, generate: bool, retired: &[PathBuf]) -> anyhow::Result<Self> {
        if generate && !path.exists() {
            write_new_key(path)?;
        }
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("SOCVAL_AUDIT_SIGNING_KEY: reading `{}`", path.display()))?;
        let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
            anyhow::anyhow!(
                "SOCVAL_AUDIT_SIGNING_KEY: `{}` is not a PKCS#8 Ed25519 private key: {e}",
                path.display()
            )
        })?;
        let retired = retired
            .iter()
            .map(|path| {
                let pem = std::fs::read_to_string(path).with_context(|| {
                    format!("SOCVAL_AUDIT_RETIRED_KEYS: reading `{}`", path.display())
                })?;
                VerifyingKey::from_public_key_pem(&pem).map_err(|e| {
                    anyhow::anyhow!(
                        "SOCVAL_AUDIT_RETIRED_KEYS: `{}` is not an Ed25519 public key: {e}",
                        path.display()
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self::new(key, retired))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// `(key_id, signature)`: the Ed25519 signature of `message`, hex.
    pub fn sign(&self, message: &[u8]) -> (String, String) {
        (
            self.key_id.clone(),
            hex::encode(self.key.sign(message).to_bytes()),
        )
    }

    /// The keys this signer trusts: its own and the retired ones.
    pub fn keyring(&self) -> Keyring {
        let own = std::iter::once(self.key.verifying_key()).chain(self.retired.iter().copied());
        Keyring {
            keys: own.map(|key| (key_id(&key), key)).collect(),
        }
    }

    pub fn public_keys(&self) -> PublicKeys {
        let current = std::iter::once((self.key.verifying_key(), "current"));
        let retired = self.retired.iter().map(|key| (*key, "retired"));
        PublicKeys {
            keys: current
                .chain(retired)
                .map(|(key, status)| PublicKey {
                    key_id: key_id(&key),
                    algorithm: "ed25519".into(),
                    public_key: hex::encode(key.as_bytes()),
                    pem: key.to_public_key_pem(LineEnding::LF).unwrap_or_default(),
                    status: status.into(),
                })
                .collect(),
        }
    }
}

fn write_new_key(path: &Path) -> anyhow::Result<()> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("no randomness for a signing key: {e}"))?;
    let pem = SigningKey::from_bytes(&seed)
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding a signing key: {e}"))?;
    // Written whole under a private name, then linked into place: a file at `path` is always a
    // whole key, and a concurrent start that lost the race reads the winner's.
    let staging = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&staging, pem.as_bytes()).with_context(|| {
        format!(
            "writing a development signing key to `{}`",
            staging.display()
        )
    })?;
    restrict_to_owner(&staging)?;
    let linked = std::fs::hard_link(&staging, path);
    std::fs::remove_file(&staging).ok();
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e)
            .with_context(|| format!("writing a development signing key to `{}`", path.display())),
        _ => {
            tracing::warn!(path = %path.display(), "generated a development audit signing key");
            Ok(())
        }
    }
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("restricting `{}` to its owner", path.display()))
}

#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// The public keys a verifier trusts, by key id.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: BTreeMap<String, VerifyingKey>,
}

/// Why a signature does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    /// None at all.
    Unsigned,
    /// Made with a key the verifier does not trust.
    UnknownKey,
    /// Not a valid signature of the message by that key.
    Invalid,
}

impl Keyring {
    pub fn from_public(keys: &PublicKeys) -> anyhow::Result<Self> {
        let keys = keys
            .keys
            .iter()
            .map(|key| {
                let bytes: [u8; 32] = hex::decode(&key.public_key)
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .with_context(|| {
                        format!("key {}: public_key is not 32 bytes of hex", key.key_id)
                    })?;
                let verifying = VerifyingKey::from_bytes(&bytes)
                    .map_err(|e| anyhow::anyhow!("key {}: {e}", key.key_id))?;
                Ok((key_id(&verifying), verifying))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { keys })
    }

    pub fn check(
        &self,
        message: &[u8],
        key_id: Option<&str>,
        signature: Option<&str>,
    ) -> Result<(), SignatureProblem> {
        let (Some(key_id), Some(signature)) = (key_id, signature) else {
            return Err(SignatureProblem::Unsigned);
        };
        let key = self.keys.get(key_id).ok_or(SignatureProblem::UnknownKey)?;
        let bytes: [u8; 64] = hex::decode(signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(SignatureProblem::Invalid)?;
        key.verify(message, &Signature::from_bytes(&bytes))
            .map_err(|_| SignatureProblem::Invalid)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_key_only_and_not_on_another_message() {
        let signer = Signer::new(SigningKey::from_bytes(&[7; 32]), Vec::new());
        let other = Signer::new(SigningKey::from_bytes(&[8; 32]), Vec::new());
        let keyring = Keyring::from_public(&signer.public_keys()).unwrap();
        let (key_id, signature) = signer.sign(b"head");
        assert_eq!(
            keyring.check(b"head", Some(&key_id), Some(&signature)),
            Ok(())
        );
        assert_eq!(
            keyring.check(b"tail", Some(&key_id), Some(&signature)),
            Err(SignatureProblem::Invalid)
        );
        let (other_id, forged) = other.sign(b"head");
        assert_eq!(
            keyring.check(b"head", Some(&other_id), Some(&forged)),
            Err(SignatureProblem::UnknownKey)
        );
        assert_eq!(
            keyring.check(b"head", Some(&key_id), Some(&forged)),
            Err(SignatureProblem::Invalid)
        );
        assert_eq!(
            keyring.check(b"head", None, None),
            Err(SignatureProblem::Unsigned)
        );
    }

    #[test]
    fn a_generated_key_is_written_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        let first = Signer::load(&path, true, &[]).unwrap();
        let again = Signer::load(&path, true, &[]).unwrap();
        assert_eq!(first.key_id(), again.key_id());
        assert!(Signer::load(&dir.path().join("missing.pem"), false, &[]).is_err());
        let retired_pem = dir.path().join("retired.pem");
        std::fs::write(&retired_pem, other_public_pem()).unwrap();
        let rotated = Signer::load(&path, false, &[retired_pem]).unwrap();
        let statuses: Vec<String> = rotated
            .public_keys()
            .keys
            .into_iter()
            .map(|k| k.status)
            .collect();
        assert_eq!(statuses, ["current", "retired"]);
    }

    fn other_public_pem() -> String {
        SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    }
}
