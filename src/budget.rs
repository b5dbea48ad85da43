//! Budgets. Every tree-sitter parse gets a time budget, and every recursive extraction a depth
//! or work limit (nested `bash -c`, YAML aliases). Running out abandons that part of the file,
//! and the file is reported as (partly) skipped with the reason: a pathological input costs
//! bounded time and is never silently dropped.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use tree_sitter::{ParseOptions, ParseState, Parser, Tree};

/// How long one parse may take. Real files parse in milliseconds; only hostile input comes
/// near this.
pub const PARSE_BUDGET: Duration = Duration::from_secs(5);

thread_local! {
    static EXCEEDED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// How deeply JS/TS may nest brackets before it is not parsed: tree-sitter's query matching
/// is quadratic in the depth of an error tree, and real code (minified bundles included)
/// nests a few dozen levels.
pub const MAX_JS_DEPTH: usize = 2000;

/// The deepest nesting of `(`, `[` and `{` in JS/TS `text`, outside strings, templates and
/// comments (a regular expression's brackets count: an overestimate no real code reaches).
pub fn bracket_depth(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// Records that a budget ran out while linting the current file (the first reason is kept).
pub fn note(reason: impl FnOnce() -> String) {
    EXCEEDED.with(|e| {
        let mut e = e.borrow_mut();
        if e.is_none() {
            *e = Some(reason());
        }
    });
}

/// Parses `text` within [`PARSE_BUDGET`]. `what` names the language for the skip reason.
pub fn parse(parser: &mut Parser, text: &str, what: &'static str) -> Option<Tree> {
    parse_within(parser, text, what, PARSE_BUDGET)
}

fn parse_within(
    parser: &mut Parser,
    text: &str,
    what: &'static str,
    budget: Duration,
) -> Option<Tree> {
    let start = Instant::now();
    let bytes = text.as_bytes();
    let mut out_of_time = |_: &ParseState| start.elapsed() > budget;
    let tree = parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or(&[]),
        None,
        Some(ParseOptions::new().progress_callback(&mut out_of_time)),
    );
    if tree.is_none() {
        // A halted parse would resume on the next call: start afresh instead.
        parser.reset();
        if start.elapsed() > budget {
            note(|| {
                format!(
                    "{what} parse took longer than {} s: abandoned",
                    budget.as_secs()
                )
            });
        }
    }
    tree
}

/// Why part of the current file was not read, since the last call (on this thread).
pub fn take_exceeded() -> Option<String> {
    EXCEEDED.with(|e| e.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_depth_skips_strings_and_comments() {
        assert_eq!(bracket_depth("f(a[{b}])"), 3);
        assert_eq!(
            bracket_depth("q(\"((((\"); // ((((\n/* (( */ x(`((${1}`)"),
            1
        );
        assert_eq!(bracket_depth("s = '\\'('; g()"), 1);
    }

    #[test]
    fn an_exhausted_budget_abandons_the_parse_and_is_reported() {
        let mut p = Parser::new();
        p.set_language(&tree_sitter_bash::LANGUAGE.into()).unwrap();
        let text = "echo hi; ".repeat(50_000);
        assert!(parse_within(&mut p, &text, "bash", Duration::ZERO).is_none());
        assert_eq!(
            take_exceeded().as_deref(),
            Some("bash parse took longer than 0 s: abandoned")
        );
        assert_eq!(take_exceeded(), None);
        // The parser is usable again, and a normal budget parses.
        let tree = parse(&mut p, "echo ok", "bash").unwrap();
        assert!(!tree.root_node().has_error());
        assert_eq!(take_exceeded(), None);
    }
}
