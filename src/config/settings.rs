//! The documented settings, one row each.

/// One documented setting: the single table that `socval --help` prints and README.md repeats
/// (a test fails when README.md, this table and [`Config::default`] drift apart).
pub struct Setting {
    pub env: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        env: "SOCVAL_BIND",
        default: "127.0.0.1:8080",
        meaning: "address and port the HTTP server listens on",
    },
    Setting {
        env: "DATABASE_URL",
        default: "sqlite://socval.db",
        meaning: "`sqlite://<path>` (embedded) or `postgres://user:pass@host/db`",
    },
    Setting {
        env: "SOCVAL_DB_POOL_SIZE",
        default: "10",
        meaning: "database connections per replica (replicas × pool size ≤ PostgreSQL max_connections)",
    },
    Setting {
        env: "SOCVAL_DB_TIMEOUT_MS",
        default: "5000",
        meaning: "wait for a pooled connection (and SQLite lock) before answering 503",
    },
    Setting {
        env: "SOCVAL_MIGRATE_ON_START",
        default: "true",
        meaning: "apply pending migrations when `serve` starts (`socval migrate` does it explicitly)",
    },
    Setting {
        env: "SOCVAL_JWT_SECRET",
        default: "(development secret)",
        meaning: "HS256 shared secret; the built-in development value is refused in production",
    },
    Setting {
        env: "SOCVAL_JWT_PUBLIC_KEYS",
        default: "(none)",
        meaning: "comma-separated paths of PEM public keys (RS256/ES256) or JWKS files",
    },
    Setting {
        env: "SOCVAL_JWT_AUDIENCE",
        default: "socval",
        meaning: "required `aud` claim",
    },
    Setting {
        env: "SOCVAL_JWT_ISSUER",
        default: "socval",
        meaning: "required `iss` claim",
    },
    Setting {
        env: "SOCVAL_JWT_MAX_TTL_SECS",
        default: "86400",
        meaning: "longest lifetime a token may have (`exp` − `iat`, or what remains of it when it carries no `iat`); longer ones are refused with 401",
    },
    Setting {
        env: "SOCVAL_MAX_BODY_BYTES",
        default: "1048576",
        meaning: "largest accepted request body (413 above it)",
    },
    Setting {
        env: "SOCVAL_REQUEST_TIMEOUT_MS",
        default: "30000",
        meaning: "how long a client may take to send a request's headers, and then its body, before it is cut off (408)",
    },
    Setting {
        env: "SOCVAL_WORK_MEMORY_MIB",
        default: "256",
        meaning: "memory that previews and exports may hold at once, by their estimates; a request that does not fit waits, then gets 503 with `Retry-After`",
    },
    Setting {
        env: "SOCVAL_WORK_MEMORY_WAIT_MS",
        default: "2000",
        meaning: "how long a preview or export waits for work memory to come free before it is refused (503)",
    },
    Setting {
        env: "SOCVAL_RATE_LIMIT_PER_MINUTE",
        default: "0",
        meaning: "`/v1` requests per minute each token (`org` and `sub`) may make to one replica (429 above it); `0` turns the limit off",
    },
    Setting {
        env: "SOCVAL_RATE_LIMIT_BURST",
        default: "0",
        meaning: "requests a token may make at once before the per-minute pace applies; `0` means a minute's worth",
    },
    Setting {
        env: "SOCVAL_CORS_ORIGINS",
        default: "(none)",
        meaning: "comma-separated origins (`https://buyer.example`) whose pages may call the API from a browser (CORS); never a wildcard, and never with cookies: callers send their bearer token",
    },
    Setting {
        env: "SOCVAL_LOG_FORMAT",
        default: "pretty",
        meaning: "`pretty` for people, `json` for log collectors (filter with `RUST_LOG`)",
    },
    Setting {
        env: "SOCVAL_ENV",
        default: "development",
        meaning: "`development` or `production` (production refuses the development JWT secret)",
    },
    Setting {
        env: "SOCVAL_BANK_HOLIDAYS_FILE",
        default: "(the shipped one-off changes)",
        meaning: "JSON file of one-off changes `{\"additions\": [{date, title, regions?}], \"removals\": […]}` to the UK bank holidays computed by rule (England and Wales, Scotland, Northern Ireland) that a standstill skips; it replaces the shipped `src/catalogue/data/bank-holiday-changes.json`, so start from a copy",
    },
    Setting {
        env: "SOCVAL_AUDIT_SIGNING_KEY",
        default: "(development key beside the SQLite file)",
        meaning: "PKCS#8 PEM Ed25519 private key that signs audit events and checkpoints; required in production, generated on first start otherwise (`<sqlite path>.audit-key.pem`, or `socval-audit-key.pem` for PostgreSQL)",
    },
    Setting {
        env: "SOCVAL_AUDIT_RETIRED_KEYS",
        default: "(none)",
        meaning: "comma-separated PEM public key files of retired signing keys, still trusted for the events they signed",
    },
    Setting {
        env: "SOCVAL_AUDIT_CHECKPOINT_SECS",
        default: "3600",
        meaning: "how often the server writes a signed checkpoint of each org whose chain moved; `0` for never",
    },
    Setting {
        env: "SOCVAL_AUDIT_SEQUENCER_POLL_MS",
        default: "250",
        meaning: "how often the audit sequencer looks for events other replicas wrote (its own are chained as soon as they commit): the longest an event waits to be chained while this replica is up",
    },
    Setting {
        env: "SOCVAL_SHUTDOWN_TIMEOUT_SECS",
        default: "30",
        meaning: "on SIGTERM/SIGINT, how long in-flight requests may take to finish",
    },
];
