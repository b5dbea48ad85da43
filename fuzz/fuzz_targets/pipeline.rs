#![no_main]
//! See `common::pipeline`: a file kind (first byte) and its bytes through decoding and the
//! whole per-file pipeline.

#[path = "../common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        common::pipeline(selector, rest.to_vec());
    }
});
