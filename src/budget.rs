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
