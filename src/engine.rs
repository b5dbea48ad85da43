//! The per-file pipeline: classify → prefilter → extract fragments → analyze. Pure over
//! (path, kind, text, config), so any file source (disk, git index, stdin) can feed it.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use crate::config::Config;
use crate::finding::{assign_fingerprints, snippet, sort_and_dedup, Finding};
use crate::fragment::{self, Body, Fragment};
use crate::lang::FileKind;
use crate::rules::{self, CommandRule};
use crate::shell;
use crate::source::SourceFile;

/// One automaton over every command rule's literals (ASCII case-insensitive).
fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        let mut lits: Vec<&str> = rules::all_rules()
            .flat_map(|m| m.literals.iter().copied())
            .collect();
        lits.sort_unstable();
        lits.dedup();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(lits)
            .expect("literals build an automaton")
    })
}

/// True when the text contains a literal some rule needs.
pub fn may_match(text: &str) -> bool {
    prefilter().is_match(text)
}

/// Extracts the shell fragments of a host file.
pub fn fragments(kind: FileKind, text: &str, display: &str) -> Vec<Fragment> {
    match kind {
        FileKind::Shell => {
            let mut ctx = fragment::HostContext::new(kind);
            let name = display.rsplit('/').next().unwrap_or(display);
            ctx.names
                .push(name.split('.').next().unwrap_or(name).to_string());
            vec![Fragment::shell(
                text.to_string(),
                fragment::map::OffsetMap::linear(0, text.len()),
                Arc::new(ctx),
            )]
        }
        FileKind::PackageJson => fragment::package_json::extract(text),
        FileKind::GithubWorkflow => fragment::ci_yaml::extract_github(text, display),
        FileKind::GitlabCi => fragment::ci_yaml::extract_gitlab(text),
        FileKind::Makefile => fragment::makefile::extract(text),
        FileKind::Dockerfile => fragment::dockerfile::extract(text),
        FileKind::Js(d) => fragment::javascript::extract(text, d),
        // SQL and env files carry no shell commands; their rule families read them directly.
        FileKind::Sql | FileKind::Env => Vec::new(),
    }
}

fn fragment_may_match(f: &Fragment) -> bool {
    match &f.body {
        Body::Shell { text, .. } => may_match(text),
        Body::Argv(words) => words.iter().any(|w| may_match(&w.text)),
    }
}

/// JS/TS holds commands only in exec-like calls: a file that names none has no fragments.
/// (`Prisma` is in nearly every file of a Prisma app; this keeps those files unparsed.)
fn js_may_run_commands(text: &str) -> bool {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(["exec", "spawn", "$`", "$("]).expect("literals"))
        .is_match(text)
}

/// Lints one file's text.
pub fn lint_source(source: &SourceFile, kind: FileKind, config: &Config) -> Vec<Finding> {
    // Debug builds only: lets the tests prove that a panic costs one file, not the run.
    #[cfg(debug_assertions)]
    if let Ok(marker) = std::env::var("DBGUARD_TEST_PANIC") {
        if !marker.is_empty() && source.text.contains(marker.as_str()) {
            panic!("DBGUARD_TEST_PANIC");
        }
    }
    if !may_match(&source.text) {
        return Vec::new();
    }
    if matches!(kind, FileKind::Js(_)) && !js_may_run_commands(&source.text) {
        return Vec::new();
    }
    let active: Vec<&dyn CommandRule> = rules::command_rules()
        .iter()
        .copied()
        .filter(|r| config.rule_enabled(r.meta().id, r.meta().category))
        .collect();
    let mut findings = Vec::new();
    for frag in fragments(kind, &source.text, &source.display) {
        if !fragment_may_match(&frag) {
            continue;
        }
        for cmd in shell::commands(&frag) {
            // `--help` prints usage and runs nothing.
            if cmd.args().iter().any(|w| w.text == "--help") {
                continue;
            }
            for rule in &active {
                let Some(hit) = rule.check(&cmd) else {
                    continue;
                };
                let meta = rule.meta();
                let span =
                    hit.span.start.min(source.text.len())..hit.span.end.min(source.text.len());
                findings.push(Finding {
                    rule: meta.id,
                    category: meta.category,
                    severity: config.severity_for(meta.id, meta.severity, hit.severity),
                    path: source.display.clone(),
                    start: source.line_col(span.start),
                    end: source.line_col(span.end),
                    snippet: snippet(source, &span),
                    span,
                    message: hit.message,
                    help: meta.help.to_string(),
                    fingerprint: String::new(),
                });
            }
        }
    }
    sort_and_dedup(&mut findings);
    assign_fingerprints(&mut findings);
    findings
}

/// Builds a source file from bytes, or says why it cannot be linted (binary, not UTF-8).
pub fn decode(display: String, path: &Path, bytes: Vec<u8>) -> Result<SourceFile, &'static str> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (NUL byte)");
    }
    let mut text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8")?;
    // A UTF-8 byte order mark is not text: columns on line 1 count from after it.
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(SourceFile::new(
        display,
        path.to_path_buf(),
        Arc::from(text),
    ))
}
