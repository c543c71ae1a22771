//! What signing costs an audit event: `cargo bench --bench audit`.
//!
//! Each event is hashed (`event_hash`, SHA-256 over the previous hash and the canonical event)
//! and its hash signed with Ed25519; verification does the reverse once per event. The figures
//! are per event, beside the hash the chain already paid for before signing.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use socval::db::audit_events::EventFacts;
use socval::service::audit::{self, GENESIS_HASH, Signer};

fn per_event(c: &mut Criterion) {
    let signer = Signer::new(SigningKey::from_bytes(&[7; 32]), Vec::new());
    let keyring = signer.keyring();
    let payload_sha256 = audit::sha256_hex(b"{\"state\":{}}");
    let facts = EventFacts {
        org_id: "org-1",
        at: NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_micro_opt(12, 0, 0, 1)
            .unwrap(),
        actor_sub: "platform-bluelight",
        actor_role: "platform",
        action: "submit",
        entity: "bid",
        entity_id: "0193a5b2-6c1e-7c7a-9a51-0c2f4a3b9d10",
        payload_sha256: &payload_sha256,
    };
    let hash = audit::event_hash(GENESIS_HASH, &facts);
    let (key_id, signature) = audit::sign_hash(&signer, &hash);
    let mut group = c.benchmark_group("audit event");
    group.bench_function("hash (before signing)", |b| {
        b.iter(|| audit::event_hash(black_box(GENESIS_HASH), black_box(&facts)))
    });
    group.bench_function("sign its hash (Ed25519)", |b| {
        b.iter(|| audit::sign_hash(black_box(&signer), black_box(&hash)))
    });
    group.bench_function("verify its signature", |b| {
        b.iter(|| {
            keyring
                .check(
                    &audit::hash_bytes(black_box(&hash)),
                    Some(&key_id),
                    Some(&signature),
                )
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, per_event);
criterion_main!(benches);
