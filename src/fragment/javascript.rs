//! JS/TS: calls that run commands become fragments. String commands (`execSync("…")`, zx
//! `` $`…` ``) are shell text; argv forms (`spawn("x", ["a"])`, `execa("x", [...])`) are argv
//! fragments. The query lives in `queries/javascript/shell-calls.scm`.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use tree_sitter::{Language, Node, Parser, Query, QueryCursor, StreamingIterator};

use super::escape::decode_escape;
use super::map::FragmentBuilder;
use super::{Body, Fragment, HostContext};
use crate::lang::{FileKind, JsDialect};
use crate::shell::words::Word;

const QUERY_SRC: &str = include_str!("../../queries/javascript/shell-calls.scm");

/// Calls whose first argument is a shell command string.
const STRING_COMMANDS: &[&str] = &["execSync", "execaCommand", "execaCommandSync"];
/// Calls whose first argument is a program and second an argv array (or whose first argument
/// is a whole argv array, as `Bun.spawn([...])`).
const ARGV_COMMANDS: &[&str] = &[
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "execa",
    "execaSync",
];
/// Tags of templates that run a command.
const TAGS: &[&str] = &["$", "execa", "execaSync", "execaCommand"];
/// Objects whose `.exec(…)` runs a shell command.
const EXEC_OBJECTS: &[&str] = &[
    "child_process",
    "childProcess",
    "cp",
    "shell",
    "shelljs",
    "proc",
];

struct Compiled {
    language: Language,
    query: Query,
}

fn compiled(dialect: JsDialect) -> &'static Compiled {
    static JS: OnceLock<Compiled> = OnceLock::new();
    static TS: OnceLock<Compiled> = OnceLock::new();
    static TSX: OnceLock<Compiled> = OnceLock::new();
    let (cell, language): (_, Language) = match dialect {
        JsDialect::JavaScript => (&JS, tree_sitter_javascript::LANGUAGE.into()),
        JsDialect::TypeScript => (&TS, tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        JsDialect::Tsx => (&TSX, tree_sitter_typescript::LANGUAGE_TSX.into()),
    };
    cell.get_or_init(|| Compiled {
        query: Query::new(&language, QUERY_SRC)
            .expect("shell-calls.scm compiles for every JS dialect"),
        language,
    })
}

thread_local! {
    static PARSERS: RefCell<Vec<(JsDialect, Parser)>> = const { RefCell::new(Vec::new()) };
}

fn parse(dialect: JsDialect, src: &str) -> Option<tree_sitter::Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        if !parsers.iter().any(|(d, _)| *d == dialect) {
            let mut p = Parser::new();
            p.set_language(&compiled(dialect).language).ok()?;
            parsers.push((dialect, p));
        }
        let (_, p) = parsers.iter_mut().find(|(d, _)| *d == dialect)?;
        p.parse(src, None)
    })
}

/// Names bound to `promisify(exec)` / `promisify(execFile)` in this file.
fn promisified(src: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("promisify(") {
        let before = &rest[..i];
        let after = &rest[i + "promisify(".len()..];
        let arg: String = after.chars().take_while(|c| *c != ')').collect();
        let arg = arg.trim().rsplit('.').next().unwrap_or("").to_string();
        // `const NAME = [util.]promisify(`
        let lhs = before.trim_end().trim_end_matches("util.").trim_end();
        if let Some(lhs) = lhs.strip_suffix('=') {
            let name: String = lhs
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            let name: String = name.chars().rev().collect();
            if !name.is_empty() && (arg == "exec" || arg == "execFile") {
                out.push((name, arg == "execFile"));
            }
        }
        rest = &after[arg.len().min(after.len())..];
    }
    out
}

