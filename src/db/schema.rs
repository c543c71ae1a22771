// The diesel view of the tables in `migrations/`; one file for both backends.

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        org_id -> Text,
        at -> Timestamp,
        actor_sub -> Text,
        actor_role -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        payload_sha256 -> Text,
        prev_hash -> Text,
        hash -> Text,
        change -> Nullable<Text>,
        key_id -> Nullable<Text>,
        signature -> Nullable<Text>,
    }
}

diesel::table! {
    audit_pending (id) {
        id -> BigInt,
        org_id -> Text,
        entity -> Text,
        entity_id -> Text,
        at -> Timestamp,
        actor_sub -> Text,
        actor_role -> Text,
        action -> Text,
        payload_sha256 -> Text,
        change -> Text,
    }
}

diesel::table! {
    audit_checkpoints (org_id, seq, kind) {
        org_id -> Text,
        seq -> BigInt,
        head -> Text,
        at -> Timestamp,
        key_id -> Text,
        signature -> Text,
        kind -> Text,
    }
}

diesel::table! {
    audit_baselines (org_id) {
        org_id -> Text,
        status -> Text,
        old_chain_valid -> Nullable<Bool>,
        old_events_checked -> Nullable<BigInt>,
        old_head -> Nullable<Text>,
        old_first_invalid_seq -> Nullable<BigInt>,
        old_first_invalid_reason -> Nullable<Text>,
        baseline_events -> Nullable<BigInt>,
        migrated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    measure_sets (id) {
        id -> Text,
        name -> Text,
        version -> Text,
        licence -> Text,
        source -> Text,
        valid_from -> Text,
        redistributable -> Bool,
        owner_org -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        measure_count -> Integer,
    }
}

diesel::table! {
    measures (measure_set_id, position) {
        measure_set_id -> Text,
        position -> Integer,
        code -> Text,
        name -> Text,
        unit -> Text,
        proxy_value -> Text,
        deadweight -> Text,
        attribution -> Text,
        displacement -> Text,
        outcomes -> Text,
        description -> Text,
    }
}

diesel::joinable!(measures -> measure_sets (measure_set_id));

diesel::table! {
    tenders (id) {
        id -> Text,
        org_id -> Text,
        external_id -> Nullable<Text>,
        ocid -> Nullable<Text>,
        title -> Text,
        buyer -> Text,
        authority_type -> Text,
        framework -> Text,
        measure_set -> Text,
        currency -> Text,
        value -> Nullable<Text>,
        procurement_regime -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lots (id) {
        id -> Text,
        tender_id -> Text,
        org_id -> Text,
        external_id -> Nullable<Text>,
        title -> Text,
        value -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        scheme_version -> Integer,
        latest_evaluation_id -> Nullable<Text>,
    }
}

diesel::table! {
    schemes (lot_id, version) {
        lot_id -> Text,
        version -> Integer,
        org_id -> Text,
        body -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bids (id) {
        id -> Text,
        lot_id -> Text,
        org_id -> Text,
        external_id -> Nullable<Text>,
        supplier -> Text,
        price -> Text,
        currency -> Text,
        submitted_at -> Text,
        status -> Text,
        created_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        scheme_version -> Integer,
    }
}

diesel::table! {
    commitments (bid_id, position) {
        bid_id -> Text,
        position -> Integer,
        measure -> Nullable<Text>,
        quantity -> Nullable<Text>,
        description -> Nullable<Text>,
        unit -> Nullable<Text>,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (org_id, key) {
        org_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluators (lot_id, sub) {
        lot_id -> Text,
        sub -> Text,
        org_id -> Text,
        assigned_by -> Text,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    conflict_declarations (id) {
        id -> Text,
        lot_id -> Text,
        org_id -> Text,
        evaluator_sub -> Text,
        conflict -> Bool,
        bid_id -> Nullable<Text>,
        details -> Text,
        declared_at -> Timestamp,
    }
}

diesel::table! {
    marks (lot_id, bid_id, criterion_id, evaluator_sub) {
        lot_id -> Text,
        bid_id -> Text,
        criterion_id -> Text,
        evaluator_sub -> Text,
        org_id -> Text,
        score -> Text,
        rationale -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    moderated_marks (lot_id, bid_id, criterion_id) {
        lot_id -> Text,
        bid_id -> Text,
        criterion_id -> Text,
        org_id -> Text,
        score -> Text,
        rationale -> Text,
        moderated_by -> Text,
        moderated_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        lot_id -> Text,
        tender_id -> Text,
        org_id -> Text,
        scheme_version -> Integer,
        inputs -> Text,
        inputs_sha256 -> Text,
        engine_version -> Text,
        result -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    awards (lot_id) {
        lot_id -> Text,
        tender_id -> Text,
        org_id -> Text,
        evaluation_id -> Text,
        winner_bid_id -> Text,
        note -> Text,
        decided_at -> Timestamp,
        standstill_ends -> Nullable<Text>,
        awarded_by -> Text,
    }
}

diesel::table! {
    award_steps (lot_id, seq) {
        lot_id -> Text,
        seq -> Integer,
        tender_id -> Text,
        org_id -> Text,
        step -> Text,
        occurred_at -> Timestamp,
        regime -> Text,
        details -> Text,
        correction_reason -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(lots -> tenders (tender_id));
diesel::joinable!(schemes -> lots (lot_id));
diesel::joinable!(bids -> lots (lot_id));
diesel::joinable!(commitments -> bids (bid_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    audit_pending,
    audit_baselines,
    audit_checkpoints,
    measure_sets,
    measures,
    tenders,
    lots,
    schemes,
    bids,
    commitments,
    idempotency_keys,
    evaluators,
    conflict_declarations,
    marks,
    moderated_marks,
    evaluations,
    awards,
    award_steps,
);
