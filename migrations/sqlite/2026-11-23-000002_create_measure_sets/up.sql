-- Imported measure sets: versioned and immutable (a change is a new version). Decimals are TEXT
-- holding the exact decimal as written by rust_decimal, never a float.
CREATE TABLE measure_sets (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    licence         TEXT NOT NULL,
    source          TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    redistributable BOOLEAN NOT NULL,
    owner_org       TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    measure_count   INTEGER NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE measures (
    measure_set_id TEXT NOT NULL REFERENCES measure_sets (id),
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL,
    proxy_value    TEXT NOT NULL,
    deadweight     TEXT NOT NULL,
    attribution    TEXT NOT NULL,
    displacement   TEXT NOT NULL,
    -- outcome codes joined with ';' (codes never contain it)
    outcomes       TEXT NOT NULL,
    description    TEXT NOT NULL,
    PRIMARY KEY (measure_set_id, position),
    UNIQUE (measure_set_id, code)
);
