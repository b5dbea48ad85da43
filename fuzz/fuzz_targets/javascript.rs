#![no_main]
//! See `common::javascript`: the exec/spawn and SQL call-site extractors in the dialect the
//! first byte picks, and the whole pipeline on the same text.

#[path = "../common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        if let Ok(text) = std::str::from_utf8(rest) {
            common::javascript(selector, text);
        }
    }
});
