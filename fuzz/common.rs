//! What every fuzz target runs and checks besides "no panic": everything a run reports
//! points inside the input. The dbguard binary gives its threads a 1 GiB stack (deep SQL nests
//! deeply in the parser); `fuzz/run.sh` raises the main thread's stack limit to match.
#![allow(dead_code)]

use std::sync::Arc;

use dbguard::config::Config;
use dbguard::fragment::{Body, Fragment};
use dbguard::lang::FileKind;
use dbguard::source::SourceFile;

fn config() -> &'static Config {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| Config::default_at(".".into()))
}

/// Fragments and the commands in them stay inside the host text.
pub fn check_fragments(host: &str, fragments: &[Fragment]) {
    let len = host.len();
    for f in fragments {
        assert!(
            f.span.start <= f.span.end && f.span.end <= len,
            "fragment span {:?}",
            f.span
        );
        if let Body::Shell { text, map } = &f.body {
            let r = map.range_to_host(0..text.len());
            assert!(r.end <= len, "fragment map {r:?} past {len}");
        }
        for cmd in dbguard::shell::commands(f) {
            assert!(
                cmd.span.end <= len,
                "command span {:?} past {len}",
                cmd.span
            );
            for w in &cmd.argv {
                assert!(w.span.end <= len, "word span {:?} past {len}", w.span);
            }
        }
    }
}

/// Lints `text` as a file of `kind` at `path` and checks every finding's position.
pub fn lint_and_check(path: &str, kind: FileKind, text: &str) {
    let source = SourceFile::new(path.to_string(), path.into(), Arc::from(text));
    let lint = dbguard::engine::lint(&source, kind, config());
    for f in &lint.findings {
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "span {:?}",
            f.span
        );
        assert!(text.is_char_boundary(f.span.start) || f.span.start == text.len());
        let at = source.line_col(f.span.start);
        assert_eq!((at.line, at.column), (f.start.line, f.start.column));
        assert!(f.start.line >= 1 && f.start.column >= 1);
        assert!(!f.rule.is_empty() && !f.message.is_empty());
    }
}

// One function per fuzz target, so that `tests/regressions.rs` replays crash reproducers
// through exactly what the fuzzer ran.

pub fn package_json(text: &str) {
    check_fragments(text, &dbguard::fragment::package_json::extract(text));
    lint_and_check("package.json", FileKind::PackageJson, text);
}

pub fn makefile(text: &str) {
    check_fragments(text, &dbguard::fragment::makefile::extract(text));
    lint_and_check("Makefile", FileKind::Makefile, text);
}

pub fn dockerfile(text: &str) {
    check_fragments(text, &dbguard::fragment::dockerfile::extract(text));
    lint_and_check("Dockerfile", FileKind::Dockerfile, text);
}

pub fn ci_yaml(text: &str) {
    let path = ".github/workflows/deploy.yml";
    check_fragments(
        text,
        &dbguard::fragment::ci_yaml::extract_github(text, path),
    );
    check_fragments(text, &dbguard::fragment::ci_yaml::extract_gitlab(text));
    lint_and_check(path, FileKind::GithubWorkflow, text);
    lint_and_check(".gitlab-ci.yml", FileKind::GitlabCi, text);
}

pub fn javascript(selector: u8, text: &str) {
    use dbguard::lang::JsDialect;
    let (dialect, path) = match selector % 3 {
        0 => (JsDialect::JavaScript, "scripts/x.js"),
        1 => (JsDialect::TypeScript, "scripts/x.ts"),
        _ => (JsDialect::Tsx, "src/x.tsx"),
    };
    check_fragments(text, &dbguard::fragment::javascript::extract(text, dialect));
    for sql in dbguard::fragment::js_sql::extract(text, dialect) {
        let r = sql.to_host(0..sql.text.len());
        assert!(
            r.end <= text.len(),
            "SQL fragment maps to {r:?}, past {}",
            text.len()
        );
    }
    lint_and_check(path, FileKind::Js(dialect), text);
}

pub fn sql(text: &str) {
    lint_and_check("db/migrations/0001_x.sql", FileKind::Sql, text);
    lint_and_check("scripts/x.test.sql", FileKind::Sql, text);
}

pub fn pipeline(selector: u8, bytes: Vec<u8>) {
    use dbguard::lang::JsDialect;
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
    let (path, kind) = KINDS[usize::from(selector) % KINDS.len()];
    // As the walker does: bytes are decoded (or refused) before linting.
    let Ok(source) = dbguard::engine::decode(path.to_string(), path.as_ref(), bytes, kind) else {
        return;
    };
    lint_and_check(path, kind, &source.text);
}
