#![no_main]
//! SQL: the parser, function bodies, every SQL rule and squawk's (as a migration), the
//! nesting budget.

#[path = "../common.rs"]
mod common;

use dbguard::lang::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    common::with_big_stack(move || {
        common::lint_and_check("db/migrations/0001_x.sql", FileKind::Sql, &text);
        common::lint_and_check("scripts/x.test.sql", FileKind::Sql, &text);
    });
});
