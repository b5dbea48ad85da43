#![no_main]
//! See `common::ci_yaml`: the extractor, the commands it yields and the whole pipeline on the
//! same text, with every position checked.

#[path = "../common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        common::ci_yaml(text);
    }
});
