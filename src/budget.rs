//! Parse budgets. Every tree-sitter parse gets a time budget; a parse that runs out is
//! abandoned, and the file it belongs to is reported as (partly) skipped with the reason, so a
//! pathological input costs bounded time and is never silently dropped.

use std::cell::Cell;
use std::time::{Duration, Instant};

use tree_sitter::{ParseOptions, ParseState, Parser, Tree};

/// How long one parse may take. Real files parse in milliseconds; only hostile input comes
/// near this.
pub const PARSE_BUDGET: Duration = Duration::from_secs(5);

thread_local! {
    static EXCEEDED: Cell<Option<&'static str>> = const { Cell::new(None) };
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
            EXCEEDED.with(|e| e.set(Some(what)));
        }
    }
    tree
}

/// The language of a parse that ran out of time on this thread since the last call.
pub fn take_exceeded() -> Option<&'static str> {
    EXCEEDED.with(|e| e.take())
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
        assert_eq!(take_exceeded(), Some("bash"));
        assert_eq!(take_exceeded(), None);
        // The parser is usable again, and a normal budget parses.
        let tree = parse(&mut p, "echo ok", "bash").unwrap();
        assert!(!tree.root_node().has_error());
        assert_eq!(take_exceeded(), None);
    }
}
