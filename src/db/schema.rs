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
diesel::allow_tables_to_appear_in_same_query!(audit_events, measure_sets, measures);
