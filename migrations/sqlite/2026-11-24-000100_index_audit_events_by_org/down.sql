DROP INDEX audit_events_org_seq;
