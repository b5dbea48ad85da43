#![no_main]
//! The whole per-file pipeline: a file kind (first byte) and its bytes, through decoding,
//! classification's kinds, extraction, shell and SQL analysis and every rule.

#[path = "../common.rs"]
mod common;

use dbguard::lang::{FileKind, JsDialect};
use libfuzzer_sys::fuzz_target;

const KINDS: &[(&str, FileKind)] = &[
    ("scripts/x.sh", FileKind::Shell),
    ("package.json", FileKind::PackageJson),
    (".github/workflows/ci.yml", FileKind::GithubWorkflow),
    (".gitlab-ci.yml", FileKind::GitlabCi),
    ("Makefile", FileKind::Makefile),
    ("Dockerfile", FileKind::Dockerfile),
    ("scripts/x.ts", FileKind::Js(JsDialect::TypeScript)),
    ("scripts/x.js", FileKind::Js(JsDialect::JavaScript)),
    ("supabase/migrations/1_x.sql", FileKind::Sql),
    (".env", FileKind::Env),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (path, kind) = KINDS[usize::from(selector) % KINDS.len()];
    let bytes = rest.to_vec();
    common::with_big_stack(move || {
        // As the walker does: bytes are decoded (or refused) before linting.
        let Ok(source) = dbguard::engine::decode(path.to_string(), path.as_ref(), bytes, kind)
        else {
            return;
        };
        common::lint_and_check(path, kind, &source.text);
    });
});
