//! `POST …/bids` and `POST …/bids/batch`: the same bytes parsed as a single bid and as a batch.
#![no_main]

use libfuzzer_sys::fuzz_target;
use socval::api::{BidBatch, CreateBid};

fuzz_target!(|data: &[u8]| {
    socval_fuzz::parse::<CreateBid>(data);
    socval_fuzz::parse::<BidBatch>(data);
});
