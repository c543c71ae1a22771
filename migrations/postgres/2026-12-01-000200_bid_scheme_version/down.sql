ALTER TABLE bids DROP COLUMN scheme_version;
