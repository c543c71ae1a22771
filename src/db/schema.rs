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
