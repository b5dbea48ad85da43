#![no_main]
//! The makefile extractor, the shell commands it yields, and the whole pipeline on the same text.

#[path = "../common.rs"]
mod common;

use dbguard::lang::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    common::with_big_stack(move || {
        let fragments = dbguard::fragment::makefile::extract(&text);
        common::check_fragments(&text, &fragments);
        common::lint_and_check("Makefile", FileKind::Makefile, &text);
    });
});
