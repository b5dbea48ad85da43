#![no_main]
//! See `common::sql`: the extractor, the commands it yields and the whole pipeline on the
//! same text, with every position checked.

#[path = "../common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::sql(&String::from_utf8_lossy(data));
});