pub fn extract(src: &str, dialect: JsDialect) -> Vec<Fragment> {
    let Some(tree) = parse(dialect, src) else {
        return Vec::new();
    };
    let c = compiled(dialect);
    // `exec` is ambiguous (RegExp, sqlite): only a module import makes it a shell call.
    let exec_is_shell = ["child_process\"", "child_process'", "shelljs\"", "shelljs'"]
        .iter()
        .any(|m| src.contains(m));
    let aliases = promisified(src);
    let ctx = Arc::new(HostContext::new(FileKind::Js(dialect)));
    let idx = |name: &str| c.query.capture_index_for_name(name);
    let (i_function, i_args, i_call) = (idx("function"), idx("args"), idx("call"));
    let mut out = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&c.query, tree.root_node(), src.as_bytes());
    while let Some(m) = matches.next() {
        let node = |i: Option<u32>| {
            m.captures
                .iter()
                .find(|cap| Some(cap.index) == i)
                .map(|cap| cap.node)
        };
        let (Some(call), Some(function), Some(args)) =
            (node(i_call), node(i_function), node(i_args))
        else {
            continue;
        };
        let text = |n: Node| &src[n.byte_range()];
        if args.kind() == "template_string" {
            // `$`…``, execa`…`, `$({ cwd })`…``
            let tag = match function.kind() {
                "identifier" => Some(function),
                "call_expression" => function
                    .child_by_field_name("function")
                    .filter(|f| f.kind() == "identifier"),
                _ => None,
            };
            if tag.is_some_and(|t| TAGS.contains(&text(t))) {
                let (body, map) = string_text(args, src);
                out.push(fragment(
                    Body::Shell { text: body, map },
                    args.byte_range(),
                    &ctx,
                    call,
                    src,
                ));
            }
            continue;
        }
        let (name, object) = match function.kind() {
            "identifier" => (text(function), None),
            "member_expression" => match function.child_by_field_name("property") {
                Some(p) => (text(p), function.child_by_field_name("object")),
                None => continue,
            },
            _ => continue,
        };
        let alias = aliases
            .iter()
            .find(|(a, _)| a == name)
            .map(|(_, argv)| *argv);
        let string_form = STRING_COMMANDS.contains(&name)
            || alias == Some(false)
            || (name == "exec" && exec_is_shell && exec_object_ok(object, src));
        let argv_form = ARGV_COMMANDS.contains(&name) || alias == Some(true);
        if !string_form && !argv_form {
            continue;
        }
        let mut ac = args.walk();
        let list: Vec<Node> = args
            .named_children(&mut ac)
            .filter(|n| n.kind() != "comment")
            .collect();
        let Some(&first) = list.first() else { continue };
        let second = list.get(1).copied().filter(|n| n.kind() == "array");
        if argv_form && first.kind() == "array" {
            // Bun.spawn(["prisma", "migrate", "reset"])
            out.push(fragment(
                Body::Argv(array_words(first, src)),
                first.byte_range(),
                &ctx,
                call,
                src,
            ));
        } else if let (true, Some(array)) = (argv_form, second) {
            let mut words = vec![js_word(first, src)];
            words.extend(array_words(array, src));
            out.push(fragment(
                Body::Argv(words),
                first.start_byte()..array.end_byte(),
                &ctx,
                call,
                src,
            ));
        } else if matches!(first.kind(), "string" | "template_string") {
            let (body, map) = string_text(first, src);
            out.push(fragment(
                Body::Shell { text: body, map },
                first.byte_range(),
                &ctx,
                call,
                src,
            ));
        }
    }
    out
}

fn fragment(
    body: Body,
    span: std::ops::Range<usize>,
    ctx: &Arc<HostContext>,
    call: Node,
    src: &str,
) -> Fragment {
    Fragment {
        body,
        span,
        ctx: ctx.clone(),
        refused_in_test: refused_in_test(call, src),
    }
}

/// `exec` is child_process's only when called bare or on a known module object.
fn exec_object_ok(object: Option<Node>, src: &str) -> bool {
    match object {
        None => true,
        Some(o) if o.kind() == "identifier" => EXEC_OBJECTS.contains(&&src[o.byte_range()]),
        Some(o) if o.kind() == "call_expression" => src[o.byte_range()].starts_with("require("),
        _ => false,
    }
}

/// The text of a string or template literal, with escapes decoded and `${…}` substitutions
/// replaced by a shell expansion of the same length (a dynamic word).
pub fn string_text(node: Node, src: &str) -> (String, super::map::OffsetMap) {
    let r = node.byte_range();
    let mut b = FragmentBuilder::new();
    if r.len() < 2 {
        return b.finish();
    }
    let (start, end) = (r.start + 1, r.end - 1);
    let mut pos = start;
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        let cr = child.byte_range();
        if cr.start < pos || cr.end > end {
            continue;
        }
        b.push_verbatim(&src[pos..cr.start], pos);
        match child.kind() {
            "escape_sequence" => b.push_decoded(&decode_escape(&src[cr.clone()]), cr.start),
            "template_substitution" => {
                let placeholder = crate::shell::words::placeholder(cr.len());
                b.push_decoded(&placeholder, cr.start);
            }
            _ => b.push_verbatim(&src[cr.clone()], cr.start),
        }
        pos = cr.end;
    }
    b.push_verbatim(&src[pos..end], pos);
    b.finish()
}

