DROP TABLE idempotency_keys;
DROP TABLE commitments;
DROP TABLE bids;
DROP TABLE schemes;
DROP TABLE lots;
DROP TABLE tenders;
