#![no_main]
//! The JS/TS extractors (exec/spawn calls and SQL call sites) in every dialect, and the whole
//! pipeline on the same text.

#[path = "../common.rs"]
mod common;

use dbguard::lang::{FileKind, JsDialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let text = text.to_string();
    let (dialect, path) = match selector % 3 {
        0 => (JsDialect::JavaScript, "scripts/x.js"),
        1 => (JsDialect::TypeScript, "scripts/x.ts"),
        _ => (JsDialect::Tsx, "src/x.tsx"),
    };
    common::with_big_stack(move || {
        let shell = dbguard::fragment::javascript::extract(&text, dialect);
        common::check_fragments(&text, &shell);
        for sql in dbguard::fragment::js_sql::extract(&text, dialect) {
            let r = sql.to_host(0..sql.text.len());
            assert!(r.end <= text.len(), "SQL fragment maps to {r:?}, past {}", text.len());
        }
        common::lint_and_check(path, FileKind::Js(dialect), &text);
    });
});