/// One argv element: a literal string is its value; anything else is a dynamic word.
fn js_word(node: Node, src: &str) -> Word {
    let static_string = node.kind() == "string"
        || (node.kind() == "template_string" && {
            let mut c = node.walk();
            let has_subst = node
                .named_children(&mut c)
                .any(|n| n.kind() == "template_substitution");
            !has_subst
        });
    let span = node.byte_range();
    if static_string {
        let (text, map) = string_text(node, src);
        Word {
            text,
            dynamic: false,
            map,
            span,
        }
    } else {
        let mut w = Word::verbatim(&src[span.clone()], span.start);
        w.text = format!("${{{}}}", w.text);
        w.map = super::map::OffsetMap::linear(span.start, w.text.len());
        w.dynamic = true;
        w
    }
}

fn array_words(array: Node, src: &str) -> Vec<Word> {
    let mut c = array.walk();
    array
        .named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .map(|n| js_word(n, src))
        .collect()
}

/// `expect(() => execSync("…")).toThrow()`, `await expect(p).rejects…`, `assert.throws(…)`.
fn refused_in_test(call: Node, src: &str) -> bool {
    let mut node = call;
    for _ in 0..16 {
        let Some(parent) = node.parent() else {
            return false;
        };
        node = parent;
        if node.kind() != "call_expression" {
            continue;
        }
        let Some(func) = node.child_by_field_name("function") else {
            continue;
        };
        match func.kind() {
            "identifier" if &src[func.byte_range()] == "expect" => {
                // Climb the matcher chain: expect(x).rejects.toThrow(…)
                let mut up = node;
                for _ in 0..6 {
                    let Some(p) = up.parent() else { break };
                    if p.kind() == "member_expression" {
                        if let Some(prop) = p.child_by_field_name("property") {
                            let prop = &src[prop.byte_range()];
                            if prop.starts_with("toThrow") || prop == "rejects" {
                                return true;
                            }
                        }
                    } else if !matches!(p.kind(), "call_expression" | "await_expression") {
                        break;
                    }
                    up = p;
                }
                return false;
            }
            "member_expression" => {
                let prop = func
                    .child_by_field_name("property")
                    .map(|p| &src[p.byte_range()]);
                if matches!(prop, Some("throws" | "rejects" | "throwsAsync")) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn programs(src: &str) -> Vec<(String, bool)> {
        extract(src, JsDialect::TypeScript)
            .iter()
            .flat_map(|f| {
                commands(f).into_iter().map(|c| {
                    (
                        c.argv
                            .iter()
                            .map(|w| w.text.clone())
                            .collect::<Vec<_>>()
                            .join(" "),
                        c.refused_in_test,
                    )
                })
            })
            .collect()
    }

    #[test]
    fn finds_string_and_argv_commands() {
        let src = r#"
import { execSync, spawnSync } from "node:child_process";
import { $ } from "zx";
execSync("npx prisma migrate reset --force");
spawnSync("npx", ["prisma", "db", "push", flag]);
await $`prisma migrate reset --force ${extra}`;
Bun.spawn(["dropdb", "app"]);
const run = promisify(exec);
await run(`redis-cli flushall`);
"#;
        let got: Vec<String> = programs(src).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "prisma migrate reset --force",
                "prisma db push ${flag}",
                "prisma migrate reset --force ${_____}",
                "dropdb app",
                "redis-cli flushall"
            ]
        );
    }

    #[test]
    fn look_alikes_are_not_commands() {
        let src = r#"
const re = /prisma migrate reset/;
re.exec("prisma migrate reset");
/x/.exec("dropdb app");
db.exec("DROP TABLE x");
console.log("prisma migrate reset");
// execSync("prisma migrate reset")
exec("prisma migrate reset"); // no child_process import in this file
"#;
        assert!(programs(src).is_empty(), "{:?}", programs(src));
    }

    #[test]
    fn refusal_assertions_are_marked() {
        let src = r#"
import { execSync } from "child_process";
test("refuses", () => {
  expect(() => execSync("prisma migrate reset --force")).toThrow(/Refusing/);
  assert.throws(() => execSync("dropdb app"));
  execSync("prisma migrate deploy");
});
"#;
        let got = programs(src);
        assert_eq!(got.len(), 3);
        assert!(got[0].1 && got[1].1 && !got[2].1, "{got:?}");
    }

    #[test]
    fn positions_in_multiline_templates() {
        let src = "execSync(`\n  npx prisma migrate reset --force\n`);";
        let f = extract(src, JsDialect::JavaScript);
        let c = commands(&f[0]);
        let at = src.find("prisma").unwrap();
        assert_eq!(c[0].argv[0].span.start, at);
    }
}
